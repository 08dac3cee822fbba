"""The synthesized stacks through real Terraform and the real AWS provider against an AWS emulator
(moto server on 127.0.0.1): plan, apply, a second plan with no changes, and destroy refused where
the stacks protect resources. The synthesized files are never edited: a copy of each stack
directory gets override files (provider endpoints, provider versions, the bootstrap's local state
path) and the S3 backend gets the emulator through `-backend-config`.

Resource types the emulator cannot create are listed, with its error, in emulator-unsupported.json.
They (and everything that depends on them) are planned but not applied: `-target` names the rest.

Run by scripts/verify-emulator.sh. Environment: MINDHIT_SYNTH_DIR, MINDHIT_TERRAFORM, MINDHIT_WORK_DIR."""
import concurrent.futures
import json
import os
import re
import signal
import subprocess
import time

import pytest

from account_inventory import orphans, tagged_arns
from aws_emulator import cli_credentials, clients, moto_over_tls, operator_credentials, web_identity_role
from emulator_stack import REGION, SYNTH_DIR, TERRAFORM, WORK_DIR, account_of, applicable, init, perpetual_diff, run, stack_json, targets, workdir
from runbook import AWS_CLI_DIR, run_block, section_blocks
from stack_workdir import configured_environments, terraform_env, write_json

# What the iam stage (test_iam.py) evaluates: the calls Terraform made as each CI role, the roles'
# policies as the account holds them, and the resources' tags as the states hold them.
IAM_EVIDENCE = os.environ.get("MINDHIT_IAM_EVIDENCE") or os.path.join(WORK_DIR, "iam-evidence")
os.makedirs(IAM_EVIDENCE, exist_ok=True)
CALL_LOG = os.path.join(IAM_EVIDENCE, "calls.jsonl")


@pytest.fixture(scope="module")
def emulator(tmp_path_factory):
    # Certificates requested from the emulator's ACM are issued at once (DNS validation cannot happen here).
    # AWS managed policies (PowerUserAccess, ReadOnlyAccess) exist in every account; moto loads them on request.
    # Over TLS: the state bucket's policy denies every request without it, and the emulator enforces that.
    # Every request is recorded with its caller for the iam stage (emulator_server._record_calls).
    env = {"MOTO_ACM_VALIDATION_WAIT": "0", "MOTO_IAM_LOAD_MANAGED_POLICIES": "true", "MINDHIT_CALL_LOG": CALL_LOG}
    with moto_over_tls(str(tmp_path_factory.mktemp("tls")), env) as url:
        yield url


@pytest.fixture(scope="module")
def aws(emulator):
    """stack name -> (service name -> a client of the emulator as the operator of the stack's account)."""
    return lambda name, region=REGION: clients(emulator, region, operator_credentials(emulator, account_of(stack_json(name))))


def operator_cli(emulator, name):
    """The AWS CLI's credentials of the operator of the stack's account (for the runbook's commands)."""
    return cli_credentials(operator_credentials(emulator, account_of(stack_json(name))))


# One bootstrap per account (every environment is an account, or shares a non-production one).
BOOTSTRAP_STACKS = sorted(n for n in os.listdir(os.path.join(SYNTH_DIR, "stacks")) if n.startswith("mindhit-state-bootstrap-"))


@pytest.fixture(scope="module")
def hosted_zone(aws):
    """What each account holds before the platform stacks: the public zone of its environments'
    hosts (the domain's in production's account; the bootstrap creates a zone below it, and
    `dns.createHostedZone` is off by default). The certificate module finds it by name."""
    for name in PLATFORM_STACKS:
        (zone,) = stack_json(name)["data"]["aws_route53_zone"].values()
        route53 = aws(name)("route53")
        # Listed from this zone's name on: the first is it, if the account has it (staging's bootstrap made its own).
        first = route53.list_hosted_zones_by_name(DNSName=zone["name"], MaxItems="1")["HostedZones"]
        if not (first and first[0]["Name"] == zone["name"] + "."):
            route53.create_hosted_zone(Name=zone["name"], CallerReference=f"emulator-{zone['name']}")


def apply_bootstrap(name, emulator):
    """As the operator of its account: plan, apply (what the emulator implements), re-plan."""
    cwd, doc = workdir(name, emulator, local_state=True)
    init(cwd, local_state=True)
    applied, _ = applicable(doc)
    outcome = {"cwd": cwd, "doc": doc, "plan": run(cwd, "plan", "-input=false", ok=False)}
    if outcome["plan"].returncode == 0:
        outcome["apply"] = run(cwd, "apply", "-auto-approve", "-input=false", *targets(applied), ok=False)
        if outcome["apply"].returncode == 0:
            outcome["replan"] = perpetual_diff(cwd, *targets(applied))
    return outcome


@pytest.fixture(scope="module")
def bootstraps(emulator):
    """Every account's bootstrap, side by side (each is mostly the provider's waiting)."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(BOOTSTRAP_STACKS)) as pool:
        futures = {name: pool.submit(apply_bootstrap, name, emulator) for name in BOOTSTRAP_STACKS}
        return {name: future.result() for name, future in futures.items()}


@pytest.mark.parametrize("name", BOOTSTRAP_STACKS)
def test_bootstrap_plans_applies_and_replans_clean(name, bootstraps):
    outcome = bootstraps[name]
    assert outcome["plan"].returncode == 0, f"{name}: plan failed:\n{outcome['plan'].stderr[-4000:]}"
    assert outcome["apply"].returncode == 0, f"{name}: apply failed:\n{outcome['apply'].stderr[-4000:]}"
    assert not outcome["replan"], f"perpetual diff in {name}: {outcome['replan']}"


@pytest.mark.parametrize("name", BOOTSTRAP_STACKS)
def test_bootstrap_destroy_is_refused_for_the_state_bucket(name, bootstraps):
    cwd, doc = bootstraps[name]["cwd"], bootstraps[name]["doc"]
    bucket = next(iter(doc["resource"]["aws_s3_bucket"]))
    result = run(cwd, "destroy", "-auto-approve", "-input=false", f"-target=aws_s3_bucket.{bucket}", ok=False)
    assert result.returncode != 0
    assert "Instance cannot be destroyed" in result.stderr, result.stderr[-2000:]
    state = run(cwd, "state", "list").stdout.split()
    assert f"aws_s3_bucket.{bucket}" in state


# Every environment's platform stack, from config. The runbook's scenarios name prod (a killed first
# apply, recovered; refused destroys; Grafana's login) and staging (a state restore; a deploy
# notification); every other environment is applied straight through beside them.
PLATFORM_STACKS = [env["stackNames"]["platform"] for env in configured_environments()]
KILLED_APPLY = "mindhit-prod"


def ci_role(name, kind, aws):
    """The CI role of the stack's environment (`deploy` or `plan`), assumed as the workflows assume
    it: AssumeRoleWithWebIdentity with a GitHub-shaped token whose subject is the one the role's
    trust policy names. (The emulator's STS checks neither the token nor the trust; test_iam.py
    evaluates the trust policy against the subjects the workflows present.)"""
    environment = stack_json(name)["provider"]["aws"][0]["default_tags"][0]["tags"]["Environment"]
    role = aws("iam").get_role(RoleName=f"mindhit-ci-{environment}-{kind}")["Role"]
    (statement,) = role["AssumeRolePolicyDocument"]["Statement"]
    subject = statement["Condition"]["StringEquals"]["token.actions.githubusercontent.com:sub"]
    subject = subject[0] if isinstance(subject, list) else subject
    return web_identity_role(IAM_EVIDENCE, role["Arn"], subject.split(":")[1], subject)


def plan_platform(name, url, aws):
    """init and plan (everything) as the environment's deploy role; with a plan, also what the
    emulator can apply and what it cannot."""
    cwd, doc = workdir(name, url, identity=ci_role(name, "deploy", aws))
    init(cwd)
    outcome = {"cwd": cwd, "doc": doc, "plan": run(cwd, "plan", "-input=false", "-lock-timeout=60s", ok=False)}
    if outcome["plan"].returncode == 0:
        outcome["applied"], outcome["planned_only"] = applicable(doc)
    return outcome


def plan_as_plan_role(name, url, aws):
    """A pull request's plan: the environment's plan role, no lock (ci.yml's TF_CLI_ARGS_plan), in
    its own working copy of the stack, reading the state the deploy role wrote."""
    cwd, _ = workdir(name, url, identity=ci_role(name, "plan", aws), copy_name=f"{name}-plan-role")
    init(cwd)
    return run(cwd, "plan", "-input=false", "-lock=false", ok=False)


def deploy_platform(name, url, aws):
    """plan, apply (what the emulator implements), re-plan; then a plan as the plan role: the
    outcome of each."""
    outcome = plan_platform(name, url, aws)
    if outcome["plan"].returncode != 0:
        return outcome
    cwd, applied = outcome["cwd"], outcome["applied"]
    outcome["apply"] = run(cwd, "apply", "-auto-approve", "-input=false", "-lock-timeout=60s", *targets(applied), ok=False)
    if outcome["apply"].returncode == 0:
        outcome["replan"] = perpetual_diff(cwd, *targets(applied))
        outcome["plan_role_plan"] = plan_as_plan_role(name, url, aws)
    return outcome


@pytest.fixture(scope="module")
def platforms(emulator, aws, bootstraps, hosted_zone):
    """Every environment, each in its account. Prod's first apply is killed midway and recovered with the
    runbook (recover_killed_apply); the others are applied straight through. Most of an apply is the
    provider's own waiting (RDS: a minute's delay then three steady reads, twice; S3 lifecycle: ten
    reads five seconds apart)."""
    assert all(b.get("apply") and b["apply"].returncode == 0 for b in bootstraps.values()), "a bootstrap was not applied"
    # Side by side: each apply is mostly the provider's waiting.
    assert KILLED_APPLY in PLATFORM_STACKS, f"the runbook's scenarios need {KILLED_APPLY}; configured: {PLATFORM_STACKS}"
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(PLATFORM_STACKS)) as pool:
        futures = {name: pool.submit(recover_killed_apply if name == KILLED_APPLY else deploy_platform, name, emulator, aws(name)) for name in PLATFORM_STACKS}
        results = {name: future.result() for name, future in futures.items()}
    if all(r.get("apply") and r["apply"].returncode == 0 for r in results.values()):
        # Production's account: its bootstrap's state and prod's hold everything in it.
        account = account_of(stack_json(KILLED_APPLY))
        cwds = [bootstraps[f"mindhit-state-bootstrap-{account}"]["cwd"], results[KILLED_APPLY]["cwd"]]
        results[KILLED_APPLY]["left_outside_state"] = orphans(aws(KILLED_APPLY), [run(cwd, "show", "-json").stdout for cwd in cwds])
    counts = {n: {"applied": len(r.get("applied", [])), "planned_only": len(r.get("planned_only", [])),
                  "planned_only_types": sorted({a.split(".")[0] for a in r.get("planned_only", [])})} for n, r in results.items()}
    counts[KILLED_APPLY].update({k: results[KILLED_APPLY].get(k) for k in ("orphans_found_by_runbook", "imported", "left_outside_state")})
    write_json(os.path.join(WORK_DIR, "applied-counts.json"), counts)
    return results


@pytest.mark.parametrize("name", PLATFORM_STACKS)
def test_platform_stack_plans_applies_and_replans_clean(name, platforms):
    """As the environment's deploy role; then its plan role plans without a lock."""
    outcome = platforms[name]
    assert outcome["plan"].returncode == 0, f"{name}: plan failed:\n{outcome['plan'].stderr[-4000:]}"
    apply = outcome["apply"]
    assert apply.returncode == 0, f"{name}: apply failed:\n{apply.stderr[-6000:]}"
    real = outcome["replan"]
    assert not real, f"{name}: perpetual diff after apply: {real}"
    plan = outcome["plan_role_plan"]
    assert plan.returncode == 0, f"{name}: the plan role's plan failed:\n{plan.stderr[-4000:]}"


def test_a_killed_apply_is_recovered_by_the_runbook_with_nothing_left_outside_a_state(platforms):
    """Prod's first apply, SIGKILLed: runbook §11 (unlock, orphan search, import what it misses)
    brings it to a complete apply, and the account holds nothing that no state holds."""
    outcome = platforms["mindhit-prod"]
    assert outcome["apply"].returncode == 0, f"the re-apply never completed; imported so far: {outcome['imported']}:\n{outcome['apply'].stderr[-4000:]}"
    assert outcome["orphans_found_by_runbook"], "the killed apply left nothing outside the state: kill it later"
    left = outcome.get("left_outside_state")
    assert left == [], f"in the account, in no state: {left}"


def test_prod_destroy_is_refused_for_protected_resources(platforms):
    """The database (deletion_protection, enforced by the RDS API) and the backups bucket
    (prevent_destroy, enforced by Terraform) survive a destroy aimed at them. Runs last for prod: a
    targeted destroy removes the database's dependents before the API refuses. (The EKS cluster's
    deletion_protection is not enforced by moto 5.2.5, so it is not tried.)"""
    outcome = platforms["mindhit-prod"]
    cwd, doc = outcome["cwd"], outcome["doc"]
    (db,) = doc["resource"]["aws_db_instance"]
    (bucket,) = [n for n, b in doc["resource"]["aws_s3_bucket"].items() if "backups" in b["bucket"]]
    refused = run(cwd, "destroy", "-auto-approve", "-input=false", "-lock-timeout=60s", f"-target=aws_s3_bucket.{bucket}", ok=False)
    assert refused.returncode != 0 and "Instance cannot be destroyed" in refused.stderr, refused.stderr[-2000:]
    refused = run(cwd, "destroy", "-auto-approve", "-input=false", "-lock-timeout=60s", f"-target=aws_db_instance.{db}", ok=False)
    assert refused.returncode != 0 and "disable deletion protection" in refused.stderr.replace("\n", " "), refused.stderr[-2000:]
    state = run(cwd, "state", "list").stdout.split()
    assert f"aws_db_instance.{db}" in state and f"aws_s3_bucket.{bucket}" in state


def test_a_bad_state_write_is_undone_by_the_runbook_restore(emulator, aws, platforms):
    """Runbook §10 as written, for staging (the runbook is written for prod and gives staging's bucket and key):
    a state object overwritten behind Terraform's back makes every run fail; the restore makes the
    next plan empty."""
    name = "mindhit-staging"
    assert platforms[name]["apply"].returncode == 0, "needs the applied prod platform stack"
    doc = stack_json(name)
    backend = doc["terraform"]["backend"]["s3"]
    cwd = os.path.join(WORK_DIR, name)
    s3 = aws(name)("s3")
    current = s3.get_object(Bucket=backend["bucket"], Key=backend["key"])
    good, last_good = json.loads(current["Body"].read()), current["VersionId"]
    # The mistake: a state with the right lineage and a higher serial, but nothing in it.
    s3.put_object(Bucket=backend["bucket"], Key=backend["key"], Body=json.dumps({**good, "serial": good["serial"] + 1, "resources": []}).encode())
    broken = run(cwd, "plan", "-input=false", "-lock-timeout=60s", ok=False)
    assert broken.returncode != 0 and "does not match the checksum" in broken.stderr.replace("\n", " "), broken.stderr[-2000:]

    # The operator's choice in step 2 is the version just before the bad write (LastModified has
    # one-second resolution, so the test names it rather than sorting).
    blocks = section_blocks("10")
    restore_steps = blocks[:5]  # variables, list, download and compare, make current, fix the digest
    assert "copy-object" in restore_steps[3] and "put-item" in restore_steps[4], "runbook §10 changed shape: update this test"
    scratch = os.path.join(WORK_DIR, "restore")
    os.makedirs(scratch, exist_ok=True)
    assert "BUCKET=mindhit-terraform-state\n" in restore_steps[0] and "KEY=production/terraform.tfstate" in restore_steps[0], "runbook §10 changed its variables: update this test"
    # Staging's state is in its own account's bucket, as the section says.
    restore_steps[0] = restore_steps[0].replace("BUCKET=mindhit-terraform-state\n", f"BUCKET={backend['bucket']}\n").replace("KEY=production/terraform.tfstate", f"KEY={backend['key']}")
    run_block("\n".join(restore_steps), scratch, emulator, {"<VERSION_ID>": last_good}, env=operator_cli(emulator, name))

    real = perpetual_diff(cwd, *targets(applicable(doc)[0]))
    assert not real, f"after the runbook restore the plan is not empty: {real}"


# A re-apply after a killed first apply fails on what the killed run created under a fixed name and
# no state holds. The provider names it: `Error: creating <Kind> (<name>): … AlreadyExists …`.
ALREADY_EXISTS = re.compile(r"AlreadyExists|already exists|AlreadyOwnedByYou", re.I)
DIAGNOSTIC = re.compile(r"^Error: (?P<summary>.*?)^\s+with (?P<address>[\w.-]+),", re.M | re.S)
# Where `terraform import` wants something other than the name in the error: an ARN.
ACCOUNT = "123456789012"  # moto's default account
IMPORT_ARN = {"aws_iam_openid_connect_provider": "arn:aws:iam::{account}:oidc-provider/{name}", "aws_iam_policy": "arn:aws:iam::{account}:policy/{name}"}


def already_existing(stderr):
    """(address, import id) for each `already exists` error; any other error fails the test."""
    found = []
    for match in DIAGNOSTIC.finditer(stderr):
        summary, address = match.group("summary"), match.group("address")
        assert ALREADY_EXISTS.search(summary), f"re-apply failed with something other than `already exists`:\n{summary[:3000]}"
        named = re.search(r"creating [^(]*\(([^)]+)\)", summary)
        assert named, f"the provider's error does not name what exists; extend already_existing:\n{summary[:2000]}"
        name, kind = named.group(1), address.split(".")[0]
        found.append((address, IMPORT_ARN[kind].format(account=ACCOUNT, name=name) if kind in IMPORT_ARN else name))
    assert found, "re-apply failed without a diagnostic this test can read"
    return found




def kill_first_apply(cwd, name, aws, applied):
    """Start the stack's first apply and SIGKILL it (Terraform and its provider plugins) as soon as
    the account holds one resource tagged for the stack."""
    with open(os.path.join(cwd, "killed-apply.log"), "w") as log:
        proc = subprocess.Popen([TERRAFORM, "apply", "-auto-approve", "-input=false", "-no-color", *targets(applied)],
                                cwd=cwd, env=terraform_env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            deadline = time.monotonic() + 300
            while not tagged_arns(aws, [{"Key": "Stack", "Values": [name]}]):
                assert proc.poll() is None, "the apply ended before any resource appeared"
                assert time.monotonic() < deadline, "no resource appeared within 5 minutes"
                time.sleep(0.2)
        finally:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def recover_killed_apply(name, emulator, aws):
    """Runbook §11 as written (it is written for prod): a first apply SIGKILLed once its first
    resources exist leaves the lock held; step 1 shows the holder, step 3 unlocks; step 5 lists what
    the tagging API sees outside the state (deleted: a first apply); re-applies import what it
    misses, as the step says, until one completes. (The platforms fixture then checks that nothing
    in the account is outside a state.)"""
    outcome = plan_platform(name, emulator, aws)
    if outcome["plan"].returncode != 0:
        return outcome
    cwd, doc, applied = outcome["cwd"], outcome["doc"], outcome["applied"]
    backend = doc["terraform"]["backend"]["s3"]
    lock_key = {"LockID": {"S": f"{backend['bucket']}/{backend['key']}"}}
    kill_first_apply(cwd, name, aws, applied)
    assert "Item" in aws("dynamodb").get_item(TableName=backend["dynamodb_table"], Key=lock_key), "a killed apply leaves its lock"

    blocks = section_blocks("11")
    terraform_path = {"PATH": f"{os.path.dirname(TERRAFORM)}{os.pathsep}{os.environ['PATH']}"}
    operator = operator_cli(emulator, name)
    holder = json.loads(run_block(blocks[0], cwd, emulator, env=operator))  # step 1: who holds it
    assert holder["Operation"] == "OperationTypeApply", holder
    unlock = next(line for block in blocks for line in block.splitlines() if "terraform force-unlock" in line)
    tf_env = {k: v for k, v in terraform_env().items() if k.startswith("TF_") or k == "CHECKPOINT_DISABLE"}
    run_block(unlock, cwd, emulator, {"<LOCK_ID>": holder["ID"]}, env={**operator, **terraform_path, **tf_env})  # step 3, in the stack directory
    assert "Item" not in aws("dynamodb").get_item(TableName=backend["dynamodb_table"], Key=lock_key), "the runbook's unlock left the lock"

    finder = next(block for block in blocks if "in-account.txt" in block and "awk" in block)  # step 5
    listed = run_block(finder, cwd, emulator, env={**operator, **terraform_path, **tf_env}).split()
    outcome["orphans_found_by_runbook"] = sorted(listed)
    for arn in listed:
        # With the client of the ARN's region: the edge pieces (CloudFront's certificate, ACL, logs) are in us-east-1.
        delete_orphan(clients(emulator, arn.split(":")[3] or REGION, operator_credentials(emulator, account_of(doc))), arn)

    imported = []
    for _ in range(6):
        outcome["apply"] = run(cwd, "apply", "-auto-approve", "-input=false", "-lock-timeout=60s", *targets(applied), ok=False)
        if outcome["apply"].returncode == 0:
            break
        for address, ident in already_existing(outcome["apply"].stderr):
            run(cwd, "import", "-input=false", "-lock-timeout=60s", address, ident)
            imported.append(f"{address} {ident}")
    outcome["imported"] = imported
    if outcome["apply"].returncode == 0:
        outcome["replan"] = perpetual_diff(cwd, *targets(applied))
        outcome["plan_role_plan"] = plan_as_plan_role(name, emulator, aws)
    return outcome


def delete_orphan(aws, arn):
    """The operator's choice for what a killed *first* apply left behind: nothing uses it yet."""
    service, resource = arn.split(":")[2], arn.split(":", 5)[5]
    kind, _, ident = resource.partition("/")
    if service == "ec2":
        ec2 = aws("ec2")
        {"vpc": lambda: ec2.delete_vpc(VpcId=ident), "elastic-ip": lambda: ec2.release_address(AllocationId=ident),
         "security-group": lambda: ec2.delete_security_group(GroupId=ident), "subnet": lambda: ec2.delete_subnet(SubnetId=ident),
         "internet-gateway": lambda: ec2.delete_internet_gateway(InternetGatewayId=ident),
         "route-table": lambda: ec2.delete_route_table(RouteTableId=ident)}[kind]()
    elif service == "logs":
        aws("logs").delete_log_group(logGroupName=resource.split(":", 1)[1].removesuffix(":*"))
    elif service == "kms":
        aws("kms").schedule_key_deletion(KeyId=ident, PendingWindowInDays=7)
    elif service == "sns":
        aws("sns").delete_topic(TopicArn=arn)
    elif service == "acm":
        aws("acm").delete_certificate(CertificateArn=arn)
    elif service == "secretsmanager":
        aws("secretsmanager").delete_secret(SecretId=arn, ForceDeleteWithoutRecovery=True)
    elif service == "ssm" and kind == "parameter":
        aws("ssm").delete_parameter(Name=f"/{ident}")
    elif service == "elasticache" and resource.startswith("user:"):
        cache, user = aws("elasticache"), resource.split(":", 1)[1]
        cache.delete_user(UserId=user)
        # Deletion takes a while; creating the same user before it ends fails (the operator waits).
        for _ in range(30):
            try:
                cache.describe_users(UserId=user)
            except cache.exceptions.UserNotFoundFault:
                break
            time.sleep(1)
    elif service == "s3":
        aws("s3").delete_bucket(Bucket=resource)  # a first apply's bucket holds no object yet
    elif service == "wafv2":
        waf, (scope_path, _, name, acl_id) = aws("wafv2"), resource.split("/")
        scope = "CLOUDFRONT" if scope_path == "global" else "REGIONAL"
        token = waf.get_web_acl(Name=name, Scope=scope, Id=acl_id)["LockToken"]
        waf.delete_web_acl(Name=name, Scope=scope, Id=acl_id, LockToken=token)
    elif service == "cloudfront" and kind == "distribution":
        cloudfront = aws("cloudfront")
        etag = cloudfront.get_distribution(Id=ident)["ETag"]
        cloudfront.delete_distribution(Id=ident, IfMatch=etag)
    elif service == "sqs":
        sqs = aws("sqs")
        sqs.delete_queue(QueueUrl=sqs.get_queue_url(QueueName=resource)["QueueUrl"])
    elif service == "events" and kind == "rule":
        events = aws("events")
        targets = [t["Id"] for t in events.list_targets_by_rule(Rule=ident)["Targets"]]
        if targets:
            events.remove_targets(Rule=ident, Ids=targets)
        events.delete_rule(Name=ident)
    elif service == "rds" and resource.startswith("db:"):
        aws("rds").delete_db_instance(DBInstanceIdentifier=resource.split(":", 1)[1], SkipFinalSnapshot=True)
    else:
        raise AssertionError(f"no deletion for {arn}: extend delete_orphan")


def test_deploy_notifications_reach_the_alert_topic_as_the_deploy_role(emulator, aws, platforms):
    """scripts/notify-deploy.sh as deploy.yml runs it: the AWS CLI as staging's deploy role (web
    identity, as configure-aws-credentials leaves it), publishing to the encrypted topic the
    platform stack applied. A queue subscribed to the topic receives the Chatbot notification; the
    iam stage evaluates the publish (and its use of the topic's key) like every other call."""
    assert platforms["mindhit-staging"]["apply"].returncode == 0, "staging's platform stack was not applied"
    sns, sqs = aws("mindhit-staging")("sns"), aws("mindhit-staging")("sqs")
    (topic_arn,) = [t["TopicArn"] for t in sns.list_topics()["Topics"] if t["TopicArn"].endswith(":mindhit-staging-alerts")]
    queue_url = sqs.create_queue(QueueName="notification-probe")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    identity = ci_role("mindhit-staging", "deploy", aws("mindhit-staging"))
    static = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE")
    env = {k: v for k, v in os.environ.items() if k not in static}
    env.update(PATH=f"{AWS_CLI_DIR}{os.pathsep}{os.environ['PATH']}", AWS_ENDPOINT_URL=emulator, AWS_PAGER="", AWS_DEFAULT_REGION=REGION,
               AWS_ROLE_ARN=identity["role_arn"], AWS_WEB_IDENTITY_TOKEN_FILE=identity["web_identity_token_file"],
               AWS_ROLE_SESSION_NAME=identity["session_name"], GITHUB_SHA="0123abc", GITHUB_ACTOR="octocat")
    result = subprocess.run(["bash", "scripts/notify-deploy.sh", "staging", "succeeded", "deploy of mindhit-staging, mindhit-staging-apps"],
                            cwd=os.path.join(os.path.dirname(__file__), "..", ".."), env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "::warning::" not in result.stdout, f"notify-deploy.sh:\n{result.stdout}\n{result.stderr}"
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=1, WaitTimeSeconds=2).get("Messages", [])
    assert messages, "no notification reached the topic's subscriber"
    notification = json.loads(messages[0]["Body"])
    assert notification["source"] == "custom" and notification["content"]["title"] == "staging: deploy of mindhit-staging, mindhit-staging-apps succeeded"
    sqs.delete_queue(QueueUrl=queue_url)


def test_the_grafana_password_is_generated_at_apply_and_kept_out_of_state_and_plan(aws, platforms):
    """prod's Grafana admin login: Secrets Manager holds the JSON login with a 32-character password
    that AWS generated during the apply (an ephemeral GetRandomPassword written through the write-
    only secret_string_wo); neither the state nor a saved plan holds it."""
    outcome = platforms["mindhit-prod"]
    assert outcome["apply"].returncode == 0, "prod's platform stack was not applied"
    (name,) = [s["name"] for s in outcome["doc"]["resource"]["aws_secretsmanager_secret"].values() if s["name"].endswith("/grafana-admin")]
    login = json.loads(aws("mindhit-prod")("secretsmanager").get_secret_value(SecretId=name)["SecretString"])
    assert login["admin-user"] == "admin" and re.fullmatch(r"[A-Za-z0-9]{32}", login["admin-password"]), f"not a generated login: {sorted(login)}"
    state = run(outcome["cwd"], "state", "pull").stdout
    assert login["admin-password"] not in state, "the Grafana password is in the state"
    (version,) = [f"aws_secretsmanager_secret_version.{k}" for k, v in outcome["doc"]["resource"]["aws_secretsmanager_secret_version"].items()]
    run(outcome["cwd"], "plan", "-input=false", "-lock=false", "-out=grafana.tfplan", f"-target={version}")
    assert login["admin-password"] not in run(outcome["cwd"], "show", "-json", "grafana.tfplan").stdout, "the Grafana password is in the plan"


def test_evidence_for_the_iam_stage(aws, bootstraps, platforms):
    """Runs last: what the iam stage evaluates, from the accounts and the states as they are now.
    The CI roles' policies are read back from each account's IAM (the managed ones as the
    emulator's copy of AWS's published documents); calls.jsonl has been written all along."""
    roles = {}
    for bootstrap in BOOTSTRAP_STACKS:
        iam = aws(bootstrap)("iam")
        for role in iam.list_roles()["Roles"]:
            if role["RoleName"].startswith("mindhit-ci-"):
                roles[role["RoleName"]] = role_evidence(iam, role["RoleName"])
    write_json(os.path.join(IAM_EVIDENCE, "roles.json"), roles)
    states = {name: json.loads(run(outcome["cwd"], "show", "-json").stdout) for name, outcome in bootstraps.items()}
    for name in PLATFORM_STACKS:
        states[name] = json.loads(run(platforms[name]["cwd"], "show", "-json").stdout)
    write_json(os.path.join(IAM_EVIDENCE, "states.json"), states)
    assert roles and os.path.getsize(CALL_LOG) > 0


def role_evidence(iam, name):
    """A role as its account holds it: ARN (and so its account), trust, inline and managed policies, boundary."""
    full = iam.get_role(RoleName=name)["Role"]
    policies = [{"name": p, "policy": iam.get_role_policy(RoleName=name, PolicyName=p)["PolicyDocument"]}
                for p in iam.list_role_policies(RoleName=name)["PolicyNames"]]
    for attached in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]:
        policies.append({"name": attached["PolicyName"], "policy": policy_document(iam, attached["PolicyArn"])})
    boundary = full.get("PermissionsBoundary", {}).get("PermissionsBoundaryArn")
    return {
        "arn": full["Arn"],
        "trust": full["AssumeRolePolicyDocument"],
        "identity_policies": policies,
        "boundary": boundary and {"name": boundary.rsplit("/", 1)[1], "policy": policy_document(iam, boundary)},
    }


def test_a_stack_planned_with_another_accounts_credentials_stops_before_reading_anything(emulator, bootstraps):
    """Every AWS provider pins allowed_account_ids: prod's platform stack, run with credentials of
    staging's account (an operator with the wrong profile), fails at provider configuration after
    only the provider's own identity lookup; with prod's credentials the same provider reads its account."""
    prod_account, wrong_account = account_of(stack_json("mindhit-prod")), account_of(stack_json("mindhit-staging"))
    assert wrong_account != prod_account
    doc = stack_json("mindhit-prod")
    (identity,) = doc["data"]["aws_caller_identity"]
    probe = f"-target=data.aws_caller_identity.{identity}"
    outcomes = {}
    for account, session in ((wrong_account, "wrong-profile"), (prod_account, "right-profile")):
        credentials = operator_credentials(emulator, account, session=session)
        cwd, _ = workdir("mindhit-prod", emulator, local_state=True, credentials=credentials, copy_name=f"mindhit-prod-as-{session}", check_account=True)
        init(cwd, local_state=True)
        outcomes[session] = run(cwd, "plan", "-input=false", "-refresh=false", probe, ok=False)
    wrong, right = outcomes["wrong-profile"], outcomes["right-profile"]
    assert wrong.returncode != 0 and f"AWS account ID not allowed: {wrong_account}" in " ".join(wrong.stderr.split()), wrong.stderr[-2000:]
    assert right.returncode == 0, right.stderr[-2000:]
    print(f"refused: {next(line.strip(' │') for line in wrong.stderr.splitlines() if 'not allowed' in line)}; prod's credentials: plan ok")
    with open(CALL_LOG) as handle:
        made = {(c.get("service"), c.get("action")) for c in map(json.loads, handle) if ":assumed-role/operator/wrong-profile" in (c.get("caller") or "")}
    # The provider's own "who am I" (iam:GetUser, then sts:GetCallerIdentity): no resource is read.
    assert made and made <= {("iam", "GetUser"), ("sts", "GetCallerIdentity")}, f"calls made with the wrong account's credentials: {sorted(made)}"
    print(f"calls made with the wrong account's credentials: {sorted(made)}")


def policy_document(iam, arn):
    version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
    return iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"]

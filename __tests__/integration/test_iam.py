"""Stage iam: the GitHub CI roles can do their jobs, and no more.

The emulator stage (test_emulator.py) applies the bootstrap as the operator, then applies staging
and prod as their deploy roles and plans them as their plan roles, each role assumed through
AssumeRoleWithWebIdentity with a GitHub-shaped token; the emulator records every request with its
caller. The emulator cannot judge these roles itself (test_the_emulator_cannot_enforce_these_roles
shows why), so this stage evaluates each recorded request, mapped to the IAM request AWS would
authorize (iam_requests.py), with a maintained evaluator of AWS's policy logic
(@cloud-copilot/iam-simulate, iam_simulate.mjs) against the policies the account holds: the role's
inline and managed policies and its permissions boundary. Any denial fails the stage, naming the
action, the resource and the statement. Then the walls, each expected to be denied.

Run by scripts/verify-iam.sh after the emulator stage. Environment: MINDHIT_IAM_EVIDENCE."""
import collections
import json
import os
import re
import subprocess

import urllib.request

import boto3
import botocore.exceptions
import pytest
import yaml

from aws_emulator import clients, github_oidc_token, moto_server
from iam_requests import StateIndex, as_sent, requests_for, resource_tag_context
from stack_workdir import configured_environments

EVIDENCE = os.environ["MINDHIT_IAM_EVIDENCE"]
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
ACCOUNT = "123456789012"  # moto's default account
REPOSITORY_PREFIX = "repo:"


def load(name):
    path = os.path.join(EVIDENCE, name)
    assert os.path.exists(path), f"{path} is missing: the emulator stage (scripts/verify-emulator.sh) writes it"
    with open(path) as handle:
        return [json.loads(line) for line in handle] if name.endswith(".jsonl") else json.load(handle)


@pytest.fixture(scope="module")
def evidence():
    return {"roles": load("roles.json"), "states": load("states.json"), "calls": load("calls.jsonl")}


@pytest.fixture(scope="module")
def index(evidence):
    return StateIndex(evidence["states"])


@pytest.fixture(scope="module")
def mapped(evidence, index):
    """Every recorded call as the IAM requests AWS authorizes for it (read once for both kinds of role)."""
    requests, unmapped = requests_for(evidence["calls"], index, ACCOUNT)
    assert not unmapped, "requests this stage cannot read as IAM requests (extend iam-actions.json):\n" + "\n".join(sorted(set(unmapped)))
    return requests


def evaluate(roles, requests=(), trust_requests=(), resource_policies=None):
    """id -> result of each request (iam_simulate.mjs)."""
    payload = {"account": ACCOUNT, "roles": roles, "requests": list(requests), "trust_requests": list(trust_requests), "resource_policies": resource_policies or {}}
    done = subprocess.run(["node", os.path.join(HERE, "iam_simulate.mjs")], input=json.dumps(payload), capture_output=True, text=True, timeout=300, cwd=REPO)
    assert done.returncode == 0, done.stderr[-3000:]
    return {r["id"]: r for r in json.loads(done.stdout)}


def role_of(caller):
    """The role of an assumed-role session ARN (None: the operator's static credentials)."""
    return caller.split("/")[1] if caller and ":assumed-role/" in caller else None


def recorded(mapped, kind):
    """role -> its distinct IAM requests, each with how many calls and which operations made it."""
    by_role = collections.defaultdict(dict)
    for request in mapped:
        role = role_of(request["caller"])
        if role is None or not role.endswith(f"-{kind}"):
            continue
        key = json.dumps([request["action"], request["resource"], request["context"], request.get("resource_policy")], sort_keys=True)
        entry = by_role[role].setdefault(key, {**request, "role": role, "principal": request["caller"], "calls": 0, "sources": set()})
        entry["calls"] += 1
        entry["sources"].add(request["source"])
    return by_role


def denials(evidence, index, mapped, kind):
    by_role = recorded(mapped, kind)
    roles = sorted(r for r in evidence["roles"] if r.endswith(f"-{kind}"))
    assert sorted(by_role) == roles, f"every {kind} role must have been used by the emulator stage: used {sorted(by_role)}, exist {roles}"
    requests = [{**r, "id": f"{role}#{i}", "sources": sorted(r["sources"])} for role, entries in by_role.items() for i, r in enumerate(entries.values())]
    results = evaluate(evidence["roles"], requests, resource_policies=index.policies)
    summary = {role: {"distinct requests": len(entries), "calls": sum(e["calls"] for e in entries.values())} for role, entries in by_role.items()}
    print(f"{kind} roles, requests evaluated: {json.dumps(summary)}")
    problems = []
    for request in requests:
        result = results[request["id"]]
        if result["result"] != "Allowed":
            by = f" by {', '.join(result['denied_by'])}" if result["denied_by"] else ""
            problems.append(f"{request['role']}: {result['result']}{by}: {request['action']} on {request['resource']}"
                            f" (from {', '.join(request['sources'])}; {request['calls']} calls; context {json.dumps(request['context'], sort_keys=True)})"
                            + (f" error {result['error']}" if result.get("error") else ""))
    return problems


def test_every_request_a_deploy_role_made_to_apply_its_environment_is_allowed(evidence, index, mapped):
    problems = denials(evidence, index, mapped, "deploy")
    assert not problems, "AccessDenied for the deploy role's apply:\n" + "\n".join(problems)


def test_every_request_a_plan_role_made_to_plan_its_environment_is_allowed(evidence, index, mapped):
    problems = denials(evidence, index, mapped, "plan")
    assert not problems, "AccessDenied for the plan role's plan:\n" + "\n".join(problems)


def repository():
    with open(os.path.join(REPO, "src", "environments", "project.ts")) as handle:
        (name,) = re.findall(r'repository: "([^"]+)"', handle.read())
    return name


def workflow_subjects():
    """role -> the token subjects the workflows present when they assume it: deploy jobs
    (deploy-environment.yml, app-release.yml) in their GitHub environment, the pull-request plan
    (ci.yml) for each leg of its matrix. A job whose environment or matrix is an expression runs in
    each configured environment, as the project's CLI prints them (that is where the workflows take
    them from)."""
    repo, wanted = repository(), collections.defaultdict(set)
    environments = configured_environments()
    deploy_role = {env["githubEnvironment"]: env["ciRoleNames"]["deploy"] for env in environments}
    workflows = os.path.join(REPO, ".github", "workflows")
    for file in sorted(os.listdir(workflows)):
        if not file.endswith(".yml"):
            continue
        with open(os.path.join(workflows, file)) as handle:
            workflow = yaml.safe_load(handle)
        for job in workflow["jobs"].values():
            roles = [step["with"]["role-to-assume"] for step in job.get("steps", []) if "role-to-assume" in (step.get("with") or {})]
            for role in roles:
                if "AWS_DEPLOY_ROLE_ARN" in role:
                    github_environments = [job["environment"]] if "${{" not in str(job["environment"]) else sorted(deploy_role)
                    for github_environment in github_environments:
                        wanted[deploy_role[github_environment]].add(f"repo:{repo}:environment:{github_environment}")
                elif "matrix.planRole" in role:
                    legs = job["strategy"]["matrix"]["include"]
                    assert "environments.outputs.plans" in str(legs), f"{file}: the plan matrix must come from config (environments.js --matrix)"
                    for env in environments:
                        wanted[env["ciRoleNames"]["plan"]].add(f"repo:{repo}:pull_request")
                else:
                    raise AssertionError(f"{file}: a role this test does not know how to read: {role}")
    return wanted


def test_each_role_trusts_exactly_the_workflow_jobs_that_assume_it(evidence):
    """The trust policies against the tokens GitHub would issue: every subject a workflow presents
    may assume the role it names and no other; a push outside an environment, another
    repository, or another audience assumes nothing."""
    wanted = workflow_subjects()
    roles = evidence["roles"]
    assert set(wanted) == set(roles), f"roles the workflows assume {sorted(wanted)} != CI roles in the account {sorted(roles)}"
    repo = repository()
    subjects = sorted(set().union(*wanted.values()) | {f"repo:{repo}:ref:refs/heads/main", f"repo:{repo}-fork:environment:production"})
    provider = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
    cases = [(role, subject, "sts.amazonaws.com") for role in roles for subject in subjects]
    cases += [(role, next(iter(wanted[role])), "someone-else") for role in roles]
    requests = [{"id": str(i), "role": role, "principal": provider,
                 "context": {"token.actions.githubusercontent.com:sub": subject, "token.actions.githubusercontent.com:aud": audience}}
                for i, (role, subject, audience) in enumerate(cases)]
    results = evaluate(roles, trust_requests=requests)
    wrong = []
    for i, (role, subject, audience) in enumerate(cases):
        expected = "Allowed" if subject in wanted[role] and audience == "sts.amazonaws.com" else "denied"
        got = results[str(i)]["result"]
        if (got == "Allowed") != (expected == "Allowed"):
            wrong.append(f"{role} for sub={subject} aud={audience}: {got}, expected {expected}")
    assert not wrong, "\n".join(wrong)


def state_resources(evidence, stack, kind):
    return [r["values"] for r in evidence["states"][stack]["values"]["root_module"]["resources"] if r["type"] == kind and r["mode"] == "managed"]


def tags_of(values):
    return resource_tag_context(values.get("tags_all") or {})


def app_secret(evidence, stack):
    return next(s for s in state_resources(evidence, stack, "aws_secretsmanager_secret") if s["name"].endswith("/app"))


def app_secret_key(evidence, stack):
    return next(k for k in state_resources(evidence, stack, "aws_kms_key") if "application secrets" in k["description"])


def backups_bucket(evidence, stack):
    return next(b for b in state_resources(evidence, stack, "aws_s3_bucket") if "backups" in b["bucket"])


def policy_named(evidence, name):
    (policy,) = [p for p in state_resources(evidence, "mindhit-state-bootstrap", "aws_iam_policy") if p["name"] == name]
    return {"name": name, "policy": json.loads(policy["policy"])}


ADMINISTRATOR_ACCESS = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def walls(evidence):
    """(what, role, action, resource, context, expected) — each a way out of a CI role's job."""
    iam = lambda resource: f"arn:aws:iam::{ACCOUNT}:{resource}"
    prod_secret, staging_secret, prod_key = app_secret(evidence, "mindhit-prod"), app_secret(evidence, "mindhit-staging"), app_secret_key(evidence, "mindhit-prod")
    (lock_table,) = state_resources(evidence, "mindhit-state-bootstrap", "aws_dynamodb_table")
    backups, prod_backups = backups_bucket(evidence, "mindhit-staging"), backups_bucket(evidence, "mindhit-prod")
    ci_boundary, workload_boundary = iam("policy/mindhit-ci-boundary"), iam("policy/mindhit-production-workload-boundary")
    prod_deploy, staging_deploy, staging_plan = "mindhit-ci-production-deploy", "mindhit-ci-staging-deploy", "mindhit-ci-staging-plan"
    admin = iam("policy/AdministratorAccess").replace(ACCOUNT, "aws")
    state_bucket = next(b for b in state_resources(evidence, "mindhit-state-bootstrap", "aws_s3_bucket"))["bucket"]
    state = lambda key: f"arn:aws:s3:::{state_bucket}/{key}"
    lock = {"dynamodb:LeadingKeys": [f"{state_bucket}/production/terraform.tfstate"]}
    own_lock = {"dynamodb:LeadingKeys": [f"{state_bucket}/staging/terraform.tfstate"]}
    return [
        ("attach AdministratorAccess to itself", prod_deploy, "iam:AttachRolePolicy", iam(f"role/{prod_deploy}"), {"iam:PolicyARN": admin, "iam:PermissionsBoundary": ci_boundary}, "denied"),
        ("write an inline policy on itself", prod_deploy, "iam:PutRolePolicy", iam(f"role/{prod_deploy}"), {"iam:PermissionsBoundary": ci_boundary}, "denied"),
        ("remove its own boundary", prod_deploy, "iam:DeleteRolePermissionsBoundary", iam(f"role/{prod_deploy}"), {}, "denied"),
        ("rewrite the CI boundary", prod_deploy, "iam:CreatePolicyVersion", ci_boundary, {}, "denied"),
        ("create a role without the boundary", prod_deploy, "iam:CreateRole", iam("role/mindhit-production-anything"), {}, "denied"),
        ("create a role with the CI boundary", prod_deploy, "iam:CreateRole", iam("role/mindhit-production-anything"), {"iam:PermissionsBoundary": ci_boundary}, "denied"),
        ("create an environment role with the workload boundary (its job)", prod_deploy, "iam:CreateRole", iam("role/mindhit-production-anything"), {"iam:PermissionsBoundary": workload_boundary}, "Allowed"),
        ("create a role for another environment", staging_deploy, "iam:CreateRole", iam("role/mindhit-production-anything"), {"iam:PermissionsBoundary": workload_boundary}, "denied"),
        ("create its own environment's role with prod's boundary", staging_deploy, "iam:CreateRole", iam("role/mindhit-staging-anything"), {"iam:PermissionsBoundary": workload_boundary}, "denied"),
        ("retrust the break-glass role", prod_deploy, "iam:UpdateAssumeRolePolicy", iam("role/mindhit-production-break-glass"), {}, "denied"),
        ("delete the break-glass role (to recreate it with another trust)", prod_deploy, "iam:DeleteRole", iam("role/mindhit-production-break-glass"), {}, "denied"),
        ("retrust the cluster admin role", prod_deploy, "iam:UpdateAssumeRolePolicy", iam("role/mindhit-production-eks-admin"), {}, "denied"),
        ("retrust a workload role (its job)", prod_deploy, "iam:UpdateAssumeRolePolicy", iam("role/mindhit-production-eks-node"), {}, "Allowed"),
        ("assume a role it created", prod_deploy, "sts:AssumeRole", iam("role/mindhit-production-anything"), {}, "denied"),
        ("read its own environment's app secret value", staging_deploy, "secretsmanager:GetSecretValue", staging_secret["arn"], tags_of(staging_secret), "denied"),
        ("read prod's app secret value", staging_deploy, "secretsmanager:GetSecretValue", prod_secret["arn"], tags_of(prod_secret), "denied"),
        ("overwrite prod's app secret", staging_deploy, "secretsmanager:PutSecretValue", prod_secret["arn"], tags_of(prod_secret), "denied"),
        ("describe its own app secret (its job)", staging_deploy, "secretsmanager:DescribeSecret", staging_secret["arn"], tags_of(staging_secret), "Allowed"),
        ("decrypt with prod's secrets key", staging_deploy, "kms:Decrypt", prod_key["arn"], tags_of(prod_key), "denied"),
        ("schedule deletion of prod's secrets key", staging_deploy, "kms:ScheduleKeyDeletion", prod_key["arn"], tags_of(prod_key), "denied"),
        ("delete a lock item it does not hold", staging_plan, "dynamodb:DeleteItem", lock_table["arn"], {**tags_of(lock_table), **lock}, "denied"),
        ("take a lock", staging_plan, "dynamodb:PutItem", lock_table["arn"], {**tags_of(lock_table), **lock}, "denied"),
        ("read a backup object", staging_plan, "s3:GetObject", f"{backups['arn']}/postgres/dump.sql.gz", {}, "denied"),
        ("read its state (its job)", staging_plan, "s3:GetObject", state("staging/terraform.tfstate"), {}, "Allowed"),
        ("read prod's state", staging_plan, "s3:GetObject", state("production/terraform.tfstate"), {}, "denied"),
        ("read prod's state", staging_deploy, "s3:GetObject", state("production/terraform.tfstate"), {}, "denied"),
        ("overwrite prod's state", staging_deploy, "s3:PutObject", state("production/apps/terraform.tfstate"), {}, "denied"),
        ("take prod's lock", staging_deploy, "dynamodb:PutItem", lock_table["arn"], {**tags_of(lock_table), **lock}, "denied"),
        ("write its own state (its job)", staging_deploy, "s3:PutObject", state("staging/terraform.tfstate"), {}, "Allowed"),
        ("take its own lock (its job)", staging_deploy, "dynamodb:PutItem", lock_table["arn"], {**tags_of(lock_table), **own_lock}, "Allowed"),
        ("read prod's backup objects", staging_deploy, "s3:GetObject", f"{prod_backups['arn']}/postgres/dump.sql.gz", {}, "denied"),
    ]


def test_the_ci_roles_cannot_leave_their_job(evidence, index):
    cases = walls(evidence)
    requests = [as_sent(index, {"id": str(i), "role": role, "principal": f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/github-actions", "action": action, "resource": resource, "context": context})
                for i, (_, role, action, resource, context, _) in enumerate(cases)]
    results = evaluate(evidence["roles"], requests, resource_policies=index.policies)
    wrong = []
    for i, (what, role, action, resource, _, expected) in enumerate(cases):
        got = results[str(i)]
        if (got["result"] == "Allowed") != (expected == "Allowed"):
            wrong.append(f"{role} can{'not' if expected == 'Allowed' else ''} {what}: {action} on {resource} -> {got['result']} {got['denied_by']}")
    assert not wrong, "\n".join(wrong)


def test_a_role_the_deploy_role_creates_stays_inside_its_environment(evidence, index):
    """The deploy role may create and change its environment's roles, with any policy, as long as
    they carry the environment's workload boundary: whatever it gives such a role (here staging's
    node role, given AdministratorAccess), the boundary keeps that role out of prod."""
    prod = lambda kind: state_resources(evidence, "mindhit-prod", kind)
    staging_db = state_resources(evidence, "mindhit-staging", "aws_db_instance")[0]
    backups = backups_bucket(evidence, "mindhit-prod")
    targets = [
        ("secretsmanager:GetSecretValue", app_secret(evidence, "mindhit-prod")["arn"], "prod-secret", "denied"),
        ("kms:Decrypt", app_secret_key(evidence, "mindhit-prod")["arn"], "prod-secret-key", "denied"),
        ("rds:DeleteDBInstance", prod("aws_db_instance")[0]["arn"], "prod-db", "denied"),
        ("eks:DeleteCluster", prod("aws_eks_cluster")[0]["arn"], "prod-cluster", "denied"),
        ("s3:DeleteObject", f"{backups['arn']}/postgres/dump.sql.gz", "prod-backups", "denied"),
        ("rds:DeleteDBInstance", staging_db["arn"], "staging-db", "Allowed"),
    ]
    role = "mindhit-staging-eks-node"
    roles = {role: {"arn": f"arn:aws:iam::{ACCOUNT}:role/{role}", "identity_policies": [{"name": "AdministratorAccess", "policy": ADMINISTRATOR_ACCESS}],
                    "boundary": policy_named(evidence, "mindhit-staging-workload-boundary"), "trust": None}}
    requests = [as_sent(index, {"id": str(i), "role": role, "principal": roles[role]["arn"], "action": action, "resource": arn, "context": resource_tag_context(index.by_arn.get(arn, {}))})
                for i, (action, arn, _, _) in enumerate(targets)]
    results = evaluate(roles, requests, resource_policies=index.policies)
    wrong = [f"{action} on {what}: {results[str(i)]['result']}, expected {expected}" for i, (action, _, what, expected) in enumerate(targets)
             if (results[str(i)]["result"] == "Allowed") != (expected == "Allowed")]
    assert not wrong, f"{role} with AdministratorAccess inside staging's workload boundary:\n" + "\n".join(wrong)


def test_the_emulator_cannot_enforce_these_roles(evidence):
    """Why this stage evaluates instead of letting the emulator refuse: with moto's IAM enforcement
    on, the prod deploy role assumed from a GitHub token is refused ec2:DescribeVpcs, which AWS
    allows it (PowerUserAccess; the evaluator agrees). moto 5.2.5 treats a statement whose
    condition keys it cannot resolve as a deny, and every CI role carries conditional denies
    (NoOtherEnvironments). When this fails, moto can enforce them: apply as the roles with
    enforcement on instead."""
    role = evidence["roles"]["mindhit-ci-production-deploy"]
    boundary = role["boundary"]
    with moto_server(env={"MOTO_IAM_LOAD_MANAGED_POLICIES": "true"}) as url:
        aws = clients(url)
        iam = aws("iam")
        boundary_arn = iam.create_policy(PolicyName=boundary["name"], PolicyDocument=json.dumps(boundary["policy"]))["Policy"]["Arn"]
        name = role["arn"].rsplit("/", 1)[1]
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(role["trust"]), PermissionsBoundary=boundary_arn)
        for policy in role["identity_policies"]:
            if policy["name"] in ("PowerUserAccess", "ReadOnlyAccess"):
                iam.attach_role_policy(RoleName=name, PolicyArn=f"arn:aws:iam::aws:policy/{policy['name']}")
            else:
                iam.put_role_policy(RoleName=name, PolicyName=policy["name"], PolicyDocument=json.dumps(policy["policy"]))
        subject = next(iter(workflow_subjects()[name]))
        credentials = aws("sts").assume_role_with_web_identity(RoleArn=role["arn"], RoleSessionName="github-actions", WebIdentityToken=github_oidc_token(repository(), subject))["Credentials"]
        as_role = boto3.client("ec2", endpoint_url=url, region_name="ap-northeast-2", aws_access_key_id=credentials["AccessKeyId"],
                               aws_secret_access_key=credentials["SecretAccessKey"], aws_session_token=credentials["SessionToken"])
        set_enforcement(url, True)
        try:
            with pytest.raises(botocore.exceptions.ClientError, match="not authorized to perform: ec2:DescribeVpcs"):
                as_role.describe_vpcs()
        finally:
            set_enforcement(url, False)
    request = {"id": "0", "role": name, "principal": f"arn:aws:sts::{ACCOUNT}:assumed-role/{name}/github-actions", "action": "ec2:DescribeVpcs", "resource": "*", "context": {}}
    assert evaluate(evidence["roles"], [request])["0"]["result"] == "Allowed"


def set_enforcement(url, on):
    """moto's switch: authorize every request after the next N (0: from now on; inf: never)."""
    count = b"0" if on else b"inf"
    urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/reset-auth", data=count, headers={"Content-Type": "text/plain"}, method="POST"), timeout=10).read()

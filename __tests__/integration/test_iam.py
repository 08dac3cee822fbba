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
ACCOUNT = "123456789012"  # moto's default account: the harness's own calls
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
    # Each role trusts GitHub's provider in its own account.
    provider = lambda role: f"arn:aws:iam::{account_of(roles[role]['arn'])}:oidc-provider/token.actions.githubusercontent.com"
    cases = [(role, subject, "sts.amazonaws.com") for role in roles for subject in subjects]
    cases += [(role, next(iter(wanted[role])), "someone-else") for role in roles]
    requests = [{"id": str(i), "role": role, "principal": provider(role),
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


def account_of(arn):
    return arn.split(":")[4]


def stack_account(evidence, stack):
    """The account a platform stack was applied in (its VPC's owner)."""
    (vpc,) = state_resources(evidence, stack, "aws_vpc")
    return vpc["owner_id"]


def bootstrap_of(evidence, stack):
    return f"mindhit-state-bootstrap-{stack_account(evidence, stack)}"


def state_resources(evidence, stack, kind, mode="managed"):
    return [r["values"] for r in evidence["states"][stack]["values"]["root_module"]["resources"] if r["type"] == kind and r["mode"] == mode]


def tags_of(values):
    return resource_tag_context(values.get("tags_all") or {})


def app_secret(evidence, stack):
    return next(s for s in state_resources(evidence, stack, "aws_secretsmanager_secret") if s["name"].endswith("/app"))


def app_secret_key(evidence, stack):
    return next(k for k in state_resources(evidence, stack, "aws_kms_key") if "application secrets" in k["description"])


def backups_bucket(evidence, stack):
    return next(b for b in state_resources(evidence, stack, "aws_s3_bucket") if "backups" in b["bucket"])


def policy_named(evidence, bootstrap, name):
    (policy,) = [p for p in state_resources(evidence, bootstrap, "aws_iam_policy") if p["name"] == name]
    return {"name": name, "policy": json.loads(policy["policy"])}


ADMINISTRATOR_ACCESS = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


class Account:
    """What one account's states hold that an attacker aims at: its state bucket, lock table and
    state key, its hosted zone, a security group, its app secret and key, its backups bucket."""

    def __init__(self, evidence, stack):
        self.id = stack_account(evidence, stack)
        bootstrap = bootstrap_of(evidence, stack)
        (self.state_bucket,) = state_resources(evidence, bootstrap, "aws_s3_bucket")
        (self.lock_table,) = state_resources(evidence, bootstrap, "aws_dynamodb_table")
        (self.state_key,) = state_resources(evidence, bootstrap, "aws_kms_key")
        (self.zone,) = state_resources(evidence, stack, "aws_route53_zone", mode="data")
        self.security_group = state_resources(evidence, stack, "aws_security_group")[0]
        self.secret, self.secret_key, self.backups = app_secret(evidence, stack), app_secret_key(evidence, stack), backups_bucket(evidence, stack)
        self.database = state_resources(evidence, stack, "aws_db_instance")[0]
        self.cluster = state_resources(evidence, stack, "aws_eks_cluster")[0]
        # EKS launches the nodes (no state holds them); an instance of this account, as AWS names one.
        self.node = f"arn:aws:ec2:ap-northeast-2:{self.id}:instance/i-0123456789abcdef0"

    def state(self, key):
        return f"arn:aws:s3:::{self.state_bucket['bucket']}/{key}"

    def lock(self, key):
        return {**tags_of(self.lock_table), "dynamodb:LeadingKeys": [f"{self.state_bucket['bucket']}/{key}"]}


def attacks(evidence):
    """(what, role, action, resource, resource account, context, expected): each path a repo-write
    attacker with staging's CI (or a role it created) would take into production, each beside the
    allowed control that shows the same request works on staging's own account. Then the walls
    inside an account that keep a CI role to its job."""
    prod, staging = Account(evidence, "mindhit-prod"), Account(evidence, "mindhit-staging")
    iam = lambda account, resource: f"arn:aws:iam::{account}:{resource}"
    s_deploy, s_plan, p_deploy = "mindhit-ci-staging-deploy", "mindhit-ci-staging-plan", "mindhit-ci-production-deploy"
    ci_boundary, workload_boundary = iam(prod.id, "policy/mindhit-ci-boundary"), iam(prod.id, "policy/mindhit-workload-boundary")
    admin = "arn:aws:iam::aws:policy/AdministratorAccess"
    change = {"route53:ChangeResourceRecordSetsNormalizedRecordNames": ["api.mindhit.io"], "route53:ChangeResourceRecordSetsRecordTypes": ["A"],
              "route53:ChangeResourceRecordSetsActions": ["UPSERT"]}
    cross = [
        # The state: bucket settings, objects, key, lock table.
        ("change prod's state bucket policy", s_deploy, "s3:PutBucketPolicy", prod.state_bucket["arn"], prod.id, {}),
        ("change prod's state bucket lifecycle (expire its versions)", s_deploy, "s3:PutLifecycleConfiguration", prod.state_bucket["arn"], prod.id, {}),
        ("make prod's state object public", s_deploy, "s3:PutObjectAcl", prod.state("production/terraform.tfstate"), prod.id, {}),
        ("read prod's state", s_plan, "s3:GetObject", prod.state("production/terraform.tfstate"), prod.id, {}),
        ("forge prod's state", s_deploy, "s3:PutObject", prod.state("production/apps/terraform.tfstate"), prod.id, {}),
        ("grant itself prod's state key", s_deploy, "kms:CreateGrant", prod.state_key["arn"], prod.id, tags_of(prod.state_key)),
        ("batch-write prod's lock table", s_deploy, "dynamodb:BatchWriteItem", prod.lock_table["arn"], prod.id, prod.lock("production/terraform.tfstate")),
        ("delete prod's locks with PartiQL", s_deploy, "dynamodb:PartiQLDelete", prod.lock_table["arn"], prod.id, prod.lock("production/terraform.tfstate")),
        ("change prod's lock table", s_deploy, "dynamodb:UpdateTable", prod.lock_table["arn"], prod.id, tags_of(prod.lock_table)),
        ("take prod's lock", s_deploy, "dynamodb:PutItem", prod.lock_table["arn"], prod.id, prod.lock("production/terraform.tfstate")),
        # DNS: prod's records (and so ACM validation for them) live in prod's zone.
        ("point api.mindhit.io elsewhere", s_deploy, "route53:ChangeResourceRecordSets", prod.zone["arn"], prod.id, change),
        # Prod's nodes and their security group.
        ("open prod's node security group", s_deploy, "ec2:AuthorizeSecurityGroupIngress", prod.security_group["arn"], prod.id, tags_of(prod.security_group)),
        ("turn off IMDSv2 on a prod node", s_deploy, "ec2:ModifyInstanceMetadataOptions", prod.node, prod.id, {}),
        ("terminate a prod node", s_deploy, "ec2:TerminateInstances", prod.node, prod.id, {}),
        ("re-tag a prod node as staging's", s_deploy, "ec2:CreateTags", prod.node, prod.id, {"aws:RequestTag/Environment": "staging", "aws:TagKeys": ["Environment"]}),
        # Prod's secret and backups.
        ("read prod's app secret", s_deploy, "secretsmanager:GetSecretValue", prod.secret["arn"], prod.id, tags_of(prod.secret)),
        ("overwrite prod's app secret", s_deploy, "secretsmanager:PutSecretValue", prod.secret["arn"], prod.id, tags_of(prod.secret)),
        ("decrypt with prod's secrets key", s_deploy, "kms:Decrypt", prod.secret_key["arn"], prod.id, tags_of(prod.secret_key)),
        ("read prod's backup objects", s_deploy, "s3:GetObject", f"{prod.backups['arn']}/postgres/dump.sql.gz", prod.id, {}),
        ("delete prod's database", s_deploy, "rds:DeleteDBInstance", prod.database["arn"], prod.id, tags_of(prod.database)),
    ]
    controls = {
        "s3:PutBucketPolicy": ("write its own state", s_deploy, "s3:PutObject", staging.state("staging/terraform.tfstate"), staging.id, {}),
        "s3:GetObject": ("read its own state", s_plan, "s3:GetObject", staging.state("staging/terraform.tfstate"), staging.id, {}),
        "kms:CreateGrant": ("use its own state key", s_deploy, "kms:GenerateDataKey", staging.state_key["arn"], staging.id, tags_of(staging.state_key)),
        "dynamodb:PutItem": ("take its own lock", s_deploy, "dynamodb:PutItem", staging.lock_table["arn"], staging.id, staging.lock("staging/terraform.tfstate")),
        "route53:ChangeResourceRecordSets": ("change a record of its own zone", s_deploy, "route53:ChangeResourceRecordSets", staging.zone["arn"], staging.id,
                                             {**change, "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["api.staging.mindhit.io"]}),
        "ec2:TerminateInstances": ("terminate a node of its own", s_deploy, "ec2:TerminateInstances", staging.node, staging.id, {}),
        "rds:DeleteDBInstance": ("delete its own database", s_deploy, "rds:DeleteDBInstance", staging.database["arn"], staging.id, tags_of(staging.database)),
        "secretsmanager:PutSecretValue": ("describe its own app secret", s_deploy, "secretsmanager:DescribeSecret", staging.secret["arn"], staging.id, tags_of(staging.secret)),
    }
    inside = [
        ("attach AdministratorAccess to itself", p_deploy, "iam:AttachRolePolicy", iam(prod.id, f"role/{p_deploy}"), prod.id, {"iam:PolicyARN": admin, "iam:PermissionsBoundary": ci_boundary}, "denied"),
        ("write an inline policy on itself", p_deploy, "iam:PutRolePolicy", iam(prod.id, f"role/{p_deploy}"), prod.id, {"iam:PermissionsBoundary": ci_boundary}, "denied"),
        ("remove its own boundary", p_deploy, "iam:DeleteRolePermissionsBoundary", iam(prod.id, f"role/{p_deploy}"), prod.id, {}, "denied"),
        ("rewrite the CI boundary", p_deploy, "iam:CreatePolicyVersion", ci_boundary, prod.id, {}, "denied"),
        ("create a role without the boundary", p_deploy, "iam:CreateRole", iam(prod.id, "role/mindhit-production-anything"), prod.id, {}, "denied"),
        ("create a role with the CI boundary", p_deploy, "iam:CreateRole", iam(prod.id, "role/mindhit-production-anything"), prod.id, {"iam:PermissionsBoundary": ci_boundary}, "denied"),
        ("create an environment role with the workload boundary (its job)", p_deploy, "iam:CreateRole", iam(prod.id, "role/mindhit-production-anything"), prod.id,
         {"iam:PermissionsBoundary": workload_boundary}, "Allowed"),
        ("retrust the break-glass role", p_deploy, "iam:UpdateAssumeRolePolicy", iam(prod.id, "role/mindhit-production-break-glass"), prod.id, {}, "denied"),
        ("delete the break-glass role (to recreate it with another trust)", p_deploy, "iam:DeleteRole", iam(prod.id, "role/mindhit-production-break-glass"), prod.id, {}, "denied"),
        ("retrust the cluster admin role", p_deploy, "iam:UpdateAssumeRolePolicy", iam(prod.id, "role/mindhit-production-eks-admin"), prod.id, {}, "denied"),
        ("assume a role it created", p_deploy, "sts:AssumeRole", iam(prod.id, "role/mindhit-production-anything"), prod.id, {}, "denied"),
        ("create an EKS OIDC provider for another issuer", p_deploy, "iam:CreateOpenIDConnectProvider", iam(prod.id, "oidc-provider/oidc.eks.evil.example.com/id/X"), prod.id, {}, "denied"),
        ("create its cluster's OIDC provider (its job)", p_deploy, "iam:CreateOpenIDConnectProvider", iam(prod.id, "oidc-provider/oidc.eks.ap-northeast-2.amazonaws.com/id/ABC"), prod.id, {}, "Allowed"),
        ("read its own environment's app secret value", s_deploy, "secretsmanager:GetSecretValue", staging.secret["arn"], staging.id, tags_of(staging.secret), "denied"),
        ("delete a lock item it does not hold", s_plan, "dynamodb:DeleteItem", staging.lock_table["arn"], staging.id, staging.lock("staging/terraform.tfstate"), "denied"),
        ("take a lock", s_plan, "dynamodb:PutItem", staging.lock_table["arn"], staging.id, staging.lock("staging/terraform.tfstate"), "denied"),
        ("read a backup object", s_plan, "s3:GetObject", f"{staging.backups['arn']}/postgres/dump.sql.gz", staging.id, {}, "denied"),
        # What watches the trail (the account baseline's names), beside the environment's own.
        *audit_silencing(p_deploy, prod.id, "mindhit-production"),
    ]
    cases = []
    for what, role, action, resource, account, context in cross:
        cases.append((f"[cross-account] {what}", role, action, resource, account, context, "denied"))
        control = controls.get(action)
        if control:
            cases.append((f"[control] {control[0]}", *control[1:], "Allowed"))
    return cases + [(f"[inside] {what}", *rest) for what, *rest in inside]


def audit_silencing(role, account, resource_name):
    """Each call that would silence the account's audit trail, denied, beside the same call on the
    environment's own alarm, log group, topic or bucket (its job). The baseline stack is a person's,
    so its resources are named as it names them (src/config/identity.ts, auditNames)."""
    arn = lambda service, resource: f"arn:aws:{service}:ap-northeast-2:{account}:{resource}"
    pairs = [
        ("cloudwatch:DeleteAlarms", arn("cloudwatch", "alarm:mindhit-audit-root-use"), arn("cloudwatch", f"alarm:{resource_name}-rds-cpu")),
        ("cloudwatch:DisableAlarmActions", arn("cloudwatch", "alarm:mindhit-audit-audit-silencing"), arn("cloudwatch", f"alarm:{resource_name}-rds-cpu")),
        ("logs:DeleteMetricFilter", arn("logs", "log-group:/aws/cloudtrail/mindhit-audit"), arn("logs", f"log-group:/aws/eks/{resource_name}/cluster")),
        ("logs:DeleteLogGroup", arn("logs", "log-group:/aws/cloudtrail/mindhit-audit"), arn("logs", f"log-group:/aws/eks/{resource_name}/cluster")),
        ("sns:DeleteTopic", arn("sns", "mindhit-security-alerts"), arn("sns", f"{resource_name}-alerts")),
        ("sns:Unsubscribe", arn("sns", "mindhit-security-alerts"), arn("sns", f"{resource_name}-alerts")),
        ("s3:PutBucketPolicy", f"arn:aws:s3:::mindhit-audit-{account}", f"arn:aws:s3:::{resource_name}-backups-{account}"),
    ]
    cases = []
    for action, audit, own in pairs:
        cases.append((f"{action} on the audit trail's {audit.rsplit(':', 1)[-1]}", role, action, audit, account, {}, "denied"))
        cases.append((f"{action} on its environment's own (its job)", role, action, own, account, {}, "Allowed"))
    detector = arn("guardduty", "detector/0123456789abcdef0123456789abcdef")
    cases += [
        ("auto-archive GuardDuty findings with a filter", role, "guardduty:CreateFilter", f"{detector}/filter/quiet", account, {}, "denied"),
        ("trust an IP list, so GuardDuty ignores it", role, "guardduty:CreateIPSet", "*", account, {}, "denied"),
        ("archive GuardDuty findings", role, "guardduty:ArchiveFindings", "*", account, {}, "denied"),
    ]
    return cases


def run_cases(evidence, index, cases, roles=None):
    roles = roles or evidence["roles"]
    requests = [as_sent(index, {"id": str(i), "role": role, "principal": roles[role]["arn"].replace(":iam::", ":sts::").replace(":role/", ":assumed-role/") + "/github-actions"
                                if role.startswith("mindhit-ci-") else roles[role]["arn"],
                                "action": action, "resource": resource, "resource_account": account, "context": context})
                for i, (_, role, action, resource, account, context, _) in enumerate(cases)]
    results = evaluate(roles, requests, resource_policies=index.policies)
    wrong, lines = [], []
    for i, (what, role, action, resource, account, _, expected) in enumerate(cases):
        got = results[str(i)]
        by = f" by {', '.join(got['denied_by'])}" if got["denied_by"] else (" (no statement of the resource's account allows it)" if account != account_of(roles[role]["arn"]) else "")
        lines.append(f"{what}: {role} {action} on {resource}: {got['result']}{by if got['result'] != 'Allowed' else ''}")
        if (got["result"] == "Allowed") != (expected == "Allowed"):
            wrong.append(f"{role} can{'not' if expected == 'Allowed' else ''} {what}: {action} on {resource} -> {got['result']} {got['denied_by']}")
    print("\n".join(lines))
    return wrong


def test_no_role_of_stagings_account_reaches_production_and_each_keeps_to_its_job(evidence, index):
    """Every attack path from staging's CI into production, refused (each quoted with its denial)
    beside its allowed control in staging's own account; then the walls inside an account."""
    wrong = run_cases(evidence, index, attacks(evidence))
    assert not wrong, "\n".join(wrong)


def test_a_role_stagings_deploy_role_creates_cannot_reach_production(evidence, index):
    """The deploy role may create and change its environment's roles, with any policy, as long as
    they carry the workload boundary: whatever it gives such a role (here staging's node role,
    given AdministratorAccess), that role is of staging's account, and production's account
    trusts no principal of it."""
    prod, staging = Account(evidence, "mindhit-prod"), Account(evidence, "mindhit-staging")
    role = "mindhit-staging-eks-node"
    roles = {role: {"arn": f"arn:aws:iam::{staging.id}:role/{role}", "identity_policies": [{"name": "AdministratorAccess", "policy": ADMINISTRATOR_ACCESS}],
                    "boundary": policy_named(evidence, bootstrap_of(evidence, "mindhit-staging"), "mindhit-workload-boundary"), "trust": None}}
    cases = [
        ("[cross-account] read prod's state", role, "s3:GetObject", prod.state("production/terraform.tfstate"), prod.id, {}, "denied"),
        ("[cross-account] write prod's state", role, "s3:PutObject", prod.state("production/terraform.tfstate"), prod.id, {}, "denied"),
        ("[cross-account] read prod's app secret", role, "secretsmanager:GetSecretValue", prod.secret["arn"], prod.id, tags_of(prod.secret), "denied"),
        ("[cross-account] decrypt with prod's secrets key", role, "kms:Decrypt", prod.secret_key["arn"], prod.id, tags_of(prod.secret_key), "denied"),
        ("[cross-account] delete prod's database", role, "rds:DeleteDBInstance", prod.database["arn"], prod.id, tags_of(prod.database), "denied"),
        ("[cross-account] delete prod's cluster", role, "eks:DeleteCluster", prod.cluster["arn"], prod.id, tags_of(prod.cluster), "denied"),
        ("[cross-account] delete prod's backups", role, "s3:DeleteObject", f"{prod.backups['arn']}/postgres/dump.sql.gz", prod.id, {}, "denied"),
        ("[control] delete staging's database", role, "rds:DeleteDBInstance", staging.database["arn"], staging.id, tags_of(staging.database), "Allowed"),
        *[(f"[inside] {what}", *rest) for what, *rest in audit_silencing(role, staging.id, "mindhit-staging")],
    ]
    wrong = run_cases(evidence, index, cases, roles)
    assert not wrong, f"{role} with AdministratorAccess inside staging's workload boundary:\n" + "\n".join(wrong)


def test_production_trusts_no_principal_of_stagings_account(evidence):
    """Production's CI roles trust GitHub's provider in production's account, and its people's
    roles trust production's own account (with MFA): a principal of staging's account (its deploy
    role, or anything it created) assumes none of them."""
    prod_id, staging_id = Account(evidence, "mindhit-prod").id, Account(evidence, "mindhit-staging").id
    people = {r["name"]: r for r in state_resources(evidence, "mindhit-prod", "aws_iam_role") if r["name"].endswith(("-break-glass", "-eks-admin"))}
    roles = {**evidence["roles"], **{name: {"arn": r["arn"], "trust": json.loads(r["assume_role_policy"]), "identity_policies": [], "boundary": None} for name, r in people.items()}}
    targets = ["mindhit-ci-production-deploy", "mindhit-ci-production-plan", *sorted(people)]
    mfa = {"aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": "300"}
    cases = [(role, f"arn:aws:sts::{staging_id}:assumed-role/{who}/session", "denied") for role in targets for who in ("mindhit-ci-staging-deploy", "mindhit-staging-eks-node")]
    cases += [(role, f"arn:aws:sts::{prod_id}:assumed-role/operator/person", "Allowed") for role in sorted(people)]
    # Every principal holds AdministratorAccess in its own account: only the trust policy stands between it and the role.
    admin = [{"name": "AdministratorAccess", "policy": ADMINISTRATOR_ACCESS}]
    requests = [{"id": str(i), "role": role, "principal": principal, "action": "sts:AssumeRole", "context": mfa, "principal_policies": admin}
                for i, (role, principal, _) in enumerate(cases)]
    results = evaluate(roles, trust_requests=requests)
    lines = [f"{principal} assumes {role}: {results[str(i)]['result']}" for i, (role, principal, _) in enumerate(cases)]
    print("\n".join(lines))
    wrong = [line for line, (_, _, expected) in zip(lines, cases) if line.endswith("Allowed") != (expected == "Allowed")]
    assert not wrong, "\n".join(wrong)


def test_the_emulator_cannot_enforce_these_roles(evidence):
    """Why this stage evaluates instead of letting the emulator refuse: with moto's IAM enforcement
    on, the prod deploy role assumed from a GitHub token is refused kms:Decrypt on a key of its own
    account, which AWS allows it (PowerUserAccess; the NoDecryptingSecrets deny applies only through
    Secrets Manager; the evaluator agrees). moto 5.2.5 treats a statement whose condition keys it
    cannot resolve (kms:ViaService) as a deny. (With the tag walls gone, ec2:DescribeVpcs, the
    earlier probe, is now enforced correctly.) When this fails, moto can enforce these roles: apply
    as the roles with enforcement on instead."""
    role = evidence["roles"]["mindhit-ci-production-deploy"]
    boundary = role["boundary"]
    with moto_server(env={"MOTO_IAM_LOAD_MANAGED_POLICIES": "true"}) as url:
        aws = clients(url)
        iam = aws("iam")
        boundary_arn = iam.create_policy(PolicyName=boundary["name"], PolicyDocument=json.dumps(boundary["policy"]))["Policy"]["Arn"]
        name = role["arn"].rsplit("/", 1)[1]
        role_arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(role["trust"]), PermissionsBoundary=boundary_arn)["Role"]["Arn"]
        for policy in role["identity_policies"]:
            if policy["name"] in ("PowerUserAccess", "ReadOnlyAccess"):
                iam.attach_role_policy(RoleName=name, PolicyArn=f"arn:aws:iam::aws:policy/{policy['name']}")
            else:
                iam.put_role_policy(RoleName=name, PolicyName=policy["name"], PolicyDocument=json.dumps(policy["policy"]))
        key = aws("kms").create_key(Description="probe")["KeyMetadata"]["Arn"]
        key_policy = json.loads(aws("kms").get_key_policy(KeyId=key, PolicyName="default")["Policy"])
        ciphertext = aws("kms").encrypt(KeyId=key, Plaintext=b"probe")["CiphertextBlob"]
        subject = next(iter(workflow_subjects()[name]))
        credentials = aws("sts").assume_role_with_web_identity(RoleArn=role_arn, RoleSessionName="github-actions", WebIdentityToken=github_oidc_token(repository(), subject))["Credentials"]
        as_role = boto3.client("kms", endpoint_url=url, region_name="ap-northeast-2", aws_access_key_id=credentials["AccessKeyId"],
                               aws_secret_access_key=credentials["SecretAccessKey"], aws_session_token=credentials["SessionToken"])
        set_enforcement(url, True)
        try:
            with pytest.raises(botocore.exceptions.ClientError, match="not authorized to perform: kms:Decrypt"):
                as_role.decrypt(CiphertextBlob=ciphertext)
        finally:
            set_enforcement(url, False)
    principal = f"{role_arn.replace(':iam::', ':sts::').replace(':role/', ':assumed-role/')}/github-actions"
    # The key's default policy (the account's IAM policies decide), as AWS evaluates it beside the role's.
    request = {"id": "0", "role": name, "principal": principal, "action": "kms:Decrypt", "resource": key, "context": {}, "resource_policy": "key"}
    assert evaluate(evidence["roles"], [request], resource_policies={"key": key_policy})["0"]["result"] == "Allowed"


def set_enforcement(url, on):
    """moto's switch: authorize every request after the next N (0: from now on; inf: never)."""
    count = b"0" if on else b"inf"
    urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/reset-auth", data=count, headers={"Content-Type": "text/plain"}, method="POST"), timeout=10).read()

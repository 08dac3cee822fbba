"""The synthesized stacks through real Terraform and the real AWS provider against an AWS emulator
(moto server on 127.0.0.1): plan, apply, a second plan with no changes, and destroy refused where
the stacks protect resources. The synthesized files are never edited: a copy of each stack
directory gets override files (provider endpoints, provider versions, the bootstrap's local state
path) and the S3 backend gets the emulator through `-backend-config`.

Resource types the emulator cannot create are listed, with its error, in emulator-unsupported.json.
They (and everything that depends on them) are planned but not applied: `-target` names the rest.

Run by scripts/verify-emulator.sh. Environment: MINDHIT_SYNTH_DIR, MINDHIT_TERRAFORM, MINDHIT_WORK_DIR."""
import json
import os
import re

import boto3
import pytest

from aws_emulator import CREDENTIALS, moto_server, s3_backend_config
from runbook import run_block, section_blocks
from stack_workdir import prepare, required_providers, terraform, write_json

SYNTH_DIR = os.environ["MINDHIT_SYNTH_DIR"]
TERRAFORM = os.environ["MINDHIT_TERRAFORM"]
WORK_DIR = os.environ["MINDHIT_WORK_DIR"]
HERE = os.path.dirname(__file__)
REGION = "ap-northeast-2"
# Every AWS API the stacks call, by the provider's endpoint name.
SERVICES = [
    "acm", "autoscaling", "backup", "chatbot", "cloudtrail", "cloudwatch", "dynamodb", "ec2", "ecr", "eks",
    "elasticache", "elbv2", "events", "guardduty", "iam", "kms", "logs", "organizations", "rds",
    "resourcegroupstaggingapi", "route53", "s3", "secretsmanager", "sns", "sqs", "ssm", "sts", "wafv2",
]
REFERENCE = re.compile(r"\b(data\.)?(aws_[a-z0-9_]+|kubernetes_[a-z0-9_]+|helm_[a-z0-9_]+|terraform_data)\.([A-Za-z0-9_-]+)")

with open(os.path.join(HERE, "emulator-unsupported.json")) as _handle:
    UNSUPPORTED = json.load(_handle)["types"]


def stack_json(name):
    with open(os.path.join(SYNTH_DIR, "stacks", name, "cdk.tf.json")) as handle:
        return json.load(handle)


def addresses(doc):
    return [f"{t}.{n}" for t, blocks in doc.get("resource", {}).items() for n in blocks]


def dependencies(doc):
    """address -> addresses it refers to (references anywhere in its body, and depends_on)."""
    graph = {}
    for kind, prefix in (("resource", ""), ("data", "data.")):
        for t, blocks in doc.get(kind, {}).items():
            for n, body in blocks.items():
                found = set()
                for m in REFERENCE.finditer(json.dumps(body)):
                    found.add(f"{m.group(1) or ''}{m.group(2)}.{m.group(3)}")
                graph[f"{prefix}{t}.{n}"] = found
    return graph


def closure(graph, roots, forward):
    """Every node reachable from roots (forward: what they depend on; else: what depends on them)."""
    reverse = {}
    for node, deps in graph.items():
        for dep in deps:
            reverse.setdefault(dep, set()).add(node)
    edges = graph if forward else reverse
    seen, todo = set(roots), list(roots)
    while todo:
        for nxt in edges.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def applicable(doc):
    """(applied, planned-only): planned-only are the unsupported types and all that depends on them."""
    graph = dependencies(doc)
    unsupported = [a for a in addresses(doc) if a.split(".")[0] in UNSUPPORTED]
    blocked = closure(graph, unsupported, forward=False)
    applied = [a for a in addresses(doc) if a not in blocked]
    return applied, sorted(a for a in addresses(doc) if a in blocked)


def provider_override(doc, url):
    """Each AWS provider block of the stack (every alias) pointed at the emulator."""
    blocks = []
    for block in doc["provider"]["aws"]:
        override = {
            **CREDENTIALS,
            "skip_credentials_validation": True,
            "skip_requesting_account_id": True,
            "skip_metadata_api_check": True,
            "s3_use_path_style": True,
            "endpoints": [{service: url for service in SERVICES}],
        }
        if "alias" in block:
            override["alias"] = block["alias"]
        blocks.append(override)
    return {"provider": {"aws": blocks}}


def workdir(name, url, local_state=False):
    doc = stack_json(name)
    target = prepare(os.path.join(SYNTH_DIR, "stacks", name), os.path.join(WORK_DIR, name), required_providers(doc))
    write_json(os.path.join(target, "zz_emulator_override.tf.json"), provider_override(doc, url))
    if local_state:
        # The bootstrap's local state path points at the repository root; keep the run's state in its copy.
        write_json(os.path.join(target, "zz_state_override.tf.json"), {"terraform": {"backend": {"local": {"path": "terraform.tfstate"}}}})
    else:
        with open(os.path.join(target, "emulator.s3.tfbackend"), "w") as handle:
            handle.write(s3_backend_config(url))
    return target, doc


def run(cwd, *args, ok=True, timeout=900):
    result = terraform(TERRAFORM, cwd, *args, "-no-color", timeout=timeout)
    if ok:
        assert result.returncode == 0, f"terraform {args[0]} failed in {cwd}:\n{result.stderr[-6000:]}\n{result.stdout[-3000:]}"
    return result


def init(cwd, local_state=False):
    args = ["init", "-input=false"] + ([] if local_state else ["-backend-config=emulator.s3.tfbackend"])
    run(cwd, *args)


def targets(applied):
    return [f"-target={a}" for a in applied]


def changes(plan_output):
    return [line.strip() for line in plan_output.splitlines() if re.match(r"\s+# .* (will be|must be)", line)]


@pytest.fixture(scope="module")
def emulator():
    # Certificates requested from the emulator's ACM are issued at once (DNS validation cannot happen here).
    with moto_server(env={"MOTO_ACM_VALIDATION_WAIT": "0"}) as url:
        yield url


@pytest.fixture(scope="module")
def aws(emulator):
    session = boto3.Session(aws_access_key_id=CREDENTIALS["access_key"], aws_secret_access_key=CREDENTIALS["secret_key"], region_name=REGION)
    return lambda service: session.client(service, endpoint_url=emulator)


@pytest.fixture(scope="module")
def hosted_zone(aws):
    """What the account holds before the platform stacks: the public zone of the domain (bootstrap's
    `dns.createHostedZone` off, the default). The certificate module finds it by name."""
    doc = stack_json("mindhit-prod")
    (zone,) = doc["data"]["aws_route53_zone"].values()
    aws("route53").create_hosted_zone(Name=zone["name"], CallerReference="emulator")
    return zone["name"]


@pytest.fixture(scope="module")
def bootstrap(emulator):
    cwd, doc = workdir("mindhit-state-bootstrap", emulator, local_state=True)
    init(cwd, local_state=True)
    return cwd, doc


def test_bootstrap_plans_applies_and_replans_clean(bootstrap):
    cwd, doc = bootstrap
    applied, planned_only = applicable(doc)
    assert not planned_only, f"the bootstrap stack must be wholly applicable; blocked: {planned_only}"
    run(cwd, "plan", "-input=false", "-out=plan.bin")
    run(cwd, "apply", "-input=false", "plan.bin")
    replan = run(cwd, "plan", "-input=false", "-detailed-exitcode", ok=False)
    assert replan.returncode == 0, f"perpetual diff in the bootstrap stack: {changes(replan.stdout)}\n{replan.stderr[-3000:]}"


def test_bootstrap_destroy_is_refused_for_the_state_bucket_and_table(bootstrap):
    cwd, doc = bootstrap
    bucket = next(iter(doc["resource"]["aws_s3_bucket"]))
    result = run(cwd, "destroy", "-auto-approve", "-input=false", f"-target=aws_s3_bucket.{bucket}", ok=False)
    assert result.returncode != 0
    assert "Instance cannot be destroyed" in result.stderr, result.stderr[-2000:]
    state = run(cwd, "state", "list").stdout.split()
    assert f"aws_s3_bucket.{bucket}" in state


PLATFORM_STACKS = ["mindhit-staging", "mindhit-prod"]


@pytest.mark.parametrize("name", PLATFORM_STACKS)
def test_platform_stack_plans_applies_and_replans_clean(name, emulator, bootstrap, hosted_zone, record):
    cwd, doc = workdir(name, emulator)
    init(cwd)
    run(cwd, "plan", "-input=false", "-lock-timeout=60s")
    applied, planned_only = applicable(doc)
    record[name] = {"applied": len(applied), "planned_only": len(planned_only)}
    run(cwd, "apply", "-auto-approve", "-input=false", "-lock-timeout=60s", *targets(applied))
    replan = run(cwd, "plan", "-input=false", "-detailed-exitcode", "-lock-timeout=60s", *targets(applied), ok=False)
    assert replan.returncode == 0, f"{name}: perpetual diff after apply: {changes(replan.stdout)}\n{replan.stderr[-3000:]}"


@pytest.fixture(scope="module")
def record():
    counts = {}
    yield counts
    path = os.path.join(WORK_DIR, "applied-counts.json")
    write_json(path, counts)


def test_a_bad_state_write_is_undone_by_the_runbook_restore(emulator, aws, record):
    """Runbook §10 as written (it is written for prod): a state object overwritten behind
    Terraform's back makes every run fail; the restore makes the next plan empty."""
    name = "mindhit-prod"
    assert name in record, "runs after the prod platform stack was applied"
    doc = stack_json(name)
    backend = doc["terraform"]["backend"]["s3"]
    cwd = os.path.join(WORK_DIR, name)
    s3 = aws("s3")
    good = json.loads(s3.get_object(Bucket=backend["bucket"], Key=backend["key"])["Body"].read())
    # The mistake: a state with the right lineage and a higher serial, but nothing in it.
    s3.put_object(Bucket=backend["bucket"], Key=backend["key"], Body=json.dumps({**good, "serial": good["serial"] + 1, "resources": []}).encode())
    broken = run(cwd, "plan", "-input=false", "-lock-timeout=60s", ok=False)
    assert broken.returncode != 0 and "does not match the checksum" in broken.stderr.replace("\n", " "), broken.stderr[-2000:]

    versions = sorted(
        (v for v in s3.list_object_versions(Bucket=backend["bucket"], Prefix=backend["key"])["Versions"] if v["Key"] == backend["key"]),
        key=lambda v: v["LastModified"],
    )
    last_good = versions[-2]["VersionId"]  # the operator's choice in step 2: the version before the bad write
    blocks = section_blocks("10")
    restore_steps = blocks[:5]  # variables, list, download and compare, make current, fix the digest
    assert "copy-object" in restore_steps[3] and "put-item" in restore_steps[4], "runbook §10 changed shape: update this test"
    scratch = os.path.join(WORK_DIR, "restore")
    os.makedirs(scratch, exist_ok=True)
    run_block("\n".join(restore_steps), scratch, emulator, {"<VERSION_ID>": last_good})

    replan = run(cwd, "plan", "-input=false", "-detailed-exitcode", "-lock-timeout=60s", *targets(applicable(doc)[0]), ok=False)
    assert replan.returncode == 0, f"after the runbook restore the plan is not empty: {changes(replan.stdout)}\n{replan.stderr[-3000:]}"

"""The synthesized stacks in a working copy against the AWS emulator: which resources the emulator
can create (the rest is planned only, by `-target` composition), the provider override that points
every AWS provider block at it, Terraform runs, and the re-plan that must show no change.
Shared by the emulator and cluster stages. Environment: MINDHIT_SYNTH_DIR, MINDHIT_TERRAFORM,
MINDHIT_WORK_DIR."""
import json
import os
import re

from aws_emulator import operator_credentials, s3_backend_config
from stack_workdir import prepare, required_providers, terraform, write_json

SYNTH_DIR = os.environ["MINDHIT_SYNTH_DIR"]
TERRAFORM = os.environ["MINDHIT_TERRAFORM"]
WORK_DIR = os.environ["MINDHIT_WORK_DIR"]
HERE = os.path.dirname(__file__)
REGION = "ap-northeast-2"
# Every AWS API the stacks call, by the provider's endpoint name.
SERVICES = [
    "acm", "autoscaling", "backup", "chatbot", "cloudfront", "cloudtrail", "cloudwatch", "dynamodb", "ec2", "ecr", "eks",
    "elasticache", "elbv2", "events", "guardduty", "iam", "kms", "logs", "organizations", "rds",
    "resourcegroupstaggingapi", "route53", "s3", "secretsmanager", "sns", "sqs", "ssm", "sts", "wafv2",
]
REFERENCE = re.compile(r"\b(data\.)?(aws_[a-z0-9_]+|kubernetes_[a-z0-9_]+|helm_[a-z0-9_]+|terraform_data)\.([A-Za-z0-9_-]+)")

with open(os.path.join(HERE, "emulator-unsupported.json")) as _handle:
    _LIMITS = json.load(_handle)
UNSUPPORTED = _LIMITS["types"]
DRIFT = _LIMITS["drift"]
UNSET = [
    re.compile(r"\$\{" + re.escape(t) + r"\.[A-Za-z0-9_-]+\." + re.escape(attr))
    for t, attrs in _LIMITS["unset_attributes"].items()
    for attr in attrs
]


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


def dependents(graph, roots):
    """The roots and everything that depends on them, directly or through others."""
    reverse = {}
    for node, deps in graph.items():
        for dep in deps:
            reverse.setdefault(dep, set()).add(node)
    seen, todo = set(roots), list(roots)
    while todo:
        for nxt in reverse.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def applicable(doc):
    """(applied, planned-only): planned-only are the unsupported types and all that depends on them."""
    graph = dependencies(doc)
    bodies = {f"{t}.{n}": json.dumps(body) for t, blocks in doc.get("resource", {}).items() for n, body in blocks.items()}
    unsupported = [a for a in addresses(doc) if a.split(".")[0] in UNSUPPORTED or any(p.search(bodies[a]) for p in UNSET)]
    blocked = dependents(graph, unsupported)
    applied = [a for a in addresses(doc) if a not in blocked]
    return applied, sorted(a for a in addresses(doc) if a in blocked)


def account_of(doc):
    """The one account the stack's AWS provider may act in (allowed_account_ids)."""
    (account,) = {tuple(block["allowed_account_ids"]) for block in doc["provider"]["aws"]}
    return account[0]


def provider_override(doc, url, identity=None, credentials=None, check_account=False):
    """Each AWS provider block of the stack (every alias) pointed at the emulator, with the
    operator's credentials in the stack's account or, with `identity`, as a CI role
    (aws_emulator.web_identity_role).

    Knowing its account, the provider reads bucket tags through S3 Control, whose endpoint carries
    the account in its host name (`<account>.<endpoint>`), which no local emulator can answer. So
    runs skip the account lookup, and with it the allowed_account_ids check (which needs the
    account); `check_account` keeps both, for a run that only configures the provider
    (test_emulator.py proves the refusal that way)."""
    blocks = []
    for block in doc["provider"]["aws"]:
        override = {
            **((credentials or operator_credentials(url, account_of(doc))) if identity is None else {"assume_role_with_web_identity": [identity]}),
            **({} if check_account else {"skip_requesting_account_id": True, "allowed_account_ids": []}),
            "skip_credentials_validation": True,
            "skip_metadata_api_check": True,
            "s3_use_path_style": True,
            # An action the emulator lacks answers HTTP 500; fail on it instead of retrying for minutes.
            "max_retries": 2,
            "endpoints": [{service: url for service in SERVICES}],
        }
        if "alias" in block:
            override["alias"] = block["alias"]
        blocks.append(override)
    return {"provider": {"aws": blocks}}


def workdir(name, url, local_state=False, identity=None, copy_name=None, credentials=None, check_account=False):
    """A working copy of the stack (in WORK_DIR/<copy_name or name>) run as the operator of its
    account (or with `credentials`, whoever they are) or, with `identity`, as a CI role (provider
    and backend both)."""
    doc = stack_json(name)
    credentials = credentials or (operator_credentials(url, account_of(doc)) if identity is None else None)
    target = prepare(os.path.join(SYNTH_DIR, "stacks", name), os.path.join(WORK_DIR, copy_name or name), required_providers(doc))
    write_json(os.path.join(target, "zz_emulator_override.tf.json"), provider_override(doc, url, identity, credentials, check_account))
    if local_state:
        # The bootstrap's local state path points at the repository root; keep the run's state in its copy.
        write_json(os.path.join(target, "zz_state_override.tf.json"), {"terraform": {"backend": {"local": {"path": "terraform.tfstate"}}}})
    else:
        with open(os.path.join(target, "emulator.s3.tfbackend"), "w") as handle:
            handle.write(s3_backend_config(url, identity, credentials))
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


def changed_attributes(change):
    before, after, unknown = change.get("before") or {}, change.get("after") or {}, change.get("after_unknown") or {}
    return sorted(k for k in set(before) | set(after) | set(unknown) if before.get(k) != after.get(k) or unknown.get(k) is True), unknown


def perpetual_diff(cwd, *args):
    """A second plan's changes that AWS itself would also show. Allowed: the emulator's listed
    read-back drift (emulator-unsupported.json, `drift`, replacements it forces included), and what
    that drift leaves unknown until apply (dependents replaced or updated only in values not yet
    known, data sources read again). Any known value that differs elsewhere is a perpetual diff."""
    run(cwd, "plan", "-input=false", "-lock-timeout=60s", "-out=replan.bin", *args)
    plan = json.loads(run(cwd, "show", "-json", "replan.bin").stdout)
    real = []
    for rc in plan.get("resource_changes", []):
        change, actions = rc["change"], rc["change"]["actions"]
        if actions == ["no-op"]:
            continue
        if actions == ["read"]:
            if rc.get("action_reason") in ("read_because_dependency_pending", "read_because_config_unknown"):
                continue
            real.append(f"{rc['address']}: read ({rc.get('action_reason')})")
            continue
        attrs, unknown = changed_attributes(change)
        drift = DRIFT.get(rc["type"], {})
        replacing = sorted({path[0] for path in change.get("replace_paths") or [] if path})
        deciding = replacing if "delete" in actions and "create" in actions else attrs
        if deciding and all(a in drift for a in deciding):
            continue  # the emulator's listed read-back drift
        if deciding and all(unknown.get(a) is True for a in deciding):
            continue  # waits on a value the drift above makes unknown
        real.append(f"{rc['address']}: {'/'.join(actions)} {deciding or attrs}")
    return real

"""State locking for real: an environment stack's S3 backend block, exactly as synthesized, run by
a Terraform CLI against the bucket and lock table the bootstrap stack defines, in an emulator.

Run by scripts/verify-state-lock.sh (which synthesizes first and provides the CLI) as
`pytest __tests__/integration`. Environment: MINDHIT_SYNTH_DIR, MINDHIT_TERRAFORM.
"""
import json
import os
import subprocess
import time

import pytest

from aws_emulator import clients, moto_server, s3_backend_config

SYNTH_DIR = os.environ["MINDHIT_SYNTH_DIR"]
TERRAFORM = os.environ["MINDHIT_TERRAFORM"]
LOCK_ERROR = "Error acquiring the state lock"


def stack(name):
    with open(os.path.join(SYNTH_DIR, "stacks", name, "cdk.tf.json")) as handle:
        return json.load(handle)


def only(doc, resource_type):
    (block,) = doc["resource"][resource_type].values()
    return block


@pytest.fixture(scope="module")
def emulator():
    with moto_server() as url:
        yield url


@pytest.fixture(scope="module")
def aws(emulator):
    client = clients(emulator)
    return {name: client(name) for name in ("s3", "dynamodb", "kms")}


@pytest.fixture(scope="module")
def bootstrap_resources(aws):
    """The bucket and table with the shape the bootstrap stack synthesizes."""
    # Production's account's bootstrap: the seed's bucket and table.
    bootstrap = stack(f"mindhit-state-bootstrap-{stack('mindhit-prod')['provider']['aws'][0]['allowed_account_ids'][0]}")
    bucket = only(bootstrap, "aws_s3_bucket")["bucket"]
    versioning = only(bootstrap, "aws_s3_bucket_versioning")["versioning_configuration"]["status"]
    table = only(bootstrap, "aws_dynamodb_table")
    alias = only(bootstrap, "aws_kms_alias")["name"]
    key_id = aws["kms"].create_key(Description="state key")["KeyMetadata"]["KeyId"]
    aws["kms"].create_alias(AliasName=alias, TargetKeyId=key_id)
    aws["s3"].create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "ap-northeast-2"})
    aws["s3"].put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": versioning})
    aws["dynamodb"].create_table(
        TableName=table["name"],
        KeySchema=[{"AttributeName": table["hash_key"], "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": a["name"], "AttributeType": a["type"]} for a in table["attribute"]],
        BillingMode=table["billing_mode"],
    )
    return {"bucket": bucket, "table": table["name"], "key_alias": alias, "key_id": key_id}


def workdir(tmp_path, emulator, backend, resources):
    """A configuration with the stack's backend block verbatim and a provider-free resource, plus
    the emulator's endpoints and credentials as a partial backend configuration for init."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "main.tf.json").write_text(json.dumps({"terraform": {"backend": {"s3": backend}}, "resource": resources}))
    (tmp_path / "emulator.s3.tfbackend").write_text(s3_backend_config(emulator))
    return tmp_path


def init(cwd):
    result = terraform(cwd, "init", "-input=false", "-no-color", "-backend-config=emulator.s3.tfbackend")
    assert result.returncode == 0, result.stderr + result.stdout


def terraform(cwd, *args, timeout=180):
    env = dict(os.environ, TF_IN_AUTOMATION="1", CHECKPOINT_DISABLE="1", AWS_EC2_METADATA_DISABLED="true", TF_INPUT="0")
    return subprocess.run([TERRAFORM, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)


def probe(value, sleep_seconds=0):
    # triggers_replace: a new value replaces the resource, so its create-time provisioner runs.
    block = {"input": value, "triggers_replace": value}
    if sleep_seconds:
        block["provisioner"] = [{"local-exec": {"command": f"sleep {sleep_seconds}"}}]
    return {"terraform_data": {"probe": block}}


def state_versions(aws, bucket, key):
    versions = aws["s3"].list_object_versions(Bucket=bucket, Prefix=key).get("Versions", [])
    return [v for v in versions if v["Key"] == key]


def test_backend_block_is_the_seeds(bootstrap_resources):
    backend = stack("mindhit-prod")["terraform"]["backend"]["s3"]
    assert backend == {
        "bucket": bootstrap_resources["bucket"],
        "key": "production/terraform.tfstate",
        "region": "ap-northeast-2",
        "encrypt": True,
        "kms_key_id": bootstrap_resources["key_alias"],
        "dynamodb_table": bootstrap_resources["table"],
    }


def test_state_is_written_as_a_versioned_object(tmp_path, emulator, aws, bootstrap_resources):
    backend = stack("mindhit-prod")["terraform"]["backend"]["s3"]
    cwd = workdir(tmp_path / "write", emulator, backend, probe("first"))
    init(cwd)
    apply = terraform(cwd, "apply", "-auto-approve", "-input=false", "-no-color")
    assert apply.returncode == 0, apply.stderr + apply.stdout

    versions = state_versions(aws, bootstrap_resources["bucket"], backend["key"])
    assert len(versions) == 1 and versions[0]["VersionId"] not in (None, "null")
    # SSE-KMS with the state key (the backend's kms_key_id), not the SSE-S3 that `encrypt` alone sends.
    head = aws["s3"].head_object(Bucket=bootstrap_resources["bucket"], Key=backend["key"])
    assert head["ServerSideEncryption"] == "aws:kms", head
    assert head["SSEKMSKeyId"] in (bootstrap_resources["key_alias"], bootstrap_resources["key_id"]) or head["SSEKMSKeyId"].endswith(bootstrap_resources["key_id"]), head
    state = json.loads(aws["s3"].get_object(Bucket=bootstrap_resources["bucket"], Key=backend["key"])["Body"].read())
    assert state["resources"][0]["instances"][0]["attributes"]["input"]["value"] == "first"
    # Terraform records the state's checksum in the lock table beside the lock.
    digest = aws["dynamodb"].get_item(TableName=bootstrap_resources["table"], Key={"LockID": {"S": f"{backend['bucket']}/{backend['key']}-md5"}})
    assert "Item" in digest


def test_a_second_concurrent_run_is_refused_and_nothing_is_lost(tmp_path, emulator, aws, bootstrap_resources):
    backend = stack("mindhit-prod")["terraform"]["backend"]["s3"]
    bucket, key, table = bootstrap_resources["bucket"], backend["key"], bootstrap_resources["table"]
    holder = workdir(tmp_path / "holder", emulator, backend, probe("second", sleep_seconds=20))
    contender = workdir(tmp_path / "contender", emulator, backend, probe("contender"))
    for cwd in (holder, contender):
        init(cwd)
    before = len(state_versions(aws, bucket, key))

    env = dict(os.environ, TF_IN_AUTOMATION="1", CHECKPOINT_DISABLE="1", AWS_EC2_METADATA_DISABLED="true")
    first = subprocess.Popen([TERRAFORM, "apply", "-auto-approve", "-input=false", "-no-color"], cwd=holder, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        lock_key = {"LockID": {"S": f"{bucket}/{key}"}}
        deadline = time.monotonic() + 60
        while "Item" not in aws["dynamodb"].get_item(TableName=table, Key=lock_key):
            assert first.poll() is None, "the first run ended before it was seen holding the lock"
            assert time.monotonic() < deadline, "the first run never took the lock"
            time.sleep(0.2)

        second = terraform(contender, "apply", "-auto-approve", "-input=false", "-no-color", "-lock-timeout=0s")
        assert first.poll() is None, "the first run had already finished: the refusal below would prove nothing"
        assert second.returncode != 0
        assert LOCK_ERROR in second.stderr + second.stdout
    finally:
        out, err = first.communicate(timeout=120)
    assert first.returncode == 0, err + out

    versions = state_versions(aws, bucket, key)
    assert len(versions) > before, "the lock holder's state was not written"
    state = json.loads(aws["s3"].get_object(Bucket=bucket, Key=key)["Body"].read())
    assert state["resources"][0]["instances"][0]["attributes"]["input"]["value"] == "second"
    assert "Item" not in aws["dynamodb"].get_item(TableName=table, Key={"LockID": {"S": f"{bucket}/{key}"}}), "lock not released"

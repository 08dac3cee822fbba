"""The `-apps` stacks against a real Kubernetes API: etcd and kube-apiserver on 127.0.0.1
(control_plane.py), the AWS side answered by the emulator, whose EKS cluster hands out the local
apiserver's endpoint and CA. The Kubernetes and Helm providers authenticate through an override of
their `exec` credential plugin (a script printing the throwaway token instead of `aws eks
get-token`); the synthesized stack is never edited.

Run by scripts/verify-cluster.sh. Environment: MINDHIT_SYNTH_DIR, MINDHIT_TERRAFORM,
MINDHIT_WORK_DIR, MINDHIT_TOOLS_BIN."""
import base64
import json
import os
import ssl
import stat
import urllib.request

import boto3
import pytest

from aws_emulator import CREDENTIALS, moto_server
from control_plane import control_plane
from emulator_stack import REGION, applicable, init, perpetual_diff, run, stack_json, targets, workdir
from stack_workdir import write_json

TOOLS_BIN = os.environ["MINDHIT_TOOLS_BIN"]
APPS_STACKS = ["mindhit-staging-apps", "mindhit-prod-apps"]
# Releases are planned but not yet applied here: their charts come from remote repositories this
# machine cannot reach (the mindhit release depends on all of them).
NOT_APPLIED_TYPES = {"helm_release"}


@pytest.fixture(scope="module", params=APPS_STACKS)
def stack_name(request):
    return request.param


@pytest.fixture(scope="module")
def kube(stack_name):
    """A control plane of its own per environment, as each has its own cluster."""
    with control_plane(TOOLS_BIN) as plane:
        yield plane


@pytest.fixture(scope="module")
def emulator(kube, tmp_path_factory):
    tls_dir = tmp_path_factory.mktemp("tls")
    env = {"MINDHIT_EKS_ENDPOINT": kube.url, "MINDHIT_EKS_CA_DATA": base64.b64encode(kube.ca_pem.encode()).decode(),
           "MOTO_ACM_VALIDATION_WAIT": "0"}
    with moto_server(env=env, tls_dir=str(tls_dir)) as url:
        os.environ["AWS_CA_BUNDLE"] = str(tls_dir / "emulator.crt")
        yield url


@pytest.fixture(scope="module")
def aws(emulator):
    session = boto3.Session(aws_access_key_id=CREDENTIALS["access_key"], aws_secret_access_key=CREDENTIALS["secret_key"], region_name=REGION)
    return lambda service: session.client(service, endpoint_url=emulator)


def answer_data_sources(aws, doc):
    """What the platform stack would have left in the account, by the names the apps stack reads:
    created directly, because the platform stack's own apply is the emulator stage's business."""
    data = doc["data"]
    (cluster,) = data["aws_eks_cluster"].values()
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"{REGION}{z}")["Subnet"]["SubnetId"] for i, z in enumerate("ab")]
    role = aws("iam").create_role(RoleName=f"{cluster['name']}-cluster", AssumeRolePolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "eks.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    aws("eks").create_cluster(name=cluster["name"], roleArn=role, resourcesVpcConfig={"subnetIds": subnets})
    (database,) = data["aws_db_instance"].values()
    aws("rds").create_db_instance(DBInstanceIdentifier=database["db_instance_identifier"], DBInstanceClass="db.t4g.micro", Engine="postgres",
                                  MasterUsername="mindhit", ManageMasterUserPassword=True, AllocatedStorage=20)
    (zone,) = data["aws_route53_zone"].values()
    if not aws("route53").list_hosted_zones_by_name(DNSName=zone["name"])["HostedZones"]:
        aws("route53").create_hosted_zone(Name=zone["name"], CallerReference=zone["name"])
    (certificate,) = data["aws_acm_certificate"].values()
    aws("acm").request_certificate(DomainName=certificate["domain"], ValidationMethod="DNS")
    for secret in data["aws_secretsmanager_secret"].values():
        aws("secretsmanager").create_secret(Name=secret["name"], SecretString="{}")
    for topic in data["aws_sns_topic"].values():
        aws("sns").create_topic(Name=topic["name"])
    for parameter in data["aws_ssm_parameter"].values():
        aws("ssm").put_parameter(Name=parameter["name"], Value="1.0.0", Type="String")
    for balancer in data.get("aws_lb", {}).values():
        aws("elbv2").create_load_balancer(Name=balancer["name"], Subnets=subnets, Scheme="internet-facing", Type="application")


def credential_plugin(directory, token):
    """What `aws eks get-token` prints, with the control plane's throwaway token."""
    path = os.path.join(directory, "test-token")
    credential = {"apiVersion": "client.authentication.k8s.io/v1beta1", "kind": "ExecCredential", "status": {"token": token}}
    with open(path, "w") as handle:
        handle.write(f"#!/bin/sh\necho '{json.dumps(credential)}'\n")
    os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)
    return path


def kubernetes_override(doc, plugin):
    """The Kubernetes and Helm provider blocks with the credential plugin swapped; host and CA stay
    the stack's own (from the aws_eks_cluster data source)."""
    exec_block = {"api_version": "client.authentication.k8s.io/v1beta1", "command": plugin, "args": []}
    providers = {}
    for block in doc["provider"].get("kubernetes", []):
        providers.setdefault("kubernetes", []).append({**{k: v for k, v in block.items() if k != "exec"}, "exec": [exec_block]})
    for block in doc["provider"].get("helm", []):
        providers.setdefault("helm", []).append({**block, "kubernetes": {**block["kubernetes"], "exec": exec_block}})
    return {"provider": providers}


def kube_get(kube, path):
    request = urllib.request.Request(f"{kube.url}{path}", headers={"Authorization": f"Bearer {kube.token}"})
    with urllib.request.urlopen(request, timeout=10, context=ssl.create_default_context(cafile=kube.ca_file)) as response:
        return json.loads(response.read())


@pytest.fixture(scope="module")
def apps(stack_name, kube, emulator, aws):
    name = stack_name
    doc = stack_json(name)
    answer_data_sources(aws, doc)
    cwd, doc = workdir(name, emulator, local_state=True)
    write_json(os.path.join(cwd, "zz_cluster_override.tf.json"), kubernetes_override(doc, credential_plugin(cwd, kube.token)))
    init(cwd, local_state=True)
    outcome = {"name": name, "cwd": cwd, "doc": doc, "plan": run(cwd, "plan", "-input=false", ok=False)}
    applied, planned_only = applicable(doc)
    applied = [a for a in applied if a.split(".")[0] not in NOT_APPLIED_TYPES]
    outcome["applied"] = applied
    if outcome["plan"].returncode == 0:
        outcome["apply"] = run(cwd, "apply", "-auto-approve", "-input=false", *targets(applied), ok=False)
        if outcome["apply"].returncode == 0:
            outcome["replan"] = perpetual_diff(cwd, *targets(applied))
    return outcome


def test_apps_stack_plans_applies_and_replans_clean(apps):
    assert apps["plan"].returncode == 0, f"{apps['name']}: plan failed:\n{apps['plan'].stderr[-4000:]}"
    assert apps["apply"].returncode == 0, f"{apps['name']}: apply failed:\n{apps['apply'].stderr[-4000:]}"
    assert not apps["replan"], f"{apps['name']}: perpetual diff: {apps['replan']}"


def test_namespaces_are_read_back_with_their_pod_security_labels(apps, kube):
    for block in apps["doc"]["resource"]["kubernetes_namespace_v1"].values():
        name = block["metadata"]["name"]
        live = kube_get(kube, f"/api/v1/namespaces/{name}")
        for label, value in block["metadata"]["labels"].items():
            assert live["metadata"]["labels"].get(label) == value, f"namespace {name}: label {label}"
        assert live["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"

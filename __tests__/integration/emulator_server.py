"""moto server with its defects that break a multi-environment account patched, each listed in
emulator-unsupported.json (`patched`) with why. Run as `python emulator_server.py <moto_server args>`.
Each patch checks that the defect is still there, so a moto that fixes it fails loudly here and the
patch (and its entry) can go."""
import json
import os
import sys
import threading

from moto.core.authorization import ActionAuthenticatorMixin
from moto.ec2.models import ec2_backends
from moto.iam.access_control import CreateAccessKeyFailure, create_access_key
from moto.eks import models as eks_models
from moto.moto_api._internal import mock_random
from moto.rds import models as rds_models
from moto.server import main


def _after_init(model, adjust):
    """Every new instance of the moto model is passed to `adjust` once moto has built it."""
    original = model.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        adjust(self)

    model.__init__ = init


def _still_in_moto(module, text, fixed):
    assert text in open(module.__file__).read(), f"moto {fixed}: drop this patch"


def _fresh_dbi_resource_id(instance):
    """RDS: every instance gets DbiResourceId db-M5ENSHXFPU6XHZ4G4ZEI5QIO2U, so the AWS provider,
    which reads an instance back by that id, finds two once a second environment exists."""
    instance.dbi_resource_id = "db-" + mock_random.get_random_string(length=26).upper()


def _fresh_oidc_issuer(cluster):
    """EKS: one OIDC issuer per server process, shared by every cluster, so the second
    environment's IAM OIDC provider already exists (EntityAlreadyExists)."""
    region = cluster.arn.split(":")[3]
    cluster.identity = {"oidc": {"issuer": f"https://oidc.eks.{region}.amazonaws.com/id/{mock_random.get_random_hex(32).upper()}"}}


def _cluster_vpc_id(cluster):
    """EKS: DescribeCluster omits resourcesVpcConfig.vpcId, which AWS derives from the subnets, so a
    data source filtering VPCs by it matches every VPC in the region."""
    subnets = cluster.resources_vpc_config.get("subnetIds") or []
    if subnets and "vpcId" not in cluster.resources_vpc_config:
        account, region = cluster.arn.split(":")[4], cluster.arn.split(":")[3]
        cluster.resources_vpc_config = {**cluster.resources_vpc_config, "vpcId": ec2_backends[account][region].get_subnet(subnets[0]).vpc_id}


def _local_control_plane(endpoint, ca_data):
    """Not a defect: for the cluster stage, every EKS cluster answers with the endpoint and CA of
    the local kube-apiserver (control_plane.py), so the apps stack's `aws_eks_cluster` data source
    leads its Kubernetes and Helm providers there."""

    def adjust(cluster):
        cluster.endpoint, cluster.certificate_authority = endpoint, {"data": ca_data}

    return adjust


def _record_calls(path):
    """Not a defect: for the iam stage, every authenticated request is appended to `path` (JSON
    lines) with the caller moto resolves from its access key, the API action moto dispatches to,
    the resource moto would authorize (S3 always, most other services `*`) and the raw request, as
    moto sees it before its own (off) IAM check. test_iam.py maps these to IAM requests."""
    lock = threading.Lock()
    original = ActionAuthenticatorMixin._authenticate_and_authorize_action

    def record(self, iam_request_cls, resource="*"):
        authorization = self.headers.get("Authorization", "")
        if "Credential=" in authorization:
            scope = authorization.split("Credential=", 1)[1].split(",", 1)[0].split("/")
            try:
                caller = create_access_key(self.current_account, "aws", scope[0], dict(self.headers)).arn
            except CreateAccessKeyFailure:
                caller = None  # the harness's own static credentials: the operator
            body = self.raw_body if isinstance(self.raw_body, str) else (self.raw_body or b"").decode("utf-8", "replace")
            entry = {
                "caller": caller,
                "service": scope[3],
                "region": scope[2],
                "action": self._get_action(),
                "resource": resource,
                "method": self.method,
                "path": self.raw_path,
                "query": self.querystring,
                "target": self.headers.get("X-Amz-Target"),
                "body": body[:200000],
            }
            with lock, open(path, "a") as handle:
                handle.write(json.dumps(entry, default=str) + "\n")
        return original(self, iam_request_cls, resource)

    ActionAuthenticatorMixin._authenticate_and_authorize_action = record


if __name__ == "__main__":
    _still_in_moto(rds_models, "db-M5ENSHXFPU6XHZ4G4ZEI5QIO2U", "fixed DbiResourceId")
    _after_init(rds_models.DBInstance, _fresh_dbi_resource_id)
    _still_in_moto(eks_models, "random.get_random_string(length=10)", "fixed the shared EKS issuer")
    _after_init(eks_models.Cluster, _fresh_oidc_issuer)
    assert "vpcId" not in open(eks_models.__file__).read(), "moto returns the cluster's vpcId now: drop this patch"
    _after_init(eks_models.Cluster, _cluster_vpc_id)
    if os.environ.get("MINDHIT_EKS_ENDPOINT"):
        _after_init(eks_models.Cluster, _local_control_plane(os.environ["MINDHIT_EKS_ENDPOINT"], os.environ["MINDHIT_EKS_CA_DATA"]))
    if os.environ.get("MINDHIT_CALL_LOG"):
        _record_calls(os.environ["MINDHIT_CALL_LOG"])
    sys.argv[0] = "moto_server"
    sys.exit(main())

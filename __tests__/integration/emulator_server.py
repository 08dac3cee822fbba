"""moto server with its defects that break a multi-environment account patched, each listed in
emulator-unsupported.json (`patched`) with why. Run as `python emulator_server.py <moto_server args>`.
Each patch checks that the defect is still there, so a moto that fixes it fails loudly here and the
patch (and its entry) can go."""
import os
import sys

from moto.eks import models as eks_models
from moto.moto_api._internal import mock_random
from moto.rds import models as rds_models
from moto.server import main


def _fresh_dbi_resource_id():
    """RDS: every instance gets DbiResourceId db-M5ENSHXFPU6XHZ4G4ZEI5QIO2U, so the AWS provider,
    which reads an instance back by that id, finds two once a second environment exists."""
    original = rds_models.DBInstance.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.dbi_resource_id = "db-" + mock_random.get_random_string(length=26).upper()

    assert "db-M5ENSHXFPU6XHZ4G4ZEI5QIO2U" in open(rds_models.__file__).read(), "moto fixed DbiResourceId: drop this patch"
    rds_models.DBInstance.__init__ = init


def _fresh_oidc_issuer():
    """EKS: one OIDC issuer per server process, shared by every cluster, so the second
    environment's IAM OIDC provider already exists (EntityAlreadyExists)."""
    original = eks_models.Cluster.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        region = self.arn.split(":")[3]
        self.identity = {"oidc": {"issuer": f"https://oidc.eks.{region}.amazonaws.com/id/{mock_random.get_random_hex(32).upper()}"}}

    assert "random.get_random_string(length=10)" in open(eks_models.__file__).read(), "moto fixed the shared EKS issuer: drop this patch"
    eks_models.Cluster.__init__ = init


def _cluster_vpc_id():
    """EKS: DescribeCluster omits resourcesVpcConfig.vpcId, which AWS derives from the subnets, so a
    data source filtering VPCs by it matches every VPC in the region."""
    from moto.ec2.models import ec2_backends

    original = eks_models.Cluster.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        subnets = self.resources_vpc_config.get("subnetIds") or []
        if subnets and "vpcId" not in self.resources_vpc_config:
            account, region = self.arn.split(":")[4], self.arn.split(":")[3]
            self.resources_vpc_config = {**self.resources_vpc_config, "vpcId": ec2_backends[account][region].get_subnet(subnets[0]).vpc_id}

    assert "vpcId" not in open(eks_models.__file__).read(), "moto returns the cluster's vpcId now: drop this patch"
    eks_models.Cluster.__init__ = init


def _local_control_plane(endpoint, ca_data):
    """Not a defect: for the cluster stage, every EKS cluster answers with the endpoint and CA of
    the local kube-apiserver (control_plane.py), so the apps stack's `aws_eks_cluster` data source
    leads its Kubernetes and Helm providers there."""
    original = eks_models.Cluster.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.endpoint, self.certificate_authority = endpoint, {"data": ca_data}

    eks_models.Cluster.__init__ = init


if __name__ == "__main__":
    _fresh_dbi_resource_id()
    _fresh_oidc_issuer()
    _cluster_vpc_id()
    if os.environ.get("MINDHIT_EKS_ENDPOINT"):
        _local_control_plane(os.environ["MINDHIT_EKS_ENDPOINT"], os.environ["MINDHIT_EKS_CA_DATA"])
    sys.argv[0] = "moto_server"
    sys.exit(main())

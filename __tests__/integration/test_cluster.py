"""The `-apps` stacks against a real Kubernetes API: etcd and kube-apiserver on 127.0.0.1
(control_plane.py), the AWS side answered by the emulator, whose EKS cluster hands out the local
apiserver's endpoint and CA. The Kubernetes and Helm providers authenticate through an override of
their `exec` credential plugin (a script printing the throwaway token instead of `aws eks
get-token`); the synthesized stack is never edited.

Run by scripts/verify-cluster.sh. Environment: MINDHIT_SYNTH_DIR, MINDHIT_TERRAFORM,
MINDHIT_WORK_DIR, MINDHIT_TOOLS_BIN, MINDHIT_CHART_SOURCES."""
import base64
import gzip
import json
import os
import re
import shutil
import ssl
import stat
import subprocess
import urllib.error
import urllib.request

import pytest
import yaml  # PyYAML, in the tools venv through checkov

from aws_emulator import clients, moto_over_tls, operator_credentials
from control_plane import control_plane
from emulator_stack import REGION, WORK_DIR, account_of, applicable, init, perpetual_diff, run, stack_json, targets, workdir
from stack_workdir import write_json

TOOLS_BIN = os.environ["MINDHIT_TOOLS_BIN"]
# Every environment's -apps stack, as synthesized from config (scripts/verify-cluster.sh picks one per run with -k).
APPS_STACKS = sorted(name for name in os.listdir(os.path.join(os.environ["MINDHIT_SYNTH_DIR"], "stacks")) if name.endswith("-apps"))
# Where each third-party chart comes from here, keyed by chart name: the controller table's
# `clusterStage` entries (src/controllers), as src/cli/chart-sources.ts prints them.
with open(os.environ["MINDHIT_CHART_SOURCES"]) as _handle:
    CHART_SOURCES = json.load(_handle)
# With no nodes, no pod runs: the releases' webhooks cannot answer, Helm's wait cannot end and a
# hook Job (the database migration) never completes. The override switches those off for this
# stage (and nothing else): wait, atomic and hooks on every release, and each chart's own webhooks
# with the values its source names (`webhooksOff`); the hook objects themselves are rendered and
# schema-checked by the chart stage.


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
    env = {"MINDHIT_EKS_ENDPOINT": kube.url, "MINDHIT_EKS_CA_DATA": base64.b64encode(kube.ca_pem.encode()).decode(),
           "MOTO_ACM_VALIDATION_WAIT": "0"}
    with moto_over_tls(str(tmp_path_factory.mktemp("tls")), env) as url:
        yield url


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
        # Each under a customer key of its own, as the platform stack makes them: the readers' grants name the key.
        key = aws("kms").create_key()["KeyMetadata"]["Arn"]
        aws("secretsmanager").create_secret(Name=secret["name"], SecretString="{}", KmsKeyId=key)
    for topic in data["aws_sns_topic"].values():
        aws("sns").create_topic(Name=topic["name"])
    for parameter in data["aws_ssm_parameter"].values():
        aws("ssm").put_parameter(Name=parameter["name"], Value="1.0.0", Type="String")
    for queue in data.get("aws_sqs_queue", {}).values():
        aws("sqs").create_queue(QueueName=queue["name"])
    for alias in data.get("aws_kms_alias", {}).values():
        key = aws("kms").create_key()["KeyMetadata"]["KeyId"]
        aws("kms").create_alias(AliasName=alias["name"], TargetKeyId=key)
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


def local_chart(release, charts_dir):
    """The release's chart from its source in a module the Go proxy serves (CHART_SOURCES):
    (path, the chart's own version), or (None, why) when no served module holds it."""
    source = CHART_SOURCES[release]
    if "unavailable" in source:
        return None, source["unavailable"]
    if source.get("extraManifestsOnly"):
        return standin_chart(release, charts_dir, templates={"extra-manifests.yaml": EXTRA_MANIFESTS_TEMPLATE}), "extra-manifests stand-in"
    download = subprocess.run(["go", "mod", "download", "-json", f"{source['module']}@{source['version']}"], capture_output=True, text=True,
                              env=dict(os.environ, GOFLAGS="-mod=mod", GOTOOLCHAIN="auto"), timeout=600)
    module_dir = json.loads(download.stdout)["Dir"]
    if "crdsChart" in source:
        crds = os.path.join(module_dir, source["crdsChart"])
        return standin_chart(release, charts_dir, crds={f: os.path.join(crds, f) for f in sorted(os.listdir(crds))}), f"CRDs of {source['version']}"
    target = os.path.join(charts_dir, release)
    if not os.path.isdir(target):
        shutil.copytree(os.path.join(module_dir, source["path"]), target)
        os.chmod(target, 0o755)
        for root, dirs, files in os.walk(target):
            for entry in dirs + files:
                os.chmod(os.path.join(root, entry), 0o755 if entry in dirs else 0o644)
        if "crds" in source:
            os.makedirs(os.path.join(target, "crds"), exist_ok=True)
            shutil.copy(os.path.join(module_dir, source["crds"]), os.path.join(target, "crds", "bundle.yaml"))
            chart_yaml = os.path.join(target, "Chart.yaml")
            with open(chart_yaml) as handle:
                text = handle.read()
            with open(chart_yaml, "w") as handle:
                handle.write(re.sub(r"^dependencies:\n(?:[ -].*\n)*", "", text, flags=re.M))
            if os.path.exists(os.path.join(target, "Chart.lock")):
                os.remove(os.path.join(target, "Chart.lock"))
    with open(os.path.join(target, "Chart.yaml")) as handle:
        version = re.search(r"^version:\s*\"?([^\"\s]+)", handle.read(), re.M).group(1)
    return target, version


# kube-prometheus-stack's own rendering of `extraManifests` (templates/extra-objects.yaml there).
EXTRA_MANIFESTS_TEMPLATE = """{{ range .Values.extraManifests }}
---
{{ tpl (toYaml .) $ }}
{{ end }}
"""


class CrdLoader(yaml.SafeLoader):
    """YAML 1.2 as the API reads it: PyYAML (1.1) takes a bare `=` (an enum value in the operator's
    CRDs) for the obsolete value tag."""


CrdLoader.add_constructor("tag:yaml.org,2002:value", lambda loader, node: loader.construct_scalar(node))


def without_descriptions(node):
    """A CRD's schema without its documentation: Helm keeps every chart file in the release record
    (a Secret, at most 1 MiB), which the operator's ten documented CRDs outgrow. Validation is the same."""
    if isinstance(node, dict):
        return {k: without_descriptions(v) for k, v in node.items() if not (k == "description" and isinstance(v, str))}
    if isinstance(node, list):
        return [without_descriptions(v) for v in node]
    return node


def standin_chart(release, charts_dir, templates=None, crds=None):
    """A chart standing in for one the stage cannot fetch: the given templates, and CRD files in
    crds/ (installed before the templates)."""
    target = os.path.join(charts_dir, release)
    if not os.path.isdir(target):
        for sub, files in (("templates", templates or {}), ("crds", {})):
            os.makedirs(os.path.join(target, sub), exist_ok=True)
            for name, text in files.items():
                with open(os.path.join(target, sub, name), "w") as handle:
                    handle.write(text)
        for name, path in (crds or {}).items():
            with open(path) as source, open(os.path.join(target, "crds", name), "w") as handle:
                yaml.safe_dump_all([without_descriptions(doc) for doc in yaml.load_all(source, Loader=CrdLoader) if doc], handle)
        with open(os.path.join(target, "Chart.yaml"), "w") as handle:
            handle.write(f"apiVersion: v2\nname: {release}\nversion: 0.0.0-standin\ndescription: stand-in for the cluster stage\n")
    return target


def release_override(doc, charts_dir):
    """Every release with wait and atomic off; third-party ones from their local chart source, with
    their webhooks off. Returns (override, releases left out with why, stand-in lines)."""
    resources, left_out, standins = {}, {}, []
    for name, block in doc["resource"].get("helm_release", {}).items():
        change = {"wait": False, "atomic": False, "disable_webhooks": True}
        if block.get("repository"):
            path, version = local_chart(block["chart"], charts_dir)
            if path is None:
                left_out[f"helm_release.{name}"] = version
                continue
            if version != block.get("version"):
                source = CHART_SOURCES[block["chart"]]
                origin = f" from {source['module']}@{source['version']}" if "module" in source else ""
                standins.append(f"{block['chart']}: pinned {block.get('version')}, applied with {version}{origin}")
            change.update({"repository": None, "version": None, "chart": path})
            webhooks_off = CHART_SOURCES[block["chart"]].get("webhooksOff")
            if webhooks_off:
                change["values"] = [*block.get("values", []), json.dumps(webhooks_off)]
        resources[name] = change
    return {"resource": {"helm_release": resources}}, left_out, standins


def kube_get(kube, path):
    request = urllib.request.Request(f"{kube.url}{path}", headers={"Authorization": f"Bearer {kube.token}"})
    with urllib.request.urlopen(request, timeout=10, context=ssl.create_default_context(cafile=kube.ca_file)) as response:
        return json.loads(response.read())


@pytest.fixture(scope="module")
def apps(stack_name, kube, emulator):
    name = stack_name
    doc = stack_json(name)
    # In the environment's own account, where its provider (allowed_account_ids) acts.
    answer_data_sources(clients(emulator, REGION, operator_credentials(emulator, account_of(doc))), doc)
    cwd, doc = workdir(name, emulator, local_state=True)
    write_json(os.path.join(cwd, "zz_cluster_override.tf.json"), kubernetes_override(doc, credential_plugin(cwd, kube.token)))
    releases, left_out, standins = release_override(doc, os.path.join(WORK_DIR, "charts"))
    write_json(os.path.join(cwd, "zz_release_override.tf.json"), releases)
    for line in standins:
        print(line)
    init(cwd, local_state=True)
    applied, planned_only = applicable(doc)
    applied = [a for a in applied if a not in left_out]
    outcome = {"name": name, "cwd": cwd, "doc": doc, "left_out": left_out, "applied": applied,
               "plan": run(cwd, "plan", "-input=false", *targets(applied), ok=False)}
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
        # Restricted everywhere but monitoring, which is baseline (host access still refused).
        assert live["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == ("baseline" if name == "monitoring" else "restricted")


def release_manifests(kube):
    """Every Helm release's rendered objects, from the release records Helm stores in the cluster
    (Secrets `sh.helm.release.v1.<name>.v<n>`: base64 of gzipped JSON holding the manifest)."""
    releases = {}
    for secret in kube_get(kube, "/api/v1/secrets?labelSelector=owner%3Dhelm")["items"]:
        record = json.loads(gzip.decompress(base64.b64decode(base64.b64decode(secret["data"]["release"]))))
        docs = []
        for doc in yaml.safe_load_all(record.get("manifest", "")):
            docs.extend((doc.get("items") or []) if doc and doc.get("kind") == "List" else [doc] if doc else [])
        releases[record["name"]] = (record["namespace"], docs)
    return releases


class Discovery:
    """Kind -> (resource path segment, namespaced) per apiVersion, from the API's own discovery."""

    def __init__(self, kube):
        self.kube, self.cache = kube, {}

    def path(self, api_version, kind, name, namespace):
        if api_version not in self.cache:
            base = f"/api/{api_version}" if "/" not in api_version else f"/apis/{api_version}"
            self.cache[api_version] = (base, {r["kind"]: (r["name"], r["namespaced"]) for r in kube_get(self.kube, base)["resources"] if "/" not in r["name"]})
        base, kinds = self.cache[api_version]
        resource, namespaced = kinds[kind]
        return f"{base}/namespaces/{namespace}/{resource}/{name}" if namespaced else f"{base}/{resource}/{name}"


def test_every_object_every_release_rendered_is_in_the_api(apps, kube):
    """Each release's objects were accepted by the API as Helm rendered them (the API rejects what its
    schemas or CRDs do not allow), and can be read back."""
    releases = release_manifests(kube)
    expected = {b["name"] for a, b in ((a, apps["doc"]["resource"]["helm_release"][a.split(".", 1)[1]]) for a in apps["applied"] if a.startswith("helm_release."))}
    assert set(releases) == expected, f"releases in the cluster {sorted(releases)}, applied {sorted(expected)}"
    discovery, missing = Discovery(kube), []
    for release, (namespace, docs) in releases.items():
        for doc in docs:
            path = discovery.path(doc["apiVersion"], doc["kind"], doc["metadata"]["name"], doc["metadata"].get("namespace", namespace))
            try:
                kube_get(kube, path)
            except urllib.error.HTTPError as error:
                missing.append(f"{release}: {doc['kind']} {doc['metadata']['name']} ({error.code})")
    assert not missing, f"rendered but not in the API: {missing}"


def test_app_objects_carry_the_platform_wiring(apps, kube):
    """The app's service accounts assume the IRSA roles this stack created; the ExternalSecret (an
    External Secrets CRD, now installed) reads the environment's app secret; the namespace has its
    NetworkPolicies."""
    state = json.loads(run(apps["cwd"], "show", "-json").stdout)
    role_arns = {r["values"]["name"]: r["values"]["arn"] for r in state["values"]["root_module"]["resources"] if r["type"] == "aws_iam_role"}
    namespace = apps["doc"]["resource"]["kubernetes_namespace_v1"]["namespace"]["metadata"]["name"]
    accounts = {sa["metadata"]["name"]: sa["metadata"].get("annotations", {}) for sa in kube_get(kube, f"/api/v1/namespaces/{namespace}/serviceaccounts")["items"]}
    annotated = {name: a["eks.amazonaws.com/role-arn"] for name, a in accounts.items() if "eks.amazonaws.com/role-arn" in a}
    assert annotated, f"no service account in {namespace} carries an IRSA role: {accounts}"
    unknown = {name: arn for name, arn in annotated.items() if arn not in role_arns.values()}
    assert not unknown, f"service accounts annotated with roles this stack did not create: {unknown}"

    (secret,) = [s for s in apps["doc"]["data"]["aws_secretsmanager_secret"].values() if s["name"].endswith("/app")]
    external = kube_get(kube, f"/apis/external-secrets.io/v1/namespaces/{namespace}/externalsecrets")["items"]
    keys = {ref["remoteRef"]["key"] for es in external for ref in es["spec"].get("data", [])}
    assert secret["name"] in keys, f"no ExternalSecret in {namespace} reads {secret['name']}: {keys}"

    policies = kube_get(kube, f"/apis/networking.k8s.io/v1/namespaces/{namespace}/networkpolicies")["items"]
    assert policies, f"no NetworkPolicy in {namespace}"


def test_logical_backups_are_scheduled_where_the_environment_turns_them_on(apps, kube):
    """prod's config turns the nightly pg_dump on, staging's off: the CronJob is in the API (with the
    schedule from config, its service account bound to the dump role this stack created) or absent."""
    namespace = apps["doc"]["resource"]["kubernetes_namespace_v1"]["namespace"]["metadata"]["name"]
    cronjobs = kube_get(kube, f"/apis/batch/v1/namespaces/{namespace}/cronjobs")["items"]
    values = json.dumps(apps["doc"]["resource"]["helm_release"]["mindhit"]["values"])
    if "aws_kms_alias" not in apps["doc"].get("data", {}):
        assert not cronjobs, f"logical backups are off here, yet the API has {[c['metadata']['name'] for c in cronjobs]}"
        return
    (cronjob,) = cronjobs
    assert cronjob["spec"]["schedule"] in values and cronjob["spec"]["concurrencyPolicy"] == "Forbid"
    account = cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]["serviceAccountName"]
    annotation = kube_get(kube, f"/api/v1/namespaces/{namespace}/serviceaccounts/{account}")["metadata"]["annotations"]["eks.amazonaws.com/role-arn"]
    state = json.loads(run(apps["cwd"], "show", "-json").stdout)
    (role,) = [r["values"] for r in state["values"]["root_module"]["resources"] if r["type"] == "aws_iam_role" and r["values"]["name"].endswith("-logical-backup")]
    assert annotation == role["arn"]


def test_monitoring_is_in_the_api_where_the_environment_turns_it_on(apps, kube):
    """prod's config turns in-cluster monitoring on, staging's off. Where on: the operator's CRDs are
    served, the app's ServiceMonitor and PrometheusRule were accepted against them, the gp3 class is
    there, and Grafana's admin login is an ExternalSecret reading the environment's secret through a
    SecretStore whose service account is bound to the role this stack created. Where off: none of it."""
    doc = apps["doc"]
    namespaces = {b["metadata"]["name"] for b in doc["resource"]["kubernetes_namespace_v1"].values()}
    crds = {c["metadata"]["name"] for c in kube_get(kube, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions")["items"]}
    if "monitoring" not in namespaces:
        assert "servicemonitors.monitoring.coreos.com" not in crds
        assert not kube_get(kube, "/apis/storage.k8s.io/v1/storageclasses")["items"]
        return
    assert {"servicemonitors.monitoring.coreos.com", "prometheusrules.monitoring.coreos.com", "podmonitors.monitoring.coreos.com"} <= crds
    app_namespace = doc["resource"]["kubernetes_namespace_v1"]["namespace"]["metadata"]["name"]
    monitors = kube_get(kube, f"/apis/monitoring.coreos.com/v1/namespaces/{app_namespace}/servicemonitors")["items"]
    rules = kube_get(kube, f"/apis/monitoring.coreos.com/v1/namespaces/{app_namespace}/prometheusrules")["items"]
    assert monitors and rules, f"no ServiceMonitor or PrometheusRule in {app_namespace}"
    alerts = {rule["alert"] for r in rules for group in r["spec"]["groups"] for rule in group["rules"] if "alert" in rule}
    assert len(alerts) >= 5, f"alert rules in the API: {sorted(alerts)}"
    (storage_class,) = kube_get(kube, "/apis/storage.k8s.io/v1/storageclasses")["items"]
    assert storage_class["provisioner"] == "ebs.csi.aws.com" and storage_class["parameters"] == {"type": "gp3", "encrypted": "true"}

    (secret,) = [s["name"] for s in doc["data"]["aws_secretsmanager_secret"].values() if s["name"].endswith("/grafana-admin")]
    (external,) = kube_get(kube, "/apis/external-secrets.io/v1/namespaces/monitoring/externalsecrets")["items"]
    assert {ref["remoteRef"]["key"] for ref in external["spec"]["data"]} == {secret}
    (store,) = kube_get(kube, "/apis/external-secrets.io/v1/namespaces/monitoring/secretstores")["items"]
    account = store["spec"]["provider"]["aws"]["auth"]["jwt"]["serviceAccountRef"]["name"]
    annotation = kube_get(kube, f"/api/v1/namespaces/monitoring/serviceaccounts/{account}")["metadata"]["annotations"]["eks.amazonaws.com/role-arn"]
    state = json.loads(run(apps["cwd"], "show", "-json").stdout)
    (role,) = [r["values"] for r in state["values"]["root_module"]["resources"] if r["type"] == "aws_iam_role" and r["values"]["name"].endswith("-grafana-secrets")]
    assert annotation == role["arn"]

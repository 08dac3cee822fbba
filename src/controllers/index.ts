/**
 * The in-cluster controllers: one entry each, in install order. The apps stack installs each
 * entry the environment turns on (src/stacks/apps.ts), the unit tests derive their expectations
 * from this table, and src/cli/chart-sources.ts prints where the cluster stage gets each chart
 * (and the chart stage the CRDs the cluster serves). Adding a controller is one entry here; the
 * shape of an entry is in ./controller.ts.
 *
 * Third-party charts, pinned. Each version is the newest whose files could be read (2026-11),
 * with where it was read in `versionReadFrom`; what a bump must also change is beside the entry.
 */
import { DataAwsKmsAlias } from "@cdktf/provider-aws/lib/data-aws-kms-alias";
import { DataAwsRoute53Zone } from "@cdktf/provider-aws/lib/data-aws-route53-zone";
import { DataAwsSecretsmanagerSecret } from "@cdktf/provider-aws/lib/data-aws-secretsmanager-secret";
import { DataAwsSqsQueue } from "@cdktf/provider-aws/lib/data-aws-sqs-queue";
import { StorageClassV1 } from "@cdktf/provider-kubernetes/lib/storage-class-v1";
import { CLUSTER_AUTOSCALER_IMAGES, clusterAutoscalerStatements } from "../modules/controllers/cluster-autoscaler";
import { externalDnsStatements } from "../modules/controllers/external-dns";
import { checkPrometheusSettings, kubePrometheusStackValues, MONITORING } from "../modules/controllers/kube-prometheus-stack";
import { loadBalancerControllerStatements } from "../modules/controllers/lb-controller-policy";
import { topicPublishStatements } from "../modules/operations/alert-topic";
import { grantNodeEventsConsume } from "../modules/operations/spot-interruptions";
import { grantSecretsRead } from "../modules/shared/secret-read";
import { APP } from "../release/app";
import { quote } from "../validation";
import { controller, ControllerContext, ControllerNamespace, InClusterController, RESTRICTED_POD_SECURITY } from "./controller";

/** Where most controllers run. */
const KUBE_SYSTEM: ControllerNamespace = { name: "kube-system" };

/** External Secrets' own namespace, under Pod Security "restricted" like the app's. */
const EXTERNAL_SECRETS: ControllerNamespace = { name: "external-secrets", podSecurity: RESTRICTED_POD_SECURITY };

/**
 * Baseline, not restricted: Prometheus's and Alertmanager's pods are the operator's, whose
 * security contexts this project cannot check (the chart cannot be fetched here). Baseline still
 * refuses host namespaces and paths (hence no node-exporter); restricted is audited and warned.
 */
const MONITORING_NAMESPACE: ControllerNamespace = {
  name: MONITORING.namespace,
  podSecurity: {
    "pod-security.kubernetes.io/enforce": "baseline",
    "pod-security.kubernetes.io/audit": "restricted",
    "pod-security.kubernetes.io/warn": "restricted",
  },
};

const PROMETHEUS_COMMUNITY = "https://prometheus-community.github.io/helm-charts";
const PROMETHEUS_COMMUNITY_SOURCES =
  "prometheus-community/helm-charts release notes as quoted in ocf/kubernetes#164/#165 and randomcoww/homelab#1109 (2026-09)";

export const CONTROLLERS: readonly InClusterController[] = [
  // AWS Load Balancer Controller: turns the chart's Ingress into an ALB. Its IAM policy is
  // vendor/aws-load-balancer-controller-iam-policy-v3.5.0.json: 3.6.0 was released 2026-10-05
  // (eks-charts PR #1377) but its policy could not be read; bump together with the policy file.
  controller({
    name: "aws-load-balancer-controller",
    chart: {
      repository: "https://aws.github.io/eks-charts",
      chart: "aws-load-balancer-controller",
      version: "3.5.0",
      versionReadFrom: "aws/eks-charts gh-pages index.yaml c7f9ea56 (2026-08-03), app v3.5.0",
    },
    clusterStage: {
      module: "github.com/aws/eks-charts",
      version: "v0.0.243-0.20260821194545-743f98a89b5b",
      path: "stable/aws-load-balancer-controller",
      webhooksOff: { enableServiceMutatorWebhook: false, webhookConfig: { disableIngressValidation: true } },
    },
    namespace: KUBE_SYSTEM,
    serviceAccount: "aws-load-balancer-controller",
    role: {
      name: "lb-controller",
      statements: ({ env, account, cluster }) =>
        loadBalancerControllerStatements({
          clusterName: env.identity.resourceName,
          partition: account.partition,
          region: env.region,
          accountId: account.accountId,
          vpcArn: `arn:${account.partition}:ec2:${env.region}:${account.accountId}:vpc/${cluster.vpcConfig.get(0).vpcId}`,
        }),
    },
    // Its webhooks admit the chart's Service and Ingress.
    appReleaseWaits: true,
    values: ({ env, cluster }, { serviceAccount }) => ({
      clusterName: cluster.name,
      region: env.region,
      vpcId: cluster.vpcConfig.get(0).vpcId,
      replicaCount: 2,
      serviceAccount,
      // The "alb" class serves the app's namespace only (no other namespace can open an internet-
      // facing ALB without the WAF), and every ALB drops requests with invalid header fields.
      ingressClassParams: {
        create: true,
        spec: {
          namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": APP.namespace } },
          loadBalancerAttributes: [{ key: "routing.http.drop_invalid_header_fields.enabled", value: "true" }],
        },
      },
    }),
  }),

  // metrics-server: the resource metrics API the HPAs scale on.
  controller({
    name: "metrics-server",
    chart: {
      repository: "https://kubernetes-sigs.github.io/metrics-server/",
      chart: "metrics-server",
      version: "3.13.1",
      versionReadFrom: "kubernetes-sigs/metrics-server gh-pages index.yaml c6db65ff, app 0.8.1",
    },
    clusterStage: { module: "sigs.k8s.io/metrics-server", version: "v0.9.0", path: "charts/metrics-server" },
    namespace: KUBE_SYSTEM,
    values: () => ({}),
  }),

  // Cluster Autoscaler: adds nodes (up to cluster.nodeMaxSize) when pods the HPAs ask for do not
  // fit, removes them when idle; finds the managed node group's Auto Scaling group by the tags EKS
  // puts on it. Its image follows the cluster's minor (CLUSTER_AUTOSCALER_IMAGES).
  controller({
    name: "cluster-autoscaler",
    chart: {
      repository: "https://kubernetes.github.io/autoscaler",
      chart: "cluster-autoscaler",
      version: "9.59.0",
      versionReadFrom: "kubernetes/autoscaler gh-pages index.yaml be36214b",
    },
    clusterStage: {
      unavailable:
        "the chart lives at the root of github.com/kubernetes/autoscaler, which is not a Go module (the proxy answers `not available` for k8s.io/autoscaler and github.com/kubernetes/autoscaler), and https://kubernetes.github.io/autoscaler is unreachable",
    },
    namespace: KUBE_SYSTEM,
    serviceAccount: "cluster-autoscaler",
    role: {
      name: "cluster-autoscaler",
      statements: ({ env, account }) => clusterAutoscalerStatements(env.identity.resourceName, account.partition, env.region, account.accountId),
    },
    values: ({ env }, { serviceAccount }) => ({
      cloudProvider: "aws",
      awsRegion: env.region,
      autoDiscovery: { clusterName: env.identity.resourceName },
      image: { tag: CLUSTER_AUTOSCALER_IMAGES[env.cluster.version] },
      rbac: { serviceAccount },
      // Scale-down never evicts pods with local storage or unreplicated kube-system pods by default;
      // balance zones so topology spread constraints stay satisfiable.
      extraArgs: { "balance-similar-node-groups": true, "skip-nodes-with-system-pods": false },
    }),
    checkConfig: (env, problems, readable) => {
      if (!readable("cluster")) return;
      problems.check(
        CLUSTER_AUTOSCALER_IMAGES[env.cluster.version] !== undefined,
        "cluster.version",
        `${quote(env.cluster.version)} has no Cluster Autoscaler image pinned (known: ${Object.keys(CLUSTER_AUTOSCALER_IMAGES).join(", ")}; src/modules/controllers/cluster-autoscaler.ts)`,
      );
    },
  }),

  // ExternalDNS: points the environment's host at the ALB the controller creates, in its account's
  // hosted zone, and may touch no other name (IRSA policy narrowed to the host).
  controller({
    name: "external-dns",
    chart: {
      repository: "https://kubernetes-sigs.github.io/external-dns/",
      chart: "external-dns",
      version: "1.21.1",
      versionReadFrom: "kubernetes-sigs/external-dns gh-pages index.yaml e6ca7c56, app 0.21.0",
    },
    clusterStage: { module: "sigs.k8s.io/external-dns", version: "v0.23.0", path: "charts/external-dns" },
    namespace: KUBE_SYSTEM,
    serviceAccount: "external-dns",
    needs: ({ scope, env }: ControllerContext) => ({ zone: new DataAwsRoute53Zone(scope, "zone", { name: env.identity.hostedZone, privateZone: false }) }),
    role: { name: "external-dns", statements: ({ env }, { zone }) => externalDnsStatements(zone.arn, env.identity.host) },
    values: ({ env }, { needs: { zone }, serviceAccount }) => ({
      provider: { name: "aws" },
      sources: ["ingress"],
      domainFilters: [env.identity.host],
      // Ownership records keep this cluster's ExternalDNS off records it did not create.
      txtOwnerId: env.identity.resourceName,
      policy: "sync",
      extraArgs: [`--zone-id-filter=${zone.zoneId}`, `--aws-zone-type=public`],
      serviceAccount,
    }),
  }),

  // Node Termination Handler (queue processor), where the environment runs Spot nodes: drains a
  // node on its interruption warning (two minutes), rebalance recommendation or scheduled
  // retirement, from the platform stack's node events queue. Other clusters' instances share the
  // account's events: their messages are deleted, not retried. Published as an OCI chart only
  // (eks-charts stopped at 0.21.0).
  controller({
    name: "aws-node-termination-handler",
    chart: {
      repository: "oci://public.ecr.aws/aws-ec2/helm",
      chart: "aws-node-termination-handler",
      version: "0.27.1",
      versionReadFrom: "aws/aws-node-termination-handler config/helm/aws-node-termination-handler/Chart.yaml a37d4648, app 1.25.1",
    },
    clusterStage: {
      unavailable:
        "published only as an OCI chart (public.ecr.aws/aws-ec2/helm), which is unreachable; eks-charts stopped at 0.21.0, and the Go module proxy refuses github.com/aws/aws-node-termination-handler (403 `not available`)",
    },
    namespace: KUBE_SYSTEM,
    enabledFor: (env) => env.cluster.spotNodeGroup.enabled,
    serviceAccount: "aws-node-termination-handler",
    needs: ({ scope, env }: ControllerContext) => ({ queue: new DataAwsSqsQueue(scope, "node-events", { name: env.identity.nodeEventQueueName }) }),
    role: { name: "node-termination-handler", statements: (_ctx, { queue }) => grantNodeEventsConsume(queue.arn) },
    values: ({ env }, { needs: { queue }, serviceAccount }) => ({
      awsRegion: env.region,
      enableSqsTerminationDraining: true,
      queueURL: queue.url,
      enableSpotInterruptionDraining: true,
      enableRebalanceMonitoring: true,
      enableScheduledEventDraining: true,
      deleteSqsMsgIfNodeNotFound: true,
      // EKS owns the managed node groups' Auto Scaling groups, which carry no NTH tag.
      checkTagBeforeDraining: false,
      replicas: 2,
      serviceAccount,
    }),
  }),

  // External Secrets Operator: copies Secrets Manager secrets into namespaces (the app's as
  // mindhit-secrets, Grafana's admin login). The controller itself has no AWS role: each namespace's
  // SecretStore authenticates as its own service account's (the app's is the apps stack's).
  // Its CRDs serve only external-secrets.io/v1 (v1beta1 not served), which the chart's templates use.
  controller({
    name: "external-secrets",
    chart: {
      repository: "https://charts.external-secrets.io",
      chart: "external-secrets",
      version: "2.9.0",
      versionReadFrom: "external-secrets gh-pages index.yaml 629cd695",
    },
    clusterStage: {
      module: "github.com/external-secrets/external-secrets",
      version: "v1.3.2",
      path: "deploy/charts/external-secrets",
      crds: "deploy/crds/bundle.yaml",
      webhooksOff: { webhook: { create: false }, certController: { create: false } },
      note: "the repository's chart has no CRDs (its release job adds them): the stage puts the release's CRD bundle in the chart's crds/ directory, and drops the disabled bitwarden-sdk-server dependency (an OCI chart it cannot fetch)",
    },
    namespace: EXTERNAL_SECRETS,
    serviceAccount: "external-secrets",
    // Its CRDs define the chart's SecretStore and ExternalSecret.
    appReleaseWaits: true,
    values: (_ctx, { serviceAccount }) => ({ installCRDs: true, serviceAccount }),
  }),

  // The Prometheus operator's CRDs, in their own release so a kube-prometheus-stack upgrade or
  // uninstall never drops them: prometheus-operator-crds 32.0.0 holds operator v0.94.0's, the same
  // operator kube-prometheus-stack 89.2.4 runs. Bump both together, the CRDs first.
  controller({
    name: "prometheus-operator-crds",
    chart: { repository: PROMETHEUS_COMMUNITY, chart: "prometheus-operator-crds", version: "32.0.0", versionReadFrom: PROMETHEUS_COMMUNITY_SOURCES },
    clusterStage: {
      module: "github.com/prometheus-operator/prometheus-operator",
      version: "v0.94.0",
      crdsChart: "example/prometheus-operator-crd",
      note: "the prometheus-community repository is refused by the Go proxy (403); the chart is a package of this operator release's CRDs, so the stage packages the same CRDs (v0.94.0, what prometheus-operator-crds 32.0.0 holds) into a chart's crds/ directory",
    },
    namespace: MONITORING_NAMESPACE,
    enabledFor: (env) => env.prometheus.enabled,
    // They define the chart's ServiceMonitor and PrometheusRule.
    appReleaseWaits: true,
    values: () => ({}),
  }),

  // kube-prometheus-stack (prometheus-operator v0.94.0): Prometheus, Alertmanager to the alert
  // topic with its own IRSA role, Grafana with its admin login through External Secrets. 91.5.0
  // was seen in an open update (ocf/kubernetes#166) but which operator it ships could not be read.
  controller({
    name: MONITORING.release,
    chart: { repository: PROMETHEUS_COMMUNITY, chart: "kube-prometheus-stack", version: "89.2.4", versionReadFrom: PROMETHEUS_COMMUNITY_SOURCES },
    clusterStage: {
      extraManifestsOnly: true,
      note: "the chart lives in github.com/prometheus-community/helm-charts, which the Go proxy refuses (403 `not available`), and https://prometheus-community.github.io/helm-charts is unreachable: the stage applies a stand-in chart that renders only the release's `extraManifests` as kube-prometheus-stack does (Grafana's admin SecretStore and ExternalSecret), so those reach the real API; Prometheus, Alertmanager and Grafana themselves are not installed",
    },
    namespace: MONITORING_NAMESPACE,
    enabledFor: (env) => env.prometheus.enabled,
    // Grafana's admin login comes through External Secrets.
    after: ["prometheus-operator-crds", "external-secrets"],
    needs: monitoringNeeds,
    alsoAfter: ({ storageClass }) => [storageClass],
    // Prometheus waits for its EBS volume. Nothing waits for it: after the CRDs, 240 + 480 s fit a 15-minute token.
    timeoutSeconds: 480,
    values: ({ env, alertTopic }, { needs }) =>
      kubePrometheusStackValues({
        ...withoutEnabled(env.prometheus),
        environment: env.identity.environment,
        region: env.region,
        alertTopicArn: alertTopic.arn,
        alertmanagerRoleArn: needs.alertmanagerRole.roleArn,
        grafanaAdminSecretName: env.identity.grafanaAdminSecretName,
        secretsReaderRoleArn: needs.secretsReaderRole.roleArn,
      }),
    checkConfig: (env, problems, readable) => {
      if (readable("prometheus"))
        checkPrometheusSettings(
          problems.mapped((field) => `prometheus.${field}`),
          env.prometheus,
        );
    },
  }),
];

/**
 * What kube-prometheus-stack needs beside its release: Prometheus's storage class, Alertmanager's
 * role to publish to the alert topic, and the role of the SecretStore that reads Grafana's admin login.
 */
function monitoringNeeds({ scope, env, account, alertTopic, irsaRole }: ControllerContext) {
  const { identity } = env;
  const via = { region: env.region, dnsSuffix: account.dnsSuffix };
  // Encrypted gp3 volumes from the EBS CSI add-on (EKS's own gp2 class is the in-tree driver's).
  const storageClass = new StorageClassV1(scope, "gp3-storage-class", {
    metadata: { name: MONITORING.storageClass },
    storageProvisioner: "ebs.csi.aws.com",
    parameters: { type: "gp3", encrypted: "true" },
    // The volume is created in the zone the pod is scheduled to.
    volumeBindingMode: "WaitForFirstConsumer",
    allowVolumeExpansion: true,
    reclaimPolicy: "Delete",
  });
  const topicKey = new DataAwsKmsAlias(scope, "alert-topic-key", { name: `alias/${identity.alertTopicName}` });
  const alertmanagerRole = irsaRole("alertmanager-role", {
    roleName: `${identity.resourceName}-alertmanager`,
    namespace: MONITORING.namespace,
    serviceAccount: MONITORING.alertmanagerServiceAccount,
    statements: topicPublishStatements({ topicArn: alertTopic.arn, encryptionKeyArn: topicKey.targetKeyArn }, via, {
      publish: "PublishAlertsToTheAlertTopic",
      encrypt: "EncryptThemThroughSns",
    }),
  });
  const grafanaSecret = new DataAwsSecretsmanagerSecret(scope, "grafana-admin-secret", { name: identity.grafanaAdminSecretName });
  const secretsReaderRole = irsaRole("grafana-secrets-role", {
    roleName: identity.grafanaSecretsRoleName,
    namespace: MONITORING.namespace,
    serviceAccount: MONITORING.secretsServiceAccount,
    statements: grantSecretsRead([{ secretArn: grafanaSecret.arn, kmsKeyArn: grafanaSecret.kmsKeyId }], via, {
      read: "ReadTheGrafanaAdminSecret",
      decrypt: "DecryptItThroughSecretsManager",
    }),
  });
  return { storageClass, alertmanagerRole, secretsReaderRole };
}

/** A feature section's settings without its switch. */
function withoutEnabled<T extends { enabled: boolean }>(section: T): Omit<T, "enabled"> {
  const { enabled: _enabled, ...settings } = section;
  return settings;
}

/** The entry `name` (for tests and the cluster stage's view of one chart). */
export function controllerNamed(name: string): InClusterController {
  const found = CONTROLLERS.find((c) => c.name === name);
  if (found === undefined) throw new Error(`no controller ${quote(name)} in src/controllers/index.ts (known: ${CONTROLLERS.map((c) => c.name).join(", ")})`);
  return found;
}

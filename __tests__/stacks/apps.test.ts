import { DataAwsAcmCertificate } from "@cdktf/provider-aws/lib/data-aws-acm-certificate";
import { DataAwsEksCluster } from "@cdktf/provider-aws/lib/data-aws-eks-cluster";
import { DataAwsIamOpenidConnectProvider } from "@cdktf/provider-aws/lib/data-aws-iam-openid-connect-provider";
import { DataAwsSecretsmanagerSecret } from "@cdktf/provider-aws/lib/data-aws-secretsmanager-secret";
import { DataAwsSqsQueue } from "@cdktf/provider-aws/lib/data-aws-sqs-queue";
import { DataAwsSsmParameter } from "@cdktf/provider-aws/lib/data-aws-ssm-parameter";
import { DataAwsKmsAlias } from "@cdktf/provider-aws/lib/data-aws-kms-alias";
import { EksCluster } from "@cdktf/provider-aws/lib/eks-cluster";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/secretsmanager-secret-version";
import { HelmProvider } from "@cdktf/provider-helm/lib/provider";
import { Release } from "@cdktf/provider-helm/lib/release";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { StorageClassV1 } from "@cdktf/provider-kubernetes/lib/storage-class-v1";
import { CONTROLLERS, controllerNamed } from "../../src/controllers";
import type { InClusterController } from "../../src/controllers/controller";
import { APP, LOGICAL_BACKUP_PREFIX } from "../../src/release/app";
import { releaseValueLayers } from "../helpers/release-values";
import { Statement } from "../helpers/iam";
import { attributeNames, buildProject } from "../helpers/synth";
import { Template } from "../helpers/template";

const stacks = buildProject();

/** How a controller's release names its namespace: through the namespace resource where the stack creates one. */
function releaseNamespace(controller: InClusterController): string {
  const { name, podSecurity } = controller.namespace;
  return podSecurity === undefined ? name : `\${${NamespaceV1.tfResourceType}.${name}-namespace.metadata[0].name}`;
}

/** What the monitoring tests read of kube-prometheus-stack's values. */
interface KpsValues {
  crds: unknown;
  nodeExporter: unknown;
  kubeControllerManager: unknown;
  kubeScheduler: unknown;
  kubeEtcd: unknown;
  kubeProxy: unknown;
  prometheus: { prometheusSpec: Record<string, unknown> };
  alertmanager: {
    config: { route: unknown; receivers: unknown };
    templateFiles: Record<string, string>;
    serviceAccount: { annotations: Record<string, string> };
  };
  grafana: Record<string, unknown>;
  extraManifests: object[];
}

describe.each(stacks.environments.map((e) => [e.identity.name, e] as const))("%s in-cluster stack", (name, env) => {
  const stack = stacks.apps.get(name)!;
  /** The table's controllers this environment runs, in install order. */
  const running = CONTROLLERS.filter((c) => c.enabledFor(env));
  const template = Template.fromStack(stack);
  const releases = template.resourcesById(Release);
  /** The inline statements of the environment's role `<resourceName>-<role>`. */
  const policyOf = (role: string): Statement[] => template.policyFor(`${env.identity.resourceName}-${role}`);

  it("is its own stack with its own state key in its account's bucket and lock table", () => {
    expect(stack.node.id).toBe(`mindhit-${name}-apps`);
    expect(template.json.terraform.backend?.s3).toEqual({
      bucket: env.identity.stateBucket,
      key: `${env.identity.environment}/apps/terraform.tfstate`,
      region: "ap-northeast-2",
      encrypt: true,
      kms_key_id: "alias/mindhit-terraform-state",
      dynamodb_table: "mindhit-terraform-locks",
    });
  });

  it("finds the cluster by the name the platform stack gives it, not through remote state", () => {
    expect(template.dataSources(DataAwsEksCluster)).toEqual([expect.objectContaining({ name: env.identity.resourceName })]);
    expect(Template.fromStack(stacks.platforms.get(name)!).only(EksCluster).name).toBe(env.identity.resourceName);
    expect(template.json.data).not.toHaveProperty("terraform_remote_state");
    expect(stack.dependencies).toContain(stacks.platforms.get(name));
  });

  it("authenticates the Kubernetes and Helm providers with aws eks get-token", () => {
    const exec = {
      api_version: "client.authentication.k8s.io/v1beta1",
      command: "aws",
      args: ["eks", "get-token", "--cluster-name", "${data.aws_eks_cluster.cluster.name}", "--region", env.region],
    };
    const connection = {
      host: "${data.aws_eks_cluster.cluster.endpoint}",
      cluster_ca_certificate: "${base64decode(data.aws_eks_cluster.cluster.certificate_authority[0].data)}",
    };
    expect(template.providers(KubernetesProvider)).toEqual([{ ...connection, exec: [exec] }]);
    // Helm provider 3.x: `kubernetes` and its `exec` are objects, not blocks.
    expect(template.providers(HelmProvider)).toEqual([{ kubernetes: { ...connection, exec } }]);
  });

  it("creates the controllers' own namespaces (once each) and mindhit's: restricted Pod Security everywhere but monitoring's baseline", () => {
    const restricted = { "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/audit": "restricted" };
    // Baseline refuses host namespaces and paths; restricted is audited and warned.
    const baseline = {
      "pod-security.kubernetes.io/enforce": "baseline",
      "pod-security.kubernetes.io/audit": "restricted",
      "pod-security.kubernetes.io/warn": "restricted",
    };
    const created = [...new Set(running.filter((c) => c.namespace.podSecurity !== undefined).map((c) => c.namespace.name))];
    expect(created).toContain("external-secrets");
    expect(template.resources(NamespaceV1).map((n) => n.metadata)).toEqual([
      ...created.map((namespace) => ({ name: namespace, labels: namespace === "monitoring" ? baseline : restricted })),
      { name: "mindhit", labels: restricted },
    ]);
  });

  it("releases the mindhit chart atomically from the stack's own copy of helm/mindhit, after the controllers its objects need", () => {
    const release = releases.mindhit;
    expect(release).toMatchObject({
      name: "mindhit",
      chart: expect.stringMatching(/^\.\/assets\/mindhit-chart\/[0-9A-F]+$/),
      namespace: "${kubernetes_namespace_v1.namespace.metadata[0].name}",
      atomic: true,
      wait: true,
      cleanup_on_fail: true,
      timeout: env.release.timeoutSeconds,
    });
    // Only the controllers its objects need at install; autoscaler, metrics and DNS never hold it back.
    const needed = running.filter((c) => c.appReleaseWaits).map((c) => c.name);
    expect(needed).toEqual(expect.arrayContaining(["aws-load-balancer-controller", "external-secrets"]));
    expect(needed).not.toEqual(expect.arrayContaining(["cluster-autoscaler"]));
    expect(release.depends_on).toEqual(needed.map((id) => `${Release.tfResourceType}.${id}`));
  });

  it("composes the release values: the environment's values file (sizes only), then every identity from config", () => {
    const layers = releaseValueLayers(stack, env);
    expect(layers).toHaveLength(env.identity.valuesFile === undefined ? 1 : 2);
    const overrides = layers[layers.length - 1];
    if (layers.length === 2) {
      // Identity is never in a values file: it could drift from config there.
      expect(layers[0]).not.toHaveProperty("global");
      expect(layers[0]).not.toHaveProperty("secrets");
      expect(layers[0]).not.toHaveProperty("ingress");
    }
    expect(overrides).toEqual({
      global: { environment: env.identity.environment, imageRegistry: `111111111111.dkr.ecr.${env.region}.amazonaws.com` },
      secrets: {
        externalSecret: {
          enabled: true,
          remoteKey: env.identity.appSecretName,
          store: {
            create: true,
            name: "aws-secrets-manager",
            region: env.region,
            roleArn: expect.stringMatching(/^arn:aws:iam::111111111111:role\//),
            serviceAccountName: "mindhit-secrets-reader",
          },
        },
      },
      api: {
        image: { repository: env.identity.repositoryNames.api, tag: env.release.apiImageTag },
        serviceAccount: { create: true, roleArn: expect.stringMatching(/^arn:aws:iam::111111111111:role\//) },
      },
      worker: {
        image: { repository: env.identity.repositoryNames.worker, tag: env.release.workerImageTag },
        serviceAccount: { create: true, roleArn: expect.stringMatching(/^arn:aws:iam::111111111111:role\//) },
        // Stateless: it tolerates the Spot taint and prefers Spot nodes, where the environment has them.
        ...(env.cluster.spotNodeGroup.enabled
          ? {
              tolerations: [{ key: "mindhit.io/capacity", operator: "Equal", value: "spot", effect: "NoSchedule" }],
              affinity: {
                nodeAffinity: {
                  preferredDuringSchedulingIgnoredDuringExecution: [
                    { weight: 100, preference: { matchExpressions: [{ key: "mindhit.io/capacity", operator: "In", values: ["spot"] }] } },
                  ],
                },
              },
            }
          : {}),
      },
      ingress: {
        enabled: true,
        host: env.identity.host,
        certificateArn: expect.stringMatching(/^arn:aws:acm:/),
        wafAclArn: expect.stringMatching(/^arn:aws:wafv2:/),
        loadBalancerName: env.identity.loadBalancerName,
      },
      networkPolicy: { egress: { vpcCidr: env.network.vpcCidr } },
      databaseInit: {
        enabled: true,
        host: expect.stringContaining(".rds.amazonaws.com"),
        port: 5432,
        database: env.database.dbName,
        appUser: APP.databaseUser,
        masterSecretArn: expect.stringMatching(/^arn:aws:secretsmanager:/),
      },
      logicalBackup: env.backup.logicalDumps.enabled
        ? {
            enabled: true,
            schedule: env.backup.logicalDumps.schedule,
            bucket: `${env.identity.backupsBucketPrefix}111111111111`,
            prefix: LOGICAL_BACKUP_PREFIX,
            region: env.region,
            roleArn: expect.stringMatching(/^arn:aws:iam::111111111111:role\//),
          }
        : { enabled: false },
      monitoring: { enabled: env.prometheus.enabled },
    });
  });

  it("lets the Node Termination Handler consume this environment's node events queue and read instances, and nothing else", () => {
    if (!env.cluster.spotNodeGroup.enabled) {
      template.resourceCountIs(IamRole, 0, { name: `${env.identity.resourceName}-node-termination-handler` });
      return;
    }
    expect(policyOf("node-termination-handler")).toEqual([
      {
        sid: "ConsumeTheNodeEventQueue",
        effect: "Allow",
        actions: ["sqs:ReceiveMessage", "sqs:DeleteMessage"],
        resources: ["${data.aws_sqs_queue.node-events.arn}"],
      },
      {
        sid: "ReadTheInstancesNamed",
        effect: "Allow",
        actions: ["ec2:DescribeInstances", "autoscaling:DescribeAutoScalingInstances", "autoscaling:DescribeTags"],
        resources: ["*"],
      },
    ]);
    expect(template.dataSources(DataAwsSqsQueue)).toEqual([expect.objectContaining({ name: env.identity.nodeEventQueueName })]);
    expect(JSON.parse((releases["aws-node-termination-handler"].values as string[])[0])).toMatchObject({
      enableSqsTerminationDraining: true,
      queueURL: "${data.aws_sqs_queue.node-events.url}",
      checkTagBeforeDraining: false,
      deleteSqsMsgIfNodeNotFound: true,
    });
  });

  describe("in-cluster monitoring", () => {
    const kps = releases["kube-prometheus-stack"];
    if (!env.prometheus.enabled) {
      it("is absent where the environment turns it off", () => {
        expect(kps).toBeUndefined();
        expect(releases["prometheus-operator-crds"]).toBeUndefined();
        template.resourceCountIs(StorageClassV1, 0);
        template.resourceCountIs(IamRole, 0, { name: `${env.identity.resourceName}-alertmanager` });
      });
      return;
    }
    const values = (): KpsValues => JSON.parse((kps.values as string[])[0]) as KpsValues;

    it("installs kube-prometheus-stack after its CRDs' own release, External Secrets and the gp3 class, waiting longer than for a controller", () => {
      expect(kps).toMatchObject({ atomic: true, wait: true, timeout: controllerNamed("kube-prometheus-stack").timeoutSeconds });
      expect(kps.timeout).toBeGreaterThan(controllerNamed("metrics-server").timeoutSeconds);
      expect(kps.depends_on).toEqual([
        `${Release.tfResourceType}.prometheus-operator-crds`,
        `${Release.tfResourceType}.external-secrets`,
        `${StorageClassV1.tfResourceType}.gp3-storage-class`,
      ]);
      expect(values().crds).toEqual({ enabled: false });
      // Nothing the namespace's baseline Pod Security level refuses, nothing EKS hides from scraping.
      for (const part of ["nodeExporter", "kubeControllerManager", "kubeScheduler", "kubeEtcd", "kubeProxy"] as const)
        expect(values()[part]).toEqual({ enabled: false });
    });

    it("keeps Prometheus's samples for the configured days on an encrypted gp3 volume of the configured size, dropping old blocks before it fills", () => {
      expect(template.only(StorageClassV1)).toMatchObject({
        metadata: { name: "gp3" },
        storage_provisioner: "ebs.csi.aws.com",
        parameters: { type: "gp3", encrypted: "true" },
        volume_binding_mode: "WaitForFirstConsumer",
      });
      const spec = values().prometheus.prometheusSpec;
      expect(spec).toMatchObject({
        retention: `${env.prometheus.retentionDays}d`,
        retentionSize: `${Math.floor(env.prometheus.storageGiB * 0.85)}GB`,
        storageSpec: { volumeClaimTemplate: { spec: { storageClassName: "gp3", resources: { requests: { storage: `${env.prometheus.storageGiB}Gi` } } } } },
        // The app's ServiceMonitor and PrometheusRule carry no release label: every namespace's are selected.
        ruleSelectorNilUsesHelmValues: false,
        serviceMonitorSelectorNilUsesHelmValues: false,
      });
    });

    it("routes every alert but the Watchdog to the alert topic through SNS, as a Chatbot custom notification", () => {
      const config = values().alertmanager.config;
      expect(config.route).toMatchObject({ receiver: "alert-topic", routes: [{ receiver: "null", matchers: ['alertname = "Watchdog"'] }] });
      expect(config.receivers).toEqual([
        { name: "null" },
        {
          name: "alert-topic",
          sns_configs: [expect.objectContaining({ topic_arn: "${data.aws_sns_topic.alert-topic.arn}", sigv4: { region: env.region }, send_resolved: true })],
        },
      ]);
      expect(values().alertmanager.templateFiles["mindhit-chatbot.tmpl"]).toContain('"source":"custom"');
    });

    it("lets Alertmanager publish to this environment's alert topic through its key, and nothing else", () => {
      expect(template.trustFor(`${env.identity.resourceName}-alertmanager`)[0].condition).toContainEqual(
        expect.objectContaining({ values: ["system:serviceaccount:monitoring:alertmanager"] }),
      );
      expect(policyOf("alertmanager")).toEqual([
        { sid: "PublishAlertsToTheAlertTopic", effect: "Allow", actions: ["sns:Publish"], resources: ["${data.aws_sns_topic.alert-topic.arn}"] },
        expect.objectContaining({
          sid: "EncryptThemThroughSns",
          actions: ["kms:GenerateDataKey*", "kms:Decrypt"],
          resources: ["${data.aws_kms_alias.alert-topic-key.target_key_arn}"],
        }),
      ]);
      expect(values().alertmanager.serviceAccount.annotations["eks.amazonaws.com/role-arn"]).toMatch(/^\$\{aws_iam_role\.alertmanager-role_[0-9A-F]+\.arn\}$/);
    });

    it("gives Grafana its admin login from Secrets Manager through the monitoring namespace's own SecretStore, never through Terraform", () => {
      expect(values().grafana.admin).toEqual({ existingSecret: "grafana-admin", userKey: "admin-user", passwordKey: "admin-password" });
      expect(values().grafana).not.toHaveProperty("adminPassword");
      const [account, store, external] = values().extraManifests;
      expect(account).toMatchObject({ kind: "ServiceAccount", metadata: { name: "grafana-secrets-reader" } });
      expect(store).toMatchObject({
        kind: "SecretStore",
        spec: { provider: { aws: { auth: { jwt: { serviceAccountRef: { name: "grafana-secrets-reader" } } } } } },
      });
      expect(external).toMatchObject({ kind: "ExternalSecret", spec: { target: { name: "grafana-admin" } } });
      expect(JSON.stringify(external)).toContain(env.identity.grafanaAdminSecretName);
      expect(template.dataSources(DataAwsSecretsmanagerSecret)).toContainEqual(expect.objectContaining({ name: env.identity.grafanaAdminSecretName }));
      expect(template.trustFor(env.identity.grafanaSecretsRoleName)[0].condition).toContainEqual(
        expect.objectContaining({ values: ["system:serviceaccount:monitoring:grafana-secrets-reader"] }),
      );
      expect(template.policyFor(env.identity.grafanaSecretsRoleName)).toEqual([
        expect.objectContaining({
          actions: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
          resources: ["${data.aws_secretsmanager_secret.grafana-admin-secret.arn}"],
        }),
        expect.objectContaining({ actions: ["kms:Decrypt"], resources: ["${data.aws_secretsmanager_secret.grafana-admin-secret.kms_key_id}"] }),
      ]);
    });
  });

  it("lets the dump job write under its prefix of this environment's backups bucket, through the bucket's key, and nothing else", () => {
    const roleName = `${env.identity.resourceName}-logical-backup`;
    if (!env.backup.logicalDumps.enabled) {
      template.resourceCountIs(IamRole, 0, { name: roleName });
      template.dataSourceCountIs(DataAwsKmsAlias, 0);
      return;
    }
    expect(template.dataSources(DataAwsKmsAlias)).toContainEqual(expect.objectContaining({ name: `alias/${env.identity.backupsKeyAlias}` }));
    expect(template.trustFor(roleName)[0].condition).toContainEqual(
      expect.objectContaining({ values: [`system:serviceaccount:${APP.namespace}:${APP.release}-logical-backup`] }),
    );
    expect(template.policyFor(roleName)).toEqual([
      {
        sid: "WriteDumpsUnderTheirPrefix",
        effect: "Allow",
        actions: ["s3:PutObject"],
        resources: [
          expect.stringMatching(
            new RegExp(
              `^arn:\\$\\{data\\.aws_partition\\.[^}]+\\}:s3:::${env.identity.backupsBucketPrefix}\\$\\{data\\.aws_caller_identity\\.[^}]+\\}/postgres/\\*$`,
            ),
          ),
        ],
      },
      {
        sid: "EncryptThemWithTheBucketKey",
        effect: "Allow",
        actions: ["kms:GenerateDataKey", "kms:Decrypt"],
        resources: [expect.stringMatching(/^\$\{data\.aws_kms_alias\.backups-key\.target_key_arn\}$/)],
        condition: [{ test: "StringEquals", variable: "kms:ViaService", values: [expect.stringMatching(new RegExp(`^s3\\.${env.region}\\.`))] }],
      },
    ]);
  });

  it("runs the image tags the app release recorded in SSM: an infrastructure deploy never changes them", () => {
    expect(template.json).not.toHaveProperty("variable");
    expect(template.dataSources(DataAwsSsmParameter).map((p) => p.name)).toEqual([env.identity.imageTagParameters.api, env.identity.imageTagParameters.worker]);
    const raw = String((releases.mindhit.values as string[]).at(-1));
    expect(raw).toContain('"tag": "${data.aws_ssm_parameter.image-tag-api.insecure_value}"');
    expect(raw).toContain('"tag": "${data.aws_ssm_parameter.image-tag-worker.insecure_value}"');
  });

  it.each(CONTROLLERS.map((c) => [c.name, c] as const))("installs %s from its pinned chart, where the environment runs it", (release, controller) => {
    if (!controller.enabledFor(env)) {
      expect(releases[release]).toBeUndefined();
      return;
    }
    expect(releases[release]).toMatchObject({
      name: release,
      repository: controller.chart.repository,
      chart: controller.chart.chart,
      version: controller.chart.version,
      namespace: releaseNamespace(controller),
      atomic: true,
      timeout: controller.timeoutSeconds,
    });
  });

  it("gives the load balancer controller its cluster, region, VPC and IRSA role", () => {
    const values = JSON.parse((releases["aws-load-balancer-controller"].values as string[])[0]) as Record<string, unknown>;
    expect(values).toEqual({
      clusterName: "${data.aws_eks_cluster.cluster.name}",
      region: env.region,
      vpcId: "${data.aws_eks_cluster.cluster.vpc_config[0].vpc_id}",
      replicaCount: 2,
      serviceAccount: {
        create: true,
        name: "aws-load-balancer-controller",
        annotations: { "eks.amazonaws.com/role-arn": expect.stringMatching(/^\$\{aws_iam_role\.lb-controller-role_[0-9A-F]+\.arn\}$/) },
      },
      // Only the app's namespace may use the ALB class; every ALB drops invalid header fields.
      ingressClassParams: {
        create: true,
        spec: {
          namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "mindhit" } },
          loadBalancerAttributes: [{ key: "routing.http.drop_invalid_header_fields.enabled", value: "true" }],
        },
      },
    });
  });

  it.each([
    // Each controller's role, for its own service account.
    ...running.flatMap((c) => (c.roleName === undefined ? [] : [[c.roleName, c.namespace.name, c.serviceAccount ?? ""] as const])),
    // The app namespace's SecretStore's own service account, not the ESO controller's.
    ["external-secrets", APP.namespace, APP.secretsServiceAccount] as const,
    ...APP.components.map((component) => [component, APP.namespace, `${APP.release}-${component}`] as const),
  ])("scopes the %s IRSA role to its one service account (sub) and to STS (aud)", (role, namespace, serviceAccount) => {
    const issuer = '${replace(data.aws_eks_cluster.cluster.identity[0].oidc[0].issuer, "https://", "")}';
    expect(template.trustFor(`${env.identity.resourceName}-${role}`)).toEqual([
      {
        effect: "Allow",
        actions: ["sts:AssumeRoleWithWebIdentity"],
        principals: [
          {
            type: "Federated",
            identifiers: [
              expect.stringMatching(
                /^arn:\$\{data\.aws_partition\.[^}]+\}:iam::\$\{data\.aws_caller_identity\.[^}]+\}:oidc-provider\/\$\{replace\(data\.aws_eks_cluster\.cluster\.identity\[0\]\.oidc\[0\]\.issuer, "https:\/\/", ""\)\}$/,
              ),
            ],
          },
        ],
        condition: [
          { test: "StringEquals", variable: `${issuer}:aud`, values: ["sts.amazonaws.com"] },
          { test: "StringEquals", variable: `${issuer}:sub`, values: [`system:serviceaccount:${namespace}:${serviceAccount}`] },
        ],
      },
    ]);
  });

  it("limits the load balancer controller to resources tagged for this cluster", () => {
    const scoped = policyOf("lb-controller").filter((s) => s.sid?.startsWith("ManageOwn"));
    expect(scoped.length).toBeGreaterThanOrEqual(2);
    for (const s of scoped)
      expect(s.condition).toEqual([expect.objectContaining({ variable: "aws:ResourceTag/elbv2.k8s.aws/cluster", values: [env.identity.resourceName] })]);
  });

  it("lets External Secrets read only the app secret and the database master secret, decrypting through Secrets Manager only", () => {
    expect(policyOf("external-secrets")).toEqual([
      expect.objectContaining({
        actions: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
        resources: ["${data.aws_secretsmanager_secret.app-secret.arn}", "${data.aws_db_instance.database.master_user_secret[0].secret_arn}"],
      }),
      expect.objectContaining({
        actions: ["kms:Decrypt"],
        resources: ["${data.aws_secretsmanager_secret.app-secret.kms_key_id}", "${data.aws_db_instance.database.master_user_secret[0].kms_key_id}"],
        condition: [
          {
            test: "StringEquals",
            variable: "kms:ViaService",
            values: [`secretsmanager.${env.region}.\${data.aws_partition.account_partition_32ACE770.dns_suffix}`],
          },
        ],
      }),
    ]);
  });

  it("never looks up the OIDC provider through IAM (CI's deploy role cannot list providers)", () => {
    template.dataSourceCountIs(DataAwsIamOpenidConnectProvider, 0);
  });

  it("scales nodes with the Cluster Autoscaler, matched to the cluster's minor, allowed to change only this cluster's groups", () => {
    const values = JSON.parse((releases["cluster-autoscaler"].values as string[])[0]) as {
      autoDiscovery: { clusterName: string };
      image: { tag: string };
      awsRegion: string;
    };
    expect(values).toMatchObject({
      autoDiscovery: { clusterName: env.identity.resourceName },
      awsRegion: env.region,
      image: { tag: expect.stringMatching(new RegExp(`^v${env.cluster.version.replace(".", "\\.")}\\.\\d+$`)) },
    });
    const scale = policyOf("cluster-autoscaler").find((st) => st.actions?.includes("autoscaling:SetDesiredCapacity"));
    expect(scale?.condition).toEqual([
      { test: "StringEquals", variable: `aws:ResourceTag/k8s.io/cluster-autoscaler/${env.identity.resourceName}`, values: ["owned"] },
    ]);
  });

  it("points the host at the ALB with ExternalDNS, which may change only the host's records in the zone", () => {
    const values = JSON.parse((releases["external-dns"].values as string[])[0]) as Record<string, unknown>;
    expect(values).toMatchObject({
      provider: { name: "aws" },
      sources: ["ingress"],
      domainFilters: [env.identity.host],
      txtOwnerId: env.identity.resourceName,
    });
    const change = policyOf("external-dns")[0];
    expect(change).toMatchObject({ resources: ["${data.aws_route53_zone.zone.arn}"] });
    expect(change.condition).toContainEqual({
      test: "ForAllValues:StringLike",
      variable: "route53:ChangeResourceRecordSetsNormalizedRecordNames",
      values: [env.identity.host, `*-${env.identity.host}`],
    });
  });

  it("names the issued ACM certificate of the host on the Ingress", () => {
    expect(template.dataSources(DataAwsAcmCertificate)).toEqual([
      expect.objectContaining({ domain: env.identity.host, statuses: ["ISSUED"], most_recent: true }),
    ]);
  });

  it("lets the app pods connect to Redis and PostgreSQL with IAM, as the app users only", () => {
    const statements = policyOf("api");
    expect(statements.map((s) => s.actions)).toEqual([["elasticache:Connect"], ["rds-db:connect"]]);
    expect(statements[0].resources).toEqual([
      expect.stringMatching(new RegExp(`:replicationgroup:${env.identity.resourceName}$`)),
      expect.stringMatching(new RegExp(`:user:${env.identity.resourceName}-app$`)),
    ]);
    expect(statements[1].resources).toEqual([
      expect.stringMatching(new RegExp(`:dbuser:\\$\\{data\\.aws_db_instance\\.database\\.resource_id\\}/${APP.databaseUser}$`)),
    ]);
  });

  it("reads the app secret the platform stack created, and holds no secret value itself", () => {
    expect(template.dataSources(DataAwsSecretsmanagerSecret)).toContainEqual(expect.objectContaining({ name: `${env.identity.resourceName}/app` }));
    template.resourceCountIs(SecretsmanagerSecret, 0);
    template.resourceCountIs(SecretsmanagerSecretVersion, 0);
    expect(attributeNames(template.json).filter((n) => /^(secret_string|password|token|auth_token)$/.test(n))).toEqual([]);
  });
});

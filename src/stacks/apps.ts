import * as fs from "fs";
import * as path from "path";
import { DataAwsEksCluster } from "@cdktf/provider-aws/lib/data-aws-eks-cluster";
import { DataAwsAcmCertificate } from "@cdktf/provider-aws/lib/data-aws-acm-certificate";
import { DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DataAwsKmsAlias } from "@cdktf/provider-aws/lib/data-aws-kms-alias";
import { DataAwsLb } from "@cdktf/provider-aws/lib/data-aws-lb";
import { DataAwsSecretsmanagerSecret } from "@cdktf/provider-aws/lib/data-aws-secretsmanager-secret";
import { DataAwsRoute53Zone } from "@cdktf/provider-aws/lib/data-aws-route53-zone";
import { DataAwsSnsTopic } from "@cdktf/provider-aws/lib/data-aws-sns-topic";
import { DataAwsSqsQueue } from "@cdktf/provider-aws/lib/data-aws-sqs-queue";
import { DataAwsSsmParameter } from "@cdktf/provider-aws/lib/data-aws-ssm-parameter";
import { DataAwsVpc } from "@cdktf/provider-aws/lib/data-aws-vpc";
import { Release } from "@cdktf/provider-helm/lib/release";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { StorageClassV1 } from "@cdktf/provider-kubernetes/lib/storage-class-v1";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { Construct } from "constructs";
import { AssetType, Fn, TerraformAsset, TerraformOutput } from "../cdktf";
import type { ITerraformDependable } from "../cdktf";
import { AppComponent, ClusterAuth, Environment, IMAGE_TAG, ProjectSettings, Readable } from "../config";
import { CLUSTER_AUTOSCALER_IMAGES, clusterAutoscalerStatements } from "../modules/controllers/cluster-autoscaler";
import { SPOT_CAPACITY } from "../modules/eks";
import { ElastiCache } from "../modules/elasticache";
import { Rds } from "../modules/rds";
import { externalDnsStatements } from "../modules/controllers/external-dns";
import { checkPrometheusSettings, kubePrometheusStackValues, MONITORING } from "../modules/controllers/kube-prometheus-stack";
import { topicPublishStatements } from "../modules/operations/alert-topic";
import { IrsaRole } from "../modules/shared/irsa-role";
import { POSTGRES_PORT } from "../modules/rds";
import { loadBalancerControllerStatements } from "../modules/controllers/lb-controller-policy";
import { addAlarm, AlarmSpec } from "../modules/shared/alarm";
import { grantSecretsRead } from "../modules/shared/secret-read";
import { grantPrefixWrite } from "../modules/shared/secure-bucket";
import { grantNodeEventsConsume } from "../modules/operations/spot-interruptions";
import { checkWebAclProps, WebAcl, WebAclSettings } from "../modules/operations/waf";
import { chartDir } from "../paths";
import { checkWhole, Problems, quote } from "../validation";
import { checkCapacity } from "./capacity";
import { EphemeralEksClusterAuth } from "../bindings/ephemeral-eks-cluster-auth";
import { EnvironmentStack, EnvironmentStackProps } from "./environment-stack";
import { HelmProviderV3, ReleaseV3 } from "../bindings/helm-provider-v3";

/**
 * Third-party charts, pinned. Bump deliberately: each is a change to the running cluster. Each
 * version is the newest whose files could be read (2026-11), with where it was read:
 * - aws-load-balancer-controller 3.5.0 (app v3.5.0): aws/eks-charts gh-pages index.yaml
 *   c7f9ea56 (2026-08-03); its IAM policy is vendor/aws-load-balancer-controller-iam-policy-v3.5.0.json.
 *   3.6.0 was released 2026-10-05 (eks-charts PR #1377) but its policy could not be read: bump
 *   together with the policy file.
 * - metrics-server 3.13.1 (app 0.8.1): kubernetes-sigs/metrics-server gh-pages index.yaml c6db65ff.
 * - external-secrets 2.9.0: external-secrets gh-pages index.yaml 629cd695; its CRDs serve only
 *   external-secrets.io/v1 (v1beta1 not served), which the chart's templates use.
 * - cluster-autoscaler 9.59.0: kubernetes/autoscaler gh-pages index.yaml be36214b; image per
 *   cluster minor in CLUSTER_AUTOSCALER_IMAGES.
 * - external-dns 1.21.1 (app 0.21.0): kubernetes-sigs/external-dns gh-pages index.yaml e6ca7c56.
 * - aws-node-termination-handler 0.27.1 (app 1.25.1): aws/aws-node-termination-handler
 *   config/helm/aws-node-termination-handler/Chart.yaml a37d4648; published as an OCI chart only
 *   (eks-charts stopped at 0.21.0).
 * - kube-prometheus-stack 89.2.4 (prometheus-operator v0.94.0) with prometheus-operator-crds 32.0.0
 *   (the same operator's CRDs, v0.94.0): prometheus-community/helm-charts release notes as quoted in
 *   ocf/kubernetes#164/#165 and randomcoww/homelab#1109 (2026-09). 91.5.0 was seen in an open update
 *   (ocf/kubernetes#166) but which operator it ships could not be read: bump both together, the CRDs
 *   first, once it can be.
 */
export const THIRD_PARTY_CHARTS = {
  awsLoadBalancerController: { repository: "https://aws.github.io/eks-charts", chart: "aws-load-balancer-controller", version: "3.5.0" },
  metricsServer: { repository: "https://kubernetes-sigs.github.io/metrics-server/", chart: "metrics-server", version: "3.13.1" },
  externalSecrets: { repository: "https://charts.external-secrets.io", chart: "external-secrets", version: "2.9.0" },
  clusterAutoscaler: { repository: "https://kubernetes.github.io/autoscaler", chart: "cluster-autoscaler", version: "9.59.0" },
  externalDns: { repository: "https://kubernetes-sigs.github.io/external-dns/", chart: "external-dns", version: "1.21.1" },
  nodeTerminationHandler: { repository: "oci://public.ecr.aws/aws-ec2/helm", chart: "aws-node-termination-handler", version: "0.27.1" },
  prometheusOperatorCrds: { repository: "https://prometheus-community.github.io/helm-charts", chart: "prometheus-operator-crds", version: "32.0.0" },
  kubePrometheusStack: { repository: "https://prometheus-community.github.io/helm-charts", chart: "kube-prometheus-stack", version: "89.2.4" },
} as const;

/** Where the application runs and what its pieces are called, shared with the chart and its tests. */
export const APP = {
  namespace: "mindhit",
  release: "mindhit",
  components: ["api", "worker"],
  /** PostgreSQL role the app logs in as with an IAM token (`GRANT rds_iam TO mindhit_app`). */
  databaseUser: "mindhit_app",
  secretStoreName: "aws-secrets-manager",
  /** The SecretStore's service account: its IRSA role is the only reader of the app secret. */
  secretsServiceAccount: "mindhit-secrets-reader",
} as const;

export interface AppsStackProps extends EnvironmentStackProps {
  /** How the Kubernetes and Helm providers authenticate to the cluster (a run option). */
  readonly clusterAuth: ClusterAuth;
}

/** How long Helm waits for each controller release (they are ready in about a minute). */
export const CONTROLLER_RELEASE_TIMEOUT_SECONDS = 240;
/**
 * How long Helm waits for kube-prometheus-stack (Prometheus waits for its EBS volume). It follows
 * External Secrets and the CRDs, and nothing waits for it: with a 15-minute token, 240 + 480 s fits.
 */
export const MONITORING_RELEASE_TIMEOUT_SECONDS = 480;
/**
 * With `clusterAuth: "token"` one token serves the whole apply, and EKS accepts it for 15 minutes.
 * The controllers' releases and then the app's release must finish within that, less a minute for
 * what the apply does before them.
 */
export const TOKEN_RELEASE_BUDGET_SECONDS = 15 * 60 - 60;

/** Values the stack adds on top of the environment's values file (typed so tests can check them against the chart schema). */
export interface AppReleaseValues {
  global: { environment: string; imageRegistry: string };
  secrets: {
    externalSecret: {
      enabled: boolean;
      remoteKey: string;
      store: { create: boolean; name: string; region: string; roleArn: string; serviceAccountName: string };
    };
  };
  api: ComponentValues;
  worker: ComponentValues;
  ingress: { enabled: boolean; host: string; certificateArn: string; wafAclArn: string; loadBalancerName: string };
  networkPolicy: { egress: { vpcCidr: string } };
  databaseInit: { enabled: boolean; host: string; port: number; database: string; appUser: string; masterSecretArn: string };
  logicalBackup: { enabled: boolean; schedule?: string; bucket?: string; prefix?: string; region?: string; roleArn?: string };
  /** The app's ServiceMonitor and alert rules, where kube-prometheus-stack runs. */
  monitoring: { enabled: boolean };
}

/** Where the logical dumps go in the backups bucket; their IAM role may write nowhere else. */
export const LOGICAL_BACKUP_PREFIX = "postgres/";

interface ComponentValues {
  image: { repository: string; tag: string };
  serviceAccount: { create: boolean; roleArn: string };
  tolerations?: Array<{ key: string; operator: "Equal"; value: string; effect: "NoSchedule" }>;
  affinity?: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: Array<{ weight: number; preference: NodeSelectorTerm }> } };
}

interface NodeSelectorTerm {
  matchExpressions: Array<{ key: string; operator: "In"; values: string[] }>;
}

/**
 * The worker is stateless (seed 004: stateless workloads on Spot): where the environment has Spot
 * nodes it tolerates their taint and prefers them, and still runs on on-demand nodes when Spot
 * capacity is short or being reclaimed. The api stays on on-demand capacity.
 */
const SPOT_WORKLOAD: Pick<ComponentValues, "tolerations" | "affinity"> = {
  tolerations: [{ key: SPOT_CAPACITY.key, operator: "Equal", value: SPOT_CAPACITY.value, effect: "NoSchedule" }],
  affinity: {
    nodeAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        { weight: 100, preference: { matchExpressions: [{ key: SPOT_CAPACITY.key, operator: "In", values: [SPOT_CAPACITY.value] }] } },
      ],
    },
  },
};

/**
 * The environment's in-cluster layer: providers authenticated to the EKS cluster the platform
 * stack created, the controllers the application needs, and the application release itself.
 *
 * A stack of its own, as Terraform documents for configuring the Kubernetes provider from a
 * cluster managed elsewhere: the cluster must exist before these providers can be configured,
 * and a cluster replacement must not be planned in the same run as the releases on it. The
 * cluster is found by name (both stacks take it from the environment config), not through
 * remote state.
 */
export class AppsStack extends EnvironmentStack {
  readonly appRelease: Release;
  readonly releaseValues: AppReleaseValues;
  readonly webAclArn: string;

  /** The release's and the web ACL's rules on this environment's settings, under their config fields; run by validation. */
  static checkConfig(env: Environment, _project: ProjectSettings, problems: Problems, readable: Readable, clusterAuth: ClusterAuth): void {
    for (const [field, tag] of [
      ["release.apiImageTag", env.release.apiImageTag],
      ["release.workerImageTag", env.release.workerImageTag],
    ] as const) {
      if (!readable(field)) continue;
      problems.check(IMAGE_TAG.test(tag), field, `${quote(tag)} is not a container image tag (1-128 of A-Z a-z 0-9 _ . -, not starting with . or -)`);
      // Builds push :<git sha> only; a moving tag would also make a rollback ambiguous.
      problems.check(tag !== "latest", field, `"latest" is not allowed (a moving tag: deploy an immutable one, e.g. the git SHA)`);
    }
    if (readable("release.timeoutSeconds")) {
      const timeout = env.release.timeoutSeconds;
      const max = clusterAuth === "token" ? TOKEN_RELEASE_BUDGET_SECONDS - CONTROLLER_RELEASE_TIMEOUT_SECONDS : 3600;
      checkWhole(problems, "release.timeoutSeconds", timeout, 60, 3600);
      if (Number.isInteger(timeout) && timeout <= 3600 && timeout > max) {
        problems.add(
          "release.timeoutSeconds",
          `${timeout} is not allowed with cluster authentication "token" (at most ${max}: the EKS token lasts 15 minutes, and the controllers' releases (${CONTROLLER_RELEASE_TIMEOUT_SECONDS} s) and this one must finish within it, with 60 s for the rest of the apply; or run with MINDHIT_CLUSTER_AUTH=exec where the AWS CLI exists)`,
        );
      }
    }
    if (readable("waf"))
      checkWebAclProps(
        problems.mapped({ name: "identity.resourceName", rateLimitPerIp: "waf.rateLimitPerIp", countRules: "waf.countRules" }),
        webAclSettings(env),
      );
    if (readable("cluster")) {
      problems.check(
        CLUSTER_AUTOSCALER_IMAGES[env.cluster.version] !== undefined,
        "cluster.version",
        `${quote(env.cluster.version)} has no Cluster Autoscaler image pinned (known: ${Object.keys(CLUSTER_AUTOSCALER_IMAGES).join(", ")}; src/modules/controllers/cluster-autoscaler.ts)`,
      );
      checkCapacity(env, problems);
    }
    if (readable("prometheus"))
      checkPrometheusSettings(
        problems.mapped((field) => `prometheus.${field}`),
        env.prometheus,
      );
  }

  constructor(scope: Construct, props: AppsStackProps) {
    super(scope, props, "apps", { ephemeralResources: props.clusterAuth === "token" });
    const { env } = props;
    const { identity } = env;
    const account = this.account;

    const cluster = new DataAwsEksCluster(this, "cluster", { name: identity.resourceName });
    const issuerUrl = cluster.identity.get(0).oidc.get(0).issuer;
    // The provider's ARN follows from the issuer (IAM's documented form), so no IAM lookup is needed:
    // reading it would take iam:ListOpenIDConnectProviders, which CI's deploy role does not have.
    const oidcProviderArn = `arn:${account.partition}:iam::${account.accountId}:oidc-provider/${Fn.replace(issuerUrl, "https://", "")}`;
    this.configureClusterProviders(cluster, env, props.clusterAuth);

    const irsa: IrsaFactory = (id, roleName, namespace, serviceAccount, statements) =>
      new IrsaRole(this, id, { roleName, oidcProviderArn, oidcIssuerUrl: issuerUrl, namespace, serviceAccount, statements });
    // A cluster controller's role, `<resourceName>-<controller>`, for its service account in kube-system.
    const controllerRole = (controller: string, serviceAccount: string, statements: DataAwsIamPolicyDocumentStatement[]): IrsaRole =>
      irsa(`${controller}-role`, `${identity.resourceName}-${controller}`, "kube-system", serviceAccount, statements);

    // AWS Load Balancer Controller: turns the chart's Ingress into an ALB.
    const lbcServiceAccount = "aws-load-balancer-controller";
    const lbcRole = controllerRole(
      "lb-controller",
      lbcServiceAccount,
      loadBalancerControllerStatements({
        clusterName: identity.resourceName,
        partition: account.partition,
        region: env.region,
        accountId: account.accountId,
        vpcArn: `arn:${account.partition}:ec2:${env.region}:${account.accountId}:vpc/${cluster.vpcConfig.get(0).vpcId}`,
      }),
    );
    const lbc = this.thirdPartyRelease("aws-load-balancer-controller", THIRD_PARTY_CHARTS.awsLoadBalancerController, "kube-system", {
      clusterName: cluster.name,
      region: env.region,
      vpcId: cluster.vpcConfig.get(0).vpcId,
      replicaCount: 2,
      serviceAccount: irsaServiceAccount(lbcServiceAccount, lbcRole),
      // The "alb" class serves the app's namespace only (no other namespace can open an internet-
      // facing ALB without the WAF), and every ALB drops requests with invalid header fields.
      ingressClassParams: {
        create: true,
        spec: {
          namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": APP.namespace } },
          loadBalancerAttributes: [{ key: "routing.http.drop_invalid_header_fields.enabled", value: "true" }],
        },
      },
    });

    // metrics-server: the resource metrics API the HPAs scale on.
    this.thirdPartyRelease("metrics-server", THIRD_PARTY_CHARTS.metricsServer, "kube-system", {});

    // Cluster Autoscaler: adds nodes (up to cluster.nodeMaxSize) when pods the HPAs ask for do not
    // fit, removes them when idle; finds the managed node group's Auto Scaling group by the tags EKS puts on it.
    const caServiceAccount = "cluster-autoscaler";
    const caRole = controllerRole(
      "cluster-autoscaler",
      caServiceAccount,
      clusterAutoscalerStatements(identity.resourceName, account.partition, env.region, account.accountId),
    );
    this.thirdPartyRelease("cluster-autoscaler", THIRD_PARTY_CHARTS.clusterAutoscaler, "kube-system", {
      cloudProvider: "aws",
      awsRegion: env.region,
      autoDiscovery: { clusterName: identity.resourceName },
      image: { tag: CLUSTER_AUTOSCALER_IMAGES[env.cluster.version] },
      rbac: { serviceAccount: irsaServiceAccount(caServiceAccount, caRole) },
      // Scale-down never evicts pods with local storage or unreplicated kube-system pods by default;
      // balance zones so topology spread constraints stay satisfiable.
      extraArgs: { "balance-similar-node-groups": true, "skip-nodes-with-system-pods": false },
    });

    // ExternalDNS: points the environment's host at the ALB the controller creates, in the
    // domain's hosted zone, and may touch no other name (IRSA policy narrowed to the host).
    const zone = new DataAwsRoute53Zone(this, "zone", { name: props.project.domain, privateZone: false });
    const dnsServiceAccount = "external-dns";
    const dnsRole = controllerRole("external-dns", dnsServiceAccount, externalDnsStatements(zone.arn, identity.host));
    this.thirdPartyRelease("external-dns", THIRD_PARTY_CHARTS.externalDns, "kube-system", {
      provider: { name: "aws" },
      sources: ["ingress"],
      domainFilters: [identity.host],
      // Ownership records keep this cluster's ExternalDNS off records it did not create.
      txtOwnerId: identity.resourceName,
      policy: "sync",
      extraArgs: [`--zone-id-filter=${zone.zoneId}`, `--aws-zone-type=public`],
      serviceAccount: irsaServiceAccount(dnsServiceAccount, dnsRole),
    });

    // Node Termination Handler (queue processor), where the environment runs Spot nodes: drains a
    // node on its interruption warning (two minutes), rebalance recommendation or scheduled
    // retirement, from the platform stack's node events queue. Other clusters' instances share the
    // account's events: their messages are deleted, not retried.
    if (env.cluster.spotNodeGroup.enabled) {
      const queue = new DataAwsSqsQueue(this, "node-events", { name: identity.nodeEventQueueName });
      const nthServiceAccount = "aws-node-termination-handler";
      const nthRole = controllerRole("node-termination-handler", nthServiceAccount, grantNodeEventsConsume(queue.arn));
      this.thirdPartyRelease("aws-node-termination-handler", THIRD_PARTY_CHARTS.nodeTerminationHandler, "kube-system", {
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
        serviceAccount: irsaServiceAccount(nthServiceAccount, nthRole),
      });
    }

    // Secrets: the platform stack creates the (empty) Secrets Manager secret, so operators can fill
    // it before the first release; External Secrets Operator copies it into the namespace as
    // mindhit-secrets. No secret value passes through Terraform.
    const appSecret = new DataAwsSecretsmanagerSecret(this, "app-secret", { name: identity.appSecretName });
    // The database's master credentials, which RDS manages in Secrets Manager: read only by the
    // chart's database-init hook (through External Secrets) to create the app's login role.
    const database = Rds.fromLookup(this, "database", { account, region: env.region, identifier: identity.resourceName });
    const masterSecret = database.instance.masterUserSecret.get(0);
    // The app namespace's SecretStore authenticates as its own service account's IRSA role, never
    // as the controller (whose service account has no AWS role): a store created in any other
    // namespace gets no access through the controller.
    const esoRole = irsa(
      "external-secrets-role",
      identity.externalSecretsRoleName,
      APP.namespace,
      APP.secretsServiceAccount,
      grantSecretsRead(
        [
          { secretArn: appSecret.arn, kmsKeyArn: appSecret.kmsKeyId },
          { secretArn: masterSecret.secretArn, kmsKeyArn: masterSecret.kmsKeyId },
        ],
        { region: env.region, dnsSuffix: account.dnsSuffix },
        { read: "ReadAppAndMasterSecrets", decrypt: "DecryptThemThroughSecretsManager" },
      ),
    );
    // Its own namespace, under Pod Security "restricted" like the app's.
    const esoNamespace = new NamespaceV1(this, "external-secrets-namespace", {
      metadata: { name: "external-secrets", labels: { "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/audit": "restricted" } },
    });
    const externalSecrets = this.thirdPartyRelease("external-secrets", THIRD_PARTY_CHARTS.externalSecrets, esoNamespace.metadata.name, {
      installCRDs: true,
      serviceAccount: { create: true, name: "external-secrets" },
    });

    const alertTopic = new DataAwsSnsTopic(this, "alert-topic", { name: identity.alertTopicName });
    const monitoringCrds = env.prometheus.enabled ? this.addMonitoring(env, alertTopic, externalSecrets, irsa) : undefined;

    // The application's own pods: IAM authentication to Redis and PostgreSQL, no passwords.
    const cache = ElastiCache.fromAttributes({ account, region: env.region, replicationGroupId: identity.resourceName });
    const appStatements: DataAwsIamPolicyDocumentStatement[] = [
      cache.grantConnect("ConnectToRedisAsAppUser"),
      database.grantConnect(APP.databaseUser, "ConnectToPostgresAsAppUser"),
    ];
    const componentRoles = new Map<AppComponent, IrsaRole>(
      APP.components.map((component) => [
        component,
        irsa(`${component}-role`, `${identity.resourceName}-${component}`, APP.namespace, `${APP.release}-${component}`, appStatements),
      ]),
    );

    // Nightly pg_dump into the backups bucket (where the environment turns it on): its role may
    // write under the dumps' prefix of this environment's bucket, through the bucket's key, and nothing else.
    const dumps = env.backup.logicalDumps;
    let logicalBackup: AppReleaseValues["logicalBackup"] = { enabled: false };
    if (dumps.enabled) {
      const bucket = `${identity.backupsBucketPrefix}${account.accountId}`;
      const backupsKey = new DataAwsKmsAlias(this, "backups-key", { name: `alias/${identity.backupsKeyAlias}` });
      const role = irsa(
        "logical-backup-role",
        `${identity.resourceName}-logical-backup`,
        APP.namespace,
        `${APP.release}-logical-backup`,
        grantPrefixWrite(
          { bucketArn: `arn:${account.partition}:s3:::${bucket}`, kmsKeyArn: backupsKey.targetKeyArn },
          LOGICAL_BACKUP_PREFIX,
          { region: env.region, dnsSuffix: account.dnsSuffix },
          { write: "WriteDumpsUnderTheirPrefix", encrypt: "EncryptThemWithTheBucketKey" },
        ),
      );
      logicalBackup = { enabled: true, schedule: dumps.schedule, bucket, prefix: LOGICAL_BACKUP_PREFIX, region: env.region, roleArn: role.roleArn };
    }

    const namespace = new NamespaceV1(this, "namespace", {
      metadata: {
        name: APP.namespace,
        // The chart's pods meet the "restricted" Pod Security Standard; enforce it.
        labels: { "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/audit": "restricted" },
      },
    });

    // The running image tags: the SSM parameters the app release writes (created by the platform
    // stack). An infrastructure deploy reads them, so it never changes which version runs.
    const tags = Object.fromEntries(
      APP.components.map((c) => [c, new DataAwsSsmParameter(this, `image-tag-${c}`, { name: identity.imageTagParameters[c] })]),
    ) as Record<AppComponent, DataAwsSsmParameter>;

    const registry = `${account.accountId}.dkr.ecr.${env.region}.${account.dnsSuffix}`;
    const component = (c: AppComponent): ComponentValues => ({
      image: { repository: identity.repositoryNames[c], tag: tags[c].insecureValue },
      serviceAccount: { create: true, roleArn: componentRoles.get(c)?.roleArn ?? "" },
    });
    // The certificate the platform stack had ACM issue for the host; the Ingress names it.
    const certificate = new DataAwsAcmCertificate(this, "certificate", { domain: identity.host, statuses: ["ISSUED"], mostRecent: true });
    const vpc = new DataAwsVpc(this, "vpc", { id: cluster.vpcConfig.get(0).vpcId });
    // Edge protection: the chart's Ingress annotation attaches this ACL to the ALB the controller creates.
    const waf = new WebAcl(this, "waf", { ...webAclSettings(env), account });
    this.webAclArn = waf.webAclArn;

    this.releaseValues = {
      global: { environment: identity.environment, imageRegistry: registry },
      secrets: {
        externalSecret: {
          enabled: true,
          remoteKey: appSecret.name,
          store: { create: true, name: APP.secretStoreName, region: env.region, roleArn: esoRole.roleArn, serviceAccountName: APP.secretsServiceAccount },
        },
      },
      api: component("api"),
      worker: { ...component("worker"), ...(env.cluster.spotNodeGroup.enabled ? SPOT_WORKLOAD : {}) },
      ingress: { enabled: true, host: identity.host, certificateArn: certificate.arn, wafAclArn: waf.webAclArn, loadBalancerName: identity.loadBalancerName },
      networkPolicy: { egress: { vpcCidr: vpc.cidrBlock } },
      databaseInit: {
        enabled: true,
        host: database.instance.address,
        port: POSTGRES_PORT,
        database: env.database.dbName,
        appUser: APP.databaseUser,
        masterSecretArn: masterSecret.secretArn,
      },
      logicalBackup,
      monitoring: { enabled: env.prometheus.enabled },
    };

    // The chart travels with the stack (assets/), so HCP Terraform runs find it too.
    const chart = new TerraformAsset(this, "mindhit-chart", { path: chartDir(), type: AssetType.DIRECTORY });
    this.appRelease = new ReleaseV3(this, "mindhit", {
      name: APP.release,
      chart: `./${chart.path}`,
      namespace: namespace.metadata.name,
      createNamespace: false,
      // The environment's values file (sizes, env vars) if it has one, then everything derived from config.
      values: [...valuesFileLayer(identity.valuesFile), toValuesDocument(this.releaseValues)],
      // A failed upgrade rolls itself back: Helm waits for the rollout and undoes it on failure.
      atomic: true,
      wait: true,
      timeout: env.release.timeoutSeconds,
      cleanupOnFail: true,
      maxHistory: 10,
      // Only what the chart's objects need at install: the load balancer controller's webhooks (Service,
      // Ingress) and External Secrets' CRDs. Autoscaling, metrics and DNS come later and must not hold a
      // release back (found by the cluster stage, where the autoscaler chart cannot be fetched).
      // Where monitoring is on, its CRDs too (the chart's ServiceMonitor and PrometheusRule).
      dependsOn: [lbc, externalSecrets, ...(monitoringCrds ? [monitoringCrds] : [])],
    });

    this.addLoadBalancerAlarms(env, alertTopic);

    new TerraformOutput(this, "web_acl_arn", { value: waf.webAclArn });
    new TerraformOutput(this, "app_release_revision", { value: this.appRelease.metadata.revision, description: "Helm revision of the mindhit release" });
  }

  /**
   * ALB 5xx and latency alarms, to the platform stack's alert topic. The ALB is looked up by its
   * fixed name after the release; the chart's ingress-ready hook holds the release until the
   * controller has created it, so the lookup cannot fail on a first apply.
   */
  private addLoadBalancerAlarms(env: Environment, topic: DataAwsSnsTopic): void {
    const alb = new DataAwsLb(this, "ingress-alb", { name: env.identity.loadBalancerName, dependsOn: [this.appRelease] });
    const t = env.alerting.thresholds;
    const lb = { LoadBalancer: alb.arnSuffix };
    const specs: AlarmSpec[] = [
      // 5xx from the load balancer itself, and from the api behind it.
      ...(
        [
          ["alb-5xx", "HTTPCode_ELB_5XX_Count", "the load balancer"],
          ["alb-target-5xx", "HTTPCode_Target_5XX_Count", "the api"],
        ] as const
      ).map(([name, metricName, source]): AlarmSpec => ({
        name,
        description: `ALB ${alb.name}: more than ${t.alb5xxCount} 5xx responses from ${source} in 5 minutes`,
        namespace: "AWS/ApplicationELB",
        metricName,
        dimensions: lb,
        statistic: "Sum",
        comparison: "GreaterThanThreshold",
        threshold: t.alb5xxCount,
        evaluationPeriods: 1,
        treatMissingData: "notBreaching",
      })),
      {
        name: "alb-target-response-time",
        description: `ALB ${alb.name}: p95 target response time above ${t.albTargetResponseSeconds}s`,
        namespace: "AWS/ApplicationELB",
        metricName: "TargetResponseTime",
        dimensions: lb,
        statistic: "p95",
        comparison: "GreaterThanThreshold",
        threshold: t.albTargetResponseSeconds,
        treatMissingData: "notBreaching",
      },
    ];
    for (const spec of specs) addAlarm(this, env.identity.resourceName, topic.arn, spec);
  }

  /**
   * kube-prometheus-stack in its own namespace, after its CRDs (their own release, so a chart
   * upgrade or uninstall never drops them) and External Secrets (Grafana's admin login comes
   * through it). Alertmanager publishes to the alert topic with its own IRSA role. Returns the CRDs'
   * release, which the app's release waits for.
   */
  private addMonitoring(env: Environment, alertTopic: DataAwsSnsTopic, externalSecrets: Release, irsa: IrsaFactory): Release {
    const { identity } = env;
    const via = { region: env.region, dnsSuffix: this.account.dnsSuffix };
    // Baseline, not restricted: Prometheus's and Alertmanager's pods are the operator's, whose
    // security contexts this project cannot check (the chart cannot be fetched here). Baseline still
    // refuses host namespaces and paths (hence no node-exporter); restricted is audited and warned.
    const namespace = new NamespaceV1(this, "monitoring-namespace", {
      metadata: {
        name: MONITORING.namespace,
        labels: {
          "pod-security.kubernetes.io/enforce": "baseline",
          "pod-security.kubernetes.io/audit": "restricted",
          "pod-security.kubernetes.io/warn": "restricted",
        },
      },
    });
    // Encrypted gp3 volumes from the EBS CSI add-on (EKS's own gp2 class is the in-tree driver's).
    const storageClass = new StorageClassV1(this, "gp3-storage-class", {
      metadata: { name: MONITORING.storageClass },
      storageProvisioner: "ebs.csi.aws.com",
      parameters: { type: "gp3", encrypted: "true" },
      // The volume is created in the zone the pod is scheduled to.
      volumeBindingMode: "WaitForFirstConsumer",
      allowVolumeExpansion: true,
      reclaimPolicy: "Delete",
    });
    const topicKey = new DataAwsKmsAlias(this, "alert-topic-key", { name: `alias/${identity.alertTopicName}` });
    const alertmanagerRole = irsa(
      "alertmanager-role",
      `${identity.resourceName}-alertmanager`,
      MONITORING.namespace,
      MONITORING.alertmanagerServiceAccount,
      topicPublishStatements({ topicArn: alertTopic.arn, encryptionKeyArn: topicKey.targetKeyArn }, via, {
        publish: "PublishAlertsToTheAlertTopic",
        encrypt: "EncryptThemThroughSns",
      }),
    );
    const grafanaSecret = new DataAwsSecretsmanagerSecret(this, "grafana-admin-secret", { name: identity.grafanaAdminSecretName });
    const secretsReaderRole = irsa(
      "grafana-secrets-role",
      identity.grafanaSecretsRoleName,
      MONITORING.namespace,
      MONITORING.secretsServiceAccount,
      grantSecretsRead([{ secretArn: grafanaSecret.arn, kmsKeyArn: grafanaSecret.kmsKeyId }], via, {
        read: "ReadTheGrafanaAdminSecret",
        decrypt: "DecryptItThroughSecretsManager",
      }),
    );
    const crds = this.thirdPartyRelease("prometheus-operator-crds", THIRD_PARTY_CHARTS.prometheusOperatorCrds, namespace.metadata.name, {});
    this.thirdPartyRelease(
      MONITORING.release,
      THIRD_PARTY_CHARTS.kubePrometheusStack,
      namespace.metadata.name,
      kubePrometheusStackValues({
        ...withoutEnabled(env.prometheus),
        environment: identity.environment,
        region: env.region,
        alertTopicArn: alertTopic.arn,
        alertmanagerRoleArn: alertmanagerRole.roleArn,
        grafanaAdminSecretName: identity.grafanaAdminSecretName,
        secretsReaderRoleArn: secretsReaderRole.roleArn,
      }),
      { timeout: MONITORING_RELEASE_TIMEOUT_SECONDS, dependsOn: [crds, externalSecrets, storageClass] },
    );
    return crds;
  }

  /**
   * Kubernetes and Helm providers authenticated either with `aws eks get-token` on each request,
   * as the seed does (`exec`), or with one short-lived token the AWS provider makes (`token`),
   * for runners without the AWS CLI (HCP Terraform).
   */
  private configureClusterProviders(cluster: DataAwsEksCluster, env: Environment, clusterAuth: ClusterAuth): void {
    const host = cluster.endpoint;
    const clusterCaCertificate = Fn.base64decode(cluster.certificateAuthority.get(0).data);
    if (clusterAuth === "token") {
      const { token } = new EphemeralEksClusterAuth(this, "cluster-auth", { clusterName: env.identity.resourceName });
      new KubernetesProvider(this, "kubernetes", { host, clusterCaCertificate, token });
      new HelmProviderV3(this, "helm", { kubernetes: { host, clusterCaCertificate, token } });
      return;
    }
    const exec = {
      apiVersion: "client.authentication.k8s.io/v1beta1",
      command: "aws",
      args: ["eks", "get-token", "--cluster-name", cluster.name, "--region", env.region],
    };
    new KubernetesProvider(this, "kubernetes", { host, clusterCaCertificate, exec: [exec] });
    // Helm provider 3.x: `kubernetes` is an object attribute (not a block).
    new HelmProviderV3(this, "helm", { kubernetes: { host, clusterCaCertificate, exec } });
  }

  private thirdPartyRelease(
    name: string,
    source: { repository: string; chart: string; version: string },
    namespace: string,
    values: Record<string, unknown>,
    options: { timeout?: number; dependsOn?: ITerraformDependable[] } = {},
  ): Release {
    return new ReleaseV3(this, name, {
      name,
      repository: source.repository,
      chart: source.chart,
      version: source.version,
      namespace,
      createNamespace: false,
      dependsOn: options.dependsOn,
      values: [toValuesDocument(values)],
      atomic: true,
      wait: true,
      timeout: options.timeout ?? CONTROLLER_RELEASE_TIMEOUT_SECONDS,
      cleanupOnFail: true,
      maxHistory: 10,
    });
  }
}

type IrsaFactory = (id: string, roleName: string, namespace: string, serviceAccount: string, statements: DataAwsIamPolicyDocumentStatement[]) => IrsaRole;

/** A feature section's settings without its switch. */
function withoutEnabled<T extends { enabled: boolean }>(section: T): Omit<T, "enabled"> {
  const { enabled: _enabled, ...settings } = section;
  return settings;
}

function webAclSettings(env: Environment): WebAclSettings {
  return { name: env.identity.resourceName, rateLimitPerIp: env.waf.rateLimitPerIp, countRules: env.waf.countRules };
}

/** The values file as the release's first layer, or nothing when the environment uses the chart's defaults. */
function valuesFileLayer(valuesFile: string | undefined): string[] {
  return valuesFile === undefined ? [] : [fs.readFileSync(path.join(chartDir(), valuesFile), "utf8")];
}

/** A Helm values document: JSON (a YAML subset), newline-terminated like a values file. */
function toValuesDocument(values: object): string {
  return `${JSON.stringify(values, null, 2)}\n`;
}

/** The chart values that create a service account bound to an IRSA role (the controllers' charts share this shape). */
function irsaServiceAccount(name: string, role: IrsaRole): { create: true; name: string; annotations: Record<string, string> } {
  return { create: true, name, annotations: { "eks.amazonaws.com/role-arn": role.roleArn } };
}

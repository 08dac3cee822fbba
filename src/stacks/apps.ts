import { DataAwsEksCluster } from "@cdktf/provider-aws/lib/data-aws-eks-cluster";
import { DataAwsAcmCertificate } from "@cdktf/provider-aws/lib/data-aws-acm-certificate";
import { DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DataAwsKmsAlias } from "@cdktf/provider-aws/lib/data-aws-kms-alias";
import { DataAwsLb } from "@cdktf/provider-aws/lib/data-aws-lb";
import { DataAwsSecretsmanagerSecret } from "@cdktf/provider-aws/lib/data-aws-secretsmanager-secret";
import { DataAwsSnsTopic } from "@cdktf/provider-aws/lib/data-aws-sns-topic";
import { DataAwsSsmParameter } from "@cdktf/provider-aws/lib/data-aws-ssm-parameter";
import { DataAwsVpc } from "@cdktf/provider-aws/lib/data-aws-vpc";
import { Release } from "@cdktf/provider-helm/lib/release";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { Construct } from "constructs";
import { AssetType, Fn, TerraformAsset, TerraformOutput } from "../cdktf";
import { AppComponent, ClusterAuth, Environment, ProjectSettings, Readable } from "../config";
import { CONTROLLERS } from "../controllers";
import { ControllerContext, InstalledControllers, RESTRICTED_POD_SECURITY } from "../controllers/controller";
import { ElastiCache } from "../modules/elasticache";
import { POSTGRES_PORT, Rds } from "../modules/rds";
import { IrsaRole } from "../modules/shared/irsa-role";
import { addAlarm, AlarmSpec } from "../modules/shared/alarm";
import { toValuesDocument } from "../modules/shared/helm-values";
import { grantSecretsRead } from "../modules/shared/secret-read";
import { grantPrefixWrite } from "../modules/shared/secure-bucket";
import { checkWebAclProps, WebAcl, WebAclSettings } from "../modules/operations/waf";
import { chartDir } from "../paths";
import { APP, AppReleaseValues, ComponentValues, LOGICAL_BACKUP_PREFIX, SPOT_WORKLOAD, valuesFileLayer } from "../release/app";
import { checkReleaseConfig } from "../release/check";
import { Problems } from "../validation";
import { checkCapacity } from "./capacity";
import { EphemeralEksClusterAuth } from "../bindings/ephemeral-eks-cluster-auth";
import { EnvironmentStack, EnvironmentStackProps } from "./environment-stack";
import { HelmProviderV3, ReleaseV3 } from "../bindings/helm-provider-v3";

export interface AppsStackProps extends EnvironmentStackProps {
  /** How the Kubernetes and Helm providers authenticate to the cluster (a run option). */
  readonly clusterAuth: ClusterAuth;
}

/**
 * The environment's in-cluster layer: providers authenticated to the EKS cluster the platform
 * stack created, the controllers of src/controllers (each one on in this environment), and the
 * application release itself.
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

  /** The release's, the web ACL's and the controllers' rules on this environment's settings, under their config fields; run by validation. */
  static checkConfig(env: Environment, _project: ProjectSettings, problems: Problems, readable: Readable, clusterAuth: ClusterAuth): void {
    checkReleaseConfig(env, problems, readable, clusterAuth);
    if (readable("waf"))
      checkWebAclProps(
        problems.mapped({ name: "identity.resourceName", rateLimitPerIp: "waf.rateLimitPerIp", countRules: "waf.countRules" }),
        webAclSettings(env),
      );
    if (readable("cluster")) checkCapacity(env, problems);
    for (const controller of CONTROLLERS) controller.checkConfig(env, problems, readable);
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

    const irsa: ControllerContext["irsaRole"] = (id, role) => new IrsaRole(this, id, { ...role, oidcProviderArn, oidcIssuerUrl: issuerUrl });
    const alertTopic = new DataAwsSnsTopic(this, "alert-topic", { name: identity.alertTopicName });

    // The controllers, in the table's order, each after the releases it names.
    const context: ControllerContext = { scope: this, env, project: props.project, account, cluster, alertTopic, irsaRole: irsa };
    const installed = new InstalledControllers();
    const appReleaseWaitsFor: Release[] = [];
    for (const controller of CONTROLLERS) {
      if (!controller.enabledFor(env)) continue;
      const release = controller.install(context, installed);
      if (controller.appReleaseWaits) appReleaseWaitsFor.push(release);
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
    const esoRole = irsa("external-secrets-role", {
      roleName: identity.externalSecretsRoleName,
      namespace: APP.namespace,
      serviceAccount: APP.secretsServiceAccount,
      statements: grantSecretsRead(
        [
          { secretArn: appSecret.arn, kmsKeyArn: appSecret.kmsKeyId },
          { secretArn: masterSecret.secretArn, kmsKeyArn: masterSecret.kmsKeyId },
        ],
        { region: env.region, dnsSuffix: account.dnsSuffix },
        { read: "ReadAppAndMasterSecrets", decrypt: "DecryptThemThroughSecretsManager" },
      ),
    });

    // The application's own pods: IAM authentication to Redis and PostgreSQL, no passwords.
    const cache = ElastiCache.fromAttributes({ account, region: env.region, replicationGroupId: identity.resourceName });
    const appStatements: DataAwsIamPolicyDocumentStatement[] = [
      cache.grantConnect("ConnectToRedisAsAppUser"),
      database.grantConnect(APP.databaseUser, "ConnectToPostgresAsAppUser"),
    ];
    const componentRoles = new Map<AppComponent, IrsaRole>(
      APP.components.map((component) => [
        component,
        irsa(`${component}-role`, {
          roleName: `${identity.resourceName}-${component}`,
          namespace: APP.namespace,
          serviceAccount: `${APP.release}-${component}`,
          statements: appStatements,
        }),
      ]),
    );

    // Nightly pg_dump into the backups bucket (where the environment turns it on): its role may
    // write under the dumps' prefix of this environment's bucket, through the bucket's key, and nothing else.
    const dumps = env.backup.logicalDumps;
    let logicalBackup: AppReleaseValues["logicalBackup"] = { enabled: false };
    if (dumps.enabled) {
      const bucket = `${identity.backupsBucketPrefix}${account.accountId}`;
      const backupsKey = new DataAwsKmsAlias(this, "backups-key", { name: `alias/${identity.backupsKeyAlias}` });
      const role = irsa("logical-backup-role", {
        roleName: `${identity.resourceName}-logical-backup`,
        namespace: APP.namespace,
        serviceAccount: `${APP.release}-logical-backup`,
        statements: grantPrefixWrite(
          { bucketArn: `arn:${account.partition}:s3:::${bucket}`, kmsKeyArn: backupsKey.targetKeyArn },
          LOGICAL_BACKUP_PREFIX,
          { region: env.region, dnsSuffix: account.dnsSuffix },
          { write: "WriteDumpsUnderTheirPrefix", encrypt: "EncryptThemWithTheBucketKey" },
        ),
      });
      logicalBackup = { enabled: true, schedule: dumps.schedule, bucket, prefix: LOGICAL_BACKUP_PREFIX, region: env.region, roleArn: role.roleArn };
    }

    const namespace = new NamespaceV1(this, "namespace", {
      metadata: {
        name: APP.namespace,
        // The chart's pods meet the "restricted" Pod Security Standard; enforce it.
        labels: { ...RESTRICTED_POD_SECURITY },
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
      // Only the controllers the chart's objects need at install (`appReleaseWaits` in the table):
      // the others must not hold a release back (found by the cluster stage, where the autoscaler
      // chart cannot be fetched).
      dependsOn: appReleaseWaitsFor,
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
}

function webAclSettings(env: Environment): WebAclSettings {
  return { name: env.identity.resourceName, rateLimitPerIp: env.waf.rateLimitPerIp, countRules: env.waf.countRules };
}

import * as fs from "fs";
import * as path from "path";
import { DataAwsDbInstance } from "@cdktf/provider-aws/lib/data-aws-db-instance";
import { DataAwsEksCluster } from "@cdktf/provider-aws/lib/data-aws-eks-cluster";
import { DataAwsIamOpenidConnectProvider } from "@cdktf/provider-aws/lib/data-aws-iam-openid-connect-provider";
import { DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DataAwsLb } from "@cdktf/provider-aws/lib/data-aws-lb";
import { DataAwsSecretsmanagerSecret } from "@cdktf/provider-aws/lib/data-aws-secretsmanager-secret";
import { DataAwsSnsTopic } from "@cdktf/provider-aws/lib/data-aws-sns-topic";
import { Release } from "@cdktf/provider-helm/lib/release";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { Construct } from "constructs";
import { AssetType, Fn, TerraformAsset, TerraformOutput, TerraformVariable } from "../cdktf";
import { AppComponent, Environment, IMAGE_TAG, Readable } from "../config";
import { defaultAppUserName } from "../modules/elasticache";
import { IrsaRole } from "../modules/irsa-role";
import { loadBalancerControllerStatements } from "../modules/lb-controller-policy";
import { addAlarm, AlarmSpec } from "../modules/monitoring";
import { checkWebAclProps, WebAcl, WebAclSettings } from "../modules/waf";
import { chartDir } from "../paths";
import { checkWhole, Problems, quote } from "../validation";
import { EnvironmentStack, EnvironmentStackProps } from "./environment-stack";
import { HelmProviderV3, ReleaseV3 } from "./helm-provider-v3";

/** Third-party charts, pinned. Bump deliberately: each is a change to the running cluster. */
export const THIRD_PARTY_CHARTS = {
  awsLoadBalancerController: { repository: "https://aws.github.io/eks-charts", chart: "aws-load-balancer-controller", version: "1.14.0" },
  metricsServer: { repository: "https://kubernetes-sigs.github.io/metrics-server/", chart: "metrics-server", version: "3.13.0" },
  externalSecrets: { repository: "https://charts.external-secrets.io", chart: "external-secrets", version: "0.20.1" },
} as const;

/** Where the application runs and what its pieces are called, shared with the chart and its tests. */
export const APP = {
  namespace: "mindhit",
  release: "mindhit",
  components: ["api", "worker"],
  /** PostgreSQL role the app logs in as with an IAM token (`GRANT rds_iam TO mindhit_app`). */
  databaseUser: "mindhit_app",
  secretStoreName: "aws-secrets-manager",
} as const;

export type AppsStackProps = EnvironmentStackProps;

/** Values the stack adds on top of the environment's values file (typed so tests can check them against the chart schema). */
export interface AppReleaseValues {
  global: { environment: string; imageRegistry: string };
  secrets: { externalSecret: { enabled: boolean; remoteKey: string; store: { create: boolean; name: string; region: string } } };
  api: ComponentValues;
  worker: ComponentValues;
  ingress: { enabled: boolean; host: string; wafAclArn: string; loadBalancerName: string };
}

interface ComponentValues {
  image: { repository: string; tag: string };
  serviceAccount: { create: boolean; roleArn: string };
}

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
  static checkConfig(env: Environment, problems: Problems, readable: Readable): void {
    for (const [field, tag] of [["release.apiImageTag", env.release.apiImageTag], ["release.workerImageTag", env.release.workerImageTag]] as const) {
      if (!readable(field)) continue;
      problems.check(IMAGE_TAG.test(tag), field, `${quote(tag)} is not a container image tag (1-128 of A-Z a-z 0-9 _ . -, not starting with . or -)`);
      // Builds push :<git sha> only; a moving tag would also make a rollback ambiguous.
      problems.check(tag !== "latest", field, `"latest" is not allowed (a moving tag: deploy an immutable one, e.g. the git SHA)`);
    }
    if (readable("release.timeoutSeconds")) checkWhole(problems, "release.timeoutSeconds", env.release.timeoutSeconds, 60, 3600);
    if (readable("waf")) checkWebAclProps(problems.mapped({ name: "identity.resourceName", rateLimitPerIp: "waf.rateLimitPerIp", countRules: "waf.countRules" }), webAclSettings(env));
  }

  constructor(scope: Construct, props: AppsStackProps) {
    super(scope, props, "apps");
    const { env } = props;
    const { identity } = env;
    const account = this.account;

    const cluster = new DataAwsEksCluster(this, "cluster", { name: identity.resourceName });
    const issuerUrl = cluster.identity.get(0).oidc.get(0).issuer;
    const oidc = new DataAwsIamOpenidConnectProvider(this, "oidc-provider", { url: issuerUrl });
    this.configureClusterProviders(cluster, env);

    const irsa = (id: string, roleName: string, namespace: string, serviceAccount: string, statements: DataAwsIamPolicyDocumentStatement[]): IrsaRole =>
      new IrsaRole(this, id, { roleName, oidcProviderArn: oidc.arn, oidcIssuerUrl: issuerUrl, namespace, serviceAccount, statements });

    // AWS Load Balancer Controller: turns the chart's Ingress into an ALB.
    const lbcServiceAccount = "aws-load-balancer-controller";
    const lbcRole = irsa("lb-controller-role", `${identity.resourceName}-lb-controller`, "kube-system", lbcServiceAccount, loadBalancerControllerStatements({
      clusterName: identity.resourceName,
      partition: account.partition,
      region: env.region,
      accountId: account.accountId,
      vpcArn: `arn:${account.partition}:ec2:${env.region}:${account.accountId}:vpc/${cluster.vpcConfig.get(0).vpcId}`,
    }));
    const lbc = this.thirdPartyRelease("aws-load-balancer-controller", THIRD_PARTY_CHARTS.awsLoadBalancerController, "kube-system", {
      clusterName: cluster.name,
      region: env.region,
      vpcId: cluster.vpcConfig.get(0).vpcId,
      replicaCount: 2,
      serviceAccount: { create: true, name: lbcServiceAccount, annotations: { "eks.amazonaws.com/role-arn": lbcRole.roleArn } },
    });

    // metrics-server: the resource metrics API the HPAs scale on.
    const metricsServer = this.thirdPartyRelease("metrics-server", THIRD_PARTY_CHARTS.metricsServer, "kube-system", {});

    // Secrets: the platform stack creates the (empty) Secrets Manager secret, so operators can fill
    // it before the first release; External Secrets Operator copies it into the namespace as
    // mindhit-secrets. No secret value passes through Terraform.
    const appSecret = new DataAwsSecretsmanagerSecret(this, "app-secret", { name: identity.appSecretName });
    const esoServiceAccount = "external-secrets";
    const esoRole = irsa("external-secrets-role", `${identity.resourceName}-external-secrets`, "external-secrets", esoServiceAccount, [
      { sid: "ReadAppSecret", effect: "Allow", actions: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], resources: [appSecret.arn] },
      {
        sid: "DecryptAppSecret",
        effect: "Allow",
        actions: ["kms:Decrypt"],
        resources: [appSecret.kmsKeyId],
        condition: [{ test: "StringEquals", variable: "kms:ViaService", values: [`secretsmanager.${env.region}.${account.dnsSuffix}`] }],
      },
    ]);
    const externalSecrets = this.thirdPartyRelease(
      "external-secrets",
      THIRD_PARTY_CHARTS.externalSecrets,
      "external-secrets",
      { installCRDs: true, serviceAccount: { create: true, name: esoServiceAccount, annotations: { "eks.amazonaws.com/role-arn": esoRole.roleArn } } },
      true,
    );

    // The application's own pods: IAM authentication to Redis and PostgreSQL, no passwords.
    const database = new DataAwsDbInstance(this, "database", { dbInstanceIdentifier: identity.resourceName });
    const appStatements: DataAwsIamPolicyDocumentStatement[] = [
      {
        sid: "ConnectToRedisAsAppUser",
        effect: "Allow",
        actions: ["elasticache:Connect"],
        resources: [
          `arn:${account.partition}:elasticache:${env.region}:${account.accountId}:replicationgroup:${identity.resourceName}`,
          `arn:${account.partition}:elasticache:${env.region}:${account.accountId}:user:${defaultAppUserName(identity.resourceName)}`,
        ],
      },
      {
        sid: "ConnectToPostgresAsAppUser",
        effect: "Allow",
        actions: ["rds-db:connect"],
        resources: [`arn:${account.partition}:rds-db:${env.region}:${account.accountId}:dbuser:${database.resourceId}/${APP.databaseUser}`],
      },
    ];
    const componentRoles = new Map<AppComponent, IrsaRole>(
      APP.components.map((component) => [
        component,
        irsa(`${component}-role`, `${identity.resourceName}-${component}`, APP.namespace, `${APP.release}-${component}`, appStatements),
      ]),
    );

    const namespace = new NamespaceV1(this, "namespace", {
      metadata: {
        name: APP.namespace,
        // The chart's pods meet the "restricted" Pod Security Standard; enforce it.
        labels: { "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/audit": "restricted" },
      },
    });

    const tags = {
      api: new TerraformVariable(this, "api_image_tag", {
        type: "string",
        default: env.release.apiImageTag,
        description: "Image tag of mindhit api (override at deploy time: -var api_image_tag=<sha>)",
      }),
      worker: new TerraformVariable(this, "worker_image_tag", {
        type: "string",
        default: env.release.workerImageTag,
        description: "Image tag of mindhit worker (override at deploy time: -var worker_image_tag=<sha>)",
      }),
    };
    for (const [component, variable] of Object.entries(tags)) {
      variable.addValidation({
        condition: `\${can(regex("${IMAGE_TAG.source}", var.${component}_image_tag))}`,
        errorMessage: "Image tags are 1-128 of A-Z a-z 0-9 _ . -, not starting with . or -.",
      });
    }

    const registry = `${account.accountId}.dkr.ecr.${env.region}.${account.dnsSuffix}`;
    const component = (c: AppComponent, tag: TerraformVariable): ComponentValues => ({
      image: { repository: identity.repositoryNames[c], tag: tag.stringValue },
      serviceAccount: { create: true, roleArn: componentRoles.get(c)?.roleArn ?? "" },
    });
    // Edge protection: the chart's Ingress annotation attaches this ACL to the ALB the controller creates.
    const waf = new WebAcl(this, "waf", { ...webAclSettings(env), account });
    this.webAclArn = waf.webAclArn;

    this.releaseValues = {
      global: { environment: identity.environment, imageRegistry: registry },
      secrets: { externalSecret: { enabled: true, remoteKey: appSecret.name, store: { create: true, name: APP.secretStoreName, region: env.region } } },
      api: component("api", tags.api),
      worker: component("worker", tags.worker),
      ingress: { enabled: true, host: identity.host, wafAclArn: waf.webAclArn, loadBalancerName: identity.loadBalancerName },
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
      dependsOn: [lbc, metricsServer, externalSecrets],
    });

    this.addLoadBalancerAlarms(env);

    new TerraformOutput(this, "web_acl_arn", { value: waf.webAclArn });
    new TerraformOutput(this, "app_release_revision", { value: this.appRelease.metadata.revision, description: "Helm revision of the mindhit release" });
  }

  /**
   * ALB 5xx and latency alarms, to the platform stack's alert topic. The ALB exists only once the
   * controller has reconciled the release's Ingress, so it is looked up by its fixed name after the
   * release (Terraform defers the read to apply on the first run).
   */
  private addLoadBalancerAlarms(env: Environment): void {
    const topic = new DataAwsSnsTopic(this, "alert-topic", { name: env.identity.alertTopicName });
    const alb = new DataAwsLb(this, "ingress-alb", { name: env.identity.loadBalancerName, dependsOn: [this.appRelease] });
    const t = env.alerting.thresholds;
    const lb = { LoadBalancer: alb.arnSuffix };
    const specs: AlarmSpec[] = [
      { name: "alb-5xx", description: `ALB ${alb.name}: more than ${t.alb5xxCount} 5xx responses from the load balancer in 5 minutes`, namespace: "AWS/ApplicationELB", metricName: "HTTPCode_ELB_5XX_Count", dimensions: lb, statistic: "Sum", comparison: "GreaterThanThreshold", threshold: t.alb5xxCount, evaluationPeriods: 1, treatMissingData: "notBreaching" },
      { name: "alb-target-5xx", description: `ALB ${alb.name}: more than ${t.alb5xxCount} 5xx responses from the api in 5 minutes`, namespace: "AWS/ApplicationELB", metricName: "HTTPCode_Target_5XX_Count", dimensions: lb, statistic: "Sum", comparison: "GreaterThanThreshold", threshold: t.alb5xxCount, evaluationPeriods: 1, treatMissingData: "notBreaching" },
      { name: "alb-target-response-time", description: `ALB ${alb.name}: p95 target response time above ${t.albTargetResponseSeconds}s`, namespace: "AWS/ApplicationELB", metricName: "TargetResponseTime", dimensions: lb, statistic: "p95", comparison: "GreaterThanThreshold", threshold: t.albTargetResponseSeconds, treatMissingData: "notBreaching" },
    ];
    for (const spec of specs) addAlarm(this, env.identity.resourceName, topic.arn, spec);
  }

  /** Kubernetes and Helm providers authenticated with `aws eks get-token`, as the seed does. */
  private configureClusterProviders(cluster: DataAwsEksCluster, env: Environment): void {
    const host = cluster.endpoint;
    const clusterCaCertificate = Fn.base64decode(cluster.certificateAuthority.get(0).data);
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
    createNamespace = false,
  ): Release {
    return new ReleaseV3(this, name, {
      name,
      repository: source.repository,
      chart: source.chart,
      version: source.version,
      namespace,
      createNamespace,
      values: [toValuesDocument(values)],
      atomic: true,
      wait: true,
      timeout: 600,
      cleanupOnFail: true,
      maxHistory: 10,
    });
  }
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

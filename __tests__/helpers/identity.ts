import type { EnvironmentIdentity, IdentityOverrides } from "../../src/config";

/**
 * Every name of an environment called `name` in the shipped project ("mindhit", domain
 * mindhit.io), as the rule in docs/design-decisions.md gives them, spelled out field by field: the identity follows
 * the name (or `identity.environment`), and only the overrides given change it.
 */
export function identityDerivedFrom(name: string, account: string, overrides: IdentityOverrides = {}): EnvironmentIdentity {
  const environment = overrides.environment ?? name;
  const resourceName = overrides.resourceName ?? `mindhit-${environment}`;
  const namespace = overrides.repositoryNamespace ?? resourceName;
  const ci = `mindhit-ci-${environment}`;
  return {
    name,
    account,
    stateBucket: overrides.stateBucket ?? `mindhit-terraform-state-${account}`,
    environment,
    resourceName,
    stackNames: { platform: `mindhit-${name}`, apps: `mindhit-${name}-apps` },
    stateKeys: { platform: `${environment}/terraform.tfstate`, apps: `${environment}/apps/terraform.tfstate` },
    repositoryNames: { api: `${namespace}/api`, worker: `${namespace}/worker` },
    valuesFile: overrides.valuesFile,
    host: overrides.host ?? `api.${environment}.mindhit.io`,
    hostedZone: (overrides.host ?? `api.${environment}.mindhit.io`).replace(/^[^.]+\./, ""),
    assetsHost: (overrides.host ?? `api.${environment}.mindhit.io`).replace(/^api\./, "cdn."),
    githubEnvironment: overrides.githubEnvironment ?? environment,
    alertTopicName: `${resourceName}-alerts`,
    backupsBucketPrefix: `${resourceName}-backups-`,
    backupsKeyAlias: `${resourceName}-backups`,
    nodeEventQueueName: `${resourceName}-node-events`,
    appSecretName: `${resourceName}/app`,
    grafanaAdminSecretName: `${resourceName}/grafana-admin`,
    loadBalancerName: resourceName,
    imageTagParameters: { api: `/mindhit/${environment}/image-tags/api`, worker: `/mindhit/${environment}/image-tags/worker` },
    ciRoleNames: { plan: `${ci}-plan`, deploy: `${ci}-deploy` },
    hcpTerraformRoleNames: {
      platform: { plan: `${ci}-tfc-platform-plan`, apply: `${ci}-tfc-platform-apply` },
      apps: { plan: `${ci}-tfc-apps-plan`, apply: `${ci}-tfc-apps-apply` },
    },
    breakGlassRoleName: `${resourceName}-break-glass`,
    clusterAdminRoleName: `${resourceName}-eks-admin`,
    externalSecretsRoleName: `${resourceName}-external-secrets`,
    grafanaSecretsRoleName: `${resourceName}-grafana-secrets`,
  };
}

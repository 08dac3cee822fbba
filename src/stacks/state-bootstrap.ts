import * as path from "path";
import { DataAwsRoute53Zone } from "@cdktf/provider-aws/lib/data-aws-route53-zone";
import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { Route53Zone } from "@cdktf/provider-aws/lib/route53-zone";
import { Construct } from "constructs";
import { LocalBackend, TerraformOutput, TerraformStack } from "../cdktf";
import { AccountIdentity, BOOTSTRAP_STATE_KEY, boundaryPolicyNames, ProjectSettings, stateKeyAlias } from "../config";
import { AwsAccount } from "../modules/shared/aws-account";
import { EncryptionKey } from "../modules/shared/encryption-key";
import { CiEnvironment, GithubOidcRoles } from "../modules/identity/github-oidc";
import { HcpTerraformOidcRoles, HcpTerraformOidcRolesProps } from "../modules/identity/hcp-terraform-oidc";
import { PermissionBoundaries } from "../modules/identity/permission-boundaries";
import { SecureBucket } from "../modules/shared/secure-bucket";
import { configureStateBackend, requiredTerraformVersion } from "./backend";
import { addAwsProvider } from "./providers";

/** Where the bootstrap stack keeps its own state. */
export type BootstrapStateLocation = "local" | "s3";

export interface StateBootstrapStackProps {
  readonly project: ProjectSettings;
  /** The account it bootstraps: its ID and state bucket. */
  readonly account: Pick<AccountIdentity, "id" | "stateBucket">;
  /**
   * `local` (default) for the first apply, when the bucket does not exist yet; `s3` once it
   * does, to move this stack's state into the bucket with `terraform init -migrate-state`.
   */
  readonly stateLocation: BootstrapStateLocation;
  /** The account's environments: each gets its own plan and deploy role. */
  readonly ciEnvironments: readonly CiEnvironment[];
  /**
   * The public hosted zones the account's environments keep their records in. The project's domain
   * is created only when `dns.createHostedZone` says so (it may exist already); a zone below it is
   * always created here, and the domain's zone delegates to it (`dns.delegations`).
   */
  readonly hostedZones: readonly string[];
  /**
   * HCP Terraform's dynamic credentials: its OIDC provider and a plan and an apply role per
   * workspace. Set when the run uses the HCP Terraform backend.
   * @default none
   */
  readonly hcpTerraform?: Omit<HcpTerraformOidcRolesProps, "account" | "project" | "boundaryNames">;
}

/** File a bootstrap's state is kept in while local: the project root, outside cdktf.out/ (which synth rewrites), one per account. */
export function bootstrapLocalStatePath(stackName: string): string {
  return `../../../terraform.${stackName}.tfstate`;
}

/**
 * One account's foundation: the state bucket, lock table and key its stacks' backends point at,
 * the permissions boundaries, the roles CI assumes to plan and deploy its environments, and its
 * environments' hosted zones. Applied by a person, once per account, before any environment stack.
 */
export class StateBootstrapStack extends TerraformStack {
  readonly stateBucketName: string;
  readonly lockTableName: string;
  readonly stateKeyArn: string;
  /** Where this stack's state lives, in words. */
  readonly stateLocation: string;

  constructor(scope: Construct, id: string, props: StateBootstrapStackProps) {
    super(scope, id);
    const { project } = props;
    if (props.stateLocation === "s3") {
      // Once migrated, the same S3 backend (and lock switches) as every other stack.
      this.stateLocation = configureStateBackend(this, {
        project,
        backend: { kind: "s3" },
        bucket: props.account.stateBucket,
        key: BOOTSTRAP_STATE_KEY,
        workspace: id,
      });
    } else {
      this.addOverride("terraform.required_version", requiredTerraformVersion(project));
      new LocalBackend(this, { path: bootstrapLocalStatePath(id) });
      this.stateLocation = `local file ${path.basename(bootstrapLocalStatePath(id))} in the repository root (until migrated)`;
    }
    addAwsProvider(this, project, { account: props.account.id, region: project.state.region });

    const account = new AwsAccount(this, "account");
    const key = new EncryptionKey(this, "state-key", {
      alias: stateKeyAlias(project).replace(/^alias\//, ""),
      description: `Encrypts ${project.project} Terraform state and its lock table`,
      account,
    });
    const bucket = new SecureBucket(this, "state-bucket", {
      bucketName: props.account.stateBucket,
      kmsKeyArn: key.keyArn,
      // Old state versions are the rollback path for a bad apply; keep three months of them.
      noncurrentVersionExpirationDays: 90,
      preventDestroy: true,
    });
    const table = new DynamodbTable(this, "lock-table", {
      name: project.state.lockTable,
      // Terraform's S3 backend looks locks up by this exact key name and type.
      hashKey: "LockID",
      attribute: [{ name: "LockID", type: "S" }],
      billingMode: "PAY_PER_REQUEST",
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true, kmsKeyArn: key.keyArn },
      deletionProtectionEnabled: true,
      lifecycle: { preventDestroy: true },
    });

    // The roles GitHub Actions assume (no AWS keys in GitHub): account-wide, so created here once.
    // The caps on every role the project creates: one for the environment stacks' roles, one for CI's.
    const boundaryNames = boundaryPolicyNames(project);
    new PermissionBoundaries(this, "boundaries", { account, project: project.project, names: boundaryNames });
    // The roles GitHub Actions assume (no AWS keys in GitHub), one plan and one deploy role per environment.
    const github = new GithubOidcRoles(this, "github", {
      account,
      project: project.project,
      repository: project.github.repository,
      environments: props.ciEnvironments,
      state: { bucketArn: bucket.bucketArn, bucketName: bucket.bucketName, keyArn: key.keyArn },
      boundaryNames,
    });

    this.addHostedZones(project, props.hostedZones);

    this.stateBucketName = bucket.bucketName;
    this.lockTableName = table.name;
    this.stateKeyArn = key.keyArn;
    new TerraformOutput(this, "state_bucket", { value: bucket.bucketName, description: "S3 bucket holding Terraform state" });
    new TerraformOutput(this, "lock_table", { value: table.name, description: "DynamoDB table holding Terraform state locks" });
    new TerraformOutput(this, "state_kms_key_arn", { value: key.keyArn, description: "KMS key encrypting state and locks" });
    for (const env of props.ciEnvironments) {
      const arns = github.roleArns.get(env.environment);
      if (arns === undefined) continue;
      new TerraformOutput(this, `ci_roles_${env.environment.replace(/-/g, "_")}`, {
        value: arns,
        description: `CI roles of ${env.environment}: put deploy into the GitHub environment ${env.githubEnvironment}'s variable AWS_DEPLOY_ROLE_ARN`,
      });
    }
    if (props.hcpTerraform !== undefined) {
      const hcp = new HcpTerraformOidcRoles(this, "hcp-terraform", { ...props.hcpTerraform, account, project: project.project, boundaryNames });
      new TerraformOutput(this, "hcp_terraform_workspace_variables", {
        value: Object.fromEntries(hcp.workspaceVariables),
        description: `Per workspace of ${props.hcpTerraform.organization}: the environment variables to set on it for dynamic AWS credentials`,
      });
    }
  }

  /** The account's zones, and in the domain's zone the delegations to the zones below it. */
  private addHostedZones(project: ProjectSettings, zones: readonly string[]): void {
    for (const name of zones) {
      const isDomain = name === project.domain;
      if (isDomain && !project.dns.createHostedZone) {
        if (project.dns.delegations.length === 0) continue;
        const existing = new DataAwsRoute53Zone(this, "domain-zone", { name, privateZone: false });
        this.addDelegations(project, existing.zoneId);
        continue;
      }
      const id = isDomain ? "hosted-zone" : `hosted-zone-${name.replace(/\./g, "-")}`;
      const zone = new Route53Zone(this, id, {
        name,
        comment: `${project.project}: environment hosts and their certificate validations`,
        lifecycle: { preventDestroy: true },
      });
      if (isDomain) this.addDelegations(project, zone.zoneId);
      new TerraformOutput(this, isDomain ? "hosted_zone_name_servers" : `hosted_zone_name_servers_${name.replace(/[.-]/g, "_")}`, {
        value: zone.nameServers,
        description: isDomain
          ? `Delegate ${name} to these (at the registrar) before the first environment deploy`
          : `List these under dns.delegations for ${name} (src/environments/project.ts) and re-apply the bootstrap of ${project.domain}'s account before this account's first environment deploy`,
      });
    }
  }

  private addDelegations(project: ProjectSettings, zoneId: string): void {
    for (const delegation of project.dns.delegations) {
      new Route53Record(this, `delegation-${delegation.zone.replace(/\./g, "-")}`, {
        zoneId,
        name: delegation.zone,
        type: "NS",
        ttl: 172800,
        records: [...delegation.nameServers],
      });
    }
  }
}

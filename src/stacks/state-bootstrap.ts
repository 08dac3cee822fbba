import * as path from "path";
import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { Route53Zone } from "@cdktf/provider-aws/lib/route53-zone";
import { Construct } from "constructs";
import { LocalBackend, TerraformOutput, TerraformStack } from "../cdktf";
import { BOOTSTRAP_STATE_KEY, boundaryPolicyNames, ProjectSettings, SHARED_ENVIRONMENT, stateKeyAlias } from "../config";
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
  /**
   * `local` (default) for the first apply, when the bucket does not exist yet; `s3` once it
   * does, to move this stack's state into the bucket with `terraform init -migrate-state`.
   */
  readonly stateLocation: BootstrapStateLocation;
  /** The environments CI deploys: each gets its own plan and deploy role. */
  readonly ciEnvironments: readonly CiEnvironment[];
  /**
   * HCP Terraform's dynamic credentials: its OIDC provider and a plan and an apply role per
   * workspace. Set when the run uses the HCP Terraform backend.
   * @default none
   */
  readonly hcpTerraform?: Omit<HcpTerraformOidcRolesProps, "account" | "project" | "boundaryNames">;
}

/** File the bootstrap state is kept in while local: the project root, outside cdktf.out/ (which synth rewrites). */
export const BOOTSTRAP_LOCAL_STATE_PATH = "../../../terraform.state-bootstrap.tfstate";

/**
 * The state bucket and lock table every other stack's backend points at, and the roles GitHub
 * Actions assume to plan and deploy.
 * Applied once per account, before any environment stack.
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
      this.stateLocation = configureStateBackend(this, { project, backend: { kind: "s3" }, key: BOOTSTRAP_STATE_KEY, workspace: id });
    } else {
      this.addOverride("terraform.required_version", requiredTerraformVersion(project));
      new LocalBackend(this, { path: BOOTSTRAP_LOCAL_STATE_PATH });
      this.stateLocation = `local file ${path.basename(BOOTSTRAP_LOCAL_STATE_PATH)} in the repository root (until migrated)`;
    }
    addAwsProvider(this, project, project.state.region, SHARED_ENVIRONMENT);

    const account = new AwsAccount(this, "account");
    const key = new EncryptionKey(this, "state-key", {
      alias: stateKeyAlias(project).replace(/^alias\//, ""),
      description: `Encrypts ${project.project} Terraform state and its lock table`,
      account,
    });
    const bucket = new SecureBucket(this, "state-bucket", {
      bucketName: project.state.bucket,
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
    new PermissionBoundaries(this, "boundaries", { account, project: project.project, names: boundaryNames, environments: props.ciEnvironments });
    // The roles GitHub Actions assume (no AWS keys in GitHub), one plan and one deploy role per environment.
    const github = new GithubOidcRoles(this, "github", {
      account,
      project: project.project,
      repository: project.github.repository,
      environments: props.ciEnvironments,
      state: { bucketArn: bucket.bucketArn, bucketName: bucket.bucketName, keyArn: key.keyArn },
      boundaryNames,
    });

    // The domain's public zone, when config says this project owns it (otherwise it exists already).
    if (project.dns.createHostedZone) {
      const zone = new Route53Zone(this, "hosted-zone", {
        name: project.domain,
        comment: `${project.project}: environment hosts and their certificate validations`,
        lifecycle: { preventDestroy: true },
      });
      new TerraformOutput(this, "hosted_zone_name_servers", {
        value: zone.nameServers,
        description: `Delegate ${project.domain} to these before the first environment deploy`,
      });
    }

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
}

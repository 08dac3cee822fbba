import { CloudBackend, NamedCloudWorkspace, S3Backend, TerraformStack } from "../cdktf";
import { hcpTerraformProject, ProjectSettings, StateBackend, stateKeyAlias } from "../config";

/** What raises a stack's Terraform floor above the seed's `>= 1.5`. */
export interface TerraformFeatures {
  /** The `cloud` block names the workspace's project (Terraform 1.6). @default false */
  readonly cloudProject?: boolean;
  /** `ephemeral` blocks (Terraform 1.10). @default false */
  readonly ephemeralResources?: boolean;
  /** Write-only arguments (`secret_string_wo`: sent to the provider, never stored in plan or state; Terraform 1.11). @default false */
  readonly writeOnlyArguments?: boolean;
}

/** Terraform version floor: the seed's `>= 1.5`, or the release that added a feature the stack uses. */
export function requiredTerraformVersion(project: ProjectSettings, features: TerraformFeatures = {}): string {
  if (features.writeOnlyArguments) return ">= 1.11";
  // S3-native locking (use_lockfile) arrived with ephemeral resources, in 1.10.
  if (project.state.useS3NativeLocking || features.ephemeralResources) return ">= 1.10";
  return features.cloudProject ? ">= 1.6" : ">= 1.5";
}

export interface StateBackendProps {
  readonly project: ProjectSettings;
  readonly backend: StateBackend;
  /** The state bucket of the stack's account (`identity.stateBucket`). */
  readonly bucket: string;
  /** Object key in the state bucket, e.g. `production/terraform.tfstate`. */
  readonly key: string;
  /** HCP Terraform workspace for this stack (one per stack and environment). */
  readonly workspace: string;
  /** What the stack uses of Terraform beyond the seed's floor. @default {} */
  readonly features?: Omit<TerraformFeatures, "cloudProject">;
}

/**
 * Points `stack` at its account's state: the seed's S3 backend with DynamoDB locking by default,
 * or an HCP Terraform workspace when the run selected `cloud`. Returns where the state lives, in
 * words (synth prints it per stack).
 */
export function configureStateBackend(stack: TerraformStack, props: StateBackendProps): string {
  const { project, backend } = props;
  stack.addOverride("terraform.required_version", requiredTerraformVersion(project, { ...props.features, cloudProject: backend.kind === "cloud" }));
  if (backend.kind === "cloud") {
    new CloudBackend(stack, {
      organization: backend.organization,
      hostname: backend.hostname,
      // The project the roles' trust names: a CLI-driven run creates the workspace there.
      workspaces: new NamedWorkspaceInProject(props.workspace, hcpTerraformProject(project, backend)),
    });
    return `HCP Terraform ${backend.hostname}/${backend.organization}/${hcpTerraformProject(project, backend)}/${props.workspace}`;
  }
  new S3Backend(stack, {
    bucket: props.bucket,
    key: props.key,
    region: project.state.region,
    // SSE-KMS with the project's state key. `encrypt` alone sends SSE-S3 (AES256), which would
    // override the bucket's KMS default for every state and lock object Terraform writes.
    encrypt: true,
    kmsKeyId: stateKeyAlias(project),
    dynamodbTable: project.state.lockTable,
  });
  if (project.state.useS3NativeLocking) {
    // cdktf 0.21's S3Backend has no `use_lockfile`; Terraform ≥ 1.10 takes both locks when both are set.
    stack.addOverride("terraform.backend.s3.use_lockfile", true);
  }
  return `s3://${props.bucket}/${props.key}`;
}

/** The HCL rendering of a `workspaces` entry: cdktf's, with the attribute it needs added. */
type HclAttributes = Record<string, { value: unknown; type: string; storageClassType: string }>;

/**
 * cdktf 0.21's NamedCloudWorkspace writes `project` into the JSON synth but drops it from the
 * HCL one (its toHclTerraform renders `name` only); this adds it back (the HCL ≡ JSON test guards it).
 */
class NamedWorkspaceInProject extends NamedCloudWorkspace {
  toHclTerraform(): HclAttributes {
    const rendered = super.toHclTerraform() as HclAttributes;
    return this.project === undefined ? rendered : { ...rendered, project: { value: this.project, type: "simple", storageClassType: "string" } };
  }
}

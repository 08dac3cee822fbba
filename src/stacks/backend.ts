import { CloudBackend, NamedCloudWorkspace, S3Backend, TerraformStack } from "../cdktf";
import { ProjectSettings, StateBackend, stateKeyAlias } from "../config";

/** Terraform version floor: the seed's `>= 1.5`, raised to 1.10 when S3-native locking is on. */
export function requiredTerraformVersion(project: ProjectSettings): string {
  return project.state.useS3NativeLocking ? ">= 1.10" : ">= 1.5";
}

export interface StateBackendProps {
  readonly project: ProjectSettings;
  readonly backend: StateBackend;
  /** Object key in the state bucket, e.g. `production/terraform.tfstate`. */
  readonly key: string;
  /** HCP Terraform workspace for this stack (one per stack and environment). */
  readonly workspace: string;
}

/**
 * Points `stack` at the shared state: the seed's S3 backend with DynamoDB locking by default,
 * or an HCP Terraform workspace when the run selected `cloud`. Returns where the state lives, in
 * words (synth prints it per stack).
 */
export function configureStateBackend(stack: TerraformStack, props: StateBackendProps): string {
  const { project, backend } = props;
  stack.addOverride("terraform.required_version", requiredTerraformVersion(project));
  if (backend.kind === "cloud") {
    new CloudBackend(stack, {
      organization: backend.organization,
      hostname: backend.hostname,
      workspaces: new NamedCloudWorkspace(props.workspace),
    });
    return `HCP Terraform ${backend.hostname}/${backend.organization}/${props.workspace}`;
  }
  new S3Backend(stack, {
    bucket: project.state.bucket,
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
  return `s3://${project.state.bucket}/${props.key}`;
}

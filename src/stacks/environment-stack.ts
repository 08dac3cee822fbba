import { Construct } from "constructs";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IConstruct } from "constructs";
import { Aspects, IAspect, TerraformStack } from "../cdktf";
import { boundaryPolicyNames, Environment, ProjectSettings, StackLayer, StateBackend } from "../config";
import { AwsAccount } from "../modules/shared/aws-account";
import { configureStateBackend, TerraformFeatures } from "./backend";
import { addAwsProvider } from "./providers";

export interface EnvironmentStackProps {
  readonly project: ProjectSettings;
  readonly env: Environment;
  readonly backend: StateBackend;
}

/** What a stack needs of Terraform beyond the project's floor. */
export type EnvironmentStackFeatures = Omit<TerraformFeatures, "cloudProject">;

/**
 * What every per-environment stack starts with: its name and state key from config, its account's
 * backend, and the tagged AWS provider pinned to the environment's account and region.
 */
export abstract class EnvironmentStack extends TerraformStack {
  protected readonly account: AwsAccount;
  /** Where this stack's state lives, in words (`s3://bucket/key`, or the HCP Terraform workspace). */
  readonly stateLocation: string;

  protected constructor(scope: Construct, props: EnvironmentStackProps, layer: StackLayer, features: EnvironmentStackFeatures = {}) {
    const name = props.env.identity.stackNames[layer];
    super(scope, name);
    const { project, env } = props;
    this.stateLocation = configureStateBackend(this, {
      project,
      backend: props.backend,
      bucket: env.identity.stateBucket,
      key: env.identity.stateKeys[layer],
      workspace: name,
      features,
    });
    addAwsProvider(this, project, { account: env.identity.account, region: env.region, environment: env.identity.environment });
    this.account = new AwsAccount(this, "account");
    // Every role this stack creates carries the account's workload boundary (CI may create roles only so).
    const boundary = `arn:${this.account.partition}:iam::${this.account.accountId}:policy/${boundaryPolicyNames(project).workload}`;
    Aspects.of(this).add(new PermissionsBoundaryAspect(boundary));
  }
}

/** Sets a permissions boundary on every IAM role in the scope that has none. */
class PermissionsBoundaryAspect implements IAspect {
  constructor(private readonly boundaryArn: string) {}

  visit(node: IConstruct): void {
    if (node instanceof IamRole && node.permissionsBoundaryInput === undefined) node.permissionsBoundary = this.boundaryArn;
  }
}

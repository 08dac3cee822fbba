import { Construct } from "constructs";
import { TerraformStack } from "../cdktf";
import { EnvironmentConfig, ProjectSettings, stackNames, StateBackend, stateKey } from "../config";
import { AwsAccount } from "../modules/aws-account";
import { configureStateBackend } from "./backend";
import { addAwsProvider } from "./providers";

export interface EnvironmentStackProps {
  readonly project: ProjectSettings;
  readonly env: EnvironmentConfig;
  readonly backend: StateBackend;
}

/**
 * What every per-environment stack starts with: its name and state key from config, the shared
 * backend, the tagged AWS provider in the environment's region, and the account it deploys into.
 */
export abstract class EnvironmentStack extends TerraformStack {
  protected readonly account: AwsAccount;

  protected constructor(scope: Construct, props: EnvironmentStackProps, layer: "platform" | "apps") {
    const name = stackNames(props.project, props.env)[layer];
    super(scope, name);
    const { project, env } = props;
    configureStateBackend(this, { project, backend: props.backend, key: stateKey(env, layer), workspace: name });
    addAwsProvider(this, project, env.region, env.environment);
    this.account = new AwsAccount(this, "account");
  }
}

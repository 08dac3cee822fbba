import { Construct } from "constructs";
import { TerraformStack } from "../cdktf";
import { EnvironmentConfig, ProjectSettings, stackNames, StateBackend, stateKey } from "../config";
import { configureStateBackend } from "./backend";
import { addAwsProvider } from "./providers";

export interface PlatformStackProps {
  readonly project: ProjectSettings;
  readonly env: EnvironmentConfig;
  readonly backend: StateBackend;
}

/** One environment's AWS platform: network, cluster, data stores, registry. */
export class PlatformStack extends TerraformStack {
  constructor(scope: Construct, props: PlatformStackProps) {
    const name = stackNames(props.project, props.env).platform;
    super(scope, name);
    const { project, env } = props;
    configureStateBackend(this, { project, backend: props.backend, key: stateKey(env, "platform"), workspace: name });
    addAwsProvider(this, project, env.region, env.environment);
  }
}

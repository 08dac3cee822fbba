import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Construct } from "constructs";
import type { ProjectSettings } from "../config";
import { TerraformStack } from "../cdktf";

/**
 * The AWS provider every AWS stack uses: region from config, and tags on everything it creates.
 * `Stack` names the stack whose state owns the resource, so what an interrupted apply created
 * outside any state can be found by tag (runbook §11).
 */
export function addAwsProvider(scope: Construct, project: ProjectSettings, region: string, environment: string, alias?: string): AwsProvider {
  return new AwsProvider(scope, alias === undefined ? "aws" : `aws-${alias}`, {
    alias,
    region,
    defaultTags: [
      {
        tags: {
          Project: project.project,
          Environment: environment,
          ManagedBy: project.managedBy,
          Stack: TerraformStack.of(scope).node.id,
        },
      },
    ],
  });
}

import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Construct } from "constructs";
import type { ProjectSettings } from "../config";

/** The AWS provider every AWS stack uses: region from config, and tags on everything it creates. */
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
        },
      },
    ],
  });
}

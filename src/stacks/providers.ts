import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Construct } from "constructs";
import type { ProjectSettings } from "../config";
import { TerraformStack } from "../cdktf";

export interface AwsProviderPlacement {
  /** The only account the provider may act in (`allowed_account_ids`): other credentials fail before anything is read. */
  readonly account: string;
  readonly region: string;
  /** The `Environment` tag (cost allocation, and finding things); none on an account's own stacks. @default none */
  readonly environment?: string;
  /** Provider alias, for a second region. @default none (the stack's default provider) */
  readonly alias?: string;
}

/**
 * The AWS provider every AWS stack uses: pinned to one account and a region, and tags on everything
 * it creates. `Stack` names the stack whose state owns the resource, so what an interrupted apply
 * created outside any state can be found by tag (runbook §11).
 */
export function addAwsProvider(scope: Construct, project: ProjectSettings, placement: AwsProviderPlacement): AwsProvider {
  const { alias, environment } = placement;
  return new AwsProvider(scope, alias === undefined ? "aws" : `aws-${alias}`, {
    alias,
    region: placement.region,
    allowedAccountIds: [placement.account],
    defaultTags: [
      {
        tags: {
          Project: project.project,
          ...(environment === undefined ? {} : { Environment: environment }),
          ManagedBy: project.managedBy,
          Stack: TerraformStack.of(scope).node.id,
        },
      },
    ],
  });
}

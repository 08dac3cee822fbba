/**
 * The values the in-cluster stack passes to the mindhit release, with Terraform references
 * replaced by plausible literals, so the chart's schema and `helm template` can check the exact
 * composition the stack produces. scripts/release-values.ts writes them out for the chart stage.
 */
import * as fs from "fs";
import * as path from "path";
import { Release } from "@cdktf/provider-helm/lib/release";
import * as YAML from "yaml";
import type { Environment } from "../../src/config";
import { chartDir } from "../../src/paths";
import type { AppsStack } from "../../src/stacks/apps";
import { Template } from "./template";

export type Values = Record<string, unknown>;

/** Replaces every `${…}` reference the stack emits with a value of the right shape. */
export function fillReferences(text: string, env: Environment): string {
  return text
    .replace(/\$\{aws_iam_role\.([^.}]+)\.arn\}/g, (_m, id: string) => `arn:aws:iam::111111111111:role/${env.identity.resourceName}-${id.split("_")[0]}`)
    .replace(/\$\{data\.aws_caller_identity\.[^}]+\.account_id\}/g, "111111111111")
    .replace(/\$\{data\.aws_partition\.[^}]+\.dns_suffix\}/g, "amazonaws.com")
    .replace(/\$\{(data\.)?aws_secretsmanager_secret\.[^}]+\.name\}/g, `${env.identity.resourceName}/app`)
    .replace(/\$\{aws_wafv2_web_acl\.[^}]+\.arn\}/g, `arn:aws:wafv2:${env.region}:111111111111:regional/webacl/${env.identity.resourceName}/abc`)
    .replace(/\$\{data\.aws_ssm_parameter\.image-tag-api\.insecure_value\}/g, env.release.apiImageTag)
    .replace(/\$\{data\.aws_ssm_parameter\.image-tag-worker\.insecure_value\}/g, env.release.workerImageTag)
    .replace(/\$\{data\.aws_acm_certificate\.[^}]+\.arn\}/g, `arn:aws:acm:${env.region}:111111111111:certificate/00000000-0000-0000-0000-000000000000`)
    .replace(/\$\{data\.aws_vpc\.[^}]+\.cidr_block\}/g, env.network.vpcCidr)
    .replace(/\$\{data\.aws_sns_topic\.[^}]+\.arn\}/g, `arn:aws:sns:${env.region}:111111111111:${env.identity.alertTopicName}`)
    .replace(/\$\{data\.aws_db_instance\.[^}]+\.address\}/g, `${env.identity.resourceName}.abc.${env.region}.rds.amazonaws.com`)
    .replace(
      /\$\{data\.aws_db_instance\.[^}]+\.master_user_secret\[0\]\.secret_arn\}/g,
      `arn:aws:secretsmanager:${env.region}:111111111111:secret:rds!db-0000-abcdef`,
    );
}

/** The release's `values` list, parsed: [environment values file (when it has one), stack overrides]. */
export function releaseValueLayers(stack: AppsStack, env: Environment): Values[] {
  // By id, not `only()`: scripts/release-values.ts runs this outside jest, where there is no `expect`.
  const release = Template.fromStack(stack).resourcesById(Release).mindhit;
  if (!release) throw new Error(`no ${Release.tfResourceType}.mindhit`);
  return (release.values as string[]).map((layer) => YAML.parse(fillReferences(layer, env)) as Values);
}

/** A third-party release's values (one layer), parsed; undefined where the stack has no such release. */
export function thirdPartyReleaseValues(stack: AppsStack, env: Environment, release: string): Values | undefined {
  const block = Template.fromStack(stack).resourcesById(Release)[release];
  return block === undefined ? undefined : (YAML.parse(fillReferences((block.values as string[])[0], env)) as Values);
}

/** Helm's merge: maps merge key by key, everything else (lists included) is replaced. */
export function helmMerge(base: Values, override: Values): Values {
  const merged: Values = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = merged[key];
    merged[key] = isMap(current) && isMap(value) ? helmMerge(current, value) : value;
  }
  return merged;
}

function isMap(value: unknown): value is Values {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function chartDefaults(): Values {
  return YAML.parse(fs.readFileSync(path.join(chartDir(), "values.yaml"), "utf8")) as Values;
}

/**
 * The values an apps stack passes to its Helm releases, read from its synthesized JSON with
 * Terraform references replaced by plausible literals, so the chart's schema and `helm template`
 * check the exact composition the stack produces: scripts/release-values.ts writes them out for the
 * chart stage, and the unit tests read them.
 */
import { Release } from "@cdktf/provider-helm/lib/release";
import * as YAML from "yaml";
import type { Environment } from "../config";

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

/** The `values` list of the release whose construct id is `id`, in a stack's synthesized JSON; undefined where it has none. */
function releaseValues(synthesized: string, id: string): string[] | undefined {
  const doc = JSON.parse(synthesized) as { resource?: Record<string, Record<string, { values?: string[] } | undefined> | undefined> };
  const release = doc.resource?.[Release.tfResourceType]?.[id];
  return release === undefined ? undefined : (release.values ?? []);
}

/** The app release's `values` list (`helm_release.mindhit`), parsed: [environment values file (when it has one), stack overrides]. */
export function releaseValueLayers(synthesized: string, env: Environment): Values[] {
  const layers = releaseValues(synthesized, "mindhit");
  if (layers === undefined) throw new Error(`no ${Release.tfResourceType}.mindhit`);
  return layers.map((layer) => YAML.parse(fillReferences(layer, env)) as Values);
}

/** A third-party release's values (one layer), parsed; undefined where the stack has no such release. */
export function thirdPartyReleaseValues(synthesized: string, env: Environment, release: string): Values | undefined {
  const layers = releaseValues(synthesized, release);
  return layers === undefined ? undefined : (YAML.parse(fillReferences(layers[0], env)) as Values);
}

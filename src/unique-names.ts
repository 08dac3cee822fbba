/**
 * The last line of defence against two environments owning one AWS name: after every stack is
 * built, each resource type whose name AWS keeps unique (per account, or per account and region)
 * is read from the constructs themselves, so a name a module derives (`<resourceName>-rds`, an IRSA
 * role, a KMS alias) is covered even if no identity rule foresaw it. Identity validation catches
 * the usual cases with a better message first; this catches the rest.
 */
import { TerraformResource, TerraformStack, Token } from "./cdktf";
import { quote, ValidationError } from "./validation";

/** Resource type → the attribute AWS keeps unique, and whether uniqueness is account-wide. */
const UNIQUE_NAMES: Readonly<Record<string, { readonly attribute: string; readonly global: boolean; readonly label: string }>> = {
  aws_iam_role: { attribute: "name", global: true, label: "IAM role" },
  aws_iam_policy: { attribute: "name", global: true, label: "IAM policy" },
  aws_s3_bucket: { attribute: "bucket", global: true, label: "S3 bucket" },
  aws_cloudwatch_dashboard: { attribute: "dashboard_name", global: true, label: "CloudWatch dashboard" },
  aws_kms_alias: { attribute: "name", global: false, label: "KMS alias" },
  aws_cloudwatch_log_group: { attribute: "name", global: false, label: "log group" },
  aws_cloudwatch_metric_alarm: { attribute: "alarm_name", global: false, label: "alarm" },
  aws_eks_cluster: { attribute: "name", global: false, label: "EKS cluster" },
  aws_db_instance: { attribute: "identifier", global: false, label: "RDS instance" },
  aws_db_subnet_group: { attribute: "name", global: false, label: "DB subnet group" },
  aws_db_parameter_group: { attribute: "name", global: false, label: "DB parameter group" },
  aws_elasticache_replication_group: { attribute: "replication_group_id", global: false, label: "ElastiCache replication group" },
  aws_elasticache_subnet_group: { attribute: "name", global: false, label: "ElastiCache subnet group" },
  aws_elasticache_user: { attribute: "user_id", global: false, label: "ElastiCache user" },
  aws_elasticache_user_group: { attribute: "user_group_id", global: false, label: "ElastiCache user group" },
  aws_ecr_repository: { attribute: "name", global: false, label: "ECR repository" },
  aws_sns_topic: { attribute: "name", global: false, label: "SNS topic" },
  aws_secretsmanager_secret: { attribute: "name", global: false, label: "secret" },
  aws_wafv2_web_acl: { attribute: "name", global: false, label: "web ACL" },
  aws_dynamodb_table: { attribute: "name", global: false, label: "DynamoDB table" },
};

export interface NamedStack {
  readonly stack: TerraformStack;
  /** Who owns the stack, for messages: `environment "prod"`, `the state-bootstrap stack`. */
  readonly owner: string;
  readonly region: string;
}

type ResourceDocument = { resource?: Record<string, Record<string, Record<string, unknown>>> };

/** Throws one ValidationError listing every AWS name two owners would both create. */
export function checkUniqueAwsNames(stacks: readonly NamedStack[]): void {
  const seen = new Map<string, string>();
  const problems: string[] = [];
  for (const { stack, owner, region } of stacks) {
    for (const construct of stack.node.findAll()) {
      if (!(construct instanceof TerraformResource)) continue;
      const rule = UNIQUE_NAMES[construct.terraformResourceType];
      if (rule === undefined) continue;
      const doc = construct.toTerraform() as ResourceDocument;
      for (const block of Object.values(doc.resource?.[construct.terraformResourceType] ?? {})) {
        const name = block[rule.attribute];
        // Names computed by Terraform (tokens) are unknown here; literal names are what collide.
        if (typeof name !== "string" || Token.isUnresolved(name)) continue;
        const key = `${construct.terraformResourceType}\u0000${rule.global ? "" : region}\u0000${name}`;
        const holder = seen.get(key);
        if (holder === undefined) seen.set(key, owner);
        else if (holder !== owner)
          problems.push(
            `${owner}: would create ${rule.label} ${quote(name)}, which ${holder} also creates (names derive from resourceName: choose one that is not another environment's plus a suffix)`,
          );
      }
    }
  }
  if (problems.length > 0) throw new ValidationError([...new Set(problems)]);
}

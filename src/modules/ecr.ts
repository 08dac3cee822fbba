import { EcrLifecyclePolicy } from "@cdktf/provider-aws/lib/ecr-lifecycle-policy";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { EcrRepositoryPolicy } from "@cdktf/provider-aws/lib/ecr-repository-policy";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { Construct } from "constructs";
import { checkNonEmpty, duplicates, ProblemSink, checkProps, quote } from "../validation";
import { Defaults, withDefaults } from "./shared/defaults";
import { onlyPrincipalsMay } from "./shared/policy-statements";

export type ImageTagMutability = "MUTABLE" | "IMMUTABLE";

export interface EcrProps {
  /** Repository names, e.g. the seed's `["mindhit/api", "mindhit/worker"]`. */
  readonly repositoryNames: readonly string[];
  /** The seed pushes `:latest` on every build, which needs mutable tags. @default "MUTABLE" */
  readonly imageTagMutability?: ImageTagMutability;
  /** Scan each pushed image for known vulnerabilities (basic scanning). @default true */
  readonly scanOnPush?: boolean;
  /** Images kept per repository; older ones expire (the seed's "Keep last 10 images"). @default 10 */
  readonly keepLastImages?: number;
  /**
   * The only principals (ARNs, wildcards allowed) that may pull, whatever their IAM policies say
   * (a repository-policy deny for everyone else): an environment's nodes, not another's.
   * @default anyone IAM allows
   */
  readonly pullPrincipalArns?: readonly string[];
}

export const ECR_DEFAULTS = {
  imageTagMutability: "MUTABLE",
  scanOnPush: true,
  keepLastImages: 10,
} as const satisfies Defaults<EcrProps, "pullPrincipalArns">;

const MUTABILITIES: readonly string[] = ["MUTABLE", "IMMUTABLE"];
/** ECR's repository name grammar: path segments of [a-z0-9]+ joined by single `.`, `_` or `-`. */
const REPOSITORY_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

/** The repositories' rules: valid, distinct names; a known mutability; a sane retention. */
export function checkEcrProps(problems: ProblemSink, props: EcrProps): void {
  const { repositoryNames: names, imageTagMutability: mutability, keepLastImages: keepLast } = withDefaults(props, ECR_DEFAULTS);
  checkNonEmpty(problems, "repositoryNames", names, '"mindhit/api"');
  for (const name of names) {
    problems.check(
      REPOSITORY_NAME.test(name) && name.length >= 2 && name.length <= 256,
      "repositoryNames",
      `${quote(name)} is not an ECR repository name (2-256 lowercase characters: segments of a-z 0-9 joined by single . _ - or /)`,
    );
  }
  for (const name of new Set(duplicates(names))) problems.add("repositoryNames", `lists ${quote(name)} more than once`);
  const ids = names.map(constructIdOf);
  for (const clash of new Set(duplicates(ids))) {
    const clashing = names.filter((n) => constructIdOf(n) === clash);
    if (new Set(clashing).size > 1)
      problems.add("repositoryNames", `${clashing.map(quote).join(" and ")} map to the same construct id ${quote(clash)} (rename one)`);
  }
  problems.check(MUTABILITIES.includes(mutability), "imageTagMutability", `${quote(mutability)} is not allowed (allowed: ${MUTABILITIES.join(", ")})`);
  problems.check(Number.isInteger(keepLast) && keepLast >= 1 && keepLast <= 10000, "keepLastImages", `${keepLast} is not allowed (whole number 1-10000)`);
}

/**
 * The seed's `modules/ecr`: one repository per name with scan-on-push and a lifecycle policy
 * keeping the newest images. Beyond the seed: KMS encryption (AWS-managed `aws/ecr` key) and
 * `force_delete` off, so a repository that still holds images is never destroyed.
 */
export class Ecr extends Construct {
  /** Repository name → URL (`<account>.dkr.ecr.<region>.amazonaws.com/<name>`), the seed's `repository_urls`. */
  readonly repositoryUrls: Record<string, string>;
  /** Repository name → ARN, for push/pull policies. */
  readonly repositoryArns: Record<string, string>;
  /** The account's registry id (the part of every URL before `.dkr.ecr`). */
  readonly registryId: string;

  constructor(scope: Construct, id: string, ecrProps: EcrProps) {
    super(scope, id);
    const props = withDefaults(ecrProps, ECR_DEFAULTS);
    const { repositoryNames: names, imageTagMutability: mutability, keepLastImages: keepLast } = props;

    checkProps(this, ecrProps, checkEcrProps);

    const policy = JSON.stringify(lifecyclePolicy(keepLast));
    const urls: Record<string, string> = {};
    const arns: Record<string, string> = {};
    let registryId = "";
    for (const name of names) {
      const constructId = constructIdOf(name);
      const repository = new EcrRepository(this, constructId, {
        name,
        imageTagMutability: mutability,
        imageScanningConfiguration: { scanOnPush: props.scanOnPush },
        // KMS with no key given uses the AWS-managed aws/ecr key: no key policy to maintain.
        encryptionConfiguration: [{ encryptionType: "KMS" }],
        forceDelete: false,
      });
      new EcrLifecyclePolicy(this, `${constructId}-lifecycle`, { repository: repository.name, policy });
      if (props.pullPrincipalArns !== undefined) {
        const pullers = new DataAwsIamPolicyDocument(this, `${constructId}-pullers`, {
          statement: [
            onlyPrincipalsMay(
              "PullOnlyByTheNamedPrincipals",
              ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
              props.pullPrincipalArns,
            ),
          ],
        });
        new EcrRepositoryPolicy(this, `${constructId}-policy`, { repository: repository.name, policy: pullers.json });
      }
      urls[name] = repository.repositoryUrl;
      arns[name] = repository.arn;
      registryId = repository.registryId;
    }
    this.repositoryUrls = urls;
    this.repositoryArns = arns;
    this.registryId = registryId;
  }
}

/** `mindhit/api` → `mindhit-api`: construct ids may not contain `/`. */
function constructIdOf(name: string): string {
  return name.replace(/\//g, "-");
}

/** The seed's lifecycle rule, with the count as a parameter. */
function lifecyclePolicy(keepLast: number): { rules: unknown[] } {
  return {
    rules: [
      {
        rulePriority: 1,
        description: `Keep last ${keepLast} images`,
        selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: keepLast },
        action: { type: "expire" },
      },
    ],
  };
}

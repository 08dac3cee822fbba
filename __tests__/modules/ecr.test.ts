import { TerraformOutput } from "../../src/cdktf";
import { Ecr, EcrProps } from "../../src/modules/ecr";
import { Block, resources, synthScopeJson, SynthJson } from "../helpers/synth";

const SEED_NAMES = ["mindhit/api", "mindhit/worker"];

const synth = (props: Partial<EcrProps> = {}): SynthJson =>
  synthScopeJson((scope) => {
    new Ecr(scope, "ecr", { repositoryNames: SEED_NAMES, ...props });
  });

interface LifecyclePolicy {
  rules: Array<Record<string, unknown>>;
}

describe("Ecr", () => {
  const json = synth();

  it("creates the seed's repositories with mutable tags and scan on push", () => {
    const repos = resources(json, "aws_ecr_repository");
    expect(repos.map((r) => r.name)).toEqual(SEED_NAMES);
    for (const repo of repos) {
      expect(repo).toMatchObject({ image_tag_mutability: "MUTABLE", image_scanning_configuration: { scan_on_push: true } });
    }
  });

  it("names constructs after the repositories", () => {
    expect(Object.keys(json.resource?.aws_ecr_repository ?? {})).toEqual([
      expect.stringMatching(/^ecr_mindhit-api_/),
      expect.stringMatching(/^ecr_mindhit-worker_/),
    ]);
  });

  it("encrypts with KMS and never deletes a repository that holds images", () => {
    for (const repo of resources(json, "aws_ecr_repository")) {
      expect(repo).toMatchObject({ encryption_configuration: [{ encryption_type: "KMS" }], force_delete: false });
      expect((repo.encryption_configuration as Block[])[0]).not.toHaveProperty("kms_key");
    }
  });

  it("keeps the last 10 images of each repository, as the seed's lifecycle rule", () => {
    const policies = resources(json, "aws_ecr_lifecycle_policy");
    expect(policies.map((p) => p.repository)).toEqual([
      expect.stringMatching(/^\$\{aws_ecr_repository\.ecr_mindhit-api_.+\.name\}$/),
      expect.stringMatching(/^\$\{aws_ecr_repository\.ecr_mindhit-worker_.+\.name\}$/),
    ]);
    for (const policy of policies) {
      expect(JSON.parse(String(policy.policy)) as LifecyclePolicy).toEqual({
        rules: [
          {
            rulePriority: 1,
            description: "Keep last 10 images",
            selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 10 },
            action: { type: "expire" },
          },
        ],
      });
    }
  });

  it("applies overrides", () => {
    const custom = synth({ repositoryNames: ["mindhit-staging/api"], imageTagMutability: "IMMUTABLE", scanOnPush: false, keepLastImages: 30 });
    const repo = resources(custom, "aws_ecr_repository")[0];
    expect(repo).toMatchObject({ name: "mindhit-staging/api", image_tag_mutability: "IMMUTABLE", image_scanning_configuration: { scan_on_push: false } });
    const policy = JSON.parse(String(resources(custom, "aws_ecr_lifecycle_policy")[0].policy)) as LifecyclePolicy;
    expect(policy.rules[0]).toMatchObject({ description: "Keep last 30 images", selection: { countNumber: 30 } });
  });

  it("exposes URLs and ARNs by repository name, and the registry id", () => {
    const out = synthScopeJson((scope) => {
      const ecr = new Ecr(scope, "ecr", { repositoryNames: SEED_NAMES });
      new TerraformOutput(scope, "urls", { value: ecr.repositoryUrls });
      new TerraformOutput(scope, "arns", { value: ecr.repositoryArns });
      new TerraformOutput(scope, "registry", { value: ecr.registryId });
    }).output as Record<string, Block>;
    expect(out.urls.value).toEqual({
      "mindhit/api": expect.stringMatching(/^\$\{aws_ecr_repository\.ecr_mindhit-api_.+\.repository_url\}$/),
      "mindhit/worker": expect.stringMatching(/^\$\{aws_ecr_repository\.ecr_mindhit-worker_.+\.repository_url\}$/),
    });
    expect(out.arns.value).toEqual({
      "mindhit/api": expect.stringMatching(/^\$\{aws_ecr_repository\.ecr_mindhit-api_.+\.arn\}$/),
      "mindhit/worker": expect.stringMatching(/^\$\{aws_ecr_repository\.ecr_mindhit-worker_.+\.arn\}$/),
    });
    expect(out.registry.value).toMatch(/^\$\{aws_ecr_repository\..+\.registry_id\}$/);
  });

  it.each<[string, Partial<EcrProps>, string]>([
    ["no repositories", { repositoryNames: [] }, 'repositoryNames must list at least one entry (e.g. "mindhit/api")'],
    [
      "uppercase letters",
      { repositoryNames: ["Mindhit/API"] },
      'repositoryNames "Mindhit/API" is not an ECR repository name (2-256 lowercase characters: segments of a-z 0-9 joined by single . _ - or /)',
    ],
    ["a one-character name", { repositoryNames: ["a"] }, 'repositoryNames "a" is not an ECR repository name'],
    ["a name over 256 characters", { repositoryNames: [`m/${"x".repeat(255)}`] }, `repositoryNames "m/${"x".repeat(255)}" is not an ECR repository name`],
    ["a leading slash", { repositoryNames: ["/mindhit/api"] }, 'repositoryNames "/mindhit/api" is not an ECR repository name'],
    ["doubled separators", { repositoryNames: ["mindhit//api"] }, 'repositoryNames "mindhit//api" is not an ECR repository name'],
    ["a trailing separator", { repositoryNames: ["mindhit-"] }, 'repositoryNames "mindhit-" is not an ECR repository name'],
    ["a repeated name", { repositoryNames: ["mindhit/api", "mindhit/api"] }, 'repositoryNames lists "mindhit/api" more than once'],
    [
      "names that map to one construct id",
      { repositoryNames: ["mindhit/api", "mindhit-api"] },
      'repositoryNames "mindhit/api" and "mindhit-api" map to the same construct id "mindhit-api" (rename one)',
    ],
    [
      "an unknown tag mutability",
      { imageTagMutability: "LOCKED" as EcrProps["imageTagMutability"] },
      'imageTagMutability "LOCKED" is not allowed (allowed: MUTABLE, IMMUTABLE)',
    ],
    ["keeping no images", { keepLastImages: 0 }, "keepLastImages 0 is not allowed (whole number 1-10000)"],
    ["a fractional image count", { keepLastImages: 2.5 }, "keepLastImages 2.5 is not allowed (whole number 1-10000)"],
  ])("rejects %s", (_label, props, expected) => {
    expect(() => synth(props)).toThrow(`stack/ecr: ${expected}`);
  });
});

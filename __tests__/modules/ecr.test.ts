import { EcrLifecyclePolicy } from "@cdktf/provider-aws/lib/ecr-lifecycle-policy";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { Ecr, EcrProps } from "../../src/modules/ecr";
import { Template } from "../helpers/template";

const SEED_NAMES = ["mindhit/api", "mindhit/worker"];

const synth = (props: Partial<EcrProps> = {}): Template =>
  Template.fromScope((scope) => {
    new Ecr(scope, "ecr", { repositoryNames: SEED_NAMES, ...props });
  });

interface LifecyclePolicy {
  rules: Array<Record<string, unknown>>;
}

const lifecyclePolicies = (template: Template): LifecyclePolicy[] =>
  template.resources(EcrLifecyclePolicy).map((p) => JSON.parse(String(p.policy)) as LifecyclePolicy);

describe("Ecr", () => {
  const template = synth();

  it("creates the seed's repositories with mutable tags and scan on push", () => {
    // toMatchObject on the list: exactly these repositories, in order, each (partially) so.
    expect(template.resources(EcrRepository)).toMatchObject(
      SEED_NAMES.map((name) => ({ name, image_tag_mutability: "MUTABLE", image_scanning_configuration: { scan_on_push: true } })),
    );
  });

  it("names constructs after the repositories", () => {
    expect(Object.keys(template.resourcesById(EcrRepository))).toEqual([
      expect.stringMatching(/^ecr_mindhit-api_/),
      expect.stringMatching(/^ecr_mindhit-worker_/),
    ]);
  });

  it("encrypts with KMS and never deletes a repository that holds images", () => {
    const repos = template.resources(EcrRepository);
    expect(repos).toMatchObject(SEED_NAMES.map(() => ({ encryption_configuration: [{ encryption_type: "KMS" }], force_delete: false })));
    for (const repo of repos) expect((repo.encryption_configuration as Array<Record<string, unknown>>)[0]).not.toHaveProperty("kms_key");
  });

  it("keeps the last 10 images of each repository, as the seed's lifecycle rule", () => {
    expect(template.resources(EcrLifecyclePolicy).map((p) => p.repository)).toEqual([
      expect.stringMatching(/^\$\{aws_ecr_repository\.ecr_mindhit-api_.+\.name\}$/),
      expect.stringMatching(/^\$\{aws_ecr_repository\.ecr_mindhit-worker_.+\.name\}$/),
    ]);
    const keepLast10 = {
      rules: [
        {
          rulePriority: 1,
          description: "Keep last 10 images",
          selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 10 },
          action: { type: "expire" },
        },
      ],
    };
    expect(lifecyclePolicies(template)).toEqual([keepLast10, keepLast10]);
  });

  it("applies overrides", () => {
    const custom = synth({ repositoryNames: ["mindhit-staging/api"], imageTagMutability: "IMMUTABLE", scanOnPush: false, keepLastImages: 30 });
    expect(custom.only(EcrRepository)).toMatchObject({
      name: "mindhit-staging/api",
      image_tag_mutability: "IMMUTABLE",
      image_scanning_configuration: { scan_on_push: false },
    });
    expect(lifecyclePolicies(custom)).toMatchObject([{ rules: [{ description: "Keep last 30 images", selection: { countNumber: 30 } }] }]);
  });

  it("exposes URLs and ARNs by repository name, and the registry id", () => {
    const out = Template.withOutputs((scope) => {
      const ecr = new Ecr(scope, "ecr", { repositoryNames: SEED_NAMES });
      return { urls: ecr.repositoryUrls, arns: ecr.repositoryArns, registry: ecr.registryId };
    }).outputValues();
    expect(out.urls).toEqual({
      "mindhit/api": expect.stringMatching(/^\$\{aws_ecr_repository\.ecr_mindhit-api_.+\.repository_url\}$/),
      "mindhit/worker": expect.stringMatching(/^\$\{aws_ecr_repository\.ecr_mindhit-worker_.+\.repository_url\}$/),
    });
    expect(out.arns).toEqual({
      "mindhit/api": expect.stringMatching(/^\$\{aws_ecr_repository\.ecr_mindhit-api_.+\.arn\}$/),
      "mindhit/worker": expect.stringMatching(/^\$\{aws_ecr_repository\.ecr_mindhit-worker_.+\.arn\}$/),
    });
    expect(out.registry).toMatch(/^\$\{aws_ecr_repository\..+\.registry_id\}$/);
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

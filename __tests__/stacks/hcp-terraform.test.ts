/**
 * HCP Terraform runs end to end, read from the synthesized stacks: in-cluster providers that need
 * no AWS CLI, a workspace per stack in a named project, and dynamic credentials whose roles trust
 * exactly one workspace and run phase each, with the GitHub roles' permissions.
 */
import { resolveRunOptions } from "../../src/app";
import { CONTROLLER_RELEASE_TIMEOUT_SECONDS, TOKEN_RELEASE_BUDGET_SECONDS } from "../../src/stacks/apps";
import { environments, project } from "../../src/environments";
import { attachedPolicies, inlineStatements, roleNamed, trustStatements } from "../helpers/iam";
import { buildProject, CLOUD_RUN, resources, S3_RUN, synthJson, SynthJson } from "../helpers/synth";

const cloud = buildProject(CLOUD_RUN);
const s3 = buildProject(S3_RUN);
const bootstrap = synthJson(cloud.bootstrap);
const byName = cloud.environments.map((e) => [e.identity.name, e] as const);

type ProviderBlock = Record<string, unknown>;
const providerBlock = (json: SynthJson, name: string): ProviderBlock => {
  const blocks = json.provider?.[name];
  if (!blocks || blocks.length !== 1) throw new Error(`expected one ${name} provider`);
  return blocks[0];
};
/** Every key anywhere inside a value. */
const keysIn = (value: unknown): string[] => (value !== null && typeof value === "object" ? Object.entries(value).flatMap(([k, v]) => [k, ...keysIn(v)]) : []);

describe("run options", () => {
  const none = (): undefined => undefined;

  it("authenticate to EKS with a token in HCP Terraform mode and with the AWS CLI otherwise", () => {
    expect(resolveRunOptions({ MINDHIT_STATE_BACKEND: "cloud", TF_CLOUD_ORGANIZATION: "mindhit" }, none).clusterAuth).toBe("token");
    expect(resolveRunOptions({}, none).clusterAuth).toBe("exec");
  });

  it("let either mode choose the other form", () => {
    expect(resolveRunOptions({ MINDHIT_STATE_BACKEND: "cloud", TF_CLOUD_ORGANIZATION: "mindhit", MINDHIT_CLUSTER_AUTH: "exec" }, none).clusterAuth).toBe(
      "exec",
    );
    expect(resolveRunOptions({}, (key) => ({ clusterAuth: "token" })[key]).clusterAuth).toBe("token");
  });

  it("name the workspaces' project, or leave it to the project's name", () => {
    expect(resolveRunOptions({ MINDHIT_STATE_BACKEND: "cloud", TF_CLOUD_ORGANIZATION: "mindhit", TF_CLOUD_PROJECT: "Platform Team" }, none).backend).toEqual({
      kind: "cloud",
      organization: "mindhit",
      hostname: "app.terraform.io",
      project: "Platform Team",
    });
    expect(resolveRunOptions({ MINDHIT_STATE_BACKEND: "cloud", TF_CLOUD_ORGANIZATION: "mindhit" }, none).backend).not.toHaveProperty("project");
  });
});

describe.each(byName)("HCP Terraform mode, %s", (name, env) => {
  const platform = synthJson(cloud.platforms.get(name)!);
  const apps = synthJson(cloud.apps.get(name)!);

  it("each stack is its own workspace, in the project the roles trust", () => {
    for (const [json, workspace] of [
      [platform, env.identity.stackNames.platform],
      [apps, env.identity.stackNames.apps],
    ] as const) {
      expect(json.terraform.cloud).toEqual({ organization: "mindhit", hostname: "app.terraform.io", workspaces: { name: workspace, project: "mindhit" } });
      expect(json.terraform.backend).toBeUndefined();
    }
    // workspaces.project arrived in Terraform 1.6, ephemeral blocks in 1.10.
    expect(platform.terraform.required_version).toBe(">= 1.6");
    expect(apps.terraform.required_version).toBe(">= 1.10");
  });

  it("the in-cluster providers use the ephemeral token, and nothing runs a command", () => {
    const auth = (apps as SynthJson & { ephemeral?: Record<string, Record<string, { name: string }>> }).ephemeral?.aws_eks_cluster_auth;
    expect(Object.values(auth ?? {})).toEqual([{ name: env.identity.resourceName }]);
    const id = Object.keys(auth ?? {})[0];
    const token = `\${ephemeral.aws_eks_cluster_auth.${id}.token}`;
    const kubernetes = providerBlock(apps, "kubernetes");
    const helm = providerBlock(apps, "helm").kubernetes as ProviderBlock;
    for (const block of [kubernetes, helm]) {
      expect(block).toMatchObject({ host: expect.stringMatching(/^\$\{data\.aws_eks_cluster\./), token });
    }
    for (const providers of Object.values(apps.provider ?? {})) expect(keysIn(providers)).not.toContain("exec");
    // The token never lands in state: no data source of that type.
    expect(apps.data?.aws_eks_cluster_auth).toBeUndefined();
  });

  it("the -apps workspace's roles reach the cluster: apply administers, plan reads", () => {
    const { apply, plan } = env.identity.hcpTerraformRoleNames.apps;
    const associations = resources(platform, "aws_eks_access_policy_association");
    const policyOf = (role: string): string[] => {
      const entries = Object.entries(platform.resource?.aws_eks_access_entry ?? {}).filter(([, e]) => String(e.principal_arn).endsWith(`:role/${role}`));
      expect(entries).toHaveLength(1);
      return associations.filter((a) => String(a.principal_arn) === `\${aws_eks_access_entry.${entries[0][0]}.principal_arn}`).map((a) => String(a.policy_arn));
    };
    expect(policyOf(apply)).toEqual([expect.stringMatching(/AmazonEKSClusterAdminPolicy$/)]);
    expect(policyOf(plan)).toEqual([expect.stringMatching(/AmazonEKSAdminViewPolicy$/)]);
  });
});

describe("dynamic provider credentials (bootstrap stack, HCP Terraform mode)", () => {
  const workspaces = cloud.environments.flatMap((env) =>
    (["platform", "apps"] as const).map((layer) => ({ env, workspace: env.identity.stackNames[layer], roles: env.identity.hcpTerraformRoleNames[layer] })),
  );

  it("trust HCP Terraform's token issuer with its default audience", () => {
    const providers = resources(bootstrap, "aws_iam_openid_connect_provider").filter((p) => p.url === "https://app.terraform.io");
    expect(providers).toEqual([expect.objectContaining({ client_id_list: ["aws.workload.identity"] })]);
  });

  it.each(workspaces.map((w) => [w.workspace, w] as const))(
    "%s: one plan role and one apply role, each trusting exactly its workspace and run phase",
    (_ws, { workspace, roles }) => {
      for (const [role, phase] of [
        [roles.plan, "plan"],
        [roles.apply, "apply"],
      ] as const) {
        const trust = trustStatements(bootstrap, role);
        expect(trust).toHaveLength(1);
        expect(trust[0]).toMatchObject({
          effect: "Allow",
          actions: ["sts:AssumeRoleWithWebIdentity"],
          principals: [{ type: "Federated", identifiers: [expect.stringMatching(/aws_iam_openid_connect_provider\.hcp-terraform_provider/)] }],
        });
        expect(trust[0].condition).toEqual([
          { test: "StringEquals", variable: "app.terraform.io:aud", values: ["aws.workload.identity"] },
          {
            test: "StringEquals",
            variable: "app.terraform.io:sub",
            values: [`organization:mindhit:project:mindhit:workspace:${workspace}:run_phase:${phase}`],
          },
        ]);
        expect(String(roleNamed(bootstrap, role).permissions_boundary)).toMatch(/:policy\/mindhit-ci-boundary$/);
      }
    },
  );

  it.each(workspaces.map((w) => [w.workspace, w] as const))(
    "%s: the GitHub roles' permissions (one source), without the S3 state HCP Terraform does not use",
    (_ws, { env, roles }) => {
      const github = env.identity.ciRoleNames;
      expect(attachedPolicies(bootstrap, roles.apply)).toEqual(attachedPolicies(bootstrap, github.deploy));
      const stateWalls = ["NoOtherEnvironmentsState", "NoOtherEnvironmentsLocks"];
      expect(inlineStatements(bootstrap, roles.apply)).toEqual(inlineStatements(bootstrap, github.deploy).filter((s) => !stateWalls.includes(s.sid ?? "")));
      expect(attachedPolicies(bootstrap, roles.plan)).toEqual([expect.stringMatching(/:policy\/ReadOnlyAccess$/)]);
      const plan = inlineStatements(bootstrap, roles.plan);
      const githubPlan = inlineStatements(bootstrap, github.plan);
      const withoutState = githubPlan.filter((s) => !["DecryptState", "OnlyStateObjects", ...stateWalls].includes(s.sid ?? ""));
      expect(plan.filter((s) => s.sid !== "NoObjectContents")).toEqual(withoutState);
      expect(plan.find((s) => s.sid === "NoObjectContents")).toEqual(
        expect.objectContaining({ effect: "Deny", actions: ["s3:GetObject", "s3:GetObjectVersion"], resources: ["*"] }),
      );
    },
  );

  it("outputs the variables to set on each workspace", () => {
    const value = bootstrap.output?.hcp_terraform_workspace_variables?.value as Record<string, Record<string, string>>;
    expect(Object.keys(value).sort()).toEqual(workspaces.map((w) => w.workspace).sort());
    for (const { workspace } of workspaces) {
      expect(value[workspace]).toEqual({
        TFC_AWS_PROVIDER_AUTH: "true",
        TFC_AWS_PLAN_ROLE_ARN: expect.stringMatching(new RegExp(`^\\$\\{aws_iam_role\\.hcp-terraform_${workspace}-plan_role_[0-9A-F]+\\.arn\\}$`)),
        TFC_AWS_APPLY_ROLE_ARN: expect.stringMatching(new RegExp(`^\\$\\{aws_iam_role\\.hcp-terraform_${workspace}-apply_role_[0-9A-F]+\\.arn\\}$`)),
      });
    }
  });

  it("a named HCP Terraform project is the one the trust pins", () => {
    const named = synthJson(
      buildProject({
        ...CLOUD_RUN,
        backend: { ...CLOUD_RUN.backend, kind: "cloud", organization: "acme", hostname: "tfe.example.com", project: "Platform Team" },
      }).bootstrap,
    );
    const trust = trustStatements(named, "mindhit-ci-production-tfc-apps-apply");
    expect(trust[0].condition).toContainEqual({
      test: "StringEquals",
      variable: "tfe.example.com:sub",
      values: ["organization:acme:project:Platform Team:workspace:mindhit-prod-apps:run_phase:apply"],
    });
  });
});

describe("S3 mode (the default) is unchanged", () => {
  it("creates no HCP Terraform identity provider or roles", () => {
    const json = synthJson(s3.bootstrap);
    expect(resources(json, "aws_iam_openid_connect_provider").map((p) => p.url)).toEqual(["https://token.actions.githubusercontent.com"]);
    expect(
      resources(json, "aws_iam_role")
        .map((r) => String(r.name))
        .filter((n) => n.includes("-tfc-")),
    ).toEqual([]);
    expect(json.output?.hcp_terraform_workspace_variables).toBeUndefined();
  });

  it.each(byName)("%s: the in-cluster providers run `aws eks get-token`, as the seed does", (name) => {
    const apps = synthJson(s3.apps.get(name)!);
    expect(providerBlock(apps, "kubernetes").exec).toEqual([expect.objectContaining({ command: "aws", args: expect.arrayContaining(["eks", "get-token"]) })]);
    expect((apps as SynthJson & { ephemeral?: unknown }).ephemeral).toBeUndefined();
    expect(apps.terraform.required_version).toBe(">= 1.5");
  });
});

describe("the token's 15 minutes", () => {
  it("hold the controllers' releases and the app's", () => {
    for (const env of cloud.environments)
      expect(CONTROLLER_RELEASE_TIMEOUT_SECONDS + env.release.timeoutSeconds).toBeLessThanOrEqual(TOKEN_RELEASE_BUDGET_SECONDS);
  });

  it("refuse a release timeout that would outlive the token, at synth", () => {
    const slow = environments.map((e) => (e.name === "prod" ? { ...e, release: { ...e.release, timeoutSeconds: 900 } } : e));
    expect(() => buildProject(CLOUD_RUN, slow, project)).toThrow(
      'environment "prod": release.timeoutSeconds 900 is not allowed with cluster authentication "token" (at most 600: the EKS token lasts 15 minutes',
    );
    expect(() => buildProject(S3_RUN, slow, project)).not.toThrow();
  });
});

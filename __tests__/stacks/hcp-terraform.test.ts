/**
 * HCP Terraform runs end to end, read from the synthesized stacks: in-cluster providers that need
 * no AWS CLI, a workspace per stack in a named project, and dynamic credentials whose roles trust
 * exactly one workspace and run phase each, with the GitHub roles' permissions.
 */
import { DataAwsEksClusterAuth } from "@cdktf/provider-aws/lib/data-aws-eks-cluster-auth";
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { HelmProvider } from "@cdktf/provider-helm/lib/provider";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { resolveRunOptions } from "../../src/app";
import { EphemeralEksClusterAuth } from "../../src/bindings/ephemeral-eks-cluster-auth";
import { controllerWaitBeforeApp, TOKEN_RELEASE_BUDGET_SECONDS } from "../../src/release/check";
import { environments, project } from "../../src/environments";
import { attributeNames, Block, bootstrapOf, buildProject, CLOUD_RUN, S3_RUN } from "../helpers/synth";
import { Template } from "../helpers/template";

const cloud = buildProject(CLOUD_RUN);
const s3 = buildProject(S3_RUN);
/** The bootstrap of an environment's account, in HCP Terraform mode. */
const bootstrapFor = (env: { identity: { name: string } }): Template => Template.fromStack(bootstrapOf(cloud, env.identity.name));
const bootstrap = bootstrapFor({ identity: { name: "prod" } });
const byName = cloud.environments.map((e) => [e.identity.name, e] as const);

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
  const platform = Template.fromStack(cloud.platforms.get(name)!);
  const apps = Template.fromStack(cloud.apps.get(name)!);

  it("each stack is its own workspace, in the project the roles trust", () => {
    for (const [template, workspace] of [
      [platform, env.identity.stackNames.platform],
      [apps, env.identity.stackNames.apps],
    ] as const) {
      expect(template.json.terraform.cloud).toEqual({
        organization: "mindhit",
        hostname: "app.terraform.io",
        workspaces: { name: workspace, project: "mindhit" },
      });
      expect(template.json.terraform.backend).toBeUndefined();
    }
    // workspaces.project arrived in Terraform 1.6, ephemeral blocks in 1.10, write-only arguments
    // (the Grafana admin password, where monitoring is on) in 1.11.
    expect(platform.json.terraform.required_version).toBe(env.prometheus.enabled ? ">= 1.11" : ">= 1.6");
    expect(apps.json.terraform.required_version).toBe(">= 1.10");
  });

  it("the in-cluster providers use the ephemeral token, and nothing runs a command", () => {
    const auth = apps.json.ephemeral?.[EphemeralEksClusterAuth.TYPE] ?? {};
    expect(Object.values(auth)).toEqual([{ name: env.identity.resourceName }]);
    const token = `\${ephemeral.${EphemeralEksClusterAuth.TYPE}.${Object.keys(auth)[0]}.token}`;
    const kubernetes = apps.onlyProvider(KubernetesProvider);
    const helm = apps.onlyProvider(HelmProvider).kubernetes as Block;
    for (const block of [kubernetes, helm]) {
      expect(block).toMatchObject({ host: expect.stringMatching(/^\$\{data\.aws_eks_cluster\./), token });
    }
    expect(attributeNames(apps.json.provider)).not.toContain("exec");
    // The token never lands in state: no data source of that type.
    apps.dataSourceCountIs(DataAwsEksClusterAuth, 0);
  });

  it("the -apps workspace's roles reach the cluster: apply administers, plan reads", () => {
    const { apply, plan } = env.identity.hcpTerraformRoleNames.apps;
    expect(platform.clusterAccessOf(apply)).toEqual([expect.stringMatching(/AmazonEKSClusterAdminPolicy$/)]);
    expect(platform.clusterAccessOf(plan)).toEqual([expect.stringMatching(/AmazonEKSAdminViewPolicy$/)]);
  });
});

describe("dynamic provider credentials (bootstrap stack, HCP Terraform mode)", () => {
  const workspaces = cloud.environments.flatMap((env) =>
    (["platform", "apps"] as const).map((layer) => ({ env, workspace: env.identity.stackNames[layer], roles: env.identity.hcpTerraformRoleNames[layer] })),
  );

  it("trust HCP Terraform's token issuer with its default audience", () => {
    expect(bootstrap.resources(IamOpenidConnectProvider, { url: "https://app.terraform.io" })).toEqual([
      expect.objectContaining({ client_id_list: ["aws.workload.identity"] }),
    ]);
  });

  it.each(workspaces.map((w) => [w.workspace, w] as const))(
    "%s: one plan role and one apply role, each trusting exactly its workspace and run phase",
    (_ws, { env, workspace, roles }) => {
      const bootstrap = bootstrapFor(env);
      for (const [role, phase] of [
        [roles.plan, "plan"],
        [roles.apply, "apply"],
      ] as const) {
        const trust = bootstrap.trustFor(role);
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
        expect(String(bootstrap.role(role).permissions_boundary)).toMatch(/:policy\/mindhit-ci-boundary$/);
      }
    },
  );

  it.each(workspaces.map((w) => [w.workspace, w] as const))(
    "%s: the GitHub roles' permissions (one source), without the S3 state HCP Terraform does not use",
    (_ws, { env, roles }) => {
      const bootstrap = bootstrapFor(env);
      const github = env.identity.ciRoleNames;
      expect(bootstrap.attachedTo(roles.apply)).toEqual(bootstrap.attachedTo(github.deploy));
      expect(bootstrap.policyFor(roles.apply)).toEqual(bootstrap.policyFor(github.deploy));
      expect(bootstrap.attachedTo(roles.plan)).toEqual([expect.stringMatching(/:policy\/ReadOnlyAccess$/)]);
      const plan = bootstrap.policyFor(roles.plan);
      const githubPlan = bootstrap.policyFor(github.plan);
      const withoutState = githubPlan.filter((s) => !["DecryptState", "OnlyStateObjects"].includes(s.sid ?? ""));
      expect(plan.filter((s) => s.sid !== "NoObjectContents")).toEqual(withoutState);
      expect(plan.find((s) => s.sid === "NoObjectContents")).toEqual(
        expect.objectContaining({ effect: "Deny", actions: ["s3:GetObject", "s3:GetObjectVersion"], resources: ["*"] }),
      );
    },
  );

  it("outputs, in each account's bootstrap, the variables to set on each of its workspaces", () => {
    expect(workspaces).toHaveLength(2 * cloud.environments.length);
    expect(cloud.environments.length).toBeGreaterThan(0);
    const value: Record<string, Record<string, string>> = {};
    for (const stack of cloud.bootstraps.values()) Object.assign(value, Template.fromStack(stack).outputs.hcp_terraform_workspace_variables.value);
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
    const named = Template.fromStack(
      bootstrapOf(
        buildProject({
          ...CLOUD_RUN,
          backend: { ...CLOUD_RUN.backend, kind: "cloud", organization: "acme", hostname: "tfe.example.com", project: "Platform Team" },
        }),
        "prod",
      ),
    );
    const trust = named.trustFor("mindhit-ci-production-tfc-apps-apply");
    expect(trust[0].condition).toContainEqual({
      test: "StringEquals",
      variable: "tfe.example.com:sub",
      values: ["organization:acme:project:Platform Team:workspace:mindhit-prod-apps:run_phase:apply"],
    });
  });
});

describe("S3 mode (the default) is unchanged", () => {
  it("creates no HCP Terraform identity provider or roles", () => {
    const s3Bootstrap = Template.fromStack(bootstrapOf(s3, "prod"));
    expect(s3Bootstrap.resources(IamOpenidConnectProvider).map((p) => p.url)).toEqual(["https://token.actions.githubusercontent.com"]);
    s3Bootstrap.resourceCountIs(IamRole, 0, { name: expect.stringContaining("-tfc-") });
    expect(s3Bootstrap.outputs.hcp_terraform_workspace_variables).toBeUndefined();
  });

  it.each(byName)("%s: the in-cluster providers run `aws eks get-token`, as the seed does", (name) => {
    const apps = Template.fromStack(s3.apps.get(name)!);
    expect(apps.onlyProvider(KubernetesProvider).exec).toEqual([
      expect.objectContaining({ command: "aws", args: expect.arrayContaining(["eks", "get-token"]) }),
    ]);
    expect(apps.json.ephemeral).toBeUndefined();
    expect(apps.json.terraform.required_version).toBe(">= 1.5");
  });
});

describe("the token's 15 minutes", () => {
  it("hold the controllers' releases and the app's", () => {
    expect(cloud.environments.length).toBeGreaterThan(0);
    for (const env of cloud.environments) expect(controllerWaitBeforeApp() + env.release.timeoutSeconds).toBeLessThanOrEqual(TOKEN_RELEASE_BUDGET_SECONDS);
  });

  it("refuse a release timeout that would outlive the token, at synth", () => {
    const slow = environments.map((e) => (e.name === "prod" ? { ...e, release: { ...e.release, timeoutSeconds: 900 } } : e));
    expect(() => buildProject(CLOUD_RUN, slow, project)).toThrow(
      'environment "prod": release.timeoutSeconds 900 is not allowed with cluster authentication "token" (at most 600: the EKS token lasts 15 minutes',
    );
    expect(() => buildProject(S3_RUN, slow, project)).not.toThrow();
  });
});

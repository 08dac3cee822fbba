import { IrsaRole, IrsaRoleProps } from "../../../src/modules/shared/irsa-role";
import { onlyResource, policyDocumentFor, resources, synthScopeJson, SynthJson } from "../../helpers/synth";

const base: IrsaRoleProps = {
  roleName: "mindhit-test-lbc",
  oidcProviderArn: "arn:aws:iam::111111111111:oidc-provider/oidc.eks.ap-northeast-2.amazonaws.com/id/ABC",
  oidcIssuerUrl: "https://oidc.eks.ap-northeast-2.amazonaws.com/id/ABC",
  namespace: "kube-system",
  serviceAccount: "aws-load-balancer-controller",
};

const synth = (props: Partial<IrsaRoleProps> = {}): SynthJson =>
  synthScopeJson((scope) => {
    new IrsaRole(scope, "irsa", { ...base, ...props });
  });

describe("IrsaRole", () => {
  it("trusts exactly one service account, for STS tokens only", () => {
    const json = synth();
    const role = onlyResource(json, "aws_iam_role");
    expect(role.name).toBe("mindhit-test-lbc");
    expect(policyDocumentFor(json, role.assume_role_policy).statement).toEqual([
      {
        effect: "Allow",
        actions: ["sts:AssumeRoleWithWebIdentity"],
        principals: [{ type: "Federated", identifiers: [base.oidcProviderArn] }],
        condition: [
          {
            test: "StringEquals",
            variable: '${replace("https://oidc.eks.ap-northeast-2.amazonaws.com/id/ABC", "https://", "")}:sub',
            values: ["system:serviceaccount:kube-system:aws-load-balancer-controller"],
          },
          {
            test: "StringEquals",
            variable: '${replace("https://oidc.eks.ap-northeast-2.amazonaws.com/id/ABC", "https://", "")}:aud',
            values: ["sts.amazonaws.com"],
          },
        ],
      },
    ]);
  });

  it("attaches managed policies and an inline policy document", () => {
    const json = synth({
      managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
      statements: [{ effect: "Allow", actions: ["s3:GetObject"], resources: ["arn:aws:s3:::b/*"] }],
    });
    expect(resources(json, "aws_iam_role_policy_attachment").map((a) => a.policy_arn)).toEqual(["arn:aws:iam::aws:policy/ReadOnlyAccess"]);
    const inline = onlyResource(json, "aws_iam_role_policy");
    expect(policyDocumentFor(json, inline.policy).statement).toEqual([{ effect: "Allow", actions: ["s3:GetObject"], resources: ["arn:aws:s3:::b/*"] }]);
  });

  it.each<[string, Partial<IrsaRoleProps>, RegExp]>([
    ["a bad namespace", { namespace: "Kube_System" }, /irsa: namespace "Kube_System" is not a Kubernetes namespace name/],
    ["a bad service account", { serviceAccount: "" }, /irsa: serviceAccount "" is not a Kubernetes service account name/],
    ["a role name over 64 characters", { roleName: "r".repeat(65) }, /irsa: roleName "r{65}" is not an IAM role name/],
  ])("rejects %s", (_label, props, expected) => {
    expect(() => synth(props)).toThrow(expected);
  });
});

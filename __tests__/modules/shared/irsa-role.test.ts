import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { IrsaRole, IrsaRoleProps } from "../../../src/modules/shared/irsa-role";
import { Template } from "../../helpers/template";

const base: IrsaRoleProps = {
  roleName: "mindhit-test-lbc",
  oidcProviderArn: "arn:aws:iam::111111111111:oidc-provider/oidc.eks.ap-northeast-2.amazonaws.com/id/ABC",
  oidcIssuerUrl: "https://oidc.eks.ap-northeast-2.amazonaws.com/id/ABC",
  namespace: "kube-system",
  serviceAccount: "aws-load-balancer-controller",
};

const synth = (props: Partial<IrsaRoleProps> = {}): Template =>
  Template.fromScope((scope) => {
    new IrsaRole(scope, "irsa", { ...base, ...props });
  });

describe("IrsaRole", () => {
  it("trusts exactly one service account, for STS tokens only", () => {
    const template = synth();
    expect(template.only(IamRole).name).toBe("mindhit-test-lbc");
    expect(template.trustFor("mindhit-test-lbc")).toEqual([
      {
        effect: "Allow",
        actions: ["sts:AssumeRoleWithWebIdentity"],
        principals: [{ type: "Federated", identifiers: [base.oidcProviderArn] }],
        condition: [
          {
            test: "StringEquals",
            variable: '${replace("https://oidc.eks.ap-northeast-2.amazonaws.com/id/ABC", "https://", "")}:aud',
            values: ["sts.amazonaws.com"],
          },
          {
            test: "StringEquals",
            variable: '${replace("https://oidc.eks.ap-northeast-2.amazonaws.com/id/ABC", "https://", "")}:sub',
            values: ["system:serviceaccount:kube-system:aws-load-balancer-controller"],
          },
        ],
      },
    ]);
  });

  it("attaches managed policies and an inline policy document", () => {
    const template = synth({
      managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
      statements: [{ effect: "Allow", actions: ["s3:GetObject"], resources: ["arn:aws:s3:::b/*"] }],
    });
    expect(template.resources(IamRolePolicyAttachment).map((a) => a.policy_arn)).toEqual(["arn:aws:iam::aws:policy/ReadOnlyAccess"]);
    const inline = template.only(IamRolePolicy);
    expect(template.statementsOf(inline.policy)).toEqual([{ effect: "Allow", actions: ["s3:GetObject"], resources: ["arn:aws:s3:::b/*"] }]);
  });

  it.each<[string, Partial<IrsaRoleProps>, RegExp]>([
    ["a bad namespace", { namespace: "Kube_System" }, /irsa: namespace "Kube_System" is not a Kubernetes namespace name/],
    ["a bad service account", { serviceAccount: "" }, /irsa: serviceAccount "" is not a Kubernetes service account name/],
    ["a role name over 64 characters", { roleName: "r".repeat(65) }, /irsa: roleName "r{65}" is not an IAM role name/],
  ])("rejects %s", (_label, props, expected) => {
    expect(() => synth(props)).toThrow(expected);
  });
});

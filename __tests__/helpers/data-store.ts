/**
 * What the data-store module tests (RDS, ElastiCache) share: the network they are placed in, a
 * synth of the module from base props, and the checks both modules must pass the same way.
 */
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Construct } from "constructs";
import { AwsAccount } from "../../src/modules/shared/aws-account";
import { Block } from "./synth";
import { referenceTo, Template, TerraformClass } from "./template";

/** Private subnets in a VPC, and the app's security group, as the data-store module tests place them. */
export const TEST_NETWORK = {
  vpcId: "vpc-0123456789abcdef0",
  subnetIds: ["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"],
  appSecurityGroupId: "sg-0123456789abcdef0",
} as const;

/** A second security group, for "admits every allowed group" cases. */
export const OTHER_SECURITY_GROUP = "sg-0fedcba9876543210";

/** What every data-store module takes: its network, the groups it admits, and the account. */
interface DataStoreProps {
  readonly vpcId: string;
  readonly subnetIds: readonly string[];
  readonly allowedSecurityGroupIds: readonly string[];
  readonly account: AwsAccount;
}

/** A Terraform attribute of the module's main resource, or a resource class and its attribute. */
type Reference = string | readonly [TerraformClass, string];

/** A data-store module under test, from `create` and the props of its own that have no default. */
export interface DataStoreModule<P extends DataStoreProps, M> {
  /** The props every synth starts from: `own`, placed in TEST_NETWORK, admitting the app's security group. */
  readonly base: Omit<P, "account">;
  /** The module synthesized in a fresh stack with an account, from `base` and the test's overrides. */
  readonly synth: (overrides?: Partial<Omit<P, "account">>) => Template;
  /**
   * Asserts that each of the module's attributes named synthesizes (as an output) to a reference to
   * an attribute of a resource: of `main` where a Terraform attribute name is given, of the class
   * given with it otherwise (`expectAttributes(DbInstance, { port: "port", securityGroupId: [SecurityGroup, "id"] })`).
   */
  readonly expectAttributes: (main: TerraformClass, expected: { readonly [A in keyof M as M[A] extends string | number ? A : never]?: Reference }) => void;
}

export function dataStoreModule<P extends DataStoreProps, M>(
  create: (scope: Construct, props: P) => M,
  own: Omit<P, keyof DataStoreProps>,
): DataStoreModule<P, M> {
  const base = {
    ...own,
    vpcId: TEST_NETWORK.vpcId,
    subnetIds: [...TEST_NETWORK.subnetIds],
    allowedSecurityGroupIds: [TEST_NETWORK.appSecurityGroupId],
  } as unknown as Omit<P, "account">;
  const build = (scope: Construct, overrides: Partial<Omit<P, "account">> = {}): M =>
    create(scope, { ...base, ...overrides, account: new AwsAccount(scope, "account") } as P);
  return {
    base,
    synth: (overrides) => Template.fromScope((scope) => build(scope, overrides)),
    expectAttributes: (main, expected) => {
      const attributes = Object.entries(expected) as Array<[string, Reference]>;
      expect(attributes.length).toBeGreaterThan(0);
      const outputs = Template.withOutputs((scope) => {
        const module = build(scope) as Record<string, unknown>;
        return Object.fromEntries(attributes.map(([name]) => [name, module[name]]));
      });
      const reference = (to: Reference): unknown => (typeof to === "string" ? referenceTo(main, to) : referenceTo(...to));
      expect(outputs.outputValues()).toEqual(Object.fromEntries(attributes.map(([name, to]) => [name, reference(to)])));
    },
  };
}

/** The module's key, found through its alias `alias/<alias>`: its `${aws_kms_key.<id>.arn}` reference and its block. */
export function keyBehindAlias(template: Template, alias: string): { arn: string; key: Block } {
  const target = String(template.only(KmsAlias, { name: `alias/${alias}` }).target_key_id);
  const id = new RegExp(`^\\$\\{${KmsKey.tfResourceType}\\.([^.]+)\\.key_id\\}$`).exec(target)?.[1];
  if (id === undefined) throw new Error(`alias/${alias} targets ${target}, not a key of this stack`);
  return { arn: `\${${KmsKey.tfResourceType}.${id}.arn}`, key: template.resourcesById(KmsKey)[id] };
}

/**
 * The module's own security group, named `name` in the test VPC, has no inline rules; separate
 * ingress rules admit exactly the `allowed` groups (in order), over TCP on `port` only and from no
 * CIDR; and there is no egress rule.
 */
export function expectAdmitsOnly(template: Template, expected: { name: string; port: number; allowed: readonly string[] }): void {
  expect(expected.allowed.length).toBeGreaterThan(0);
  const group = template.only(SecurityGroup);
  expect(group).toMatchObject({ name: expected.name, vpc_id: TEST_NETWORK.vpcId });
  expect(group).not.toHaveProperty("ingress");
  expect(group).not.toHaveProperty("egress");
  const rules = template.resources(VpcSecurityGroupIngressRule);
  expect(rules.map((r) => r.referenced_security_group_id)).toEqual(expected.allowed);
  expect(rules).toMatchObject(
    expected.allowed.map(() => ({
      ip_protocol: "tcp",
      from_port: expected.port,
      to_port: expected.port,
      security_group_id: referenceTo(SecurityGroup, "id"),
    })),
  );
  for (const rule of rules) {
    expect(rule).not.toHaveProperty("cidr_ipv4");
    expect(rule).not.toHaveProperty("cidr_ipv6");
  }
  template.resourceCountIs(VpcSecurityGroupEgressRule, 0);
}

/**
 * A synthesized stack for assertions keyed by provider class (as cdktf's matchers are), in the
 * manner of aws-cdk-lib's `assertions.Template`: count, find and read resources without spelling
 * Terraform type strings, and read a role's effective policy in one call.
 */
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { EksAccessEntry } from "@cdktf/provider-aws/lib/eks-access-entry";
import { EksAccessPolicyAssociation } from "@cdktf/provider-aws/lib/eks-access-policy-association";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { Construct } from "constructs";
import { TerraformOutput, TerraformStack, Testing } from "../../src/cdktf";
import { Statement } from "./iam";
import { Block, SynthJson, synthText } from "./synth";

/** A generated provider class: resources, data sources and providers all carry their Terraform type. */
export interface TerraformClass {
  readonly tfResourceType: string;
}

/** Properties to match, partially and recursively (`expect.objectContaining`), asymmetric matchers allowed. */
export type Properties = Record<string, unknown>;

export class Template {
  /** The synth of a stack (cached per stack object). */
  static fromStack(stack: TerraformStack): Template {
    return new Template(synthText(stack));
  }

  /** The synth of a scope built by `build`, for constructs tested outside a real stack. */
  static fromScope(build: (scope: Construct) => void): Template {
    return new Template(Testing.synthScope(build));
  }

  /**
   * The synth of a scope built by `build`, with one output per entry of the record it returns:
   * how a module's exposed attributes (`endpoint`, `arn` …) are read as the references they synthesize to.
   */
  static withOutputs(build: (scope: Construct) => Record<string, unknown>): Template {
    return Template.fromScope((scope) => {
      for (const [name, value] of Object.entries(build(scope))) new TerraformOutput(scope, name, { value });
    });
  }

  /** The parsed document, for what has no class (backend, cloud block, ephemeral blocks). */
  readonly json: SynthJson;

  constructor(
    /** The synthesized JSON text: what cdktf's matchers take (`expect(t.text).toHaveResource…`). */
    readonly text: string,
  ) {
    this.json = JSON.parse(text) as SynthJson;
  }

  /** Every resource of the class, optionally only those whose properties match. */
  resources(type: TerraformClass, properties?: Properties): Block[] {
    return matching(Object.values(this.resourcesById(type)), properties);
  }

  /** Every resource of the class by its Terraform id (the name after the type in `${type.id.attr}`). */
  resourcesById(type: TerraformClass): Record<string, Block> {
    return this.json.resource?.[type.tfResourceType] ?? {};
  }

  /** Every data source of the class, optionally only those whose properties match. */
  dataSources(type: TerraformClass, properties?: Properties): Block[] {
    return matching(Object.values(this.dataSourcesById(type)), properties);
  }

  /** Every data source of the class by its Terraform id (the name in `${data.type.id.attr}`). */
  dataSourcesById(type: TerraformClass): Record<string, Block> {
    return this.json.data?.[type.tfResourceType] ?? {};
  }

  /** The one resource of the class (that matches); fails the test if there is not exactly one. */
  only(type: TerraformClass, properties?: Properties): Block {
    return exactlyOne(this.resources(type, properties), type, properties);
  }

  /**
   * Asserts the stack has resources of the class and that every one of them has the properties
   * (partially, as `toMatchObject` reads them); returns them.
   */
  everyResource(type: TerraformClass, properties: Properties): Block[] {
    const found = this.resources(type);
    expect({ [type.tfResourceType]: found.length }).not.toEqual({ [type.tfResourceType]: 0 });
    expect(found).toMatchObject(found.map(() => properties));
    return found;
  }

  /** Asserts how many resources of the class (that match) the stack has. */
  resourceCountIs(type: TerraformClass, count: number, properties?: Properties): void {
    expect({ [type.tfResourceType]: this.resources(type, properties).length }).toEqual({ [type.tfResourceType]: count });
  }

  /** Asserts how many data sources of the class (that match) the stack has. */
  dataSourceCountIs(type: TerraformClass, count: number, properties?: Properties): void {
    expect({ [`data.${type.tfResourceType}`]: this.dataSources(type, properties).length }).toEqual({ [`data.${type.tfResourceType}`]: count });
  }

  /** Every configuration of the provider class (one per alias). */
  providers(type: TerraformClass): Block[] {
    return this.json.provider?.[type.tfResourceType] ?? [];
  }

  /** The one configuration of the provider class; fails the test if there is not exactly one. */
  onlyProvider(type: TerraformClass): Block {
    return exactlyOne(this.providers(type), type, undefined);
  }

  /** The outputs by name, each with its `value` (and `sensitive`, `description` when set). */
  get outputs(): Record<string, Block> {
    return this.json.output ?? {};
  }

  /** Each output's value by name. */
  outputValues(): Record<string, unknown> {
    return Object.fromEntries(Object.entries(this.outputs).map(([name, output]) => [name, output.value]));
  }

  /** The policy document block behind a `${data.aws_iam_policy_document.x.json}` reference. */
  policyDocument(reference: unknown): Block {
    const type = DataAwsIamPolicyDocument.tfResourceType;
    const id = new RegExp(`^\\$\\{data\\.${type}\\.([^.]+)\\.json\\}$`).exec(String(reference))?.[1];
    if (id === undefined) throw new Error(`not a policy document reference: ${String(reference)}`);
    const document = this.dataSourcesById(DataAwsIamPolicyDocument)[id] as Block | undefined;
    if (!document) throw new Error(`no ${type}.${id}`);
    return document;
  }

  /** The statements of the policy document behind a reference. */
  statementsOf(reference: unknown): Statement[] {
    return this.policyDocument(reference).statement as Statement[];
  }

  /** The role named `roleName`; fails the test if there is not exactly one. */
  role(roleName: string): Block {
    return this.only(IamRole, { name: roleName });
  }

  /** Every inline statement of the role named `roleName` (its policies reference it by Terraform id). */
  policyFor(roleName: string): Statement[] {
    return this.resources(IamRolePolicy, { role: this.roleReference(roleName) }).flatMap((policy) => this.statementsOf(policy.policy));
  }

  /** The statements of the role's trust policy. */
  trustFor(roleName: string): Statement[] {
    return this.statementsOf(this.role(roleName).assume_role_policy);
  }

  /** ARNs of the managed policies attached to the role. */
  attachedTo(roleName: string): string[] {
    return this.resources(IamRolePolicyAttachment, { role: this.roleReference(roleName) }).map((a) => String(a.policy_arn));
  }

  /**
   * ARNs of the EKS access policies associated with the role named `roleName`, through its access
   * entry (associations reference the entry by Terraform id); fails unless it has exactly one entry.
   */
  clusterAccessOf(roleName: string): string[] {
    const entry = this.idOf(EksAccessEntry, { principal_arn: expect.stringMatching(new RegExp(`:role/${escapeRegExp(roleName)}$`)) });
    const reference = `\${${EksAccessEntry.tfResourceType}.${entry}.principal_arn}`;
    return this.resources(EksAccessPolicyAssociation, { principal_arn: reference }).map((a) => String(a.policy_arn));
  }

  /** The Terraform id of the one resource of the class that matches: for `${type.id.attr}` references. */
  private idOf(type: TerraformClass, properties: Properties): string {
    const matcher = asMatcher(properties);
    const ids = Object.entries(this.resourcesById(type)).filter(([, block]) => matcher.asymmetricMatch(block));
    return exactlyOne(ids, type, properties)[0];
  }

  private roleReference(roleName: string): string {
    return `\${${IamRole.tfResourceType}.${this.idOf(IamRole, { name: roleName })}.name}`;
  }
}

/** Matches a `${<type>.<id>.<attribute>}` reference to an attribute of a resource of the class (any id). */
export function referenceTo(type: TerraformClass, attribute: string): unknown {
  return expect.stringMatching(new RegExp(`^\\$\\{${escapeRegExp(type.tfResourceType)}\\.[^.]+\\.${escapeRegExp(attribute)}\\}$`));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

function asMatcher(properties: Properties): { asymmetricMatch(other: unknown): boolean } {
  return expect.objectContaining(properties) as { asymmetricMatch(other: unknown): boolean };
}

function matching(blocks: Block[], properties: Properties | undefined): Block[] {
  if (!properties) return blocks;
  const matcher = asMatcher(properties);
  return blocks.filter((block) => matcher.asymmetricMatch(block));
}

function exactlyOne<T>(found: T[], type: TerraformClass, properties: Properties | undefined): T {
  if (found.length !== 1) {
    const which = properties ? ` matching ${JSON.stringify(properties)}` : "";
    throw new Error(`expected exactly one ${type.tfResourceType}${which}, found ${String(found.length)}`);
  }
  return found[0];
}

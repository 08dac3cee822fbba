/**
 * A synthesized stack for assertions keyed by provider class (as cdktf's matchers are), in the
 * manner of aws-cdk-lib's `assertions.Template`: count, find and read resources without spelling
 * Terraform type strings, and read a role's effective policy in one call.
 */
import { Construct } from "constructs";
import { TerraformStack, Testing } from "../../src/cdktf";
import { attachedPolicies, inlineStatements, Statement, trustStatements } from "./iam";
import { Block, policyDocumentFor, SynthJson, synthText } from "./synth";

/** A generated provider class: resources and data sources both carry their Terraform type. */
export interface TerraformClass {
  readonly tfResourceType: string;
}

/** Properties to match, partially and recursively (`expect.objectContaining`), asymmetric matchers allowed. */
export type Properties = Record<string, unknown>;

export class Template {
  /** The synth of a stack (cached per stack, shared with `synthJson`). */
  static fromStack(stack: TerraformStack): Template {
    return new Template(synthText(stack));
  }

  /** The synth of a scope built by `build`, for constructs tested outside a real stack. */
  static fromScope(build: (scope: Construct) => void): Template {
    return new Template(Testing.synthScope(build));
  }

  /** The parsed document, for what has no class (outputs, backend, providers' raw blocks). */
  readonly json: SynthJson;

  constructor(
    /** The synthesized JSON text: what cdktf's matchers take (`expect(t.text).toHaveResource…`). */
    readonly text: string,
  ) {
    this.json = JSON.parse(text) as SynthJson;
  }

  /** Every resource of the class, optionally only those whose properties match. */
  resources(type: TerraformClass, properties?: Properties): Block[] {
    return matching(Object.values(this.json.resource?.[type.tfResourceType] ?? {}), properties);
  }

  /** Every resource of the class by its Terraform id (the name after the type in `${type.id.attr}`). */
  resourcesById(type: TerraformClass): Record<string, Block> {
    return this.json.resource?.[type.tfResourceType] ?? {};
  }

  /** Every data source of the class, optionally only those whose properties match. */
  dataSources(type: TerraformClass, properties?: Properties): Block[] {
    return matching(Object.values(this.json.data?.[type.tfResourceType] ?? {}), properties);
  }

  /** The one resource of the class (that matches); fails the test if there is not exactly one. */
  only(type: TerraformClass, properties?: Properties): Block {
    const found = this.resources(type, properties);
    if (found.length !== 1) {
      const which = properties ? ` matching ${JSON.stringify(properties)}` : "";
      throw new Error(`expected exactly one ${type.tfResourceType}${which}, found ${String(found.length)}`);
    }
    return found[0];
  }

  /** Asserts how many resources of the class (that match) the stack has. */
  resourceCountIs(type: TerraformClass, count: number, properties?: Properties): void {
    expect({ [type.tfResourceType]: this.resources(type, properties).length }).toEqual({ [type.tfResourceType]: count });
  }

  /** The policy document block behind a `${data.aws_iam_policy_document.x.json}` reference. */
  policyDocument(reference: unknown): Block {
    return policyDocumentFor(this.json, reference);
  }

  /** Every inline statement of the role named `roleName`. */
  policyFor(roleName: string): Statement[] {
    return inlineStatements(this.json, roleName);
  }

  /** The statements of the role's trust policy. */
  trustFor(roleName: string): Statement[] {
    return trustStatements(this.json, roleName);
  }

  /** ARNs of the managed policies attached to the role. */
  attachedTo(roleName: string): string[] {
    return attachedPolicies(this.json, roleName);
  }
}

function matching(blocks: Block[], properties: Properties | undefined): Block[] {
  if (!properties) return blocks;
  const matcher = expect.objectContaining(properties) as { asymmetricMatch(other: unknown): boolean };
  return blocks.filter((block) => matcher.asymmetricMatch(block));
}

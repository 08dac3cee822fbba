/**
 * An `ephemeral` block (Terraform ≥ 1.10), which cdktf 0.21 does not model and the
 * `@cdktf/provider-aws` 21.x bindings do not generate. Its values are opened afresh in every plan
 * and every apply and never written to the plan or to state; they may flow only into provider
 * configuration, other ephemeral blocks and write-only arguments.
 *
 * The JSON synth gets a top-level `ephemeral` block from this element; cdktf's HCL renderer drops
 * blocks it does not know, so src/hcl.ts writes it into the HCL (the HCL ≡ JSON test covers both).
 */
import { Construct } from "constructs";
import { TerraformElement } from "../cdktf";

export abstract class EphemeralResource extends TerraformElement {
  protected constructor(
    scope: Construct,
    id: string,
    private readonly type: string,
    private readonly args: Readonly<Record<string, string | number | boolean>>,
  ) {
    super(scope, id, `ephemeral.${type}`);
  }

  /** A reference to one of the block's attributes. */
  protected attribute(name: string): string {
    return `\${ephemeral.${this.type}.${this.friendlyUniqueId}.${name}}`;
  }

  toTerraform(): Record<string, unknown> {
    return { ephemeral: { [this.type]: { [this.friendlyUniqueId]: this.args } } };
  }

  toHclTerraform(): Record<string, unknown> {
    return this.toTerraform();
  }
}

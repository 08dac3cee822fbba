/**
 * The AWS provider's ephemeral `aws_eks_cluster_auth` (provider ≥ 5.83, Terraform ≥ 1.10), which
 * the `@cdktf/provider-aws` 21.x bindings do not model (cdktf 0.21 knows no ephemeral blocks).
 *
 * Its token is opened afresh in every plan and every apply and is never written to the plan or to
 * state, unlike the `aws_eks_cluster_auth` data source, whose token lands in state and, read at
 * plan time, has expired when an HCP Terraform apply is confirmed more than 15 minutes later.
 *
 * The JSON synth gets a top-level `ephemeral` block from this element; cdktf's HCL renderer drops
 * blocks it does not know, so src/hcl.ts writes it into the HCL (the HCL ≡ JSON test covers both).
 */
import { Construct } from "constructs";
import { TerraformElement } from "../cdktf";

export interface EphemeralEksClusterAuthProps {
  readonly clusterName: string;
}

export class EphemeralEksClusterAuth extends TerraformElement {
  static readonly TYPE = "aws_eks_cluster_auth";
  private readonly clusterName: string;

  constructor(scope: Construct, id: string, props: EphemeralEksClusterAuthProps) {
    super(scope, id, `ephemeral.${EphemeralEksClusterAuth.TYPE}`);
    this.clusterName = props.clusterName;
  }

  /** A bearer token for the cluster's API, valid 15 minutes from when Terraform opens it. */
  get token(): string {
    return `\${ephemeral.${EphemeralEksClusterAuth.TYPE}.${this.friendlyUniqueId}.token}`;
  }

  toTerraform(): Record<string, unknown> {
    return { ephemeral: { [EphemeralEksClusterAuth.TYPE]: { [this.friendlyUniqueId]: { name: this.clusterName } } } };
  }

  toHclTerraform(): Record<string, unknown> {
    return this.toTerraform();
  }
}

/**
 * The AWS provider's ephemeral `aws_eks_cluster_auth` (provider ≥ 5.83, Terraform ≥ 1.10).
 *
 * Its token is opened afresh in every plan and every apply and is never written to the plan or to
 * state, unlike the `aws_eks_cluster_auth` data source, whose token lands in state and, read at
 * plan time, has expired when an HCP Terraform apply is confirmed more than 15 minutes later.
 */
import { Construct } from "constructs";
import { EphemeralResource } from "./ephemeral-resource";

export interface EphemeralEksClusterAuthProps {
  readonly clusterName: string;
}

export class EphemeralEksClusterAuth extends EphemeralResource {
  static readonly TYPE = "aws_eks_cluster_auth";

  constructor(scope: Construct, id: string, props: EphemeralEksClusterAuthProps) {
    super(scope, id, EphemeralEksClusterAuth.TYPE, { name: props.clusterName });
  }

  /** A bearer token for the cluster's API, valid 15 minutes from when Terraform opens it. */
  get token(): string {
    return this.attribute("token");
  }
}

import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { Construct } from "constructs";

/**
 * The account, partition and region a stack deploys into, read once per stack and shared by
 * every construct that needs to build an ARN or a key policy (no hard-coded account ids).
 */
export class AwsAccount extends Construct {
  readonly accountId: string;
  readonly partition: string;
  /** `arn:<partition>:iam::<account>:root`, the principal of "the account itself". */
  readonly rootArn: string;
  /** `<partition DNS suffix>`, e.g. `amazonaws.com`, for service principals. */
  readonly dnsSuffix: string;

  private regionData?: DataAwsRegion;

  /** The provider's region, e.g. `ap-northeast-2`; read only by stacks that use it (tflint: no unused data). */
  get region(): string {
    this.regionData ??= new DataAwsRegion(this, "region");
    return this.regionData.region;
  }

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const identity = new DataAwsCallerIdentity(this, "identity");
    const partition = new DataAwsPartition(this, "partition");
    this.accountId = identity.accountId;
    this.partition = partition.partition;
    this.dnsSuffix = partition.dnsSuffix;
    this.rootArn = `arn:${partition.partition}:iam::${identity.accountId}:root`;
  }
}

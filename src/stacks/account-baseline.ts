import { CloudwatchLogMetricFilter } from "@cdktf/provider-aws/lib/cloudwatch-log-metric-filter";
import { Cloudtrail } from "@cdktf/provider-aws/lib/cloudtrail";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { GuarddutyDetector } from "@cdktf/provider-aws/lib/guardduty-detector";
import { GuarddutyDetectorFeature } from "@cdktf/provider-aws/lib/guardduty-detector-feature";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Construct } from "constructs";
import { TerraformOutput, TerraformStack } from "../cdktf";
import { AccountIdentity, auditNames, BASELINE_STATE_KEY, ProjectSettings, StateBackend } from "../config";
import { AlertTopic } from "../modules/operations/alert-topic";
import { AwsAccount } from "../modules/shared/aws-account";
import { EncryptionKey } from "../modules/shared/encryption-key";
import { EncryptedLogGroup } from "../modules/shared/log-group";
import { addAlarm } from "../modules/shared/alarm";
import { SecureBucket } from "../modules/shared/secure-bucket";
import { configureStateBackend } from "./backend";
import { addAwsProvider } from "./providers";
import { serviceMay, serviceTrustPolicy } from "../modules/shared/policy-statements";

export interface AccountBaselineStackProps {
  readonly project: ProjectSettings;
  readonly backend: StateBackend;
  /** The account it watches. */
  readonly account: Pick<AccountIdentity, "id" | "stateBucket">;
  /** Buckets whose object-level reads and writes are recorded (the state bucket, each environment's backups). */
  readonly auditedBucketPrefixes: readonly string[];
}

/**
 * Detective controls for one account, when no organization-wide baseline provides them
 * (`accountBaseline.provider: "project"`): a multi-region CloudTrail trail with log file
 * validation, a customer key, S3 data events for the state and backups buckets, and delivery to
 * CloudWatch Logs; alarms there on IAM policy, KMS key and trail changes, root use and
 * break-glass assumptions, to a security topic; and GuardDuty with EKS audit-log and runtime
 * monitoring. Applied by a person (CI's roles may not change trails or detectors).
 */
export class AccountBaselineStack extends TerraformStack {
  readonly stateLocation: string;

  constructor(scope: Construct, id: string, props: AccountBaselineStackProps) {
    super(scope, id);
    const { project } = props;
    this.stateLocation = configureStateBackend(this, {
      project,
      backend: props.backend,
      bucket: props.account.stateBucket,
      key: BASELINE_STATE_KEY,
      workspace: id,
    });
    addAwsProvider(this, project, { account: props.account.id, region: project.state.region });
    const account = new AwsAccount(this, "account");
    // The names the CI and workload guardrails protect (src/modules/identity/ci-role.ts).
    const names = auditNames(project);
    const name = names.trail;

    const key = new EncryptionKey(this, "trail-key", {
      alias: name,
      description: `Encrypts ${project.project}'s CloudTrail logs`,
      account,
      servicePrincipals: ["cloudtrail.amazonaws.com"],
      serviceConditions: [
        {
          test: "StringLike",
          variable: "kms:EncryptionContext:aws:cloudtrail:arn",
          values: [`arn:${account.partition}:cloudtrail:*:${account.accountId}:trail/*`],
        },
      ],
    });
    const trailArn = `arn:${account.partition}:cloudtrail:${project.state.region}:${account.accountId}:trail/${name}`;
    const fromTrail = { test: "StringEquals", variable: "aws:SourceArn", values: [trailArn] };
    const bucket = new SecureBucket(this, "trail-bucket", {
      bucketName: `${names.bucketPrefix}${account.accountId}`,
      kmsKeyArn: key.keyArn,
      noncurrentVersionExpirationDays: 365,
      transitions: [{ days: 90, storageClass: "GLACIER" }],
      expirationDays: 2555,
      objectLockDays: 365,
      extraPolicyStatements: (bucketArn) => [
        serviceMay("CloudTrailChecksTheBucket", "cloudtrail.amazonaws.com", ["s3:GetBucketAcl"], [bucketArn], [fromTrail]),
        serviceMay(
          "CloudTrailWritesThisAccountsLogs",
          "cloudtrail.amazonaws.com",
          ["s3:PutObject"],
          [`${bucketArn}/AWSLogs/${account.accountId}/*`],
          [{ test: "StringEquals", variable: "s3:x-amz-acl", values: ["bucket-owner-full-control"] }, fromTrail],
        ),
      ],
    });

    const logs = new EncryptedLogGroup(this, "trail-logs", { name: names.logGroup, keyAlias: `${name}-logs`, account, retentionInDays: 365 });
    const logsTrust = serviceTrustPolicy(this, "trail-logs-trust", "cloudtrail.amazonaws.com");
    const logsRole = new IamRole(this, "trail-logs-role", { name: `${name}-cloudtrail-logs`, assumeRolePolicy: logsTrust.json });
    const logsWrite = new DataAwsIamPolicyDocument(this, "trail-logs-write", {
      statement: [{ effect: "Allow", actions: ["logs:CreateLogStream", "logs:PutLogEvents"], resources: [`${logs.logGroupArn}:log-stream:*`] }],
    });
    new IamRolePolicy(this, "trail-logs-policy", { name: "write-trail-logs", role: logsRole.name, policy: logsWrite.json });

    const trail = new Cloudtrail(this, "trail", {
      name,
      s3BucketName: bucket.bucketName,
      kmsKeyId: key.keyArn,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableLogFileValidation: true,
      cloudWatchLogsGroupArn: `${logs.logGroupArn}:*`,
      cloudWatchLogsRoleArn: logsRole.arn,
      advancedEventSelector: [
        { name: "All management events", fieldSelector: [{ field: "eventCategory", equalTo: ["Management"] }] },
        {
          name: "Object reads and writes of state and backups",
          fieldSelector: [
            { field: "eventCategory", equalTo: ["Data"] },
            { field: "resources.type", equalTo: ["AWS::S3::Object"] },
            { field: "resources.ARN", startsWith: props.auditedBucketPrefixes.map((b) => `arn:${account.partition}:s3:::${b}`) },
          ],
        },
      ],
    });

    const detector = new GuarddutyDetector(this, "guardduty", { enable: true, findingPublishingFrequency: "FIFTEEN_MINUTES" });
    new GuarddutyDetectorFeature(this, "guardduty-eks-audit-logs", { detectorId: detector.id, name: "EKS_AUDIT_LOGS", status: "ENABLED" });
    new GuarddutyDetectorFeature(this, "guardduty-runtime", {
      detectorId: detector.id,
      name: "RUNTIME_MONITORING",
      status: "ENABLED",
      additionalConfiguration: [{ name: "EKS_ADDON_MANAGEMENT", status: "ENABLED" }],
    });
    new GuarddutyDetectorFeature(this, "guardduty-s3", { detectorId: detector.id, name: "S3_DATA_EVENTS", status: "ENABLED" });

    const topic = new AlertTopic(this, "security-alerts", {
      topicName: names.topic,
      account,
      emails: project.accountBaseline.alertEmails,
    });
    for (const filter of SECURITY_FILTERS) {
      new CloudwatchLogMetricFilter(this, `filter-${filter.name}`, {
        name: `${name}-${filter.name}`,
        logGroupName: logs.logGroupName,
        pattern: filter.pattern,
        metricTransformation: { name: filter.name, namespace: `${project.project}/Security`, value: "1", defaultValue: "0" },
      });
      addAlarm(this, name, topic.topicArn, {
        name: filter.name,
        description: filter.description,
        namespace: `${project.project}/Security`,
        metricName: filter.name,
        dimensions: {},
        statistic: "Sum",
        comparison: "GreaterThanOrEqualToThreshold",
        threshold: 1,
        evaluationPeriods: 1,
        treatMissingData: "notBreaching",
      });
    }

    new TerraformOutput(this, "trail_arn", { value: trail.arn });
    new TerraformOutput(this, "security_alert_topic_arn", { value: topic.topicArn });
    new TerraformOutput(this, "guardduty_detector_id", { value: detector.id });
  }
}

/**
 * CloudWatch Logs filters on the trail, each alarming the security topic on one match. The CIS AWS
 * Foundations Benchmark's monitoring controls (as AWS Security Hub checks them, CloudWatch.1-14:
 * the patterns are theirs), plus what the project adds: break-glass use, and any attempt to
 * silence the trail or what watches it (CI and workload roles are denied those calls; this catches
 * a person, or a role outside the guardrails). The network filters also match every deploy that
 * changes the VPC: the deploy notification names the run that did.
 */
export const SECURITY_FILTERS: ReadonlyArray<{ name: string; description: string; pattern: string }> = [
  {
    name: "iam-policy-changes",
    description: "An IAM policy, role trust, boundary, user or access key changed",
    pattern:
      "{ ($.eventSource = iam.amazonaws.com) && (($.eventName = PutRolePolicy) || ($.eventName = DeleteRolePolicy) || ($.eventName = AttachRolePolicy) || ($.eventName = DetachRolePolicy) || ($.eventName = CreatePolicyVersion) || ($.eventName = SetDefaultPolicyVersion) || ($.eventName = PutRolePermissionsBoundary) || ($.eventName = DeleteRolePermissionsBoundary) || ($.eventName = UpdateAssumeRolePolicy) || ($.eventName = CreateUser) || ($.eventName = CreateAccessKey)) }",
  },
  {
    name: "kms-key-changes",
    description: "A KMS key was disabled, scheduled for deletion or given a new policy",
    pattern: "{ ($.eventSource = kms.amazonaws.com) && (($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion) || ($.eventName = PutKeyPolicy)) }",
  },
  {
    name: "audit-changes",
    description: "A trail or GuardDuty detector was changed or stopped",
    pattern:
      "{ ($.eventName = StopLogging) || ($.eventName = DeleteTrail) || ($.eventName = UpdateTrail) || ($.eventName = PutEventSelectors) || ($.eventName = DeleteDetector) || ($.eventName = UpdateDetector) }",
  },
  {
    name: "root-use",
    description: "The account's root user was used",
    pattern: '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }',
  },
  {
    name: "break-glass",
    description: "Someone assumed a break-glass role",
    pattern: '{ ($.eventName = AssumeRole) && ($.requestParameters.roleArn = "*-break-glass") }',
  },
  {
    name: "unauthorized-api-calls",
    description: "API calls refused for authorization (CIS: unauthorized API calls)",
    pattern: '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }',
  },
  {
    name: "console-signin-failures",
    description: "Failed console sign-ins",
    pattern: '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }',
  },
  {
    name: "console-signin-without-mfa",
    description: "A console sign-in without MFA",
    pattern:
      '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
  },
  {
    name: "s3-bucket-policy-changes",
    description: "An S3 bucket's policy, ACL, CORS, lifecycle or replication changed",
    pattern:
      "{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }",
  },
  {
    name: "config-changes",
    description: "AWS Config's recorder or delivery channel changed",
    pattern:
      "{ ($.eventSource = config.amazonaws.com) && (($.eventName = StopConfigurationRecorder) || ($.eventName = DeleteDeliveryChannel) || ($.eventName = PutDeliveryChannel) || ($.eventName = PutConfigurationRecorder)) }",
  },
  {
    name: "security-group-changes",
    description: "A security group changed",
    pattern:
      "{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }",
  },
  {
    name: "nacl-changes",
    description: "A network ACL changed",
    pattern:
      "{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || ($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || ($.eventName = ReplaceNetworkAclEntry) || ($.eventName = ReplaceNetworkAclAssociation) }",
  },
  {
    name: "network-gateway-changes",
    description: "An internet or customer gateway changed",
    pattern:
      "{ ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || ($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) || ($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway) }",
  },
  {
    name: "route-table-changes",
    description: "A route table changed",
    pattern:
      "{ ($.eventSource = ec2.amazonaws.com) && (($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable)) }",
  },
  {
    name: "vpc-changes",
    description: "A VPC or a peering connection changed",
    pattern:
      "{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || ($.eventName = ModifyVpcAttribute) || ($.eventName = AcceptVpcPeeringConnection) || ($.eventName = CreateVpcPeeringConnection) || ($.eventName = DeleteVpcPeeringConnection) || ($.eventName = RejectVpcPeeringConnection) || ($.eventName = AttachClassicLinkVpc) || ($.eventName = DetachClassicLinkVpc) || ($.eventName = DisableVpcClassicLink) || ($.eventName = EnableVpcClassicLink) }",
  },
  {
    name: "organizations-changes",
    description: "AWS Organizations changed (accounts, policies, units)",
    pattern:
      "{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = AcceptHandshake) || ($.eventName = AttachPolicy) || ($.eventName = CreateAccount) || ($.eventName = CreateOrganizationalUnit) || ($.eventName = CreatePolicy) || ($.eventName = DeclineHandshake) || ($.eventName = DeleteOrganization) || ($.eventName = DeleteOrganizationalUnit) || ($.eventName = DeletePolicy) || ($.eventName = DetachPolicy) || ($.eventName = DisablePolicyType) || ($.eventName = EnablePolicyType) || ($.eventName = InviteAccountToOrganization) || ($.eventName = LeaveOrganization) || ($.eventName = MoveAccount) || ($.eventName = RemoveAccountFromOrganization) || ($.eventName = UpdatePolicy) || ($.eventName = UpdateOrganizationalUnit)) }",
  },
  {
    name: "audit-silencing",
    description: "An alarm, metric filter, log group, security topic or GuardDuty filter was deleted, disabled or suppressed",
    pattern:
      "{ ($.eventName = DeleteAlarms) || ($.eventName = DisableAlarmActions) || ($.eventName = DeleteMetricFilter) || ($.eventName = DeleteLogGroup) || ($.eventName = DeleteTopic) || ($.eventName = Unsubscribe) || ($.eventName = CreateFilter) || ($.eventName = UpdateFilter) || ($.eventName = CreateIPSet) || ($.eventName = UpdateIPSet) || ($.eventName = ArchiveFindings) }",
  },
];

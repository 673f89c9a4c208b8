import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { closeToOtherAccounts } from './policies';
import { SecurityBaseline } from '../baseline/security-baseline';
import { acknowledgeFindings } from '../core/acknowledgements';
import { controlTowerFindingId } from '../core/finding-ids';

const ID = 'AccessLogsBucket';

const SSE_S3_ONLY = 'S3 server access logging delivers only to a target bucket encrypted with S3-managed keys (SSE-S3); '
  + 'SSE-KMS on the target stops log delivery';
const NOT_ITS_OWN_TARGET = 'this is the stack\'s server access log target; logging its own writes to itself would add a log object for '
  + 'every log object delivered, and a second target bucket would need a third';

/**
 * The stack's one target of server access logs: every SecureBucket of the stack
 * logs into it under a prefix of its own.
 *
 * Hardened as far as a log target may be: public access blocked, TLS-only, closed
 * to other accounts, ACLs disabled, versioned, Object Lock on, logs expiring with
 * the baseline's log retention, retained on stack deletion. S3-managed encryption
 * and no access logging of its own are required of a log target: those findings
 * are acknowledged here with their reasons.
 */
export function accessLogsBucketOf(baseline: SecurityBaseline, user: IConstruct): s3.Bucket {
  const found = baseline.node.tryFindChild(ID) as s3.Bucket | undefined;
  const bucket = found ?? createAccessLogsBucket(baseline);
  // cdk-nag's S3BucketLoggingEnabled passes a target that a bucket of its own stack logs to: acknowledged only
  // when a bucket of another stack (one given this stack's baseline) is the first to log here.
  if (Stack.of(user) !== Stack.of(bucket) && !found?.node.tryFindChild(CROSS_STACK_MARK)) {
    new Construct(bucket, CROSS_STACK_MARK);
    acknowledgeFindings(bucket, LOGGING_FINDINGS, NOT_ITS_OWN_TARGET);
  }
  return bucket;
}

/** cdk-nag's findings of a bucket that logs nowhere and that no bucket of its stack logs to. */
const LOGGING_FINDINGS = [
  'AwsSolutions-S1',
  'HIPAA.Security-S3BucketLoggingEnabled',
  'NIST.800.53.R5-S3BucketLoggingEnabled',
  'PCI.DSS.321-S3BucketLoggingEnabled',
];
const CROSS_STACK_MARK = 'LoggedToFromAnotherStack';

function createAccessLogsBucket(baseline: SecurityBaseline): s3.Bucket {
  const days = baseline.logRetention.retentionDays;
  const bucket = new s3.Bucket(baseline, ID, {
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    versioned: true,
    objectLockEnabled: true,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    removalPolicy: RemovalPolicy.RETAIN,
    lifecycleRules: [{
      id: 'ExpireAccessLogs',
      expiration: days === logs.RetentionDays.INFINITE ? undefined : Duration.days(days),
      noncurrentVersionExpiration: Duration.days(1),
      abortIncompleteMultipartUploadAfter: Duration.days(1),
    }],
  });
  closeToOtherAccounts(bucket, bucket.bucketArn);
  // Control Tower CT.S3.PR.4 asks for event notifications; EventBridge delivery costs nothing until a rule matches.
  (bucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };

  acknowledgeFindings(bucket, [controlTowerFindingId('CT.S3.PR.2')], NOT_ITS_OWN_TARGET);
  acknowledgeFindings(bucket, [
    'HIPAA.Security-S3DefaultEncryptionKMS',
    'NIST.800.53.R5-S3DefaultEncryptionKMS',
    'PCI.DSS.321-S3DefaultEncryptionKMS',
    controlTowerFindingId('CT.S3.PR.10'),
  ], SSE_S3_ONLY);
  acknowledgeFindings(bucket, [
    'HIPAA.Security-S3BucketReplicationEnabled',
    'NIST.800.53.R5-S3BucketReplicationEnabled',
    'PCI.DSS.321-S3BucketReplicationEnabled',
  ], 'server access logs are delivered on a best-effort basis and describe requests to the buckets that log here; '
    + 'those buckets carry their own replication choice, and the logs are versioned, Object Lock enabled and retained');
  return bucket;
}

/**
 * Lets S3 deliver the server access logs of the bucket `sourceArn` under
 * `prefix`, and nowhere else: the delivery service is admitted for that bucket
 * and this account only. (ACL-based delivery is impossible: ACLs are disabled.)
 */
export function allowAccessLogs(target: s3.Bucket, prefix: string, sourceArn: string): void {
  target.addToResourcePolicy(new iam.PolicyStatement({
    principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
    actions: ['s3:PutObject'],
    resources: [target.arnForObjects(`${prefix}*`)],
    conditions: { ArnEquals: { 'aws:SourceArn': sourceArn }, StringEquals: { 'aws:SourceAccount': Stack.of(target).account } },
  }));
}

import { Annotations, Aspects, Mixin, Names, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import { recordHardening } from './changes';
import { checkHardeningProps, hardeningBaseline, isLibraryOwned, markMadeByMixin, ownerOf, resourceOf, retain, sameValue } from './data-store-support';
import { StackLookup } from './hardening-pass';
import { HardeningProps } from './hardening-props';
import { keyFollowsAccess } from './key-follows-access';
import { SecurityBaseline } from '../baseline/security-baseline';
import { acknowledgeFindings } from '../core/acknowledgements';
import { controlTowerFindingId } from '../core/finding-ids';
import { checkPropKinds, kinds } from '../core/prop-types';
import { s3EncryptionContext } from '../encryption/key-conditions';
import { accessLogsBucketOf, allowAccessLogs } from '../storage/access-logs-bucket';
import { BUCKET_DEFAULTS, bucketLifecycleRules, bucketLifecycleRulesCfn, tlsOnlyStatements } from '../storage/bucket-defaults';
import { BucketReplication } from '../storage/bucket-options';
import { applyReplication } from '../storage/bucket-replication';
import { closeToOtherAccounts } from '../storage/policies';

const MIXIN = 'BucketHardening';
const HARDENED = Symbol.for('cdk-secure-serverless.BucketHardening.hardened');
/** Set once a replication choice (a destination or a waiver) is applied to the bucket. */
const REPLICATION_CHOSEN = Symbol.for('cdk-secure-serverless.BucketHardening.replicationChosen');
/** Set once the synth-time check for a missing replication choice is registered. */
const REPLICATION_CHECKED = Symbol.for('cdk-secure-serverless.BucketHardening.replicationChecked');

const SSE_S3_ONLY = 'this bucket is a target of server access logs, which S3 delivers only to a bucket encrypted with S3-managed keys (SSE-S3)';

/**
 * Properties of BucketHardening.
 */
export interface BucketHardeningProps extends HardeningProps {
  /**
   * Replication of every bucket this mixin hardens, or a waiver with its reason,
   * as SecureBucket's `replication`. The REGULATED packs ask for replication: a
   * bucket hardened to REGULATED without a choice keeps their replication
   * findings, and a warning on it names this prop.
   *
   * @default - no replication
   */
  readonly replication?: BucketReplication;
}

/**
 * Hardens a plain S3 bucket (`s3.Bucket`, `s3.CfnBucket`) as SecureBucket builds
 * one, in place and without replacing it:
 *
 * - encrypted with the baseline's customer-managed key (SSE-KMS with an S3 Bucket
 *   Key), unless it has a KMS key of its own; identity policies of the stack that
 *   read or write its objects get the exact key use they now need, through S3,
 *   for this bucket. A bucket that receives other buckets' server access logs
 *   keeps S3-managed encryption, which log delivery requires, and the findings
 *   that asks for KMS are acknowledged with that reason;
 * - public access blocked (unless the bucket sets its own block public access
 *   configuration: a public bucket is the user's decision), ACLs disabled
 *   (bucket owner enforced) unless the bucket uses a canned ACL;
 * - a bucket policy denying requests without TLS 1.2 and principals of other
 *   accounts;
 * - versioned, with SecureBucket's lifecycle rules (incomplete uploads aborted
 *   after 7 days, noncurrent versions expired after 90);
 * - server access logs delivered to the stack's one hardened log bucket, under a
 *   prefix of its own; EventBridge notifications on (through the bucket's
 *   notifications custom resource when aws-cdk-lib manages its notifications);
 * - retained on stack deletion and replacement. A bucket with
 *   `autoDeleteObjects` keeps aws-cdk-lib's auto-delete custom resource, which
 *   still empties the bucket when the stack is deleted: removing
 *   `autoDeleteObjects: true` is the user's call, and the record says so;
 * - in the REGULATED profile, the `replication` choice.
 *
 * Object Lock is never turned on: it cannot be turned off again, and objects
 * under retention cannot be deleted. The Control Tower control that asks for it
 * (CT.S3.PR.9) keeps reporting the bucket until the user sets
 * `objectLockEnabled: true` or acknowledges it. The name is never set (that
 * replaces a bucket). The library's own buckets are left alone.
 */
export class BucketHardening extends Mixin {
  private readonly props: BucketHardeningProps;

  constructor(props: BucketHardeningProps = {}) {
    super();
    checkHardeningProps(MIXIN, props);
    checkPropKinds(MIXIN, props, {
      replication: kinds.instance(BucketReplication, 'BucketReplication.toBucket(destination) or BucketReplication.waiver(reason)'),
    });
    this.props = props;
  }

  /** True for a plain bucket of this app, L2 or L1; false for imported buckets and the library's own. */
  public supports(construct: IConstruct): boolean {
    return (construct instanceof s3.Bucket || construct instanceof s3.CfnBucket) && !isLibraryOwned(construct);
  }

  /** Hardens one bucket; the same whether given the L2 or its default child. */
  public applyTo(construct: IConstruct): void {
    if (!this.supports(construct)) return;
    const bucket = resourceOf(construct, s3.CfnBucket);
    if (bucket) hardenBucket(bucket, hardeningBaseline(construct, MIXIN, this.props), this.props.replication);
  }
}

function hardenBucket(bucket: s3.CfnBucket, baseline: SecurityBaseline, replication: BucketReplication | undefined): void {
  const stack = Stack.of(bucket);
  const owner = ownerOf(bucket, s3.Bucket);
  // What adds to a policy, a rule list or a role is done once; the rest checks the property it sets.
  const first = !(bucket as any)[HARDENED];
  Object.defineProperty(bucket, HARDENED, { value: true });
  encrypt(bucket, baseline, first);

  if (bucket.publicAccessBlockConfiguration === undefined) {
    bucket.publicAccessBlockConfiguration = { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true };
    recordHardening(bucket, MIXIN, 'public access blocked');
  }
  deliverLogsByPolicy(bucket, owner);
  const acl = stack.resolve(bucket.accessControl);
  if (stack.resolve(bucket.ownershipControls) === undefined && (acl === undefined || acl === 'Private')) {
    bucket.ownershipControls = { rules: [{ objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED }] };
    recordHardening(bucket, MIXIN, 'ACLs disabled (object ownership bucket owner enforced)');
  }
  if (first) addPolicy(bucket, owner);
  if ((stack.resolve(bucket.versioningConfiguration) as any)?.status !== 'Enabled') {
    bucket.versioningConfiguration = { status: 'Enabled' };
    recordHardening(bucket, MIXIN, 'versioning turned on');
  }
  if (first) addLifecycleRules(bucket, owner);
  if (bucket.loggingConfiguration === undefined) {
    const logs = accessLogsBucketOf(baseline, bucket);
    const prefix = `${Names.uniqueId(owner ?? bucket)}/`;
    bucket.loggingConfiguration = { destinationBucketName: logs.bucketName, logFilePrefix: prefix };
    allowAccessLogs(logs, prefix, bucket.attrArn);
    recordHardening(bucket, MIXIN, `server access logs delivered to ${logs.node.path} under ${prefix}`);
  }
  if (first) enableEventBridge(bucket, owner);

  if ((owner ?? bucket).node.tryFindChild('AutoDeleteObjectsCustomResource') !== undefined) {
    // aws-cdk-lib refuses auto-delete on a retained bucket: the user chose to lose the objects with the stack.
    Annotations.of(bucket).addWarningV2('cdk-secure-serverless:bucketAutoDeletes',
      'the bucket is deleted, objects and all, with its stack (autoDeleteObjects): remove autoDeleteObjects: true and '
      + 'removalPolicy: RemovalPolicy.DESTROY, and BucketHardening retains it');
  } else {
    retain(bucket, MIXIN);
  }

  if (!baseline.regulated) return;
  if (replication && bucket.replicationConfiguration === undefined && !(REPLICATION_CHOSEN in bucket)) {
    Object.defineProperty(bucket, REPLICATION_CHOSEN, { value: true });
    applyReplication(owner ?? bucket, bucket, bucket.attrArn, baseline.key, replication);
    recordHardening(bucket, MIXIN, replication.waiverReason !== undefined
      ? `replication waived: ${replication.waiverReason}` : 'replicated to the destination of the replication prop');
  } else if (!replication && !(REPLICATION_CHECKED in bucket)) {
    Object.defineProperty(bucket, REPLICATION_CHECKED, { value: true });
    // Judged at synth, so that a per-bucket choice applied after ServerlessHardening still counts.
    Aspects.of(bucket).add({
      visit: (node) => {
        if (node !== bucket || REPLICATION_CHOSEN in bucket || bucket.replicationConfiguration !== undefined) return;
        Annotations.of(bucket).addWarningV2('cdk-secure-serverless:bucketNotReplicated',
          'the bucket does not replicate, which the REGULATED packs ask for: harden it with '
          + 'new BucketHardening({ replication: BucketReplication.toBucket(destination) }), or BucketReplication.waiver(reason)');
      },
    });
  }
}

/** SSE-KMS with a bucket key and the baseline key; SSE-S3 kept on a log target. */
function encrypt(bucket: s3.CfnBucket, baseline: SecurityBaseline, first: boolean): void {
  const stack = Stack.of(bucket);
  const rules = (stack.resolve(bucket.bucketEncryption) as any)?.serverSideEncryptionConfiguration as any[] | undefined;
  const byDefault = rules?.[0]?.serverSideEncryptionByDefault;
  if (logSources(bucket).length > 0) {
    if (!first) return;
    acknowledgeFindings(bucket, [
      'HIPAA.Security-S3DefaultEncryptionKMS', 'NIST.800.53.R5-S3DefaultEncryptionKMS', 'PCI.DSS.321-S3DefaultEncryptionKMS',
      controlTowerFindingId('CT.S3.PR.10'),
    ], SSE_S3_ONLY);
    return;
  }
  const ownKey = byDefault?.sseAlgorithm?.startsWith('aws:kms') && byDefault.kmsMasterKeyId !== undefined;
  if (!ownKey) {
    bucket.bucketEncryption = {
      serverSideEncryptionConfiguration: [{
        serverSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: baseline.key.keyArn },
        bucketKeyEnabled: true,
      }],
    };
    recordHardening(bucket, MIXIN, 'encrypted with the baseline customer-managed key (SSE-KMS with an S3 Bucket Key)');
  }
  if (!ownKey || sameValue(stack, byDefault.kmsMasterKeyId, baseline.key.keyArn)) {
    keyFollowsAccess({ resource: bucket, key: baseline.key, service: 's3', context: s3EncryptionContext(bucket.attrArn) });
  }
}

/** The buckets of the stack that send their server access logs here. */
function logSources(bucket: s3.CfnBucket): s3.CfnBucket[] {
  const stack = Stack.of(bucket);
  const lookup = StackLookup.of(stack);
  const destination = (c: s3.CfnBucket) => (stack.resolve(c.loggingConfiguration) as any)?.destinationBucketName;
  const name = stack.resolve(bucket.bucketName);
  return lookup.inTreeOrder([
    ...lookup.referring(s3.CfnBucket, 'logDestination', destination, bucket.ref, 'equals'),
    ...typeof name === 'string' ? lookup.referring(s3.CfnBucket, 'logDestination', destination, name, 'equals') : [],
  ]).filter(c => c !== bucket);
}

/**
 * A log target written with aws-cdk-lib's `LogDeliveryWrite` ACL gets log
 * delivery through its bucket policy instead, for each source bucket and
 * prefix, as the library's own log bucket does: ACLs can then be disabled.
 */
function deliverLogsByPolicy(bucket: s3.CfnBucket, owner: s3.Bucket | undefined): void {
  const stack = Stack.of(bucket);
  if (stack.resolve(bucket.accessControl) !== 'LogDeliveryWrite' || !owner) return;
  for (const source of logSources(bucket)) {
    const prefix = (stack.resolve(source.loggingConfiguration) as any)?.logFilePrefix;
    allowAccessLogs(owner, typeof prefix === 'string' ? prefix : '', source.attrArn);
  }
  bucket.accessControl = undefined;
  recordHardening(bucket, MIXIN, 'server access logs delivered through the bucket policy instead of the LogDeliveryWrite ACL');
}

/** TLS-only and owner-only statements, through the L2's policy when there is one. */
function addPolicy(bucket: s3.CfnBucket, owner: s3.Bucket | undefined): void {
  const stack = Stack.of(bucket);
  if (owner) {
    const document = owner.policy?.document;
    const text = document ? JSON.stringify(stack.resolve(document.toJSON()) ?? {}) : '';
    const [tls, tlsVersion] = tlsOnlyStatements(owner.bucketArn);
    if (!text.includes('"aws:SecureTransport"')) owner.addToResourcePolicy(tls);
    if (!text.includes('"s3:TlsVersion"')) owner.addToResourcePolicy(tlsVersion);
    if (!text.includes('"aws:PrincipalAccount"')) closeToOtherAccounts(owner, owner.bucketArn);
  } else {
    if (StackLookup.of(stack).referring(s3.CfnBucketPolicy, 'bucket', c => c.bucket, bucket.ref, 'equals').length > 0) return;
    const arn = bucket.attrArn;
    markMadeByMixin(new s3.CfnBucketPolicy(bucket.node.scope!, `${bucket.node.id}Policy`, {
      bucket: bucket.ref,
      policyDocument: new iam.PolicyDocument({
        statements: [...tlsOnlyStatements(arn), new iam.PolicyStatement({
          sid: 'DenyOtherAccounts',
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: ['s3:*'],
          resources: [arn, `${arn}/*`],
          conditions: { StringNotEquals: { 'aws:PrincipalAccount': stack.account }, Bool: { 'aws:PrincipalIsAWSService': 'false' } },
        })],
      }),
    }));
  }
  recordHardening(bucket, MIXIN, 'bucket policy denies requests without TLS 1.2 and principals of other accounts');
}

/** SecureBucket's lifecycle rules, those the bucket has no rule of the same id for. */
function addLifecycleRules(bucket: s3.CfnBucket, owner: s3.Bucket | undefined): void {
  const noncurrent = BUCKET_DEFAULTS.noncurrentVersions;
  if (owner) {
    const existing = (owner as any).lifecycleRules.get() as s3.LifecycleRule[];
    for (const rule of bucketLifecycleRules(noncurrent)) {
      if (!existing.some(r => r.id === rule.id)) owner.addLifecycleRule(rule);
    }
  } else {
    const configuration = Stack.of(bucket).resolve(bucket.lifecycleConfiguration) as s3.CfnBucket.LifecycleConfigurationProperty | undefined;
    const rules = (configuration?.rules ?? []) as s3.CfnBucket.RuleProperty[];
    bucket.lifecycleConfiguration = { rules: [...rules, ...bucketLifecycleRulesCfn(noncurrent).filter(rule => !rules.some(r => r.id === rule.id))] };
  }
  recordHardening(bucket, MIXIN, `lifecycle: incomplete uploads aborted after ${BUCKET_DEFAULTS.abortIncompleteUploadsAfter.toHumanString()}, `
    + `noncurrent versions expired after ${noncurrent.expiration!.toHumanString()}`);
}

/**
 * EventBridge notifications, which Control Tower asks for. When aws-cdk-lib
 * manages the bucket's notifications with its custom resource, the bucket's own
 * configuration is left to it (the two would overwrite each other) and the
 * custom resource turns EventBridge on.
 */
function enableEventBridge(bucket: s3.CfnBucket, owner: s3.Bucket | undefined): void {
  const notifications = owner?.node.tryFindChild('Notifications');
  if (owner && notifications) {
    owner.enableEventBridgeNotification();
    acknowledgeNotificationsHelper(bucket, notifications);
  } else {
    const configuration = Stack.of(bucket).resolve(bucket.notificationConfiguration) as s3.CfnBucket.NotificationConfigurationProperty | undefined;
    if (configuration?.eventBridgeConfiguration) return;
    bucket.notificationConfiguration = { ...configuration, eventBridgeConfiguration: { eventBridgeEnabled: true } };
  }
  recordHardening(bucket, MIXIN, 'EventBridge notifications turned on');
}

/** The construct id of aws-cdk-lib's one bucket-notifications handler per stack. */
const NOTIFICATIONS_HANDLER = 'BucketNotificationsHandler050a0587b7544547bf325f094a3db834';
const NOTIFICATIONS_HELPER = 'aws-cdk-lib\'s bucket-notifications handler, a deploy-time helper that only writes the bucket\'s notification '
  + 'configuration when the stack deploys; it is kept because the bucket cannot be named without being replaced, and an unnamed bucket '
  + 'that writes its own notification configuration forms a dependency cycle with the queue policies it notifies through';

/**
 * aws-cdk-lib writes the notifications of an unnamed bucket through a helper
 * function, whose findings are acknowledged exactly, with the reason, on the
 * helper and the bucket's notifications.
 */
function acknowledgeNotificationsHelper(bucket: s3.CfnBucket, notifications: IConstruct): void {
  acknowledgeFindings(bucket, [controlTowerFindingId('CT.S3.PR.4')],
    'the bucket\'s notifications, EventBridge included, are written by aws-cdk-lib\'s notifications custom resource, which the guard rule cannot read');
  acknowledgeFindings(notifications, ['HIPAA.Security-IAMNoInlinePolicy', 'NIST.800.53.R5-IAMNoInlinePolicy', 'PCI.DSS.321-IAMNoInlinePolicy'],
    NOTIFICATIONS_HELPER);
  const handler = Stack.of(bucket).node.tryFindChild(NOTIFICATIONS_HANDLER);
  if (!handler) return;
  acknowledgeFindings(handler, [
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    controlTowerFindingId('CT.LAMBDA.PR.3'),
    'ServerlessSecurity-LambdaLogGroup[LogGroup::missing]',
  ], NOTIFICATIONS_HELPER);
}

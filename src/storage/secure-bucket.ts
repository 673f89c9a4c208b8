import { Names, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, IConstruct } from 'constructs';
import { accessLogsBucketOf, allowAccessLogs } from './access-logs-bucket';
import { BUCKET_DEFAULTS, bucketLifecycleRules } from './bucket-defaults';
import { SecureBucketGrants } from './bucket-grants';
import { BucketReplication, NoncurrentVersions } from './bucket-options';
import { applyReplication } from './bucket-replication';
import { refuseCloudFrontLogging } from './cloudfront-logging';
import { closeToOtherAccounts } from './policies';
import { SecurityBaseline } from '../baseline/security-baseline';
import { grantAcknowledged } from '../core/acknowledgements';
import { describeValue, invalidProp } from '../core/errors';
import { checkPropKinds, interfaces, kinds } from '../core/prop-types';
import { s3EncryptionContext, viaService } from '../encryption/key-conditions';
import { SecureFunction } from '../function/secure-function';
import { renderText } from '../guardrails/cfn-values';

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** Brackets are left out too: the object ARN is part of the IAM5 finding id the library acknowledges, which cannot hold them. */
const KEY_PREFIX = /^[^*?[\]{}()<>]{1,1000}$/;

/**
 * Properties of a SecureBucket.
 */
export interface SecureBucketProps {
  /**
   * The bucket's name: 3 to 63 lowercase letters, digits, "." and "-".
   *
   * @default - a name derived from the construct path, the account and the region
   * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
   */
  readonly bucketName?: string;

  /**
   * The key encrypting objects (SSE-KMS with an S3 Bucket Key).
   *
   * @default - the baseline's shared key
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * How long versions replaced by a newer version or hidden by a delete marker
   * are kept.
   *
   * @default NoncurrentVersions.NINETY_DAYS
   */
  readonly noncurrentVersions?: NoncurrentVersions;

  /**
   * The default Object Lock retention applied to every new object version. Object
   * Lock is always enabled (Control Tower CT.S3.PR.9); without a default
   * retention, a retention or legal hold is set per object.
   *
   * @default - no default retention
   * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html
   */
  readonly objectLockRetention?: s3.ObjectLockRetention;

  /**
   * Replication of new object versions to a second bucket, or a waiver with its
   * reason. Required in the REGULATED profile, whose packs ask for replication.
   *
   * @default - no replication in the STANDARD profile; the REGULATED profile requires a choice
   */
  readonly replication?: BucketReplication;

  /**
   * The baseline providing the key, the log retention and the profile.
   *
   * @default SecurityBaseline.of(this)
   */
  readonly baseline?: SecurityBaseline;
}

/**
 * Options of an event notification of a SecureBucket.
 */
export interface BucketNotificationOptions {
  /**
   * The events that notify.
   *
   * @default [s3.EventType.OBJECT_CREATED]
   */
  readonly events?: s3.EventType[];

  /**
   * Only objects whose key starts with this prefix notify.
   *
   * @default - every key
   */
  readonly prefix?: string;

  /**
   * Only objects whose key ends with this suffix notify, e.g. `.jpg`.
   *
   * @default - every key
   */
  readonly suffix?: string;
}

/**
 * An S3 bucket that is secure by default:
 *
 * - encrypted with the baseline's customer-managed key (SSE-KMS with an S3 Bucket
 *   Key, which cuts KMS requests);
 * - public access blocked, ACLs disabled (bucket owner enforced), TLS 1.2 or
 *   later only, and closed to principals of other accounts;
 * - versioned, with Object Lock enabled, noncurrent versions expiring after 90
 *   days and incomplete multipart uploads aborted after 7 days;
 * - server access logs delivered to the stack's one hardened log bucket;
 * - retained when the stack is deleted;
 * - EventBridge notifications on, and `notifyFunction` / `notifyQueue` (and the
 *   aws-cdk-lib `addEventNotification` with a `LambdaDestination` or
 *   `SqsDestination`) written into the bucket's own notification configuration,
 *   with no helper function;
 * - least-privilege grants (`bucket.objectGrants.readObjects(fn, { prefix })`)
 *   with exact object-level actions and exact key actions, and the aws-cdk-lib
 *   `grant*` methods narrowed the same way.
 *
 * Its name is fixed before deployment (derived from the construct path, the
 * account and the region unless given), and `bucketName` and `bucketArn` are
 * that name and its ARN rather than references to the bucket: a function that
 * the bucket notifies may name the bucket in its environment and policies
 * without a dependency cycle. A resource that must be created after the bucket
 * declares it with `node.addDependency(bucket)`.
 */
export class SecureBucket extends s3.Bucket {
  /** The key encrypting objects. */
  public readonly key: kms.IKey;
  /** The bucket receiving this bucket's server access logs, shared by the stack. */
  public readonly accessLogsBucket: s3.IBucket;
  /** The role S3 replicates with; undefined unless the bucket replicates. */
  public readonly replicationRole?: iam.IRole;

  private readonly lambdaNotifications: s3.CfnBucket.LambdaConfigurationProperty[] = [];
  private readonly queueNotifications: s3.CfnBucket.QueueConfigurationProperty[] = [];
  private secureGrants?: SecureBucketGrants;

  constructor(scope: Construct, id: string, props: SecureBucketProps = {}) {
    const path = scope.node.path ? `${scope.node.path}/${id}` : id;
    validate(path, props);
    const baseline = props.baseline ?? SecurityBaseline.of(scope);
    if (baseline.regulated && props.replication === undefined) {
      invalidProp(path, 'replication', undefined,
        'in the REGULATED profile, BucketReplication.toBucket(destination) or BucketReplication.waiver(reason): HIPAA, NIST 800-53 R5 and PCI DSS ask for replication');
    }
    const key = props.encryptionKey ?? baseline.key;
    const logs = accessLogsBucketOf(baseline, scope);
    const noncurrent = props.noncurrentVersions ?? BUCKET_DEFAULTS.noncurrentVersions;
    super(scope, id, {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: key,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: BUCKET_DEFAULTS.minimumTlsVersion,
      versioned: true,
      objectLockEnabled: true,
      objectLockDefaultRetention: props.objectLockRetention,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: bucketLifecycleRules(noncurrent),
    });
    this.key = key;
    this.accessLogsBucket = logs;

    // A name known before deployment lets notification targets, their permissions
    // and the grantees' policies name the bucket without referring to it, which
    // would form a cycle: the bucket must wait for the permissions it notifies through.
    const stack = Stack.of(this);
    const name = props.bucketName ?? `${Names.uniqueResourceName(this, { maxLength: 30, separator: '-' }).toLowerCase()}-${stack.account}-${stack.region}`;
    const cfn = this.node.defaultChild as s3.CfnBucket;
    cfn.bucketName = name;
    const arn = stack.formatArn({ service: 's3', region: '', account: '', resource: name });
    const logPrefix = `${Names.uniqueId(this)}/`;
    cfn.loggingConfiguration = { destinationBucketName: logs.bucketName, logFilePrefix: logPrefix };
    allowAccessLogs(logs, logPrefix, arn);
    Object.defineProperty(this, 'bucketName', { value: name });
    Object.defineProperty(this, 'bucketArn', { value: arn });
    closeToOtherAccounts(this, arn);

    cfn.notificationConfiguration = {
      // Control Tower CT.S3.PR.4 asks for event notifications; EventBridge delivery costs nothing until a rule matches.
      eventBridgeConfiguration: { eventBridgeEnabled: true },
      lambdaConfigurations: this.lambdaNotifications,
      queueConfigurations: this.queueNotifications,
    };

    if (props.replication) this.replicationRole = applyReplication(this, cfn, arn, key, props.replication);
    refuseCloudFrontLogging(this);
  }

  /**
   * Least-privilege grants on the bucket's objects.
   */
  public get objectGrants(): SecureBucketGrants {
    this.secureGrants ??= new SecureBucketGrants(this);
    return this.secureGrants;
  }

  /**
   * The aws-cdk-lib grants, narrowed like the `grant*` methods of this bucket:
   * exact actions, no ACL or public access grants.
   */
  public get grants(): s3.BucketGrants {
    return Object.assign(s3.BucketGrants.fromBucket(this), {
      read: (grantee: iam.IGrantable, pattern?: any) => this.grantRead(grantee, pattern),
      write: (grantee: iam.IGrantable, pattern?: any, allowed?: string[]) => this.grantWrite(grantee, pattern, allowed),
      put: (grantee: iam.IGrantable, pattern?: any) => this.grantPut(grantee, pattern),
      delete: (grantee: iam.IGrantable, pattern?: any) => this.grantDelete(grantee, pattern),
      readWrite: (grantee: iam.IGrantable, pattern?: any) => this.grantReadWrite(grantee, pattern),
      putAcl: (grantee: iam.IGrantable) => this.grantPutAcl(grantee),
      publicAccess: (prefix?: string) => this.grantPublicAccess(prefix),
      actionsOnObjectKeys: (grantee: iam.IGrantable, pattern?: string, ...actions: string[]) =>
        this.grantObjectActions('grants.actionsOnObjectKeys', grantee, pattern, actions),
      actionsOnBucketAndObjectKeys: (grantee: iam.IGrantable, pattern?: string, ...actions: string[]) =>
        this.grantObjectActions('grants.actionsOnBucketAndObjectKeys', grantee, pattern, actions),
    });
  }

  /**
   * Same as `objectGrants.readObjects`, on the keys matching the pattern:
   * `s3:GetObject`, `s3:ListBucket` and `kms:Decrypt`.
   */
  public grantRead(identity: iam.IGrantable, objectsKeyPattern: any = '*'): iam.Grant {
    return this._grantObjects('grantRead', identity, ['s3:GetObject'], true, ['kms:Decrypt'], prefixOf(this, objectsKeyPattern));
  }

  /**
   * Grants writing and deleting objects matching the pattern (`s3:PutObject`,
   * `s3:AbortMultipartUpload`, `s3:DeleteObject`), or the exact actions given,
   * with `kms:GenerateDataKey` and `kms:Decrypt`.
   */
  public grantWrite(identity: iam.IGrantable, objectsKeyPattern: any = '*', allowedActionPatterns?: string[]): iam.Grant {
    const actions = allowedActionPatterns ?? ['s3:PutObject', 's3:AbortMultipartUpload', 's3:DeleteObject'];
    checkExactActions(this, 'allowedActionPatterns', actions);
    return this._grantObjects('grantWrite', identity, actions, false, ['kms:GenerateDataKey', 'kms:Decrypt'], prefixOf(this, objectsKeyPattern));
  }

  /**
   * Same as `objectGrants.writeObjects`, on the keys matching the pattern.
   */
  public grantPut(identity: iam.IGrantable, objectsKeyPattern: any = '*'): iam.Grant {
    return this.objectGrants.writeObjects(identity, { prefix: prefixOf(this, objectsKeyPattern) });
  }

  /**
   * Same as `objectGrants.deleteObjects`, on the keys matching the pattern.
   */
  public grantDelete(identity: iam.IGrantable, objectsKeyPattern: any = '*'): iam.Grant {
    return this.objectGrants.deleteObjects(identity, { prefix: prefixOf(this, objectsKeyPattern) });
  }

  /**
   * What `grantRead` and `grantWrite` grant.
   */
  public grantReadWrite(identity: iam.IGrantable, objectsKeyPattern: any = '*'): iam.Grant {
    return this.grantRead(identity, objectsKeyPattern).combine(this.grantWrite(identity, objectsKeyPattern));
  }

  /**
   * Refused: ACLs are disabled (object ownership is bucket owner enforced).
   */
  public grantPutAcl(identity: iam.IGrantable, objectsKeyPattern: string = '*'): iam.Grant {
    return invalidProp(this, 'grantPutAcl', `${principalOf(identity)} on ${objectsKeyPattern}`,
      'objectGrants.writeObjects(grantee): ACLs are disabled on a SecureBucket (bucket owner enforced)');
  }

  /**
   * Refused: a SecureBucket blocks public access.
   */
  public grantPublicAccess(keyPrefix?: string, ...allowedActions: string[]): iam.Grant {
    return invalidProp(this, 'grantPublicAccess', `${allowedActions.join(', ') || 's3:GetObject'} on ${keyPrefix ?? '*'}`,
      'grants to identities of this account (objectGrants.readObjects); serve public content through CloudFront with origin access control');
  }

  /**
   * Writes the notification into the bucket's own configuration. Only
   * `LambdaDestination` (of a function of this app) and `SqsDestination` (of a
   * queue of this app) are supported; they are the same as `notifyFunction` and
   * `notifyQueue`.
   */
  public addEventNotification(event: s3.EventType, dest: s3.IBucketNotificationDestination, ...filters: s3.NotificationKeyFilter[]): void {
    if (filters.length > 1) invalidProp(this, 'filters', filters, 'at most one key filter { prefix, suffix }');
    const options: BucketNotificationOptions = { events: [event], prefix: filters[0]?.prefix, suffix: filters[0]?.suffix };
    if (dest instanceof s3n.LambdaDestination) {
      this.notifyFunction((dest as unknown as { fn: lambda.IFunction }).fn, options);
    } else if (dest instanceof s3n.SqsDestination) {
      this.notifyQueue((dest as unknown as { queue: sqs.IQueue }).queue, options);
    } else {
      invalidProp(this, 'destination', dest?.constructor?.name ?? describeValue(dest),
        'an s3n.LambdaDestination or s3n.SqsDestination (or bucket.notifyFunction / bucket.notifyQueue); other targets subscribe to the bucket\'s EventBridge events');
    }
  }

  /**
   * EventBridge notifications are always on: nothing to do.
   */
  public enableEventBridgeNotification(): void {
    return;
  }

  /**
   * Invokes `fn` on the bucket's events. The function's permission names this
   * bucket and account; the bucket is created after it, as S3 checks the
   * destination when the configuration is written.
   *
   * @param fn a function of this app
   * @param options events and key filter
   */
  public notifyFunction(fn: lambda.IFunction, options: BucketNotificationOptions = {}): void {
    if (!(fn instanceof lambda.Function)) {
      invalidProp(this, 'function', principalOf(fn), 'a lambda.Function of this app (e.g. a SecureFunction), whose permissions the bucket can add');
    }
    const filter = this.notificationFilter(options);
    const id = `AllowNotificationsFrom${Names.nodeUniqueId(this.node)}`;
    if (!fn.permissionsNode.tryFindChild(id)) {
      fn.addPermission(id, {
        principal: new iam.ServicePrincipal('s3.amazonaws.com'),
        sourceArn: this.bucketArn,
        sourceAccount: Stack.of(this).account,
      });
    }
    this.node.defaultChild!.node.addDependency(fn.permissionsNode.findChild(id));
    for (const event of filter.events) this.lambdaNotifications.push({ event, function: fn.functionArn, filter: filter.filter });
  }

  /**
   * Sends the bucket's events to `queue`. The queue's policy admits S3 for this
   * bucket and account only, and the queue's key policy lets S3 encrypt the
   * messages for this account.
   *
   * @param queue a queue of this app (e.g. a SecureQueue)
   * @param options events and key filter
   */
  public notifyQueue(queue: sqs.IQueue, options: BucketNotificationOptions = {}): void {
    if (!(queue instanceof sqs.Queue)) {
      invalidProp(this, 'queue', principalOf(queue), 'an sqs.Queue of this app (e.g. a SecureQueue), whose policy the bucket can add to');
    }
    if (queue.fifo) invalidProp(this, 'queue', queue.node.path, 'a standard queue: S3 event notifications cannot be sent to FIFO queues');
    const filter = this.notificationFilter(options);
    const stack = Stack.of(this);
    const queuePolicy = queue.addToResourcePolicy(new iam.PolicyStatement({
      sid: `AllowNotificationsFrom${Names.nodeUniqueId(this.node)}`.slice(0, 100),
      principals: [new iam.ServicePrincipal('s3.amazonaws.com')],
      actions: ['sqs:SendMessage'],
      resources: [queue.queueArn],
      conditions: { ArnEquals: { 'aws:SourceArn': this.bucketArn }, StringEquals: { 'aws:SourceAccount': stack.account } },
    }));
    const key = queue.encryptionMasterKey;
    if (key) {
      const added = key.addToResourcePolicy(new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('s3.amazonaws.com')],
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }), true);
      if (!added.statementAdded) {
        invalidProp(this, 'queue', queue.node.path, 'a queue whose key is a key of this app, so its policy can let S3 encrypt the notifications');
      }
    }
    this.node.defaultChild!.node.addDependency(queuePolicy.policyDependable!);
    for (const event of filter.events) this.queueNotifications.push({ event, queue: queue.queueArn, filter: filter.filter });
  }

  /** @internal */
  public _grantObjects(
    method: string, grantee: iam.IGrantable, objectActions: string[], list: boolean, keyActions: string[], prefixOption?: string,
  ): iam.Grant {
    const prefix = prefixOption ?? '';
    if (typeof prefix !== 'string' || (prefix !== '' && !Token.isUnresolved(prefix) && !KEY_PREFIX.test(prefix))) {
      invalidProp(this, `${method}.prefix`, prefix, 'a key prefix of 1 to 1000 characters without "*" or "?" (nor brackets: [ ] { } ( ) < >), e.g. "uploads/"');
    }
    if (!grantee || typeof (grantee as iam.IGrantable).grantPrincipal !== 'object') {
      invalidProp(this, `${method}.grantee`, grantee, 'an iam.IGrantable (a function, role, user or group)');
    }
    const objects = `${this.bucketArn}/${prefix}*`;
    // Object ARNs end in a wildcard by nature: the grant goes to the grantee's policy of the library's grants, acknowledged there.
    const id = `AwsSolutions-IAM5[Resource::${renderText(Stack.of(this).resolve(objects))}]`;
    let grant = this.checked(method, grantee, grantAcknowledged(grantee, { actions: objectActions, resourceArns: [objects] }, [{
      id, reason: `objects of ${this.node.path} under one key prefix: S3 object ARNs name keys by prefix and wildcard; the actions are exact`,
    }]));
    if (list) {
      grant = grant.combine(iam.Grant.addToPrincipal({
        grantee,
        actions: ['s3:ListBucket'],
        resourceArns: [this.bucketArn],
        conditions: prefix ? { StringLike: { 's3:prefix': [`${prefix}*`] } } : undefined,
      }));
    }
    if (keyActions.length > 0) grant = grant.combine(this.grantKeyUse(grantee, keyActions));
    if (SecureFunction.isSecureFunction(grantee)) grantee.allowGatewayEndpoint('s3');
    return grant;
  }

  private grantObjectActions(method: string, grantee: iam.IGrantable, pattern: string | undefined, actions: string[]): iam.Grant {
    checkExactActions(this, method, actions);
    return this._grantObjects(method, grantee, actions, false, [], prefixOf(this, pattern ?? '*'));
  }

  private grantKeyUse(grantee: iam.IGrantable, actions: string[]): iam.Grant {
    const stack = Stack.of(this);
    return iam.Grant.addToPrincipal({
      grantee,
      actions,
      resourceArns: [this.key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': viaService(stack, 's3') }, ...s3EncryptionContext(this.bucketArn) },
    });
  }

  private checked(method: string, grantee: iam.IGrantable, grant: iam.Grant): iam.Grant {
    if (!grant.success) {
      invalidProp(this, method, principalOf(grantee),
        'a grantee with an identity policy in this account (a role, user, group or function); SecureBucket grants never open the bucket to other accounts or services');
    }
    return grant;
  }

  private notificationFilter(options: BucketNotificationOptions): { events: s3.EventType[]; filter?: s3.CfnBucket.NotificationFilterProperty } {
    if (options === null || typeof options !== 'object') invalidProp(this, 'options', options, 'notification options { events, prefix, suffix }');
    const events = options.events ?? [s3.EventType.OBJECT_CREATED];
    const known = Object.values(s3.EventType) as string[];
    if (!Array.isArray(events) || events.length === 0 || events.some(e => !known.includes(e))) {
      invalidProp(this, 'events', events, 'a non-empty list of s3.EventType values');
    }
    const rules: s3.CfnBucket.FilterRuleProperty[] = [];
    for (const [name, value] of [['prefix', options.prefix], ['suffix', options.suffix]] as const) {
      if (value === undefined) continue;
      if (typeof value !== 'string' || (!Token.isUnresolved(value) && !/^[^*?]{1,1024}$/.test(value))) {
        invalidProp(this, name, value, 'a literal key part of 1 to 1024 characters without "*" or "?"');
      }
      rules.push({ name, value });
    }
    return { events, filter: rules.length > 0 ? { s3Key: { rules } } : undefined };
  }
}

function prefixOf(scope: IConstruct, pattern: unknown): string {
  if (typeof pattern !== 'string' || !pattern.endsWith('*') || /[*?[\]{}()<>]/.test(pattern.slice(0, -1))) {
    invalidProp(scope, 'objectsKeyPattern', pattern, 'a key prefix followed by one "*", e.g. "uploads/*", or "*" for every object (no "?" or brackets)');
  }
  return pattern.slice(0, -1);
}

function checkExactActions(scope: IConstruct, prop: string, actions: unknown): void {
  if (!Array.isArray(actions) || actions.length === 0) invalidProp(scope, prop, actions, 'a non-empty list of exact s3 object actions, e.g. s3:PutObject');
  for (const action of actions) {
    if (typeof action !== 'string' || !/^s3:[A-Za-z]+$/.test(action)) {
      invalidProp(scope, prop, action, 'exact s3 object actions such as s3:PutObject; wildcards grant more than the caller uses');
    }
  }
}

function principalOf(grantee: unknown): string {
  const path = (grantee as Partial<Construct>)?.node?.path;
  return typeof path === 'string' ? path : describeValue(grantee);
}

function validate(path: string, props: SecureBucketProps): void {
  checkPropKinds(path, props, {
    bucketName: kinds.string(63, BUCKET_NAME, '3 to 63 lowercase letters, digits, "." and "-", starting and ending with a letter or digit', 3),
    encryptionKey: interfaces.key,
    noncurrentVersions: kinds.instance(NoncurrentVersions, 'NoncurrentVersions.expireAfter(duration) or NoncurrentVersions.keepAll()'),
    objectLockRetention: kinds.instance(s3.ObjectLockRetention, 's3.ObjectLockRetention.governance(duration) or .compliance(duration)'),
    replication: kinds.instance(BucketReplication, 'BucketReplication.toBucket(destination) or BucketReplication.waiver(reason)'),
    baseline: kinds.instance(SecurityBaseline, 'a SecurityBaseline'),
  });
  props.noncurrentVersions?._validate(path);
}

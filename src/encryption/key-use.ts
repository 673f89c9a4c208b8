import { ArnFormat, AspectPriority, Aspects, CfnResource, Fn, IAspect, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { IConstruct } from 'constructs';
import { ENCRYPTION_CONTEXT, grantKeyThrough } from './key-conditions';
import { constructsUnder, countWork, inWorkStep } from '../core/work-count';

/** The service principal of CloudFront origin access control (OAC). */
const CLOUDFRONT = 'cloudfront.amazonaws.com';

/** The services whose key-policy statements are derived from the app, never taken from grants. */
export const DERIVED_SERVICES = ['sns.amazonaws.com', 'cloudwatch.amazonaws.com', 's3.amazonaws.com', 'events.amazonaws.com', CLOUDFRONT];

/** Whether `service` is CloudWatch Logs of some region, which the scan also derives. */
export function isLogsService(service: string): boolean {
  return /^logs\.[a-z0-9?-]+\.(amazonaws\.com(\.cn)?|\?)$/.test(service);
}

/** A key whose service statements the scan writes. */
export interface KeyPolicyTarget extends kms.IKey {
  /** The service statements aws-cdk-lib integrations asked for, held back for the scan. @internal */
  readonly _deferred: iam.PolicyStatement[];
  /** Adds a statement the scan derived, bypassing the filter on service statements. @internal */
  _admit(statement: iam.PolicyStatement): void;
}

type Via = keyof typeof ENCRYPTION_CONTEXT;

/** A queue or topic encrypted with one of the stack's keys. */
interface Destination {
  readonly key: KeyPolicyTarget;
  readonly via: Via;
  /** The ARN built from a literal name, so a key policy may name it without a reference. */
  readonly literalArn?: string;
  /** The ARN as a reference, for identity policies (which a cycle cannot reach). */
  readonly arn: string;
}

/** One service principal's use of one key through one service. */
interface ServiceUse {
  readonly principal: string;
  readonly via: Via;
  readonly destinations: Destination[];
}

const REGISTERED = Symbol.for('cdk-secure-serverless.KeyUse');

/**
 * Registers, once per stack, the scan that writes what the stack's SecureKeys
 * admit from what the stack wires to them. It runs before validation, as an aspect
 * that acts when it visits the stack itself, in one pass over the stack's resources.
 */
export function deriveKeyPolicies(key: KeyPolicyTarget): void {
  const stack = Stack.of(key);
  const keys: KeyPolicyTarget[] | undefined = (stack as any)[REGISTERED];
  if (keys) {
    keys.push(key);
    return;
  }
  const registered = [key];
  Object.defineProperty(stack, REGISTERED, { value: registered });
  Aspects.of(stack).add(new KeyUseScan(stack, registered), { priority: AspectPriority.MUTATING });
}

class KeyUseScan implements IAspect {
  private done = false;

  constructor(private readonly stack: Stack, private readonly keys: KeyPolicyTarget[]) {}

  public visit(node: IConstruct): void {
    if (node !== this.stack || this.done) return;
    this.done = true;
    inWorkStep('aspect:KeyUse', () => new Scan(this.stack, this.keys).run());
  }
}

/** The resource types whose properties name keys, encrypted destinations or their users. */
const SCANNED_TYPES = new Set([
  'AWS::SQS::Queue', 'AWS::SNS::Topic', 'AWS::Logs::LogGroup', 'AWS::SNS::Subscription', 'AWS::CloudWatch::Alarm',
  'AWS::S3::Bucket', 'Custom::S3BucketNotifications', 'AWS::Events::Rule', 'AWS::Scheduler::Schedule', 'AWS::CloudFront::Distribution',
]);

/** A bucket encrypted with one of the stack's keys, as S3 names its data in the encryption context of its KMS calls. */
interface EncryptedBucket {
  readonly key: KeyPolicyTarget;
  /**
   * The `kms:EncryptionContext:aws:s3:arn` values of its data, built from a
   * literal name: the bucket's ARN with an S3 Bucket Key, else its objects'
   * ARNs. Undefined when the name is known only at deployment.
   */
  readonly contexts?: string[];
}

class Scan {
  private readonly keyByLogicalId = new Map<string, KeyPolicyTarget>();
  private readonly destinations = new Map<string, Destination>();
  private readonly logGroupKeys = new Set<KeyPolicyTarget>();
  private readonly uses = new Map<KeyPolicyTarget, Map<string, ServiceUse>>();
  private readonly roles = new Map<string, CfnResource>();
  private readonly buckets = new Map<string, EncryptedBucket>();
  /** Per key, the encryption contexts of the buckets CloudFront reads through OAC; undefined once one has no literal name. */
  private readonly cloudFrontReads = new Map<KeyPolicyTarget, string[] | undefined>();

  constructor(private readonly stack: Stack, keys: KeyPolicyTarget[]) {
    for (const key of keys) {
      const cfn = key.node.defaultChild as CfnResource;
      this.keyByLogicalId.set(this.stack.resolve(cfn.logicalId), key);
    }
  }

  public run(): void {
    const scanned: Array<{ type: string; props: any }> = [];
    for (const construct of constructsUnder(this.stack)) {
      if (!CfnResource.isCfnResource(construct) || Stack.of(construct) !== this.stack) continue;
      if (construct.cfnResourceType === 'AWS::IAM::Role') this.roles.set(this.stack.resolve(construct.logicalId), construct);
      if (!SCANNED_TYPES.has(construct.cfnResourceType)) continue;
      countWork(construct);
      const { logicalId, props } = this.scanned(construct);
      this.collectEncrypted(construct.cfnResourceType, logicalId, props);
      scanned.push({ type: construct.cfnResourceType, props });
    }
    for (const { type, props } of scanned) this.collectUse(type, props);
    for (const key of this.logGroupKeys) key._admit(logsStatement(this.stack));
    for (const [key, uses] of this.uses) {
      for (const use of uses.values()) key._admit(serviceStatement(this.stack, use));
    }
    for (const [key, contexts] of this.cloudFrontReads) {
      const actions = cloudFrontActions(this.stack, key);
      if (contexts && actions.length > 0) key._admit(cloudFrontStatement(this.stack, actions, contexts));
    }
    for (const key of this.keyByLogicalId.values()) this.settleDeferred(key);
  }

  /**
   * The logical id and the properties the scan reads of a resource. The most
   * common kinds are read from the L1's own properties when no override can
   * change them, which spares rendering a whole alarm for its actions; the
   * others, and any resource with an override of anything but its DependsOn
   * (which a SecureFunction's queue, log group and alarm have), are rendered as
   * the template shows them.
   */
  private scanned(construct: CfnResource): { logicalId: string; props: any } {
    const overrides = Object.keys((construct as any).rawOverrides ?? { unknown: true }).filter(key => key !== 'DependsOn');
    const direct = overrides.length === 0 ? directProperties(construct) : undefined;
    if (direct) return { logicalId: this.stack.resolve(construct.logicalId), props: this.stack.resolve(direct) };
    const rendered = this.stack.resolve((construct as any)._toCloudFormation());
    const [logicalId, resource] = Object.entries<any>(rendered.Resources)[0];
    return { logicalId, props: resource.Properties ?? {} };
  }

  /**
   * A statement an integration asked for is dropped when the scan admits its
   * services from what it found; otherwise (a use the scan cannot see, such as a
   * resource in another stack) it is kept: CloudFront's pinned to this account;
   * the delivering services', for this account's queues or topics
   * (the service its `kms:ViaService` names, else both) through the encryption
   * context, without the conditions that refer to resources (one of them may
   * depend on the key) and without the keys these services do not send on it.
   */
  private settleDeferred(key: KeyPolicyTarget): void {
    const admitted = new Set([...this.uses.get(key)?.values() ?? []].map(use => use.principal));
    if (this.cloudFrontReads.get(key) !== undefined) admitted.add(CLOUDFRONT);
    const logsAdmitted = this.logGroupKeys.has(key);
    for (const statement of key._deferred) {
      const services = servicesOf(this.stack, statement);
      if (services.every(service => admitted.has(service) || (logsAdmitted && isLogsService(service)))) continue;
      if (services.includes(CLOUDFRONT)) {
        // CloudFront sends its source keys to KMS (its guide's key policy conditions on aws:SourceArn): pinned to this account.
        const literal = literalConditions(statement.conditions);
        key._admit(statement.copy({ conditions: { ...literal, StringEquals: { ...literal.StringEquals, 'aws:SourceAccount': this.stack.account } } }));
        continue;
      }
      const conditions = withoutSourceKeys(literalConditions(statement.conditions));
      const vias = viasNamedBy(this.stack, statement);
      for (const via of vias) {
        key._admit(statement.copy({
          sid: statement.sid && vias.length > 1 ? `${statement.sid}${capitalized(via)}` : statement.sid,
          conditions: { ...conditions, ArnLike: { ...conditions.ArnLike, [ENCRYPTION_CONTEXT[via]]: thisAccounts(this.stack, via) } },
        }));
      }
    }
  }

  private collectEncrypted(type: string, logicalId: string, props: any): void {
    if (type === 'AWS::S3::Bucket') {
      this.collectBucket(logicalId, props);
      return;
    }
    if (type === 'AWS::Logs::LogGroup') {
      const key = this.keyOf(props.KmsKeyId);
      if (key) this.logGroupKeys.add(key);
      return;
    }
    const via: Via | undefined = type === 'AWS::SQS::Queue' ? 'sqs' : type === 'AWS::SNS::Topic' ? 'sns' : undefined;
    const key = via ? this.keyOf(props.KmsMasterKeyId) : undefined;
    if (!via || !key) return;
    const name = via === 'sqs' ? props.QueueName : props.TopicName;
    const literalArn = typeof name === 'string' ? this.stack.formatArn({ service: via, resource: name }) : undefined;
    const arn = via === 'sqs' ? Fn.getAtt(logicalId, 'Arn').toString() : Fn.ref(logicalId);
    this.destinations.set(logicalId, { key, via, literalArn, arn });
  }

  private collectUse(type: string, props: any): void {
    switch (type) {
      case 'AWS::SNS::Subscription':
        if (props.Protocol === 'sqs') this.use('sns.amazonaws.com', props.Endpoint);
        this.use('sns.amazonaws.com', props.RedrivePolicy?.deadLetterTargetArn);
        break;
      case 'AWS::CloudWatch::Alarm':
        for (const action of [...list(props.AlarmActions), ...list(props.OKActions), ...list(props.InsufficientDataActions)]) {
          this.use('cloudwatch.amazonaws.com', action);
        }
        break;
      case 'AWS::S3::Bucket':
        for (const c of list(props.NotificationConfiguration?.QueueConfigurations)) this.use('s3.amazonaws.com', c.Queue);
        for (const c of list(props.NotificationConfiguration?.TopicConfigurations)) this.use('s3.amazonaws.com', c.Topic);
        break;
      case 'Custom::S3BucketNotifications':
        for (const c of list(props.NotificationConfiguration?.QueueConfigurations)) this.use('s3.amazonaws.com', c.QueueArn);
        for (const c of list(props.NotificationConfiguration?.TopicConfigurations)) this.use('s3.amazonaws.com', c.TopicArn);
        break;
      case 'AWS::Events::Rule':
        for (const target of list(props.Targets)) {
          this.use('events.amazonaws.com', target.Arn);
          this.use('events.amazonaws.com', target.DeadLetterConfig?.Arn);
        }
        break;
      case 'AWS::Scheduler::Schedule':
        this.grantScheduleRole(props.Target?.RoleArn, props.Target?.DeadLetterConfig?.Arn);
        break;
      case 'AWS::CloudFront::Distribution':
        for (const origin of list(props.DistributionConfig?.Origins)) {
          if (origin.OriginAccessControlId !== undefined) this.cloudFrontReadsFrom(origin.DomainName);
        }
        break;
    }
  }

  /** A bucket encrypted with a key of the stack, and what S3 puts in the encryption context for its data. */
  private collectBucket(logicalId: string, props: any): void {
    const rule = list(props.BucketEncryption?.ServerSideEncryptionConfiguration)[0];
    const key = this.keyOf(rule?.ServerSideEncryptionByDefault?.KMSMasterKeyID);
    if (!key) return;
    const name = props.BucketName;
    const bucketArn = typeof name === 'string' ? this.stack.formatArn({ service: 's3', region: '', account: '', resource: name }) : undefined;
    // With an S3 Bucket Key, S3 names the bucket in the encryption context, else the object.
    const contexts = bucketArn === undefined ? undefined : rule.BucketKeyEnabled === true ? [bucketArn] : [`${bucketArn}/*`];
    this.buckets.set(logicalId, { key, contexts });
  }

  /** CloudFront reads a bucket of the stack through origin access control (the origin's domain names the bucket). */
  private cloudFrontReadsFrom(domainName: unknown): void {
    const bucket = this.buckets.get(referencedId(domainName) ?? '');
    if (!bucket) return;
    const known = this.cloudFrontReads.has(bucket.key) ? this.cloudFrontReads.get(bucket.key) : [];
    this.cloudFrontReads.set(bucket.key, known && bucket.contexts ? [...new Set([...known, ...bucket.contexts])] : undefined);
  }

  private use(principal: string, destinationArn: unknown): void {
    const destination = this.destinationOf(destinationArn);
    if (!destination) return;
    const perKey = this.uses.get(destination.key) ?? new Map<string, ServiceUse>();
    this.uses.set(destination.key, perKey);
    const id = `${principal} ${destination.via}`;
    const use = perKey.get(id) ?? { principal, via: destination.via, destinations: [] };
    perKey.set(id, use);
    if (!use.destinations.includes(destination)) use.destinations.push(destination);
  }

  /**
   * EventBridge Scheduler sends to a dead-letter queue with the schedule's role,
   * which aws-cdk-lib grants `sqs:SendMessage` only: add the key use, through SQS,
   * for that queue.
   */
  private grantScheduleRole(roleArn: unknown, deadLetterArn: unknown): void {
    const destination = this.destinationOf(deadLetterArn);
    const roleId = referencedId(roleArn);
    const role = roleId ? this.roles.get(roleId)?.node.scope : undefined;
    if (!destination || !role || !iam.Role.isRole(role)) return;
    grantKeyThrough(destination.key, role, ['kms:GenerateDataKey', 'kms:Decrypt'], destination.via, destination.arn);
  }

  private keyOf(value: unknown): KeyPolicyTarget | undefined {
    const id = referencedId(value);
    return id ? this.keyByLogicalId.get(id) : undefined;
  }

  private destinationOf(value: unknown): Destination | undefined {
    const id = referencedId(value);
    return id ? this.destinations.get(id) : undefined;
  }
}

/** What the scan reads of an alarm, log group, queue or topic, unresolved, named as in the template. */
function directProperties(construct: CfnResource): Record<string, unknown> | undefined {
  if (construct instanceof cloudwatch.CfnAlarm) {
    return { AlarmActions: construct.alarmActions, OKActions: construct.okActions, InsufficientDataActions: construct.insufficientDataActions };
  }
  if (construct instanceof logs.CfnLogGroup) return { KmsKeyId: construct.kmsKeyId };
  if (construct instanceof sqs.CfnQueue) return { KmsMasterKeyId: construct.kmsMasterKeyId, QueueName: construct.queueName };
  if (construct instanceof sns.CfnTopic) return { KmsMasterKeyId: construct.kmsMasterKeyId, TopicName: construct.topicName };
  return undefined;
}

/**
 * The service principals of a statement, resolved: a service principal name is a
 * token, and a regional one (`logs.<region>.${AWS::URLSuffix}`) stays a `Fn::Join`,
 * which is rendered as text.
 */
export function servicesOf(stack: Stack, statement: iam.PolicyStatement): string[] {
  return statement.principals
    .flatMap(p => [stack.resolve(p.policyFragment.principalJson.Service) ?? []].flat())
    .map(service => typeof service === 'string' ? service : renderJoin(service));
}

function renderJoin(value: any): string {
  const join = value?.['Fn::Join'];
  return Array.isArray(join) && Array.isArray(join[1])
    ? join[1].map((part: unknown) => typeof part === 'string' ? part : '?').join(join[0])
    : JSON.stringify(value);
}

/** Conditions without the source keys and kms:ViaService, which the services admitted here do not send on their key use. */
function withoutSourceKeys(conditions: Record<string, any>): Record<string, any> {
  const kept: Record<string, any> = {};
  for (const [operator, entries] of Object.entries(conditions)) {
    const left = Object.fromEntries(Object.entries(entries as Record<string, unknown>)
      .filter(([key]) => !/^(aws:Source(Account|Arn|OrgID)|kms:ViaService)$/i.test(key)));
    if (Object.keys(left).length > 0) kept[operator] = left;
  }
  return kept;
}

/** The services (SQS, SNS) a statement's `kms:ViaService` names, or both when it names neither. */
function viasNamedBy(stack: Stack, statement: iam.PolicyStatement): Via[] {
  const named = Object.values<Record<string, unknown>>(statement.conditions)
    .flatMap(entries => Object.entries(entries).filter(([key]) => key.toLowerCase() === 'kms:viaservice').map(([, value]) => JSON.stringify(stack.resolve(value))));
  const vias = (['sqs', 'sns'] as Via[]).filter(via => named.some(value => value.includes(`"${via}.`)));
  return vias.length > 0 ? vias : ['sqs', 'sns'];
}

/** The conditions whose values are literals: a token may refer to a resource that depends on the key. */
function literalConditions(conditions: Record<string, any>): Record<string, any> {
  const kept: Record<string, any> = {};
  for (const [operator, entries] of Object.entries(conditions)) {
    const literal = Object.fromEntries(Object.entries(entries as Record<string, unknown>).filter(([, value]) => !Token.isUnresolved(value)
      && !(Array.isArray(value) && value.some(v => Token.isUnresolved(v)))));
    if (Object.keys(literal).length > 0) kept[operator] = literal;
  }
  return kept;
}

/** The logical id a resolved `Ref` or `Fn::GetAtt` names. */
function referencedId(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.Ref === 'string') return v.Ref;
  const att = v['Fn::GetAtt'];
  return Array.isArray(att) && typeof att[0] === 'string' ? att[0] : undefined;
}

function list(value: unknown): any[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** CloudWatch Logs of this region, for this account's log groups only (aws-cdk issue 28304). */
function logsStatement(stack: Stack): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'AllowCloudWatchLogsForThisAccount',
    principals: [new iam.ServicePrincipal(`logs.${stack.region}.${stack.urlSuffix}`)],
    actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
    resources: ['*'],
    conditions: {
      ArnLike: {
        'kms:EncryptionContext:aws:logs:arn': stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
      },
    },
  });
}

/**
 * A service delivering to queues or topics encrypted with the key, for the named
 * destinations when every one has a literal name (a reference would make the key
 * depend on a resource that depends on the key: a cycle), else for this account's
 * queues or topics. SQS and SNS name the destination in the encryption context
 * whoever sends; the guides' key policies for event sources show no other key,
 * and the SNS guide says EventBridge sends no `aws:SourceAccount`,
 * `aws:SourceArn` or `aws:SourceOrgID` on this hop, so no statement conditions
 * on them (EventBridge's Sid says so).
 *
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html#compatibility-with-aws-services
 */
function serviceStatement(stack: Stack, use: ServiceUse): iam.PolicyStatement {
  const literalDestinations = use.destinations.map(d => d.literalArn);
  const destinations = literalDestinations.every(arn => arn !== undefined) ? unique(literalDestinations as string[]) : thisAccounts(stack, use.via);
  const service = use.principal.split('.')[0];
  const sid = `Allow${capitalized(service)}Through${capitalized(use.via)}${service === 'events' ? SOURCE_KEYS_NOT_SENT : ''}`;
  return new iam.PolicyStatement({
    sid,
    principals: [new iam.ServicePrincipal(use.principal)],
    actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
    resources: ['*'],
    conditions: { ArnLike: { [ENCRYPTION_CONTEXT[use.via]]: destinations } },
  });
}

/** The Sid suffix of EventBridge's statements: the SNS guide says these keys do not reach KMS from EventBridge. */
export const SOURCE_KEYS_NOT_SENT = 'NoSourceKeysSentByEventBridge';

/** Every queue or topic of this account and region, as an encryption-context pattern. */
function thisAccounts(stack: Stack, via: Via): string {
  return stack.formatArn({ service: via, resource: '*' });
}

/** The actions aws-cdk-lib's origin access control asked of the key (`kms:Decrypt`, and the write actions for a writing origin). */
function cloudFrontActions(stack: Stack, key: KeyPolicyTarget): string[] {
  const asked = key._deferred.filter(statement => servicesOf(stack, statement).includes(CLOUDFRONT));
  return [...new Set(asked.flatMap(statement => statement.actions))];
}

/**
 * CloudFront reading the stack's buckets through origin access control: for this
 * account's distributions (the distribution's own ARN would make the key depend
 * on the distribution, which depends on the bucket and so on the key), and only
 * for the data of those buckets, which S3 names in the encryption context. The
 * bucket policy aws-cdk-lib writes names the one distribution.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html (SSE-KMS)
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#encryption-context
 */
function cloudFrontStatement(stack: Stack, actions: string[], contexts: string[]): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'AllowCloudFrontThroughS3',
    principals: [new iam.ServicePrincipal(CLOUDFRONT)],
    actions,
    resources: ['*'],
    conditions: {
      ArnLike: {
        'aws:SourceArn': stack.formatArn({ service: 'cloudfront', region: '', resource: 'distribution', resourceName: '*' }),
        [ENCRYPTION_CONTEXT.s3]: unique(contexts),
      },
    },
  });
}

function unique(values: string[]): string | string[] {
  const set = [...new Set(values)];
  return set.length === 1 ? set[0] : set;
}

function capitalized(word: string): string {
  return word === 'cloudwatch' ? 'CloudWatch' : word.length <= 3 ? word.toUpperCase() : word[0].toUpperCase() + word.slice(1);
}

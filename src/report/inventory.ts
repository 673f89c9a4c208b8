import { Token } from 'aws-cdk-lib';
import { compareText, pushTo, ScannedResource, ScannedStack } from './app-scan';
import { ActionMatcher, DATA_STORE_KINDS, DataStoreKind } from './data-access';
import { describeKeyStatements } from './key-statements';
import { renderCondition } from './permissions';
import { referencedIds } from './references';
import { SecurityReportDataStore, SecurityReportKey } from './schema';
import { asArray, CfnValue, isFalse, isObject, isTrue, numberValue, renderText } from '../guardrails/cfn-values';
import { isAllow, literalActions, principalsOf, statementsOf } from '../guardrails/policy-document';
import { ResourceType } from '../guardrails/resource-index';

/** SQS keeps messages four days unless told otherwise. */
const DEFAULT_QUEUE_RETENTION_SECONDS = 345_600;

interface StoreEntry {
  readonly kind: DataStoreKind;
  readonly resource: ScannedResource;
  readonly scan: ScannedStack;
  readonly readers: Set<string>;
  readonly writers: Set<string>;
}

interface KeyEntry {
  readonly resource: ScannedResource;
  readonly usedBy: string[];
}

/**
 * The data stores and keys of the whole app, which the functions' statements
 * are matched against: a statement reaches a store it references in the same
 * template, or every store of the service in the same account when its
 * resource is `*` (or it uses `NotResource`).
 */
export class Inventory {
  private readonly stores = new Map<ScannedResource, StoreEntry>();
  private readonly storesByStack = new Map<ScannedStack, StoreEntry[]>();
  private readonly storesByKind = new Map<DataStoreKind, StoreEntry[]>();
  private readonly keys = new Map<ScannedResource, KeyEntry>();
  private readonly rotations = new Map<ScannedResource, ScannedResource>();
  /** Buckets by their rendered name, per template: statements may name a bucket by an ARN built from its name. */
  private readonly bucketsByName = new Map<ScannedStack, Map<string, StoreEntry>>();

  constructor(scans: readonly ScannedStack[]) {
    for (const scan of scans) {
      const entries: StoreEntry[] = [];
      for (const [type, kind] of DATA_STORE_KINDS) {
        for (const resource of scan.resourcesOf(type)) {
          const entry = { kind, resource, scan, readers: new Set<string>(), writers: new Set<string>() };
          entries.push(entry);
          this.stores.set(resource, entry);
          pushTo(this.storesByKind, kind, entry);
          if (resource.type === 'AWS::S3::Bucket' && resource.properties.BucketName !== undefined) {
            const named = this.bucketsByName.get(scan) ?? new Map<string, StoreEntry>();
            named.set(renderText(resource.properties.BucketName), entry);
            this.bucketsByName.set(scan, named);
          }
        }
      }
      this.storesByStack.set(scan, entries);
      for (const schedule of scan.resourcesOf('AWS::SecretsManager::RotationSchedule')) {
        const secret = scan.referenced(schedule.properties.SecretId);
        if (secret) this.rotations.set(secret, schedule);
      }
      for (const key of scan.resourcesOf(ResourceType.KMS_KEY)) this.keys.set(key, { resource: key, usedBy: [] });
      for (const logGroup of scan.resourcesOf(ResourceType.LOG_GROUP)) this.recordKeyUse(scan, logGroup.properties.KmsKeyId, logGroup.path);
    }
  }

  /** Notes that `user` is encrypted with the key `keyValue` refers to, if it is a key of the template. */
  public recordKeyUse(scan: ScannedStack, keyValue: CfnValue, user: string): void {
    const key = scan.referenced(keyValue, ResourceType.KMS_KEY);
    if (key) this.keys.get(key)?.usedBy.push(user);
  }

  /** Adds `fn` to the readers and writers of every store its Allow statements reach. */
  public recordStatements(scan: ScannedStack, fn: string, statements: readonly CfnValue[]): void {
    for (const statement of statements) {
      if (!isAllow(statement)) continue;
      const negated = statement.NotAction !== undefined;
      const matcher = new ActionMatcher(literalActions(negated ? statement.NotAction : statement.Action), negated);
      const reached = new Set<StoreEntry>();
      let everywhere = statement.NotResource !== undefined;
      for (const resource of asArray(statement.Resource)) {
        if (resource === '*') everywhere = true;
        for (const id of referencedIds(resource)) {
          const target = scan.resource(id);
          const store = target && this.stores.get(target);
          if (store) reached.add(store);
        }
        const bucket = this.bucketNamedIn(scan, resource);
        if (bucket) reached.add(bucket);
      }
      if (everywhere) {
        // Only the kinds the actions touch are visited, so `xray:*` on `*` costs nothing.
        for (const [kind, stores] of this.storesByKind) {
          const access = matcher.accessTo(kind);
          if (!access.read && !access.write) continue;
          for (const store of stores) if (sameAccount(store.scan, scan)) reached.add(store);
        }
      }
      for (const store of reached) {
        const access = matcher.accessTo(store.kind);
        if (access.read) store.readers.add(fn);
        if (access.write) store.writers.add(fn);
      }
    }
  }

  /** The bucket of the template whose name an S3 ARN (`arn:<partition>:s3:::<name>/<key>`) spells out. */
  private bucketNamedIn(scan: ScannedStack, resource: CfnValue): StoreEntry | undefined {
    const named = this.bucketsByName.get(scan);
    if (!named) return undefined;
    const match = /^arn:(?:<[^>]*>|[^:]*):s3:::([^/]+)/.exec(renderText(resource));
    return match ? named.get(match[1]) : undefined;
  }

  /** The data stores of one template, as reported. */
  public dataStoresOf(scan: ScannedStack): SecurityReportDataStore[] {
    return (this.storesByStack.get(scan) ?? []).map((store) => this.describeStore(store));
  }

  /** The keys of one template, as reported. */
  public keysOf(scan: ScannedStack): SecurityReportKey[] {
    const aliases = new Map<string, string[]>();
    for (const alias of scan.resourcesOf('AWS::KMS::Alias')) {
      const key = scan.referenced(alias.properties.TargetKeyId, ResourceType.KMS_KEY);
      if (key) pushTo(aliases, key.logicalId, renderText(alias.properties.AliasName));
    }
    return scan.resourcesOf(ResourceType.KMS_KEY).map((key) => ({
      path: key.path,
      logicalId: key.logicalId,
      rotation: isTrue(key.properties.EnableKeyRotation),
      removalPolicy: key.deletionPolicy,
      aliases: aliases.get(key.logicalId) ?? [],
      allows: statementsOf(key.properties.KeyPolicy).filter(isAllow).map((statement) => ({
        principals: principalsOf(statement),
        actions: asArray(statement.Action).map(renderText),
        ...statement.Condition !== undefined ? { conditions: renderCondition(statement.Condition) } : {},
      })),
      statements: describeKeyStatements(key.properties.KeyPolicy, scan.stack.account),
      usedBy: [...new Set(this.keys.get(key)?.usedBy ?? [])].sort(compareText),
    }));
  }

  private describeStore(store: StoreEntry): SecurityReportDataStore {
    const { resource, scan } = store;
    return {
      kind: store.kind.kind,
      path: resource.path,
      logicalId: resource.logicalId,
      ...this.settingsOf(store.kind.kind, resource, scan),
      removalPolicy: resource.deletionPolicy,
      readers: [...store.readers].sort(compareText),
      writers: [...store.writers].sort(compareText),
    };
  }

  /** The key and the recovery or retention settings of one store; records the key's use. */
  private settingsOf(kind: string, resource: ScannedResource, scan: ScannedStack): StoreSettings {
    const props = resource.properties;
    const key = (value: CfnValue, fallback: string): string => {
      if (value === undefined) return fallback;
      this.recordKeyUse(scan, value, resource.path);
      return scan.nameOf(value);
    };
    switch (kind) {
      case 'table': {
        // A global table keeps the per-region settings in its replicas.
        const replica = resource.type === ResourceType.DYNAMODB_GLOBAL_TABLE ? asArray(props.Replicas).find(isObject) ?? {} : props;
        const sse = isObject(props.SSESpecification) ? props.SSESpecification : {};
        const kmsKey = replica.SSESpecification?.KMSMasterKeyId ?? sse.KMSMasterKeyId;
        return {
          key: key(kmsKey, isTrue(sse.SSEEnabled) ? 'AWS managed key (aws/dynamodb)' : 'AWS owned key'),
          pointInTimeRecovery: isTrue(replica.PointInTimeRecoverySpecification?.PointInTimeRecoveryEnabled),
          deletionProtection: isTrue(replica.DeletionProtectionEnabled ?? props.DeletionProtectionEnabled),
        };
      }
      case 'queue':
        return {
          key: key(props.KmsMasterKeyId, isFalse(props.SqsManagedSseEnabled) ? 'none' : 'SSE-SQS'),
          retentionSeconds: numberValue(props.MessageRetentionPeriod) ?? DEFAULT_QUEUE_RETENTION_SECONDS,
          ...props.RedrivePolicy?.deadLetterTargetArn !== undefined ? { deadLetterQueue: scan.nameOf(props.RedrivePolicy.deadLetterTargetArn) } : {},
        };
      case 'topic':
        return { key: key(props.KmsMasterKeyId, 'none') };
      case 'secret': {
        const rotation = this.rotationOf(resource, scan);
        return { key: key(props.KmsKeyId, 'AWS managed key (aws/secretsmanager)'), ...rotation ? { rotation } : {} };
      }
      default: {
        const byDefault = asArray(props.BucketEncryption?.ServerSideEncryptionConfiguration).find(isObject)?.ServerSideEncryptionByDefault ?? {};
        const algorithm = String(byDefault.SSEAlgorithm ?? 'AES256');
        return {
          key: key(byDefault.KMSMasterKeyID, algorithm.startsWith('aws:kms') ? 'AWS managed key (aws/s3)' : 'SSE-S3'),
          versioning: props.VersioningConfiguration?.Status === 'Enabled',
        };
      }
    }
  }

  private rotationOf(secret: ScannedResource, scan: ScannedStack): string | undefined {
    const schedule = this.rotations.get(secret);
    if (!schedule) return undefined;
    const rules = isObject(schedule.properties.RotationRules) ? schedule.properties.RotationRules : {};
    const days = numberValue(rules.AutomaticallyAfterDays);
    const every = days !== undefined ? `every ${days} days` : rules.ScheduleExpression !== undefined ? renderText(rules.ScheduleExpression) : 'on a schedule';
    const by = schedule.properties.RotationLambdaARN !== undefined ? ` by ${scan.nameOf(schedule.properties.RotationLambdaARN)}`
      : schedule.properties.HostedRotationLambda !== undefined ? ' by a hosted rotation function' : '';
    return every + by;
  }
}

type StoreSettings = Pick<SecurityReportDataStore, 'key'> & Partial<SecurityReportDataStore>;

/** Stacks share an account when both name the same one, or either leaves it to deploy time. */
function sameAccount(a: ScannedStack, b: ScannedStack): boolean {
  const [x, y] = [a.stack.account, b.stack.account];
  return x === y || Token.isUnresolved(x) || Token.isUnresolved(y);
}

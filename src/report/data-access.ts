import { ResourceType } from '../guardrails/resource-index';

/** What a kind of data store is, and which of its service's actions read or change its data. */
export interface DataStoreKind {
  /** The report's name for it: `table`, `queue`, `topic`, `secret`, `bucket`. */
  readonly kind: string;
  /** The IAM service prefix. */
  readonly service: string;
  /** Actions that read the data (items, messages, secret values, objects) or subscribe to it. */
  readonly read: readonly string[];
  /** Actions that add, change or delete data. Metadata actions (`Describe*`, `Tag*`) are in neither list. */
  readonly write: readonly string[];
}

const TABLE: DataStoreKind = {
  kind: 'table',
  service: 'dynamodb',
  read: ['BatchGetItem', 'GetItem', 'Query', 'Scan', 'ConditionCheckItem', 'GetRecords', 'GetShardIterator', 'PartiQLSelect', 'ExportTableToPointInTime'],
  write: ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'PartiQLInsert', 'PartiQLUpdate', 'PartiQLDelete', 'DeleteTable', 'RestoreTableToPointInTime'],
};

/** Data stores by CloudFormation type. */
export const DATA_STORE_KINDS: ReadonlyMap<string, DataStoreKind> = new Map([
  [ResourceType.DYNAMODB_TABLE, TABLE],
  [ResourceType.DYNAMODB_GLOBAL_TABLE, TABLE],
  [ResourceType.SQS_QUEUE, {
    kind: 'queue',
    service: 'sqs',
    // Deleting a received message and changing its visibility are part of consuming it.
    read: ['ReceiveMessage', 'DeleteMessage', 'ChangeMessageVisibility'],
    write: ['SendMessage', 'PurgeQueue', 'DeleteQueue'],
  }],
  ['AWS::SNS::Topic', {
    kind: 'topic',
    service: 'sns',
    read: ['Subscribe'],
    write: ['Publish', 'DeleteTopic'],
  }],
  ['AWS::SecretsManager::Secret', {
    kind: 'secret',
    service: 'secretsmanager',
    read: ['GetSecretValue', 'BatchGetSecretValue'],
    write: ['PutSecretValue', 'UpdateSecret', 'UpdateSecretVersionStage', 'RotateSecret', 'DeleteSecret'],
  }],
  ['AWS::S3::Bucket', {
    kind: 'bucket',
    service: 's3',
    read: ['GetObject', 'GetObjectVersion', 'ListBucket', 'ListBucketVersions'],
    write: ['PutObject', 'DeleteObject', 'DeleteObjectVersion', 'AbortMultipartUpload', 'DeleteBucket'],
  }],
]);

/** Whether a statement's actions read and write the data of one kind of store. */
export interface Access {
  readonly read: boolean;
  readonly write: boolean;
}

const NO_ACCESS: Access = { read: false, write: false };

/**
 * Classifies the actions of one statement for each kind of store, compiling
 * each action pattern once.
 */
export class ActionMatcher {
  private readonly patterns: RegExp[];
  private readonly byService = new Map<string, Access>();

  /**
   * @param actions the action patterns (`dynamodb:Get*`, `*`)
   * @param negated whether they are the statement's `NotAction`
   */
  constructor(actions: readonly string[], private readonly negated: boolean) {
    this.patterns = actions.map(compilePattern);
  }

  /** The access the statement's actions give to a store of `kind`. */
  public accessTo(kind: DataStoreKind): Access {
    let access = this.byService.get(kind.kind);
    if (!access) {
      access = this.patterns.length === 0 && !this.negated
        ? NO_ACCESS
        : { read: kind.read.some((a) => this.covers(`${kind.service}:${a}`)), write: kind.write.some((a) => this.covers(`${kind.service}:${a}`)) };
      this.byService.set(kind.kind, access);
    }
    return access;
  }

  private covers(action: string): boolean {
    const matched = this.patterns.some((pattern) => pattern.test(action));
    return this.negated ? !matched : matched;
  }
}

/** An IAM action pattern as a regular expression: `*` and `?` are wildcards, case does not matter. */
function compilePattern(pattern: string): RegExp {
  const body = pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${body}$`, 'i');
}

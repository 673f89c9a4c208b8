import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { SecureTable } from './secure-table';

/**
 * Options of a grant on the items of a SecureTable.
 */
export interface ItemGrantOptions {
  /**
   * Allow access only to items whose partition key is one of these values
   * (`dynamodb:LeadingKeys`), for tenant isolation. Values may be policy
   * variables, such as `${aws:PrincipalTag/tenant}`. Only for a table whose
   * partition key is a STRING. Queries on a global secondary index are checked
   * against the index's partition key.
   *
   * @default - every item
   * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html
   */
  readonly leadingKeys?: string[];
}

/**
 * Options of a grant that reads the items of a SecureTable.
 */
export interface ReadItemGrantOptions extends ItemGrantOptions {
  /**
   * Also allow `Scan`, which reads every item of the table or index. Not
   * allowed together with `leadingKeys`: a scan carries no partition key to
   * check, so it would read other tenants' items.
   *
   * @default false
   */
  readonly allowScan?: boolean;
}

/**
 * Least-privilege grants on a SecureTable, returned by `table.grants`.
 *
 * Every grant lists item-level actions only (never table administration, and
 * `Scan` only when asked for), on the table's ARN and, for queries, on the
 * ARN of each of its indexes (only when it has some, and each by name). The key
 * actions the operation needs are included by name (`kms:Decrypt`, plus
 * `kms:GenerateDataKey` for writes), used only through DynamoDB
 * (`kms:ViaService`). A SecureFunction grantee also gets the DynamoDB gateway
 * endpoint in its network.
 *
 * The aws-cdk-lib methods (`readData`, `writeData`, `readWriteData`, `actions`)
 * are narrowed the same way; `fullAccess` is refused.
 */
export class SecureTableGrants extends dynamodb.TableGrants {
  private readonly secureTable: SecureTable;

  /**
   * @param table the table the grants are on
   */
  constructor(table: SecureTable) {
    super({ table });
    this.secureTable = table;
  }

  /**
   * Grants reading items: `GetItem`, `BatchGetItem`, `Query` and
   * `ConditionCheckItem` on the table, `Query` on its indexes, `Scan` when
   * `allowScan` is set, and `kms:Decrypt` through DynamoDB.
   *
   * @param grantee who may read
   * @param options leading keys and scan
   */
  public readItems(grantee: iam.IGrantable, options: ReadItemGrantOptions = {}): iam.Grant {
    return this.secureTable._grantItems('readItems', grantee, true, false, options);
  }

  /**
   * Grants writing items: `PutItem`, `UpdateItem`, `DeleteItem` and
   * `BatchWriteItem` on the table, with `kms:Decrypt` and
   * `kms:GenerateDataKey` through DynamoDB. Nothing that returns items: writes
   * may not ask for the changed item back (`dynamodb:ReturnValues` is `NONE`).
   *
   * @param grantee who may write
   * @param options leading keys
   */
  public writeItems(grantee: iam.IGrantable, options: ItemGrantOptions = {}): iam.Grant {
    return this.secureTable._grantItems('writeItems', grantee, false, true, options);
  }

  /**
   * Grants what `readItems` and `writeItems` grant.
   *
   * @param grantee who may read and write
   * @param options leading keys and scan
   */
  public readWriteItems(grantee: iam.IGrantable, options: ReadItemGrantOptions = {}): iam.Grant {
    return this.secureTable._grantItems('readWriteItems', grantee, true, true, options);
  }

  /**
   * Grants reading the table's stream: `DescribeStream`, `GetRecords` and
   * `GetShardIterator` on the stream's ARN, and `kms:Decrypt` on the key through DynamoDB (Streams).
   * `ListStreams` is left out: it supports no resource-level permission and a
   * consumer already knows its stream's ARN.
   *
   * @param grantee who may read the stream
   */
  public streamRead(grantee: iam.IGrantable): iam.Grant {
    return this.secureTable._grantStreamRead(grantee);
  }

  /**
   * Grants the given item-level actions on the table and its indexes, without
   * key actions. Wildcard actions are refused.
   *
   * @param grantee who gets the actions
   * @param actions exact actions, e.g. `dynamodb:GetItem`
   */
  public actions(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    return this.secureTable._grantActions(grantee, actions);
  }

  /**
   * Same as `readItems(grantee, { allowScan: true })`: every item-level read,
   * without the table metadata and stream actions aws-cdk-lib adds.
   *
   * @param grantee who may read
   */
  public readData(grantee: iam.IGrantable): iam.Grant {
    return this.readItems(grantee, { allowScan: true });
  }

  /**
   * Same as `writeItems(grantee)`.
   *
   * @param grantee who may write
   */
  public writeData(grantee: iam.IGrantable): iam.Grant {
    return this.writeItems(grantee);
  }

  /**
   * Same as `readWriteItems(grantee, { allowScan: true })`.
   *
   * @param grantee who may read and write
   */
  public readWriteData(grantee: iam.IGrantable): iam.Grant {
    return this.readWriteItems(grantee, { allowScan: true });
  }

  /**
   * Refused: `dynamodb:*` includes deleting the table and changing its
   * settings. Use `readWriteItems`.
   *
   * @param grantee who asked for full access
   */
  public fullAccess(grantee: iam.IGrantable): iam.Grant {
    return this.secureTable._refuse('fullAccess', grantee,
      'item-level grants: grants.readWriteItems(grantee); dynamodb:* includes deleting the table and changing its settings');
  }
}

/**
 * Least-privilege grants on the stream of a SecureTable, returned by
 * `table.streamGrants`.
 */
export class SecureTableStreamGrants extends dynamodb.StreamGrants {
  private readonly secureTable: SecureTable;

  /**
   * @param table the table whose stream the grants are on
   */
  constructor(table: SecureTable) {
    super({ tableStreamArn: table.tableStreamArn!, encryptionKey: table.key });
    this.secureTable = table;
  }

  /**
   * Grants exact actions on the stream, without key actions. Wildcard actions
   * are refused.
   *
   * @param grantee who gets the actions
   * @param actions exact actions, e.g. `dynamodb:GetRecords`
   */
  public actions(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    return this.secureTable._grantStreamActions(grantee, actions);
  }

  /**
   * Refused: `dynamodb:ListStreams` supports only `Resource: "*"`, and a
   * consumer already knows the stream's ARN.
   *
   * @param grantee who asked to list streams
   */
  public list(grantee: iam.IGrantable): iam.Grant {
    return this.secureTable._refuse('grantTableListStreams', grantee,
      'grants.streamRead(grantee), which names the stream ARN; dynamodb:ListStreams supports only Resource "*"');
  }

  /**
   * Same as `table.grants.streamRead(grantee)`.
   *
   * @param grantee who may read the stream
   */
  public read(grantee: iam.IGrantable): iam.Grant {
    return this.secureTable._grantStreamRead(grantee);
  }
}

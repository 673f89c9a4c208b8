import { Lazy, Mixin, Stack, Token } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import { IConstruct } from 'constructs';
import { recordHardening } from './changes';
import { checkHardeningProps, hardeningBaseline, isLibraryOwned, resourceOf, retain, sameValue } from './data-store-support';
import { StackLookup } from './hardening-pass';
import { HardeningProps } from './hardening-props';
import { keyFollowsAccess } from './key-follows-access';
import { SecurityBaseline } from '../baseline/security-baseline';
import { protectWithBackupPlan } from '../table/backup-plan';
import { TABLE_DEFAULTS } from '../table/table-defaults';

const MIXIN = 'TableHardening';
const BACKED_UP = Symbol.for('cdk-secure-serverless.TableHardening.backedUp');
const BACKUP_CHANGE = 'added to the stack\'s AWS Backup plan (daily at 05:00 UTC, kept 35 days)';
const REPLICAS_HARDENED = Symbol.for('cdk-secure-serverless.TableHardening.replicas');

/**
 * Hardens a plain DynamoDB table (`dynamodb.Table`, `dynamodb.TableV2`,
 * `dynamodb.CfnTable`, `dynamodb.CfnGlobalTable`) as SecureTable builds one, in
 * place and without replacing it:
 *
 * - encrypted with the baseline's customer-managed key, unless it already has a
 *   customer-managed key of its own; identity policies of the stack that read or
 *   write the table get the exact key use they now need, through DynamoDB;
 * - point-in-time recovery and deletion protection on; retained on stack
 *   deletion and replacement;
 * - in the REGULATED profile, in the stack's shared AWS Backup plan (the plan
 *   SecureTables share; global tables too, which no pack inspects), and a provisioned table without autoscaling switched to
 *   on-demand billing, as SecureTable bills by default (HIPAA and NIST ask for
 *   autoscaling of provisioned capacity; the switch needs no replacement).
 *
 * Key schema, name, streams, indexes, contributor insights (off unless asked,
 * as in SecureTable) and, in STANDARD, billing are left as they are. A global table replicated to other regions keeps its encryption: each
 * region needs a key of its own there, which is the user's to give
 * (`TableEncryptionV2.customerManagedKey(key, { region: replicaKeyArn })`); the
 * guardrail keeps reporting it until then. Apply with
 * `Mixins.of(scope).apply(new TableHardening())` or `table.with(new TableHardening())`;
 * applying it again changes nothing. The library's own tables are left alone.
 */
export class TableHardening extends Mixin {
  private readonly props: HardeningProps;

  constructor(props: HardeningProps = {}) {
    super();
    checkHardeningProps(MIXIN, props);
    this.props = props;
  }

  /** True for a plain table of this app, L2 or L1; false for imported tables and the library's own. */
  public supports(construct: IConstruct): boolean {
    const table = construct instanceof dynamodb.Table || construct instanceof dynamodb.TableV2
      || construct instanceof dynamodb.CfnTable || construct instanceof dynamodb.CfnGlobalTable;
    return table && !isLibraryOwned(construct);
  }

  /** Hardens one table; the same whether given the L2 or its default child. */
  public applyTo(construct: IConstruct): void {
    if (!this.supports(construct)) return;
    const table = resourceOf(construct, dynamodb.CfnTable);
    const global = resourceOf(construct, dynamodb.CfnGlobalTable);
    if (table) hardenTable(table, hardeningBaseline(construct, MIXIN, this.props));
    if (global) hardenGlobalTable(global, hardeningBaseline(construct, MIXIN, this.props));
  }
}

function hardenTable(table: dynamodb.CfnTable, baseline: SecurityBaseline): void {
  const stack = Stack.of(table);
  const sse = stack.resolve(table.sseSpecification) as dynamodb.CfnTable.SSESpecificationProperty | undefined;
  const ownKey = sse?.sseEnabled === true && sse.kmsMasterKeyId !== undefined;
  if (!ownKey) {
    table.sseSpecification = { sseEnabled: true, sseType: 'KMS', kmsMasterKeyId: baseline.key.keyArn };
    recordHardening(table, MIXIN, 'encrypted with the baseline customer-managed key');
  }
  if (!ownKey || sameValue(stack, sse?.kmsMasterKeyId, baseline.key.keyArn)) {
    keyFollowsAccess({ resource: table, key: baseline.key, service: 'dynamodb' });
  }

  const pitr = stack.resolve(table.pointInTimeRecoverySpecification) as dynamodb.CfnTable.PointInTimeRecoverySpecificationProperty | undefined;
  if (pitr?.pointInTimeRecoveryEnabled !== true) {
    table.pointInTimeRecoverySpecification = { ...pitr, ...TABLE_DEFAULTS.pointInTimeRecoverySpecification };
    recordHardening(table, MIXIN, 'point-in-time recovery turned on');
  }
  if (stack.resolve(table.deletionProtectionEnabled) !== TABLE_DEFAULTS.deletionProtection) {
    table.deletionProtectionEnabled = TABLE_DEFAULTS.deletionProtection;
    recordHardening(table, MIXIN, 'deletion protection turned on');
  }
  retain(table, MIXIN);

  if (!baseline.regulated) return;
  if (stack.resolve(table.billingMode) !== dynamodb.BillingMode.PAY_PER_REQUEST && !autoscaled(table)) {
    table.billingMode = dynamodb.BillingMode.PAY_PER_REQUEST;
    table.provisionedThroughput = undefined;
    const indexes = table.globalSecondaryIndexes;
    if (indexes !== undefined) {
      table.globalSecondaryIndexes = Lazy.any({
        produce: () => (stack.resolve(indexes) as any[] | undefined)?.map(({ provisionedThroughput: _, ...index }) => index),
      });
    }
    recordHardening(table, MIXIN, 'provisioned capacity without autoscaling switched to on-demand billing (HIPAA and NIST ask for autoscaling)');
  }
  if (!(table as any)[BACKED_UP]) {
    Object.defineProperty(table, BACKED_UP, { value: true });
    const key = ownKey ? kms.Key.fromKeyArn(table, 'EncryptionKey', sse!.kmsMasterKeyId!) : baseline.key;
    protectWithBackupPlan(table, table.attrArn, key, baseline, baseline.key);
    recordHardening(table, MIXIN, BACKUP_CHANGE);
  }
}

/** Whether the stack autoscales the table's capacity. */
function autoscaled(table: dynamodb.CfnTable): boolean {
  return StackLookup.of(Stack.of(table)).referring(appscaling.CfnScalableTarget, 'resourceId', c => c.resourceId, table.ref, 'mentions')
    .some(c => c.scalableDimension.startsWith('dynamodb:table:'));
}

/**
 * A global table's protection is per replica, and the L2 adds replicas until
 * synthesis: the replicas are hardened as they are rendered.
 */
function hardenGlobalTable(table: dynamodb.CfnGlobalTable, baseline: SecurityBaseline): void {
  const stack = Stack.of(table);
  retain(table, MIXIN);
  if ((table as any)[REPLICAS_HARDENED]) return;
  Object.defineProperty(table, REPLICAS_HARDENED, { value: true });

  const region = stack.region;
  const replicas = table.replicas;
  const sse = stack.resolve(table.sseSpecification) as dynamodb.CfnGlobalTable.SSESpecificationProperty | undefined;
  const keyed = sse?.sseEnabled === true && sse.sseType === 'KMS';
  const singleRegion = (): boolean => !Token.isUnresolved(region)
    && (stack.resolve(replicas) as dynamodb.CfnGlobalTable.ReplicaSpecificationProperty[]).every(r => r.region === region);
  if (!keyed) {
    table.sseSpecification = Lazy.any({
      produce: () => singleRegion() ? { sseEnabled: true, sseType: 'KMS' } : stack.resolve(sse),
    });
    keyFollowsAccess({ resource: table, key: baseline.key, service: 'dynamodb' });
    recordHardening(table, MIXIN, 'encrypted with the baseline customer-managed key, when every replica is in the stack\'s region');
  }
  table.replicas = Lazy.any({
    produce: () => (stack.resolve(replicas) as dynamodb.CfnGlobalTable.ReplicaSpecificationProperty[]).map(replica => ({
      ...replica,
      pointInTimeRecoverySpecification: { ...replica.pointInTimeRecoverySpecification as object, ...TABLE_DEFAULTS.pointInTimeRecoverySpecification },
      deletionProtectionEnabled: TABLE_DEFAULTS.deletionProtection,
      sseSpecification: keyed || !singleRegion() ? replica.sseSpecification : { kmsMasterKeyId: baseline.key.keyArn },
    })),
  });
  recordHardening(table, MIXIN, 'every replica: point-in-time recovery and deletion protection turned on');
  if (baseline.regulated) {
    protectWithBackupPlan(table, table.attrArn, baseline.key, baseline, baseline.key);
    recordHardening(table, MIXIN, BACKUP_CHANGE);
  }
}

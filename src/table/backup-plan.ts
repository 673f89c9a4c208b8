import { Duration, Lazy, Names, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct, IConstruct } from 'constructs';
import { TableBackupProps } from './table-backup';
import { acknowledgeFinding } from '../core/acknowledgements';
import { invalidProp } from '../core/errors';
import { PolicyRole } from '../iam/policy-role';

/** What `protectWithBackupPlan` put the table in. */
export interface TableBackupResources {
  readonly plan: backup.BackupPlan;
  readonly vault: backup.IBackupVault;
  readonly role: PolicyRole;
}

/** The reason for the one wildcard per table in the backup role's policy. */
export const BACKUP_ARN_REASON =
  'DynamoDB names each on-demand backup when it is taken (<table ARN>/backup/<id>), so AWS Backup can describe and expire a table\'s backups only through that pattern; it covers the backups of that one table';

const SHARED_PLAN = Symbol.for('cdk-secure-serverless.TableBackupPlan.shared');

/**
 * Puts the table in an AWS Backup plan, with a role whose permissions are a
 * customer-managed policy naming the tables of that plan only.
 *
 * A table with default backup props shares one plan per stack (vault, plan,
 * role, policy and one selection listing every such table), kept under the
 * baseline when the baseline is in the table's stack: five resources per stack
 * instead of five per table. A table given backup props, or whose baseline lives
 * in another stack (the stack's plan would then reference the table across
 * stacks, a cycle with the key the table takes from there), gets a plan of its
 * own with those rules.
 */
export function protectWithBackupPlan(
  table: Construct, tableArn: string, key: kms.IKey, baseline: Construct, baselineKey: kms.IKey, props?: TableBackupProps,
): TableBackupResources {
  if (props === undefined && Stack.of(baseline) === Stack.of(table)) {
    const holder = baseline as any;
    holder[SHARED_PLAN] ??= new TableBackupPlan(new Construct(baseline, 'TableBackup'), baselineKey, {}, 'every SecureTable of this stack that has no backup props', 'Tables');
    return (holder[SHARED_PLAN] as TableBackupPlan).add(table, tableArn, key);
  }
  validateBackupProps(table, props ?? {});
  return new TableBackupPlan(table, key, props ?? {}, table.node.path, 'Table').add(table, tableArn, key);
}

/**
 * A backup vault, plan, role and one selection, created in `scope`, to which
 * tables are added.
 *
 * `BackupPlan.addSelection` would attach the AWS-managed
 * `AWSBackupServiceRolePolicyForBackup` even to a role passed in, which the
 * HIPAA, NIST and PCI packs reject; the selection is written as its L1 instead.
 */
class TableBackupPlan implements TableBackupResources {
  public readonly plan: backup.BackupPlan;
  public readonly vault: backup.IBackupVault;
  public readonly role: PolicyRole;
  private readonly selection: backup.CfnBackupSelection;
  private readonly tableArns: string[] = [];
  private readonly keys = new Set<kms.IKey>();

  constructor(scope: Construct, vaultKey: kms.IKey, props: TableBackupProps, covers: string, selectionName: string) {
    this.vault = props.backupVault ?? new backup.BackupVault(scope, 'BackupVault', {
      encryptionKey: vaultKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.plan = new backup.BackupPlan(scope, 'BackupPlan', {
      // Plan names are unique per account and region; the L2 would name every plan `BackupPlan`.
      backupPlanName: Names.uniqueResourceName(scope, { maxLength: 50, separator: '-' }),
      backupVault: this.vault,
      backupPlanRules: [new backup.BackupPlanRule({
        ruleName: 'Scheduled',
        scheduleExpression: props.schedule ?? events.Schedule.cron({ minute: '0', hour: '5' }),
        deleteAfter: props.deleteAfter ?? Duration.days(35),
        startWindow: props.startWindow ?? Duration.hours(1),
        completionWindow: props.completionWindow ?? Duration.hours(8),
      })],
    });
    this.role = new PolicyRole(scope, 'BackupRole', {
      assumedBy: new iam.ServicePrincipal('backup.amazonaws.com'),
      description: `Backs up ${covers} only`,
    });
    // The backup ARNs' acknowledgements cover the library's statements only: what others add lands in a policy of its own.
    this.role._reserveForLibrary();
    this.role._addOwnStatement(new iam.PolicyStatement({
      sid: 'UseTheVault',
      actions: ['backup:DescribeBackupVault', 'backup:CopyIntoBackupVault'],
      resources: [this.vault.backupVaultArn],
    }));
    this.selection = new backup.CfnBackupSelection(scope, 'BackupSelection', {
      backupPlanId: this.plan.backupPlanId,
      backupSelection: {
        selectionName,
        iamRoleArn: this.role.roleArn,
        resources: Lazy.list({ produce: () => this.tableArns }),
      },
    });
  }

  /** Adds the table to the selection and its permissions, one statement pair per table, to the role. */
  public add(table: Construct, tableArn: string, key: kms.IKey): TableBackupResources {
    const suffix = this.tableArns.length === 0 ? '' : String(this.tableArns.length + 1);
    this.tableArns.push(tableArn);
    this.grant(new iam.PolicyStatement({
      sid: `BackUpTable${suffix}`,
      actions: ['dynamodb:DescribeTable', 'dynamodb:CreateBackup', 'dynamodb:StartAwsBackupJob', 'dynamodb:ListTagsOfResource'],
      resources: [tableArn],
    }));
    const backups = this.grant(new iam.PolicyStatement({
      sid: `ManageTableBackups${suffix}`,
      actions: ['dynamodb:DescribeBackup', 'dynamodb:DeleteBackup'],
      resources: [`${tableArn}/backup/*`],
    }));
    acknowledgeFinding(backups, `AwsSolutions-IAM5[Resource::<${logicalIdToken(table, tableArn)}.Arn>/backup/*]`, BACKUP_ARN_REASON);
    if (!this.keys.has(key)) {
      const keySuffix = this.keys.size === 0 ? '' : String(this.keys.size + 1);
      this.keys.add(key);
      this.grant(new iam.PolicyStatement({
        sid: `DescribeTheKey${keySuffix}`,
        actions: ['kms:DescribeKey'],
        resources: [key.keyArn],
      }));
      this.grant(new iam.PolicyStatement({
        sid: `GrantsForAwsResourcesOnly${keySuffix}`,
        actions: ['kms:CreateGrant'],
        resources: [key.keyArn],
        conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
      }));
    }
    return this;
  }

  /** Adds the statement; the selection waits for the policy it lands in. */
  private grant(statement: iam.PolicyStatement): IConstruct {
    const policy = this.role._addOwnStatement(statement);
    this.selection.node.addDependency(policy);
    return policy;
  }
}

/**
 * The logical id cdk-nag prints for the table in `<Id.Arn>`: the id of the
 * resource `tableArn` is an attribute of.
 */
function logicalIdToken(scope: IConstruct, tableArn: string): string {
  const resolved = Stack.of(scope).resolve(tableArn);
  const getAtt = resolved?.['Fn::GetAtt'];
  return Array.isArray(getAtt) ? String(getAtt[0]) : String(resolved);
}

function validateBackupProps(scope: IConstruct, props: TableBackupProps): void {
  const schedule = props.schedule?.expressionString;
  if (schedule !== undefined && !Token.isUnresolved(schedule) && !schedule.startsWith('cron(')) {
    invalidProp(scope, 'backup.schedule', schedule, 'a cron schedule, e.g. events.Schedule.cron({ minute: "0", hour: "5" })');
  }
  checkDuration(scope, 'backup.deleteAfter', props.deleteAfter, 1, 36500, 'days', d => d.toDays({ integral: false }));
  checkDuration(scope, 'backup.startWindow', props.startWindow, 1, 24 * 7, 'hours', d => d.toHours({ integral: false }));
  const start = (props.startWindow ?? Duration.hours(1)).toHours({ integral: false });
  const minimumCompletion = Token.isUnresolved(start) ? 2 : start + 1;
  checkDuration(scope, 'backup.completionWindow', props.completionWindow, minimumCompletion, 24 * 7 * 100, 'hours', d => d.toHours({ integral: false }));
}

function checkDuration(
  scope: IConstruct, prop: string, value: Duration | undefined, min: number, max: number, unit: string, measure: (d: Duration) => number,
): void {
  if (value === undefined) return;
  if (!(value instanceof Duration)) invalidProp(scope, prop, value, `a Duration from ${min} to ${max} ${unit}`);
  const amount = measure(value);
  if (Token.isUnresolved(amount)) return;
  if (!Number.isInteger(amount) || amount < min || amount > max) {
    invalidProp(scope, prop, value, `a whole number of ${unit} from ${min} to ${max}`);
  }
}

import { Duration, Names, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct, IConstruct } from 'constructs';
import { TableBackupProps } from './table-backup';
import { acknowledgeFinding } from '../core/acknowledgements';
import { invalidProp } from '../core/errors';
import { PolicyRole } from '../iam/policy-role';

/** What `protectWithBackupPlan` created. */
export interface TableBackupResources {
  readonly plan: backup.BackupPlan;
  readonly vault: backup.IBackupVault;
  readonly role: PolicyRole;
}

/** The reason for the one wildcard in the backup role's policy. */
export const BACKUP_ARN_REASON =
  'DynamoDB names each on-demand backup when it is taken (<table ARN>/backup/<id>), so AWS Backup can describe and expire this table\'s backups only through that pattern; it covers the backups of this one table';

/**
 * Puts the table in an AWS Backup plan of its own, with a role whose
 * permissions are a customer-managed policy naming this table only.
 *
 * `BackupPlan.addSelection` would attach the AWS-managed
 * `AWSBackupServiceRolePolicyForBackup` even to a role passed in, which the
 * HIPAA, NIST and PCI packs reject; the selection is written as its L1 instead.
 */
export function protectWithBackupPlan(
  scope: Construct, tableArn: string, key: kms.IKey, props: TableBackupProps = {},
): TableBackupResources {
  validateBackupProps(scope, props);
  const vault = props.backupVault ?? new backup.BackupVault(scope, 'BackupVault', {
    encryptionKey: key,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const plan = new backup.BackupPlan(scope, 'BackupPlan', {
    // Plan names are unique per account and region; the L2 would name every table's plan `BackupPlan`.
    backupPlanName: Names.uniqueResourceName(scope, { maxLength: 50, separator: '-' }),
    backupVault: vault,
    backupPlanRules: [new backup.BackupPlanRule({
      ruleName: 'Scheduled',
      scheduleExpression: props.schedule ?? events.Schedule.cron({ minute: '0', hour: '5' }),
      deleteAfter: props.deleteAfter ?? Duration.days(35),
      startWindow: props.startWindow ?? Duration.hours(1),
      completionWindow: props.completionWindow ?? Duration.hours(8),
    })],
  });

  const role = new PolicyRole(scope, 'BackupRole', {
    assumedBy: new iam.ServicePrincipal('backup.amazonaws.com'),
    description: `Backs up ${scope.node.path} only`,
  });
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    sid: 'BackUpThisTable',
    actions: ['dynamodb:DescribeTable', 'dynamodb:CreateBackup', 'dynamodb:StartAwsBackupJob', 'dynamodb:ListTagsOfResource'],
    resources: [tableArn],
  }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    sid: 'ManageThisTablesBackups',
    actions: ['dynamodb:DescribeBackup', 'dynamodb:DeleteBackup'],
    resources: [`${tableArn}/backup/*`],
  }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    sid: 'UseTheVault',
    actions: ['backup:DescribeBackupVault', 'backup:CopyIntoBackupVault'],
    resources: [vault.backupVaultArn],
  }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    sid: 'DescribeTheKey',
    actions: ['kms:DescribeKey'],
    resources: [key.keyArn],
  }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    sid: 'GrantsForAwsResourcesOnly',
    actions: ['kms:CreateGrant'],
    resources: [key.keyArn],
    conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
  }));
  acknowledgeFinding(role.policy, `AwsSolutions-IAM5[Resource::<${logicalIdToken(scope, tableArn)}.Arn>/backup/*]`, BACKUP_ARN_REASON);

  const selection = new backup.CfnBackupSelection(scope, 'BackupSelection', {
    backupPlanId: plan.backupPlanId,
    backupSelection: {
      selectionName: 'Table',
      iamRoleArn: role.roleArn,
      resources: [tableArn],
    },
  });
  selection.node.addDependency(role.policy);
  return { plan, vault, role };
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

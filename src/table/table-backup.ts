import { Duration } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as events from 'aws-cdk-lib/aws-events';

/**
 * The AWS Backup plan of a SecureTable.
 *
 * In the REGULATED profile every table is in a backup plan (HIPAA Security and
 * NIST 800-53 R5 `DynamoDBInBackupPlan`); these are the plan's rule and vault.
 */
export interface TableBackupProps {
  /**
   * When backups start. Must be a cron schedule.
   *
   * @default events.Schedule.cron({ minute: '0', hour: '5' }) - daily at 05:00 UTC
   * @see https://docs.aws.amazon.com/aws-backup/latest/devguide/creating-a-backup-plan.html
   */
  readonly schedule?: events.Schedule;

  /**
   * How long each backup is kept, from 1 day to 100 years. Point-in-time
   * recovery covers the last 35 days; these backups are the longer record.
   *
   * @default Duration.days(35)
   */
  readonly deleteAfter?: Duration;

  /**
   * How long after its scheduled time a backup may start before it is
   * cancelled, at least 1 hour.
   *
   * @default Duration.hours(1)
   */
  readonly startWindow?: Duration;

  /**
   * How long after it starts a backup must complete, at least 1 hour more than
   * `startWindow`.
   *
   * @default Duration.hours(8)
   */
  readonly completionWindow?: Duration;

  /**
   * The vault that holds the backups.
   *
   * @default - a vault encrypted with the table's key and retained when the stack is deleted
   */
  readonly backupVault?: backup.IBackupVault;
}

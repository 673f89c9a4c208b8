import * as logs from 'aws-cdk-lib/aws-logs';
import { IConstruct } from 'constructs';
import { acknowledgeFinding, recordWaiver } from './acknowledgements';
import { checkReason, invalidProp } from './errors';
import { controlTowerFindingId } from './finding-ids';

const MINIMUM_DAYS = 365;

/**
 * How long log groups keep their events.
 *
 * At least one year unless a shorter period is chosen with a reason.
 */
export class LogRetention {
  /** One year, the default. */
  public static readonly ONE_YEAR = new LogRetention(logs.RetentionDays.ONE_YEAR);

  /**
   * Keep events for `days`, which must be at least one year.
   */
  public static days(days: logs.RetentionDays): LogRetention {
    return new LogRetention(days);
  }

  /**
   * Keep events for less than a year, with the reason it is acceptable.
   * The reason lands in the security report.
   */
  public static belowMinimum(days: logs.RetentionDays, reason: string): LogRetention {
    return new LogRetention(days, checkReason('LogRetention.belowMinimum', 'reason', reason));
  }

  /** The retention period. */
  public readonly retentionDays: logs.RetentionDays;
  /** The reason for a period under a year, if one was given. */
  public readonly reason?: string;

  private constructor(days: logs.RetentionDays, reason?: string) {
    this.retentionDays = days;
    this.reason = reason;
  }

  /** @internal */
  public _bind(scope: IConstruct, prop: string): logs.RetentionDays {
    const days = this.retentionDays as number;
    if (typeof days !== 'number' || !Number.isInteger(days) || days <= 0 || days === logs.RetentionDays.INFINITE) {
      invalidProp(scope, prop, days, 'a finite logs.RetentionDays value (never-expiring logs fail the retention checks)');
    }
    if (days < MINIMUM_DAYS) {
      if (this.reason === undefined) {
        invalidProp(scope, prop, days, `at least ${MINIMUM_DAYS} days, or LogRetention.belowMinimum(days, reason)`);
      }
      recordWaiver(scope, prop, `${days} days`, this.reason);
    }
    return this.retentionDays;
  }

  /**
   * Acknowledges, on the function `fn` whose logs this retention applies to, the
   * exact finding a period under a year causes, with this retention's reason.
   *
   * @internal
   */
  public _acknowledgeOn(fn: IConstruct): void {
    if (this.reason === undefined || this.retentionDays >= MINIMUM_DAYS) return;
    acknowledgeFinding(fn, `ServerlessSecurity-LambdaLogGroup[RetentionInDays::${this.retentionDays}]`, this.reason);
  }

  /**
   * Acknowledges, on a log group kept for this period, the Control Tower control
   * that asks for a year (CT.CLOUDWATCH.PR.2), with this retention's reason.
   *
   * @internal
   */
  public _acknowledgeLogGroup(group: IConstruct): void {
    if (this.reason === undefined || this.retentionDays >= MINIMUM_DAYS) return;
    acknowledgeFinding(group, controlTowerFindingId('CT.CLOUDWATCH.PR.2'), this.reason);
  }
}

import { IConstruct } from 'constructs';
import { checkAutoscaledCapacity, MAX_CAPACITY_UNITS } from './capacity';
import { checkIntegerRange } from '../core/errors';

/**
 * Autoscaling limits of one capacity dimension (reads or writes) of a
 * provisioned table or index.
 */
export interface AutoscaledCapacity {
  /**
   * The capacity units autoscaling never goes below, from 1; also the capacity
   * the table starts with.
   */
  readonly minCapacity: number;

  /**
   * The capacity units autoscaling never goes above, at least `minCapacity`.
   * It caps the cost of a traffic spike.
   */
  readonly maxCapacity: number;

  /**
   * The consumed-to-provisioned ratio autoscaling keeps, from 20 to 90 percent.
   *
   * @default 70
   * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/AutoScaling.html
   */
  readonly targetUtilizationPercent?: number;
}

/**
 * Autoscaled read and write capacity of a provisioned table.
 */
export interface ProvisionedBillingProps {
  /**
   * Autoscaling limits of the table's read capacity.
   */
  readonly readCapacity: AutoscaledCapacity;

  /**
   * Autoscaling limits of the table's write capacity.
   */
  readonly writeCapacity: AutoscaledCapacity;
}

/**
 * Optional limits of an on-demand table.
 */
export interface OnDemandBillingProps {
  /**
   * The most read request units per second the table serves; caps cost.
   *
   * @default - no limit beyond the account's quotas
   * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/on-demand-capacity-mode-max-throughput.html
   */
  readonly maxReadRequestUnits?: number;

  /**
   * The most write request units per second the table serves; caps cost.
   *
   * @default - no limit beyond the account's quotas
   */
  readonly maxWriteRequestUnits?: number;
}


/**
 * How a SecureTable pays for throughput.
 *
 * On demand by default. Provisioned capacity always comes with autoscaling on
 * the table and on each of its global secondary indexes (HIPAA, NIST 800-53 R5
 * `DynamoDBAutoScalingEnabled`), so a fixed capacity never throttles a spike.
 */
export class TableBilling {
  /**
   * Pay per request (PAY_PER_REQUEST): no capacity to plan or autoscale.
   *
   * @param props optional throughput limits
   */
  public static onDemand(props: OnDemandBillingProps = {}): TableBilling {
    return new TableBilling(undefined, props);
  }

  /**
   * Provisioned capacity with autoscaling between the given limits. Every
   * global secondary index of the table then needs its own limits.
   *
   * @param props autoscaling limits of reads and writes
   */
  public static provisioned(props: ProvisionedBillingProps): TableBilling {
    return new TableBilling(props, undefined);
  }

  /** The autoscaling limits, for a provisioned table. */
  public readonly provisionedCapacity?: ProvisionedBillingProps;
  /** The throughput limits, for an on-demand table. */
  public readonly onDemandLimits?: OnDemandBillingProps;

  private constructor(provisioned?: ProvisionedBillingProps, onDemand?: OnDemandBillingProps) {
    this.provisionedCapacity = provisioned;
    this.onDemandLimits = onDemand;
  }

  /** Whether capacity is provisioned (and autoscaled). */
  public get isProvisioned(): boolean {
    return this.provisionedCapacity !== undefined;
  }

  /**
   * Validates the limits for the table at `scope`.
   *
   * @internal
   */
  public _validate(scope: IConstruct | string): void {
    if (this.provisionedCapacity) {
      const provisioned = this.provisionedCapacity as Partial<ProvisionedBillingProps>;
      checkAutoscaledCapacity(scope, 'billing.readCapacity', provisioned.readCapacity);
      checkAutoscaledCapacity(scope, 'billing.writeCapacity', provisioned.writeCapacity);
    } else {
      checkIntegerRange(scope, 'billing.maxReadRequestUnits', this.onDemandLimits?.maxReadRequestUnits, 1, MAX_CAPACITY_UNITS, 'request units');
      checkIntegerRange(scope, 'billing.maxWriteRequestUnits', this.onDemandLimits?.maxWriteRequestUnits, 1, MAX_CAPACITY_UNITS, 'request units');
    }
  }
}

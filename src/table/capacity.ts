import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import type { AutoscaledCapacity } from './table-billing';
import { checkIntegerRange, invalidProp } from '../core/errors';

/** The largest capacity accepted; AWS quotas are raised per account on request. */
export const MAX_CAPACITY_UNITS = 1_000_000;

const AUTOSCALED = 'autoscaling limits { minCapacity, maxCapacity } (provisioned capacity is always autoscaled)';

/**
 * Checks that `capacity` is a complete, consistent set of autoscaling limits.
 */
export function checkAutoscaledCapacity(scope: IConstruct | string, prop: string, capacity: AutoscaledCapacity | undefined): void {
  if (capacity === undefined || capacity === null || typeof capacity !== 'object') invalidProp(scope, prop, capacity, AUTOSCALED);
  const { minCapacity, maxCapacity, targetUtilizationPercent } = capacity;
  if (minCapacity === undefined) invalidProp(scope, `${prop}.minCapacity`, minCapacity, `an integer from 1 to ${MAX_CAPACITY_UNITS} capacity units`);
  if (maxCapacity === undefined) invalidProp(scope, `${prop}.maxCapacity`, maxCapacity, `an integer from 1 to ${MAX_CAPACITY_UNITS} capacity units`);
  checkIntegerRange(scope, `${prop}.minCapacity`, minCapacity, 1, MAX_CAPACITY_UNITS, 'capacity units');
  checkIntegerRange(scope, `${prop}.maxCapacity`, maxCapacity, 1, MAX_CAPACITY_UNITS, 'capacity units');
  if (!Token.isUnresolved(minCapacity) && !Token.isUnresolved(maxCapacity) && maxCapacity < minCapacity) {
    invalidProp(scope, `${prop}.maxCapacity`, maxCapacity, `at least minCapacity (${minCapacity})`);
  }
  checkIntegerRange(scope, `${prop}.targetUtilizationPercent`, targetUtilizationPercent, 20, 90, 'percent');
}

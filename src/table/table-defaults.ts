import { RemovalPolicy } from 'aws-cdk-lib';

/**
 * What every table the library builds or hardens has, defined once for
 * SecureTable and TableHardening so the two cannot drift.
 */
export const TABLE_DEFAULTS = {
  /** Point-in-time recovery: restores to any second of the last 35 days. */
  pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
  /** Deletion protection: the table cannot be deleted until it is turned off. */
  deletionProtection: true,
  /** The table outlives its stack and a replacement. */
  removalPolicy: RemovalPolicy.RETAIN,
} as const;

import { Duration } from 'aws-cdk-lib';

/**
 * What every queue the library builds or hardens has unless told otherwise,
 * defined once for SecureQueue and QueueHardening so the two cannot drift.
 */
export const QUEUE_DEFAULTS = {
  /** How long a received message stays hidden from other consumers. */
  visibilityTimeout: Duration.seconds(60),
  /** How long messages are kept: the SQS default, written out so the template says it. */
  retentionPeriod: Duration.days(4),
  /** Receives after which a message moves to the dead-letter queue. */
  maxReceiveCount: 3,
} as const;

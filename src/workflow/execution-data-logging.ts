import { checkReason } from '../core/errors';

/**
 * Whether a state machine's log events carry the input and output of each
 * state and execution.
 *
 * Execution data is whatever flows through the workflow (orders, personal
 * data, tokens returned by tasks); logged, it is readable by everyone who can
 * read the log group, for as long as the log group keeps it. No pack asks for
 * it: logging at level ALL without it records every transition.
 */
export class ExecutionDataLogging {
  /**
   * Log events name states and transitions only, never their data.
   */
  public static exclude(): ExecutionDataLogging {
    return new ExecutionDataLogging(false);
  }

  /**
   * Log events also carry the input and output of every state, e.g. while a
   * workflow is being developed. The reason is listed in the security report.
   *
   * @param reason why the logs may hold the data flowing through the workflow
   */
  public static include(reason: string): ExecutionDataLogging {
    return new ExecutionDataLogging(true, checkReason('ExecutionDataLogging.include', 'reason', reason));
  }

  /** Whether execution data is logged. */
  public readonly included: boolean;
  /** Why execution data is logged, when it is. */
  public readonly reason?: string;

  private constructor(included: boolean, reason?: string) {
    this.included = included;
    this.reason = reason;
  }
}

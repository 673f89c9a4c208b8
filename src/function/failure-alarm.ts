import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cw_actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** The function metrics the failure alarm watches: a `lambda.IFunction` has them. */
export interface FailureMetrics {
  metricErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  metricThrottles(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
}

/**
 * The alarm every SecureFunction has, and FunctionHardening adds to a plain
 * function: one alarm on errors, throttles and, when the function has a
 * dead-letter queue, events that reached it, notifying `alarmTopic`. One alarm
 * on the three signals keeps a function at one alarm resource; its description
 * names them, and each stays a separate metric in the alarm.
 */
export function functionFailureAlarm(
  scope: Construct, id: string, functionPath: string, fn: FailureMetrics, deadLetterQueue: sqs.IQueue | undefined, alarmTopic: sns.ITopic,
): cloudwatch.Alarm {
  const period = Duration.minutes(5);
  const usingMetrics: Record<string, cloudwatch.IMetric> = {
    errors: fn.metricErrors({ period, statistic: 'Sum' }),
    throttles: fn.metricThrottles({ period, statistic: 'Sum' }),
  };
  if (deadLetterQueue) usingMetrics.deadLetters = deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' });
  const alarm = new cloudwatch.Alarm(scope, id, {
    metric: new cloudwatch.MathExpression({
      expression: deadLetterQueue ? 'errors + throttles + deadLetters' : 'errors + throttles',
      usingMetrics,
      label: deadLetterQueue ? 'errors + throttles + dead-lettered events' : 'errors + throttles',
      period,
    }),
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    alarmDescription: deadLetterQueue
      ? `${functionPath}: invocations failed, were throttled, or events reached the dead-letter queue`
      : `${functionPath}: invocations failed or were throttled`,
  });
  alarm.addAlarmAction(new cw_actions.SnsAction(alarmTopic));
  return alarm;
}

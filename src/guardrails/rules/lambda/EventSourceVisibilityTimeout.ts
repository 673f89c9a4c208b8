import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { CfnValue, numberValue, referencedLogicalId } from '../../cfn-values';
import { IndexedResource, ResourceType, TemplateIndex } from '../../resource-index';

/** SQS's default visibility timeout, in seconds. */
const DEFAULT_VISIBILITY_TIMEOUT = 30;
/** Lambda's default function timeout, in seconds. */
const DEFAULT_FUNCTION_TIMEOUT = 3;
/** AWS's guidance: a queue's visibility timeout is at least six times the function's timeout. */
const TIMEOUT_FACTOR = 6;

/**
 * An SQS queue that feeds a Lambda function keeps messages invisible for at
 * least six times the function's timeout, so a message still being processed
 * (with retries and batching) is not delivered again.
 *
 * Applies when the mapping's queue (`EventSourceArn`) and function
 * (`FunctionName`) are in the same template; defaults are 30 s for the queue
 * and 3 s for the function.
 */
export function EventSourceVisibilityTimeout(mapping: IndexedResource): NagRuleResult {
  const { template, properties } = mapping;
  const queue = template.resource(referencedLogicalId(properties.EventSourceArn), ResourceType.SQS_QUEUE);
  const fn = functionOf(template, properties.FunctionName);
  if (!queue || !fn) return NagRuleCompliance.NOT_APPLICABLE;
  const visibility = seconds(queue.properties.VisibilityTimeout, DEFAULT_VISIBILITY_TIMEOUT, 'VisibilityTimeout');
  const timeout = seconds(fn.properties.Timeout, DEFAULT_FUNCTION_TIMEOUT, 'Timeout');
  return visibility >= TIMEOUT_FACTOR * timeout ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}

/** The function a mapping names: a reference, a literal name or a literal ARN (with or without a qualifier). */
function functionOf(template: TemplateIndex, functionName: CfnValue): IndexedResource | undefined {
  if (typeof functionName === 'string') {
    const arn = /^arn:[^:]+:lambda:[^:]*:[^:]*:function:([^:]+)/.exec(functionName);
    return template.functionNamed(arn ? arn[1] : functionName);
  }
  return template.resource(referencedLogicalId(functionName), ResourceType.LAMBDA_FUNCTION);
}

function seconds(value: CfnValue, defaultValue: number, property: string): number {
  if (value === undefined) return defaultValue;
  const parsed = numberValue(value);
  // cdk-nag reports a rule that throws as a finding that can be acknowledged.
  if (parsed === undefined) throw new Error(`${property} is not a literal number`);
  return parsed;
}

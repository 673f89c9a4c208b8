import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { isObject, renderText } from '../../cfn-values';
import { isAllow, principalsOf, statementsOf } from '../../policy-document';
import { IndexedResource } from '../../resource-index';

/** Services that deliver to SQS queues or SNS topics encrypted with a key, through those services. */
const DELIVERING = /^(events|cloudwatch|s3|sns)\.(amazonaws\.com(\.cn)?|<AWS::URLSuffix>)$/;
const EVENTS = /^events\./;
/** Keys the SNS guide says EventBridge does not send in its KMS requests to encrypted topics. */
const SOURCE_KEYS = /^aws:Source(Account|Arn|OrgID)$/i;

/**
 * A key policy lets the services that deliver to encrypted queues and topics use
 * the key only through conditions their KMS requests carry: EventBridge sends no
 * `aws:SourceAccount`, `aws:SourceArn` or `aws:SourceOrgID` on that hop (SNS
 * guide), and none of these services' guides show `kms:ViaService` on it. A
 * statement conditioned on such a key is never matched: every delivery fails.
 *
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
 */
export function KmsServiceKeyConditions(key: IndexedResource): NagRuleResult {
  let applies = false;
  for (const statement of statementsOf(key.properties.KeyPolicy)) {
    if (!isAllow(statement)) continue;
    const services = principalsOf(statement).filter(principal => DELIVERING.test(principal));
    if (services.length === 0) continue;
    applies = true;
    const keys = conditionKeys(statement.Condition);
    const unsent = keys.some(k => k.toLowerCase() === 'kms:viaservice')
      || (services.some(s => EVENTS.test(s)) && keys.some(k => SOURCE_KEYS.test(k)));
    if (unsent) return NagRuleCompliance.NON_COMPLIANT;
  }
  return applies ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NOT_APPLICABLE;
}

function conditionKeys(condition: unknown): string[] {
  if (!isObject(condition)) return [];
  return Object.values(condition).flatMap(block => isObject(block) ? Object.keys(block).map(k => renderText(k)) : []);
}

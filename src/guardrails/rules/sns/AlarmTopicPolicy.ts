import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { asArray, referencedLogicalId, renderText } from '../../cfn-values';
import { isAllow, principalsOf, statementCoversAction, statementsOf } from '../../policy-document';
import { IndexedResource, ResourceType } from '../../resource-index';

const CLOUDWATCH = /^cloudwatch\.(amazonaws\.com(\.cn)?|<AWS::URLSuffix>)$/;

/**
 * An alarm that notifies a topic of its template can deliver: a topic policy
 * replaces SNS's default one, so the policy must allow CloudWatch to publish.
 * A topic with no topic policy keeps SNS's default, which lets the owner
 * account's CloudWatch alarms publish.
 *
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-security-best-practices.html#ensure-topics-not-publicly-accessible
 */
export function AlarmTopicPolicy(alarm: IndexedResource): NagRuleResult {
  const props = alarm.properties;
  const topics = [...asArray(props.AlarmActions), ...asArray(props.OKActions), ...asArray(props.InsufficientDataActions)]
    .map(action => alarm.template.resource(referencedLogicalId(action), ResourceType.SNS_TOPIC))
    .filter(topic => topic !== undefined);
  if (topics.length === 0) return NagRuleCompliance.NOT_APPLICABLE;
  const silent = topics.some(topic => {
    const documents = alarm.template.topicPolicyDocumentsOf(topic!.logicalId);
    return documents !== undefined && !documents.some(document => allowsCloudWatch(document));
  });
  return silent ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
}

function allowsCloudWatch(document: unknown): boolean {
  return statementsOf(document).some(statement => isAllow(statement) && statementCoversAction(statement, 'sns:Publish')
    && principalsOf(statement).some(principal => principal === '*' || CLOUDWATCH.test(renderText(principal))));
}

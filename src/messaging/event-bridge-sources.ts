import { ArnFormat, AspectPriority, Aspects, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

const EVENTS = 'events.amazonaws.com';

/**
 * Ties every Allow to EventBridge in a topic's or queue's policy to this account's
 * rules: `aws:SourceAccount` and, where the statement names no rule, `aws:SourceArn`
 * matching this account's rules. aws-cdk-lib's SNS target writes the Allow with no
 * condition, and its SQS target names the rule without the account, so another
 * account's rule could otherwise deliver. Statements are read when the resource
 * is synthesized, so targets added after the mixin are covered too.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html
 */
export function scopeEventBridgeAllows(owner: IConstruct, document: () => iam.PolicyDocument | undefined): void {
  Aspects.of(owner).add({
    visit: (node: IConstruct) => {
      if (node !== owner) return;
      const stack = Stack.of(owner);
      for (const statement of statementsOf(document())) {
        if (statement.effect !== iam.Effect.ALLOW || !allowsEventBridge(stack, statement)) continue;
        const conditions = statement.conditions as Record<string, Record<string, unknown>>;
        const named = Object.values(conditions).some(entries => Object.keys(entries).some(key => key.toLowerCase() === 'aws:sourcearn'));
        if (!named) {
          statement.addCondition('ArnLike', {
            'aws:SourceArn': stack.formatArn({ service: 'events', resource: 'rule', resourceName: '*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME }),
          });
        }
        if (!Object.values(conditions).some(entries => Object.keys(entries).some(key => key.toLowerCase() === 'aws:sourceaccount'))) {
          statement.addCondition('StringEquals', { 'aws:SourceAccount': stack.account });
        }
      }
    },
  }, { priority: AspectPriority.MUTATING });
}

function statementsOf(document: iam.PolicyDocument | undefined): iam.PolicyStatement[] {
  return document ? ((document as unknown as { statements: iam.PolicyStatement[] }).statements ?? []) : [];
}

function allowsEventBridge(stack: Stack, statement: iam.PolicyStatement): boolean {
  return statement.principals.some(p => [stack.resolve(p.policyFragment.principalJson.Service)].flat().includes(EVENTS));
}

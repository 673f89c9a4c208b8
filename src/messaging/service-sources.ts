import { ArnFormat, AspectPriority, Aspects, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { resolveWithReferences } from '../core/references';
import { conditionOn, servicesOf, statementsOf } from '../iam/statements';

const EVENTS = 'events.amazonaws.com';
const S3 = 's3.amazonaws.com';

/**
 * Ties every Allow to EventBridge or S3 in a topic's or queue's policy to the
 * account of its sources, through the keys these services send on delivery:
 *
 * - EventBridge: `aws:SourceAccount`, and where the statement names no rule,
 *   `aws:SourceArn` matching this account's rules. aws-cdk-lib's SNS target
 *   writes the Allow with no condition, and its SQS target names the rule
 *   without the account, so another account's rule could otherwise deliver.
 * - S3: `aws:SourceAccount`, the account of the buckets its `aws:SourceArn`
 *   names (a bucket ARN names no account: a bucket of the same name in another
 *   account could otherwise deliver), or this account when it names none.
 *   A bucket given by a literal ARN, whose account the app cannot know, is left
 *   as it is.
 *
 * Statements are read when the resource is synthesized, so targets and
 * notifications added after the construct or the mixin are covered too.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/grant-destinations-permissions-to-s3.html
 */
export function scopeServiceAllows(owner: IConstruct, document: () => iam.PolicyDocument | undefined): void {
  Aspects.of(owner).add({
    visit: (node: IConstruct) => {
      if (node !== owner) return;
      const stack = Stack.of(owner);
      for (const statement of statementsOf(document())) {
        if (statement.effect !== iam.Effect.ALLOW) continue;
        const services = servicesOf(stack, statement);
        if (services.includes(EVENTS)) scopeToRules(stack, statement);
        if (services.includes(S3)) scopeToBuckets(stack, owner, statement);
      }
    },
  }, { priority: AspectPriority.MUTATING });
}

function scopeToRules(stack: Stack, statement: iam.PolicyStatement): void {
  if (conditionOn(statement, 'aws:sourcearn') === undefined) {
    statement.addCondition('ArnLike', {
      'aws:SourceArn': stack.formatArn({ service: 'events', resource: 'rule', resourceName: '*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME }),
    });
  }
  if (conditionOn(statement, 'aws:sourceaccount') === undefined) statement.addCondition('StringEquals', { 'aws:SourceAccount': stack.account });
}

function scopeToBuckets(stack: Stack, owner: IConstruct, statement: iam.PolicyStatement): void {
  if (conditionOn(statement, 'aws:sourceaccount') !== undefined) return;
  const sourceArn = conditionOn(statement, 'aws:sourcearn');
  let account: string | undefined = stack.account;
  if (sourceArn !== undefined) {
    const { value, targets } = resolveWithReferences(owner, sourceArn);
    const literal = [value].flat().some(v => typeof v === 'string');
    const accounts = new Set([...targets].map(target => Stack.of(target).account));
    account = !literal && accounts.size === 1 ? [...accounts][0] : undefined;
  }
  if (account !== undefined && !Token.isUnresolved(account)) statement.addCondition('StringEquals', { 'aws:SourceAccount': account });
}

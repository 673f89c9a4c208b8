import { IResolvable, Mixin, Names, Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { recordHardening } from './changes';
import { HardeningProps } from './hardening-props';
import { checkHardeningProps, hardeningBaseline, isLibraryManaged } from './hardening-scope';
import { pinNamedRoleTrustToAccount } from './service-trust';
import { admitEventBridge, deadLetterQueueOf, MAX_EVENT_AGE, RETRY_ATTEMPTS } from '../workflow/delivery-defaults';

const MIXIN = 'RuleHardening';

/**
 * Hardens the targets of a plain EventBridge rule (`events.Rule` or
 * `events.CfnRule`) in place as SecureRuleTarget does: each target without a
 * dead-letter queue gets the rule's SecureQueue (encrypted with the baseline key,
 * which admits EventBridge for this account), and a retry policy of 3 retries
 * within an hour where it has none. Targets that name their own are left. A
 * role the rule reaches a target with (a state machine, another bus) is made to
 * trust EventBridge for this account only (`aws:SourceAccount`).
 *
 * @example
 * Mixins.of(this).apply(new RuleHardening());
 */
export class RuleHardening extends Mixin {
  private readonly props: HardeningProps;

  constructor(props: HardeningProps = {}) {
    super();
    checkHardeningProps(MIXIN, props);
    this.props = props;
  }

  public supports(construct: IConstruct): boolean {
    return (construct instanceof events.Rule || construct instanceof events.CfnRule) && !isLibraryManaged(construct);
  }

  public applyTo(construct: IConstruct): void {
    if (!this.supports(construct)) return;
    const rule = construct instanceof events.Rule ? construct : construct.node.scope instanceof events.Rule
      && construct.node.scope.node.defaultChild === construct ? construct.node.scope : undefined;
    const cfn = (rule?.node.defaultChild ?? construct) as events.CfnRule;
    // An L2 renders its targets lazily from the list it keeps (an array, or aws-cdk-lib's array state holding
    // one), so they are changed where they are kept.
    const kept = rule ? (rule as unknown as { targets: unknown }).targets : undefined;
    const list = (Array.isArray(kept) ? kept : (kept as { array?: unknown } | undefined)?.array ?? cfn.targets) as
      Array<events.CfnRule.TargetProperty | IResolvable> | IResolvable | undefined;
    if (!Array.isArray(list)) return;
    hardeningBaseline(cfn, MIXIN, this.props);
    const hardened = list.map((target) =>
      Token.isUnresolved(target) ? target : this.hardenTarget(rule ?? cfn, cfn, target as events.CfnRule.TargetProperty));
    if (kept) (kept as { splice(start: number, count: number, ...items: unknown[]): unknown }).splice(0, list.length, ...hardened);
    else cfn.targets = hardened;
  }

  private hardenTarget(scope: Construct, cfn: events.CfnRule, target: events.CfnRule.TargetProperty): events.CfnRule.TargetProperty {
    let result = target;
    if (target.deadLetterConfig === undefined) {
      const queue = deadLetterQueueOf(scope, {});
      admitEventBridge(queue);
      // The queue policy names the rule: EventBridge sends dead letters as itself, for this rule only.
      // Targets sharing the queue add the same statement, which the policy document renders once.
      queue.addToResourcePolicy(new iam.PolicyStatement({
        sid: `AllowEventRule${Names.nodeUniqueId(scope.node)}`,
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [queue.queueArn],
        conditions: { ArnEquals: { 'aws:SourceArn': cfn.attrArn } },
      }));
      result = { ...result, deadLetterConfig: { arn: queue.queueArn } };
      recordHardening(cfn, MIXIN, `target ${target.id}: undelivered events go to the rule's encrypted dead-letter queue`);
    }
    // A role the target is reached with (a state machine, another bus) trusts EventBridge for this account's rules
    // only: aws-cdk-lib's targets write a trust that conditions on nothing, and EventBridge names the rule's
    // account in aws:SourceAccount when it assumes the role.
    // https://docs.aws.amazon.com/eventbridge/latest/userguide/cross-service-confused-deputy-prevention.html
    if (target.roleArn !== undefined && pinNamedRoleTrustToAccount(cfn, target.roleArn, 'events.amazonaws.com')) {
      recordHardening(cfn, MIXIN, `target ${target.id}: its role may be assumed by EventBridge for account ${Stack.of(cfn).account} only (aws:SourceAccount)`);
    }
    if (target.retryPolicy === undefined) {
      result = { ...result, retryPolicy: { maximumRetryAttempts: RETRY_ATTEMPTS, maximumEventAgeInSeconds: MAX_EVENT_AGE.toSeconds() } };
      recordHardening(cfn, MIXIN, `target ${target.id}: ${RETRY_ATTEMPTS} retries within ${MAX_EVENT_AGE.toHours()} hour`);
    }
    return result;
  }
}

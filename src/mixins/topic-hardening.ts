import { Mixin, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { IConstruct } from 'constructs';
import { recordHardening } from './changes';
import { checkHardeningProps, hardeningBaseline, isLibraryOwned, markMadeByMixin, missingGuards, ownerOf, resourceOf, sameValue } from './data-store-support';
import { StackLookup } from './hardening-pass';
import { HardeningProps } from './hardening-props';
import { keyFollowsAccess } from './key-follows-access';
import { SecurityBaseline } from '../baseline/security-baseline';
import { ENCRYPTION_CONTEXT } from '../encryption/key-conditions';
import { admitAlarmsThatNotify } from '../messaging/alarm-sources';
import { denyOtherAccounts, subscriptionDeadLetterQueue, tlsOnly } from '../messaging/policies';
import { scopeServiceAllows } from '../messaging/service-sources';

const MIXIN = 'TopicHardening';
const POLICIES_ADDED = Symbol.for('cdk-secure-serverless.TopicHardening.policies');

/**
 * Hardens a plain SNS topic (`sns.Topic`, `sns.CfnTopic`) as SecureTopic builds
 * one, in place and without replacing it:
 *
 * - encrypted with the baseline's customer-managed key, unless it already has a
 *   key of its own; identity policies of the stack that publish to the topic
 *   get the exact key use they now need, through SNS, for this topic;
 * - a topic policy that denies publishing without TLS and publishing or
 *   subscribing by principals of other accounts, and lets CloudWatch publish
 *   this account's alarms when an alarm of the app notifies the topic;
 * - every subscription of the stack to the topic that has no dead-letter queue
 *   gets the topic's subscription dead-letter queue (encrypted, TLS-only), as
 *   SecureTopic gives it, with a queue policy that lets SNS deliver to it for
 *   this topic only.
 *
 * Name, FIFO-ness and delivery settings are left as they are. A topic that
 * already has a topic policy of the user's outside its L2 keeps it: a second
 * one would replace the first at deploy. The library's own topics are left alone.
 */
export class TopicHardening extends Mixin {
  private readonly props: HardeningProps;

  constructor(props: HardeningProps = {}) {
    super();
    checkHardeningProps(MIXIN, props);
    this.props = props;
  }

  /** True for a plain topic of this app, L2 or L1; false for imported topics and the library's own. */
  public supports(construct: IConstruct): boolean {
    return (construct instanceof sns.Topic || construct instanceof sns.CfnTopic) && !isLibraryOwned(construct);
  }

  /** Hardens one topic; the same whether given the L2 or its default child. */
  public applyTo(construct: IConstruct): void {
    if (!this.supports(construct)) return;
    const topic = resourceOf(construct, sns.CfnTopic);
    if (topic) hardenTopic(topic, hardeningBaseline(construct, MIXIN, this.props));
  }
}

function hardenTopic(topic: sns.CfnTopic, baseline: SecurityBaseline): void {
  const stack = Stack.of(topic);
  if (topic.kmsMasterKeyId === undefined) {
    topic.kmsMasterKeyId = baseline.key.keyArn;
    recordHardening(topic, MIXIN, 'encrypted with the baseline customer-managed key');
  }
  if (sameValue(stack, topic.kmsMasterKeyId, baseline.key.keyArn)) {
    keyFollowsAccess({ resource: topic, key: baseline.key, service: 'sns', context: { ArnEquals: { [ENCRYPTION_CONTEXT.sns]: topic.ref } } });
  }
  addPolicies(topic);
  addSubscriptionDeadLetterQueue(topic, baseline);
}

/** TLS-only and owner-only statements, through the L2's policy when there is one. */
function addPolicies(topic: sns.CfnTopic): void {
  if ((topic as any)[POLICIES_ADDED]) return;
  const stack = Stack.of(topic);
  const tls = tlsOnly(['sns:Publish'], topic.ref, 'AllowPublishThroughSSLOnly', new iam.StarPrincipal());
  const others = denyOtherAccounts(topic, ['sns:Publish', 'sns:Subscribe'], topic.ref);
  const owner = ownerOf(topic, sns.Topic);
  if (owner) {
    const document = (owner as any).policy?.document as iam.PolicyDocument | undefined;
    for (const statement of missingGuards(stack, document, tls, others)) owner.addToResourcePolicy(statement);
    scopeServiceAllows(owner, () => (owner as any).policy?.document);
    admitAlarmsThatNotify(topic, () => (owner as any).policy?.document);
  } else {
    if (StackLookup.of(stack).referring(sns.CfnTopicPolicy, 'topics', c => c.topics, topic.ref, 'mentions').length > 0) return;
    const document = new iam.PolicyDocument({ statements: [tls, others] });
    markMadeByMixin(new sns.CfnTopicPolicy(topic.node.scope!, `${topic.node.id}Policy`, { topics: [topic.ref], policyDocument: document }));
    admitAlarmsThatNotify(topic, () => document);
  }
  Object.defineProperty(topic, POLICIES_ADDED, { value: true });
  recordHardening(topic, MIXIN, 'topic policy denies publishing without TLS, and publishing or subscribing by principals of other accounts');
}

/** The subscriptions of the stack to this topic without a dead-letter queue get the topic's. */
function addSubscriptionDeadLetterQueue(topic: sns.CfnTopic, baseline: SecurityBaseline): void {
  const stack = Stack.of(topic);
  // A subscription belongs to its topic: one under a SecureQueue subscriber is this topic's to harden.
  const subscriptions = StackLookup.of(stack).referring(sns.CfnSubscription, 'topicArn', c => c.topicArn, topic.ref, 'equals')
    .filter(c => c.redrivePolicy === undefined);
  if (subscriptions.length === 0) return;
  const scope = ownerOf(topic, sns.Topic) ?? topic;
  const id = 'SubscriptionDeadLetterQueue';
  let queue = scope.node.tryFindChild(id) as sqs.Queue | undefined;
  if (!queue) {
    queue = markMadeByMixin(subscriptionDeadLetterQueue(scope, id, baseline.key, stack.resolve(topic.fifoTopic) === true));
    queue.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal('sns.amazonaws.com')],
      actions: ['sqs:SendMessage'],
      resources: [queue.queueArn],
      conditions: { ArnEquals: { 'aws:SourceArn': topic.ref } },
    }));
  }
  for (const subscription of subscriptions) {
    subscription.redrivePolicy = { deadLetterTargetArn: queue.queueArn };
    recordHardening(subscription, MIXIN, `dead-letter queue ${queue.node.path} added (encrypted, TLS-only), as SecureTopic gives its subscriptions`);
  }
}

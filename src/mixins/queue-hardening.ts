import { CfnResource, Mixin, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { IConstruct } from 'constructs';
import { recordHardening } from './changes';
import { checkHardeningProps, hardeningBaseline, isLibraryOwned, markMadeByMixin, missingGuards, ownerOf, resourceOf, sameValue } from './data-store-support';
import { StackLookup } from './hardening-pass';
import { HardeningProps } from './hardening-props';
import { keyFollowsAccess } from './key-follows-access';
import { SecurityBaseline } from '../baseline/security-baseline';
import { acknowledgeFinding } from '../core/acknowledgements';
import { ENCRYPTION_CONTEXT } from '../encryption/key-conditions';
import { denyOtherAccounts, terminalDeadLetterQueue, tlsOnly } from '../messaging/policies';
import { QUEUE_DEFAULTS } from '../messaging/queue-defaults';
import { scopeServiceAllows } from '../messaging/service-sources';

const MIXIN = 'QueueHardening';
const POLICIES_ADDED = Symbol.for('cdk-secure-serverless.QueueHardening.policies');

/**
 * Hardens a plain SQS queue (`sqs.Queue`, `sqs.CfnQueue`) as SecureQueue builds
 * one, in place and without replacing it:
 *
 * - encrypted with the baseline's customer-managed key, unless it already has a
 *   key of its own; identity policies of the stack that send to or receive from
 *   the queue get the exact key use they now need, through SQS, for this queue;
 * - a queue policy that denies requests without TLS and principals of other
 *   accounts (AWS services acting for this account still deliver);
 * - an encrypted, TLS-only dead-letter queue with SecureQueue's redrive (3
 *   receives), unless the queue has one or is itself a dead-letter queue of the
 *   stack (of a queue, a subscription or a function): such a queue gets a
 *   redrive-allow policy instead, and the Serverless redrive finding on it is
 *   acknowledged with that reason. The new dead-letter queue lets any queue of
 *   this account redrive into it (`allowAll`): naming this queue would need its
 *   name, and setting a name on an existing queue replaces it;
 * - the message retention written out as SecureQueue's (4 days) when unset.
 *
 * Name, FIFO-ness and visibility timeout (which consumers' timeouts depend on)
 * are left as they are. A queue that already has a policy of the user's outside
 * its L2 (an `AWS::SQS::QueuePolicy` of its own) keeps it: a second queue
 * policy would replace the first at deploy. The library's own queues are left alone.
 */
export class QueueHardening extends Mixin {
  private readonly props: HardeningProps;

  constructor(props: HardeningProps = {}) {
    super();
    checkHardeningProps(MIXIN, props);
    this.props = props;
  }

  /** True for a plain queue of this app, L2 or L1; false for imported queues and the library's own. */
  public supports(construct: IConstruct): boolean {
    return (construct instanceof sqs.Queue || construct instanceof sqs.CfnQueue) && !isLibraryOwned(construct);
  }

  /** Hardens one queue; the same whether given the L2 or its default child. */
  public applyTo(construct: IConstruct): void {
    if (!this.supports(construct)) return;
    const queue = resourceOf(construct, sqs.CfnQueue);
    if (queue) hardenQueue(queue, hardeningBaseline(construct, MIXIN, this.props));
  }
}

function hardenQueue(queue: sqs.CfnQueue, baseline: SecurityBaseline): void {
  const stack = Stack.of(queue);
  if (queue.kmsMasterKeyId === undefined) {
    queue.kmsMasterKeyId = baseline.key.keyArn;
    queue.sqsManagedSseEnabled = undefined;
    recordHardening(queue, MIXIN, 'encrypted with the baseline customer-managed key');
  }
  if (sameValue(stack, queue.kmsMasterKeyId, baseline.key.keyArn)) {
    keyFollowsAccess({ resource: queue, key: baseline.key, service: 'sqs', context: { ArnEquals: { [ENCRYPTION_CONTEXT.sqs]: queue.attrArn } } });
  }
  addPolicies(queue);

  if (queue.messageRetentionPeriod === undefined) {
    queue.messageRetentionPeriod = QUEUE_DEFAULTS.retentionPeriod.toSeconds();
    recordHardening(queue, MIXIN, `message retention written out as ${QUEUE_DEFAULTS.retentionPeriod.toHumanString()}, as SecureQueue keeps messages`);
  }

  const deadLetterOf = sourcesOf(queue);
  if (deadLetterOf.length > 0) {
    if (queue.redriveAllowPolicy === undefined) {
      queue.redriveAllowPolicy = { redrivePermission: sqs.RedrivePermission.ALLOW_ALL };
      recordHardening(queue, MIXIN, 'redrive allowed into it, as the dead-letter queue it is');
    }
    acknowledgeFinding(queue, 'Serverless-SQSRedrivePolicy',
      `dead-letter queue of ${deadLetterOf.join(', ')}: a redrive policy on it would need yet another queue; `
      + 'Control Tower CT.SQS.PR.1 accepts it as a dead-letter queue through its RedriveAllowPolicy');
  } else if (queue.redrivePolicy === undefined) {
    const fifo = Stack.of(queue).resolve(queue.fifoQueue) === true;
    const owner = ownerOf(queue, sqs.Queue);
    const [scope, id] = owner ? [owner, 'DeadLetterQueue'] : [queue.node.scope!, `${queue.node.id}DeadLetterQueue`];
    const deadLetter = markMadeByMixin(terminalDeadLetterQueue(scope, id, {
      key: baseline.key,
      fifo: fifo || undefined,
      redriveAllowPolicy: { redrivePermission: sqs.RedrivePermission.ALLOW_ALL },
      of: queue.node.path,
    }));
    queue.redrivePolicy = { deadLetterTargetArn: deadLetter.queueArn, maxReceiveCount: QUEUE_DEFAULTS.maxReceiveCount };
    recordHardening(queue, MIXIN,
      `dead-letter queue ${deadLetter.node.path} added (encrypted, TLS-only), after ${QUEUE_DEFAULTS.maxReceiveCount} receives`);
  }
}

/** TLS-only and owner-only statements, through the L2's policy when there is one. */
function addPolicies(queue: sqs.CfnQueue): void {
  if ((queue as any)[POLICIES_ADDED]) return;
  const tls = tlsOnly(['sqs:*'], queue.attrArn);
  const others = denyOtherAccounts(queue, ['sqs:*'], queue.attrArn);
  const owner = ownerOf(queue, sqs.Queue);
  if (owner) {
    const document = (owner as any).policy?.document as iam.PolicyDocument | undefined;
    for (const statement of missingGuards(Stack.of(queue), document, tls, others)) owner.addToResourcePolicy(statement);
    scopeServiceAllows(owner, () => (owner as any).policy?.document);
  } else if (hasQueuePolicy(queue)) {
    return;
  } else {
    const policy = markMadeByMixin(new sqs.CfnQueuePolicy(queue.node.scope!, `${queue.node.id}Policy`, {
      queues: [queue.ref],
      policyDocument: new iam.PolicyDocument({ statements: [tls, others] }),
    }));
    policy.node.addDependency(queue);
  }
  Object.defineProperty(queue, POLICIES_ADDED, { value: true });
  recordHardening(queue, MIXIN, 'queue policy denies requests without TLS and principals of other accounts');
}

function hasQueuePolicy(queue: sqs.CfnQueue): boolean {
  return StackLookup.of(Stack.of(queue)).referring(sqs.CfnQueuePolicy, 'queues', c => c.queues, queue.ref, 'mentions').length > 0;
}

/**
 * The constructs of the stack that send their failures to `queue`: queues
 * redriving into it, subscriptions and functions using it as their dead-letter queue.
 */
function sourcesOf(queue: sqs.CfnQueue): string[] {
  const stack = Stack.of(queue);
  const lookup = StackLookup.of(stack);
  const deadLetterArn = (value: unknown, key: string) => (stack.resolve(value) as any)?.[key];
  return lookup.inTreeOrder<CfnResource>([
    ...lookup.referring(sqs.CfnQueue, 'redrivePolicy', c => deadLetterArn(c.redrivePolicy, 'deadLetterTargetArn'), queue.attrArn, 'equals'),
    ...lookup.referring(sns.CfnSubscription, 'redrivePolicy', c => deadLetterArn(c.redrivePolicy, 'deadLetterTargetArn'), queue.attrArn, 'equals'),
    ...lookup.referring(lambda.CfnFunction, 'deadLetterConfig', c => deadLetterArn(c.deadLetterConfig, 'targetArn'), queue.attrArn, 'equals'),
  ]).map(c => c.node.path);
}

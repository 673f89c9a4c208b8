import { ArnFormat, AspectPriority, Aspects, CfnResource, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { IConstruct } from 'constructs';
import { resolveWithReferences } from '../core/references';
import { servicesOf, statementsOf } from '../iam/statements';

const CLOUDWATCH = 'cloudwatch.amazonaws.com';
const ALARM_TYPES = new Set(['AWS::CloudWatch::Alarm', 'AWS::CloudWatch::CompositeAlarm']);
const ALARM_ACTION_PROPS = ['alarmActions', 'okActions', 'insufficientDataActions'];
const REGISTRY = Symbol.for('cdk-secure-serverless.AlarmSources');

/**
 * CloudWatch may publish the alarms of this account to the topic: a topic policy
 * replaces SNS's default one, so without this Allow no alarm would be delivered.
 * CloudWatch names the alarm in `aws:SourceArn` and its account in `aws:SourceAccount`.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Notify_Users_Alarm_Changes.html
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-security-best-practices.html#ensure-topics-not-publicly-accessible
 */
export function alarmsOfThisAccount(scope: IConstruct, topicArn: string): iam.PolicyStatement {
  const stack = Stack.of(scope);
  return new iam.PolicyStatement({
    sid: 'AllowCloudWatchAlarmsOfThisAccount',
    principals: [new iam.ServicePrincipal(CLOUDWATCH)],
    actions: ['sns:Publish'],
    resources: [topicArn],
    conditions: {
      ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
      StringEquals: { 'aws:SourceAccount': stack.account },
    },
  });
}

interface WatchedTopic {
  readonly topic: sns.CfnTopic;
  readonly document: () => iam.PolicyDocument | undefined;
}

/**
 * Lets CloudWatch publish this account's alarms to `topic`, whose topic policy
 * is `document`, when an alarm of the app notifies it: the topic policy the
 * library writes would otherwise refuse every alarm. Alarms are read when the
 * app is synthesized, in one pass over the app however many topics are watched,
 * so alarms added after the topic are covered too; a topic no alarm notifies
 * gets no Allow.
 */
export function admitAlarmsThatNotify(topic: sns.CfnTopic, document: () => iam.PolicyDocument | undefined): void {
  const root = topic.node.root;
  const registered: WatchedTopic[] | undefined = (root as any)[REGISTRY];
  if (registered) {
    registered.push({ topic, document });
    return;
  }
  const watched: WatchedTopic[] = [{ topic, document }];
  Object.defineProperty(root, REGISTRY, { value: watched });
  Aspects.of(root).add({
    visit: (node: IConstruct) => {
      if (node !== root) return;
      const actions = alarmActionsOf(root);
      for (const { topic: t, document: d } of watched) {
        const policy = d();
        if (policy && notifies(actions, t) && !allowsCloudWatch(Stack.of(t), policy)) policy.addStatements(alarmsOfThisAccount(t, t.ref));
      }
    },
  }, { priority: AspectPriority.MUTATING });
}

/** What the alarm actions of the app name: the resources they refer to, and literal ARNs. */
interface AlarmActions {
  readonly targets: ReadonlySet<IConstruct>;
  readonly arns: ReadonlySet<string>;
}

function alarmActionsOf(root: IConstruct): AlarmActions {
  const found = { targets: new Set<IConstruct>(), arns: new Set<string>() };
  for (const construct of root.node.findAll()) {
    if (!CfnResource.isCfnResource(construct) || !ALARM_TYPES.has(construct.cfnResourceType)) continue;
    for (const prop of ALARM_ACTION_PROPS) {
      const { value, targets } = resolveWithReferences(construct, (construct as any)[prop]);
      targets.forEach(target => found.targets.add(target));
      for (const action of [value ?? []].flat()) if (typeof action === 'string') found.arns.add(action);
    }
  }
  return found;
}

function notifies(actions: AlarmActions, topic: sns.CfnTopic): boolean {
  if (actions.targets.has(topic)) return true;
  const stack = Stack.of(topic);
  const name = topic.topicName;
  if (typeof name !== 'string' || Token.isUnresolved(name) || Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region)) return false;
  return [...actions.arns].some(arn => /^arn:[^:]+:sns:/.test(arn) && arn.endsWith(`:sns:${stack.region}:${stack.account}:${name}`));
}

function allowsCloudWatch(stack: Stack, policy: iam.PolicyDocument): boolean {
  return statementsOf(policy).some(s => s.effect === iam.Effect.ALLOW && s.actions.some(a => /^sns:(Publish|\*)$/i.test(a))
    && servicesOf(stack, s).includes(CLOUDWATCH));
}

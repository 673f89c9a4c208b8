import {
  ArnFormat, AspectPriority, Aspects, CfnResource, DefaultTokenResolver, IPostProcessor, IResolvable, IResolveContext, Reference, Stack, StringConcat,
  Token, Tokenization,
} from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { IConstruct } from 'constructs';

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
  readonly targets: Set<IConstruct>;
  readonly arns: Set<string>;
}

function alarmActionsOf(root: IConstruct): AlarmActions {
  const found: AlarmActions = { targets: new Set(), arns: new Set() };
  const resolver = new ReferenceCollector(found.targets);
  for (const construct of root.node.findAll()) {
    if (!CfnResource.isCfnResource(construct) || !ALARM_TYPES.has(construct.cfnResourceType)) continue;
    for (const prop of ALARM_ACTION_PROPS) {
      const resolved = Tokenization.resolve((construct as any)[prop], { scope: construct, resolver });
      for (const action of [resolved ?? []].flat()) if (typeof action === 'string') found.arns.add(action);
    }
  }
  return found;
}

/** Resolves as usual, keeping the resources the references it meets point to (a topic's ARN refers to the topic, across stacks too). */
class ReferenceCollector extends DefaultTokenResolver {
  constructor(private readonly targets: Set<IConstruct>) {
    super(new StringConcat());
  }

  public resolveToken(token: IResolvable, context: IResolveContext, postProcessor: IPostProcessor): any {
    if (Reference.isReference(token)) this.targets.add(token.target);
    return super.resolveToken(token, context, postProcessor);
  }
}

function notifies(actions: AlarmActions, topic: sns.CfnTopic): boolean {
  if (actions.targets.has(topic)) return true;
  const stack = Stack.of(topic);
  const name = topic.topicName;
  if (typeof name !== 'string' || Token.isUnresolved(name) || Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region)) return false;
  return [...actions.arns].some(arn => /^arn:[^:]+:sns:/.test(arn) && arn.endsWith(`:sns:${stack.region}:${stack.account}:${name}`));
}

function allowsCloudWatch(stack: Stack, policy: iam.PolicyDocument): boolean {
  const statements: iam.PolicyStatement[] = (policy as unknown as { statements: iam.PolicyStatement[] }).statements ?? [];
  return statements.some(s => s.effect === iam.Effect.ALLOW && s.actions.some(a => /^sns:(Publish|\*)$/i.test(a))
    && s.principals.some(p => [stack.resolve(p.policyFragment.principalJson.Service)].flat().includes(CLOUDWATCH)));
}

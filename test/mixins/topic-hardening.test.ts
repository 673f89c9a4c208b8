import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { TOPIC_CASES as CASES, topicMixins as mixins } from './data-store-cases';
import { changesOf, hardenedApp, hardenTwice, plainApp, stackOf, statefulIds } from './data-support';
import { ComplianceProfile } from '../../src/core/profile';
import { SecureQueue } from '../../src/messaging/secure-queue';
import { SecureTopic } from '../../src/messaging/secure-topic';
import { TopicHardening } from '../../src/mixins/topic-hardening';
import { alarmNotifying, partitionArn } from '../core/fixtures';

describe('TopicHardening', () => {
  describe('what it changes', () => {
    const build = CASES['Topic with a plain queue and a SecureQueue subscribed, and a publisher granted before the mixin'];
    let plain: Template;
    let hardened: Template;
    let twice: Template;
    let app: App;

    beforeAll(() => {
      ({ plain, hardened, twice, app } = hardenTwice(build, mixins, ComplianceProfile.STANDARD));
    });

    test('logical ids of the topics and subscriptions are unchanged', () => {
      const types = ['AWS::SNS::Topic', 'AWS::SNS::Subscription'];
      expect(statefulIds(hardened, types)).toEqual(statefulIds(plain, types));
    });

    test('applied twice, the template is the same', () => {
      expect(twice.toJSON()).toEqual(hardened.toJSON());
    });

    test('each change is recorded on the topic and the subscriptions, once', () => {
      expect(changesOf(app, 'TopicHardening')).toEqual([
        'S/Topic/Resource: encrypted with the baseline customer-managed key',
        'S/Topic/Resource: topic policy denies publishing without TLS, and publishing or subscribing by principals of other accounts',
        'S/Plain/STopicA6DC6E57/Resource: dead-letter queue S/Topic/SubscriptionDeadLetterQueue added (encrypted, TLS-only), as SecureTopic gives its subscriptions',
        'S/Secure/STopicA6DC6E57/Resource: dead-letter queue S/Topic/SubscriptionDeadLetterQueue added (encrypted, TLS-only), as SecureTopic gives its subscriptions',
      ]);
    });

    test('a publish grant made before the mixin gets the key use, through SNS, for this topic', () => {
      const stack = stackOf(app);
      const topicId = stack.resolve((stack.node.findChild('Topic').node.defaultChild as sns.CfnTopic).logicalId);
      hardened.hasResourceProperties('AWS::IAM::ManagedPolicy', {
        Roles: [{ Ref: Match.stringLikeRegexp('^PublisherServiceRole') }],
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({
            Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
            Condition: { ArnEquals: { 'kms:EncryptionContext:aws:sns:topicArn': { Ref: topicId } }, StringEquals: { 'kms:ViaService': Match.anyValue() } },
          })]),
        },
      });
    });
  });

  test('SecureTopic and a plain topic after the mixin agree on key, policy and subscription dead-letter queue', () => {
    const app = hardenedApp(stack => {
      const queue = new SecureQueue(stack, 'Queue');
      new SecureTopic(stack, 'Secure').addSubscription(new subscriptions.SqsSubscription(queue));
      new sns.Topic(stack, 'Plain').addSubscription(new subscriptions.SqsSubscription(queue));
    }, mixins, ComplianceProfile.STANDARD);
    const stack = stackOf(app);
    const template = Template.fromStack(stack).toJSON().Resources;
    const settings = (path: string): object => {
      const id = stack.resolve((stack.node.findChild(path).node.defaultChild as sns.CfnTopic).logicalId);
      const policy = Object.values<any>(template).find(r => r.Type === 'AWS::SNS::TopicPolicy' && JSON.stringify(r.Properties.Topics).includes(id));
      const subscription = Object.values<any>(template).find(r => r.Type === 'AWS::SNS::Subscription' && JSON.stringify(r.Properties.TopicArn).includes(id));
      const dlqId = subscription.Properties.RedrivePolicy.deadLetterTargetArn['Fn::GetAtt'][0];
      const { KmsMasterKeyId, MessageRetentionPeriod, RedriveAllowPolicy } = template[dlqId].Properties;
      return {
        key: template[id].Properties.KmsMasterKeyId,
        statements: JSON.parse(JSON.stringify(policy.Properties.PolicyDocument.Statement).split(id).join('<topic>')),
        deadLetterQueue: { KmsMasterKeyId, MessageRetentionPeriod, RedriveAllowPolicy },
      };
    };
    expect(settings('Plain')).toEqual(settings('Secure'));
  });

  test('the library\'s own topics and imported topics are not supported', () => {
    const { stack } = plainApp(() => undefined);
    const mixin = new TopicHardening();
    expect(mixin.supports(new SecureTopic(stack, 'Secure'))).toBe(false);
    expect(mixin.supports(sns.Topic.fromTopicArn(stack, 'Imported', 'arn:aws:sns:eu-west-1:111111111111:t'))).toBe(false);
    expect(mixin.supports(new sns.CfnTopic(stack, 'Plain'))).toBe(true);
  });
});

describe('TopicHardening on a topic that an alarm notifies', () => {
  test.each([
    ['an sns.Topic', (stack: Stack) => new sns.Topic(stack, 'Topic')],
    ['an sns.CfnTopic', (stack: Stack) => sns.Topic.fromTopicArn(stack, 'Imported', new sns.CfnTopic(stack, 'Topic').ref)],
  ])('%s: the policy the mixin writes lets CloudWatch publish this account\'s alarms', (_name, build) => {
    // GIVEN a plain topic an alarm notifies, under the mixin
    const app = hardenedApp(stack => {
      alarmNotifying(stack, build(stack));
    }, mixins, ComplianceProfile.STANDARD);

    // THEN the topic policy has the Allow SecureTopic gets, tied to this account's alarms
    const statements = Object.values<any>(Template.fromStack(stackOf(app)).findResources('AWS::SNS::TopicPolicy'))
      .flatMap(policy => [policy.Properties.PolicyDocument.Statement].flat());
    expect(statements.filter(s => s.Principal?.Service === 'cloudwatch.amazonaws.com')).toEqual([expect.objectContaining({
      Sid: 'AllowCloudWatchAlarmsOfThisAccount',
      Effect: 'Allow',
      Action: 'sns:Publish',
      Condition: { ArnLike: { 'aws:SourceArn': partitionArn(':cloudwatch:eu-west-1:111111111111:alarm:*') }, StringEquals: { 'aws:SourceAccount': '111111111111' } },
    })]);
  });
});

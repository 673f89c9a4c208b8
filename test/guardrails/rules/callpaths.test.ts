import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { alarmNotifying, cloudWatchPublishAllow } from '../../core/fixtures';
import { reported, testStack } from '../support';

describe('AlarmTopicPolicy', () => {
  test('reports an alarm whose topic policy only denies (enforceSSL): no alarm is ever delivered', () => {
    const { app, stack } = testStack();
    alarmNotifying(stack, new sns.Topic(stack, 'Topic', { enforceSSL: true }));
    expect(reported(app, 'AlarmTopicPolicy')).toEqual(['ServerlessSecurity-AlarmTopicPolicy @ Test/Alarm/Resource']);
  });

  test('passes a topic without a topic policy (SNS\'s default admits the account\'s alarms) and one that allows CloudWatch', () => {
    const { app, stack } = testStack();
    const topic = new sns.Topic(stack, 'Topic', { enforceSSL: true });
    topic.addToResourcePolicy(cloudWatchPublishAllow(topic));
    alarmNotifying(stack, topic);
    const other = testStack();
    alarmNotifying(other.stack, new sns.Topic(other.stack, 'Topic'));
    expect([...reported(app, 'AlarmTopicPolicy'), ...reported(other.app, 'AlarmTopicPolicy')]).toEqual([]);
  });
});

describe('KmsServiceKeyConditions', () => {
  function keyWith(conditions: Record<string, Record<string, string>>, service = 'events.amazonaws.com') {
    const { app, stack } = testStack();
    new kms.Key(stack, 'Key').addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal(service)],
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: ['*'],
      conditions,
    }));
    return app;
  }

  test('reports EventBridge conditioned on aws:SourceAccount, which it does not send to KMS', () => {
    expect(reported(keyWith({ StringEquals: { 'aws:SourceAccount': '111111111111' } }), 'KmsServiceKeyConditions'))
      .toEqual(['ServerlessSecurity-KmsServiceKeyConditions @ Test/Key/Resource']);
  });

  test('reports S3 conditioned on kms:ViaService', () => {
    expect(reported(keyWith({ StringEquals: { 'kms:ViaService': 'sqs.eu-west-1.amazonaws.com' } }, 's3.amazonaws.com'), 'KmsServiceKeyConditions'))
      .toEqual(['ServerlessSecurity-KmsServiceKeyConditions @ Test/Key/Resource']);
  });

  test('passes a statement conditioned on the destination in the encryption context', () => {
    expect(reported(keyWith({ ArnLike: { 'kms:EncryptionContext:aws:sns:topicArn': 'arn:aws:sns:eu-west-1:111111111111:*' } }), 'KmsServiceKeyConditions'))
      .toEqual([]);
  });
});

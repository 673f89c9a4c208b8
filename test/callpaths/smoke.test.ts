import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { countsOf, evaluateApps, failuresOf } from './evaluate';
import { SecureFunction } from '../../src/function/secure-function';
import { SecureQueue } from '../../src/messaging/secure-queue';
import { SecureTopic } from '../../src/messaging/secure-topic';
import { ENV } from '../core/fixtures';

test('smoke', async () => {
  const app = new App();
  const stack = new Stack(app, 'S', { env: ENV });
  const queue = new SecureQueue(stack, 'Queue');
  const f = new SecureFunction(stack, 'F', { code: lambda.Code.fromInline('x'), handler: 'index.handler' });
  queue.grantSendMessages(f);
  queue.addConsumer(new SecureFunction(stack, 'C', { code: lambda.Code.fromInline('x'), handler: 'index.handler' }));
  new SecureTopic(stack, 'Topic').addSubscription(new subscriptions.SqsSubscription(queue));
  const outcomes = await evaluateApps([app]);
  console.log(outcomes.map(o => `${o.decision} ${o.request.label} ${o.request.action} ${o.variants.map(v => v.variant.name + '=' + v.decision).join(',')}`).join('\n'));
  console.log(countsOf(outcomes), failuresOf(outcomes).join('\n'));
});

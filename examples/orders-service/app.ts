import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Guardrails, SecureFunction, SecureQueue, SecureTopic } from 'cdk-secure-serverless';

/**
 * The orders service: an intake function queues orders, a worker processes them
 * and announces each one on a topic. Guardrails fail the synth on any finding.
 */
export function buildApp(app: App = new App()): App {
  Guardrails.enforce(app);
  const stack = new Stack(app, 'OrdersService', { env: { account: '111111111111', region: 'eu-west-1' } });

  const orders = new SecureQueue(stack, 'Orders');
  const notifications = new SecureTopic(stack, 'Notifications');

  const intake = new SecureFunction(stack, 'OrderIntake', {
    code: lambda.Code.fromAsset(path.join(__dirname, 'handlers', 'order-intake')),
    handler: 'index.handler',
    environment: { QUEUE_URL: orders.queueUrl },
  });
  orders.grantSendMessages(intake);

  const worker = new SecureFunction(stack, 'OrderWorker', {
    code: lambda.Code.fromAsset(path.join(__dirname, 'handlers', 'order-worker')),
    handler: 'index.handler',
    environment: { TOPIC_ARN: notifications.topicArn },
  });
  orders.addConsumer(worker);
  notifications.grantPublish(worker);
  return app;
}

if (require.main === module) {
  buildApp().synth();
}

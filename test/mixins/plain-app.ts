import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { CODE, ENV, HANDLER, prefixListContext } from '../core/fixtures';

/** The stateful resource types of the plain apps, with the property that names each: neither may change. */
const STATEFUL_NAMES: Record<string, string> = {
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::S3::Bucket': 'BucketName',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::SecretsManager::Secret': 'Name',
  'AWS::Logs::LogGroup': 'LogGroupName',
};
export const STATEFUL_TYPES = Object.keys(STATEFUL_NAMES);

/**
 * Each stateful resource of a stack by logical id, with its type and the name
 * it is given (rendered; `undefined` when CloudFormation names it).
 */
export function statefulResources(stack: Stack): Record<string, { type: string; name?: string }> {
  const resources = Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  return Object.fromEntries(Object.entries(resources)
    .filter(([, resource]) => resource.Type in STATEFUL_NAMES)
    .map(([id, resource]) => {
      const name = resource.Properties?.[STATEFUL_NAMES[resource.Type]];
      return [id, { type: resource.Type, ...name === undefined ? {} : { name: JSON.stringify(name) } }];
    }));
}

/**
 * An orders service written in plain aws-cdk-lib as a tutorial would: a REST API
 * with IAM auth, four functions, a table, an upload bucket notifying a queue that
 * a worker consumes, a topic fan-out, a nightly rule, a secret and a state machine.
 */
export interface PlainOrdersApp {
  readonly app: App;
  readonly stack: Stack;
  /** The function that consumes the upload queue and reads the bucket. */
  readonly worker: lambda.Function;
  /** The partner's API key. */
  readonly secret: secretsmanager.Secret;
  /** The upload bucket. */
  readonly uploads: s3.Bucket;
}

export function plainOrdersApp(): PlainOrdersApp {
  const app = new App({ context: prefixListContext() });
  const stack = new Stack(app, 'Orders', { env: ENV });
  const fn = (id: string, props: Partial<lambda.FunctionProps> = {}) =>
    new lambda.Function(stack, id, { code: CODE, handler: HANDLER, runtime: lambda.Runtime.NODEJS_LATEST, ...props });

  const table = new dynamodb.Table(stack, 'Orders', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
  const secret = new secretsmanager.Secret(stack, 'ApiKey');
  const api = fn('GetOrder', { environment: { TABLE_NAME: table.tableName, SECRET_ARN: secret.secretArn } });
  table.grantReadData(api);
  secret.grantRead(api);

  const rest = new apigateway.RestApi(stack, 'Api', {
    defaultMethodOptions: { authorizationType: apigateway.AuthorizationType.IAM },
  });
  rest.root.addResource('orders').addResource('{id}').addMethod('GET', new apigateway.LambdaIntegration(api));

  const uploads = new s3.Bucket(stack, 'Uploads');
  const inbox = new sqs.Queue(stack, 'Inbox', { visibilityTimeout: Duration.seconds(30) });
  uploads.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.SqsDestination(inbox));
  const worker = fn('Worker', { environment: { TABLE_NAME: table.tableName } });
  worker.addEventSource(new SqsEventSource(inbox));
  uploads.grantRead(worker);
  table.grantWriteData(worker);

  const topic = new sns.Topic(stack, 'OrderEvents');
  const notifier = fn('Notifier');
  topic.addSubscription(new subscriptions.LambdaSubscription(notifier));
  topic.grantPublish(worker);

  const nightly = fn('Nightly', { environment: { TABLE_NAME: table.tableName } });
  table.grantReadData(nightly);
  new events.Rule(stack, 'NightlyRule', { schedule: events.Schedule.cron({ hour: '2', minute: '0' }), targets: [new targets.LambdaFunction(nightly)] });

  new sfn.StateMachine(stack, 'Fulfilment', {
    definitionBody: sfn.DefinitionBody.fromChainable(new tasks.LambdaInvoke(stack, 'Notify', { lambdaFunction: notifier })),
  });
  return { app, stack, worker, secret, uploads };
}

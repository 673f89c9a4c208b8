process.env.CDK_VALIDATION = 'false';

import { App, Duration, Mixins, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { ComplianceProfile } from '../../src/core/profile';
import { ServerlessHardening } from '../../src/mixins/serverless-hardening';
import { CODE, ENV, HANDLER, prefixListContext } from '../core/fixtures';
import { describeWork, nonLinear, StepWork, workBySize } from '../core/linear-work';

/**
 * `units` units of a plain service in one stack, as tutorials write it: per
 * unit a table, a secret, a function behind a route of the stack's REST API,
 * a bucket notifying a queue that a second function consumes, a topic with a
 * subscriber, a nightly rule, a state machine and an audit log group.
 */
function plainUnits(stack: Stack, units: number): void {
  const fn = (id: string, props: Partial<lambda.FunctionProps> = {}) =>
    new lambda.Function(stack, id, { code: CODE, handler: HANDLER, runtime: lambda.Runtime.NODEJS_LATEST, ...props });
  const api = new apigateway.RestApi(stack, 'Api', { defaultMethodOptions: { authorizationType: apigateway.AuthorizationType.IAM } });
  for (let i = 0; i < units; i++) {
    const table = new dynamodb.Table(stack, `Orders${i}`, { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
    const secret = new secretsmanager.Secret(stack, `ApiKey${i}`);
    const handler = fn(`GetOrder${i}`, { environment: { TABLE_NAME: table.tableName, SECRET_ARN: secret.secretArn } });
    table.grantReadData(handler);
    secret.grantRead(handler);
    api.root.addResource(`orders${i}`).addMethod('GET', new apigateway.LambdaIntegration(handler));

    const uploads = new s3.Bucket(stack, `Uploads${i}`);
    const inbox = new sqs.Queue(stack, `Inbox${i}`, { visibilityTimeout: Duration.seconds(30) });
    uploads.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.SqsDestination(inbox));
    const worker = fn(`Worker${i}`, { environment: { TABLE_NAME: table.tableName } });
    worker.addEventSource(new SqsEventSource(inbox));
    uploads.grantRead(worker);
    table.grantWriteData(worker);

    const topic = new sns.Topic(stack, `OrderEvents${i}`);
    const notifier = fn(`Notifier${i}`);
    topic.addSubscription(new subscriptions.LambdaSubscription(notifier));
    topic.grantPublish(worker);
    new events.Rule(stack, `Nightly${i}`, { schedule: events.Schedule.cron({ hour: '2', minute: '0' }), targets: [new targets.LambdaFunction(notifier)] });
    new sfn.StateMachine(stack, `Fulfilment${i}`, {
      definitionBody: sfn.DefinitionBody.fromChainable(new tasks.LambdaInvoke(stack, `Notify${i}`, { lambdaFunction: notifier })),
    });
    new logs.LogGroup(stack, `Audit${i}`);
  }
}

/** Hardening the app and synthesizing it: the mixins, then the aspects they register. */
function hardenAndSynth(app: App): void {
  for (const stack of app.node.children.filter(Stack.isStack)) {
    Mixins.of(stack).apply(new ServerlessHardening({ profile: ComplianceProfile.REGULATED, reservedConcurrency: 10 }));
  }
  app.synth();
}

function appOf(stacks: number, units: number): App {
  const app = new App({ context: prefixListContext() });
  for (let i = 0; i < stacks; i++) plainUnits(new Stack(app, `Service${i}`, { env: ENV }), units);
  return app;
}

describe('ServerlessHardening on a plain app, as the app grows', () => {
  let byUnits: StepWork[];
  let byStacks: StepWork[];
  beforeAll(() => {
    byUnits = workBySize([1, 2, 3], (units) => appOf(1, units), hardenAndSynth);
    byStacks = workBySize([1, 2, 3], (stacks) => appOf(stacks, 1), hardenAndSynth);
  });

  test('each unit added to one stack adds the same work to every mixin and aspect', () => {
    // eslint-disable-next-line no-console
    console.log(`ServerlessHardening, handlings at 1, 2 and 3 units:\n${describeWork(byUnits)}`);
    expect(describeWork(nonLinear(byUnits))).toEqual('');
  });

  test('each stack added adds the same work to every mixin and aspect', () => {
    // eslint-disable-next-line no-console
    console.log(`ServerlessHardening, handlings at 1, 2 and 3 stacks:\n${describeWork(byStacks)}`);
    expect(describeWork(nonLinear(byStacks))).toEqual('');
  });

  test('the kind mixins and the aspects they register are all counted', () => {
    expect(byUnits.map(({ step }) => step)).toEqual(expect.arrayContaining([
      'aspect:KeyFollowsAccess', 'mixin:BucketHardening', 'mixin:FunctionHardening', 'mixin:InlinePolicyHardening',
      'mixin:LogGroupHardening', 'mixin:QueueHardening', 'mixin:RestApiHardening', 'mixin:RuleHardening',
      'mixin:SecretHardening', 'mixin:StateMachineHardening', 'mixin:TableHardening', 'mixin:TopicHardening',
    ]));
  });
});

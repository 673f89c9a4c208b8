import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { FactId } from './aws-facts';
import { evaluateApps, failuresOf, Outcome } from './evaluate';
import { HttpApiAuthorization } from '../../src/api/http-api-authorization';
import { SecureHttpApi } from '../../src/api/secure-http-api';
import { SecurityBaseline } from '../../src/baseline/security-baseline';
import { SOURCE_KEYS_NOT_SENT } from '../../src/encryption/key-use';
import { SecureFunction } from '../../src/function/secure-function';
import { SecureQueue } from '../../src/messaging/secure-queue';
import { SecureTopic } from '../../src/messaging/secure-topic';
import { ServerlessHardening } from '../../src/mixins/serverless-hardening';
import { TopicHardening } from '../../src/mixins/topic-hardening';
import { SecretRotationChoice } from '../../src/secrets/secret-rotation';
import { SecureSecret } from '../../src/secrets/secure-secret';
import { CLOUDFRONT_LOGGING_ALLOWED } from '../../src/storage/cloudfront-logging';
import { SecureBucket } from '../../src/storage/secure-bucket';
import { SecureTable } from '../../src/table/secure-table';
import { alarmNotifying, CODE, ENV, HANDLER, prefixListContext } from '../core/fixtures';

/**
 * One test per row of issue 19's table that the call-path model decides: each
 * builds the app the row names, models its requests and evaluates them. Each
 * failed before its fix.
 */

function app(build: (stack: Stack) => void, env = ENV): App {
  const a = new App({ context: prefixListContext(env) });
  build(new Stack(a, 'S', { env }));
  return a;
}

function fn(stack: Stack, id: string): SecureFunction {
  return new SecureFunction(stack, id, { code: CODE, handler: HANDLER });
}

async function outcomesOf(built: App, ...facts: FactId[]): Promise<Outcome[]> {
  const outcomes = (await evaluateApps([built])).filter(o => facts.includes(o.request.factId));
  expect(outcomes.length).toBeGreaterThan(0);
  return outcomes;
}

describe('issue 19 rows, decided by the call-path model', () => {
  test('row 1: CloudWatch publishes a function\'s failure alarm to the baseline\'s alarm topic, and only this account\'s alarms', async () => {
    // GIVEN a function, whose alarms notify the baseline's encrypted alarm topic
    const outcomes = await outcomesOf(app(stack => fn(stack, 'Function')), 'alarmToTopic', 'serviceToEncryptedTopic');
    // THEN publishing and the key use it needs are allowed; another account's alarm is refused
    expect(failuresOf(outcomes)).toEqual([]);
    expect(outcomes.find(o => o.request.factId === 'alarmToTopic')!.variants.map(v => v.decision)).toEqual(['ImplicitlyDenied']);
  });

  // A topic policy replaces SNS's default one: the user's topics that alarms notify need the same Allow as the baseline's.
  test.each([
    ['a SecureTopic', (stack: Stack) => new SecureTopic(stack, 'Topic')],
    ['a plain topic after TopicHardening', (stack: Stack) => {
      const topic = new sns.Topic(stack, 'Topic');
      stack.with(new TopicHardening());
      return topic;
    }],
    ['a plain CfnTopic after TopicHardening', (stack: Stack) => {
      const topic = new sns.CfnTopic(stack, 'Topic');
      stack.with(new TopicHardening());
      return sns.Topic.fromTopicArn(stack, 'Imported', topic.ref);
    }],
  ])('row 1: CloudWatch publishes an alarm to %s, and only this account\'s alarms', async (_name, topicOf) => {
    // GIVEN an alarm whose action notifies the user's topic
    const built = app(stack => alarmNotifying(stack, topicOf(stack)));
    const outcomes = (await outcomesOf(built, 'alarmToTopic')).filter(o => /^S\/Alarm[0-9A-F]{8} -> S\/Topic([0-9A-F]{8})?$/.test(o.request.label));
    // THEN CloudWatch may publish; another account's alarm may not
    expect(outcomes).toHaveLength(1);
    expect(failuresOf(outcomes)).toEqual([]);
    expect(outcomes[0].variants.map(v => v.decision)).toEqual(['ImplicitlyDenied']);
  });

  test('row 2: an EventBridge rule delivers to a SecureTopic; the key statement says EventBridge sends no source keys', async () => {
    let key: kms.IKey;
    const built = app(stack => {
      const topic = new SecureTopic(stack, 'Topic');
      key = SecurityBaseline.of(stack).key;
      new events.Rule(stack, 'Nightly', { schedule: events.Schedule.cron({ hour: '2', minute: '0' }), targets: [new targets.SnsTopic(topic)] });
    });
    const outcomes = await outcomesOf(built, 'ruleToTopic', 'eventBridgeToEncryptedTopic');
    expect(failuresOf(outcomes)).toEqual([]);
    const keyPolicy = Stack.of(key!).resolve((key!.node.defaultChild as kms.CfnKey).keyPolicy);
    expect(keyPolicy.Statement.map((s: any) => s.Sid)).toContain(`AllowEventsThroughSNS${SOURCE_KEYS_NOT_SENT}`);
  });

  // Objects written before an S3 Bucket Key was turned on (or after it was turned off) keep the object ARN as their context.
  test.each([
    ['a plain bucket the mixins encrypt', (stack: Stack) => {
      const bucket = new s3.Bucket(stack, 'Bucket');
      bucket.grantReadWrite(new lambda.Function(stack, 'Function', { runtime: lambda.Runtime.NODEJS_22_X, code: CODE, handler: HANDLER }));
      stack.with(new ServerlessHardening());
    }],
    ['a SecureBucket', (stack: Stack) => {
      new SecureBucket(stack, 'Bucket').grantReadWrite(fn(stack, 'Function'));
    }],
  ])('row 3: a function reads and writes objects of %s under either encryption context S3 sends', async (_name, build) => {
    // THEN the object and the bucket encryption contexts are both accepted; another bucket's is refused
    expect(failuresOf(await outcomesOf(app(build), 'storeKeyThroughService'))).toEqual([]);
  });

  test('row 4: kms:ViaService is <service>.<region>.amazonaws.com in the China partition too', async () => {
    const built = app(stack => new SecureQueue(stack, 'Queue').grantSendMessages(fn(stack, 'Function')), { account: '111111111111', region: 'cn-north-1' });
    expect(failuresOf(await outcomesOf(built, 'encryptedQueueThroughSqs'))).toEqual([]);
  });

  test('row 5: a rotation function calls secretsmanager:GetRandomPassword through the Secrets Manager endpoint', async () => {
    const built = app(stack => new SecureSecret(stack, 'Secret', { rotation: SecretRotationChoice.function(fn(stack, 'Rotation')) }));
    const outcomes = await outcomesOf(built, 'resourceLessAction');
    expect(outcomes.map(o => o.request.endpointPolicies?.length)).toEqual([1]);
    expect(failuresOf(outcomes)).toEqual([]);
  });

  test('row 10: another account\'s rule cannot deliver to plain topics and queues that rules target, after the mixins', async () => {
    const built = app(stack => {
      const topic = new sns.Topic(stack, 'Topic');
      const queue = new sqs.Queue(stack, 'Queue');
      new events.Rule(stack, 'Rule', { schedule: events.Schedule.cron({ hour: '2', minute: '0' }), targets: [new targets.SnsTopic(topic), new targets.SqsQueue(queue)] });
      stack.with(new ServerlessHardening());
    });
    const outcomes = await outcomesOf(built, 'ruleToTopic', 'ruleToQueue');
    expect(failuresOf(outcomes)).toEqual([]);
    expect(outcomes.flatMap(o => o.variants.map(v => `${o.request.action} ${v.variant.name}: ${v.decision}`)).filter(v => v.includes('another account')))
      .toEqual(expect.arrayContaining(['sns:Publish another account: ImplicitlyDenied', 'sqs:SendMessage another account: ImplicitlyDenied']));
  });

  // Found when the model first ran over every matrix: each failed before its fix.
  test('row 10, S3: a bucket of the same name in another account cannot notify a SecureQueue or a SecureTopic', async () => {
    // GIVEN a plain bucket notifying a SecureQueue and a SecureTopic (aws-cdk-lib names the bucket ARN, which names no account)
    const built = app(stack => {
      const bucket = new s3.Bucket(stack, 'Bucket');
      bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.SqsDestination(new SecureQueue(stack, 'Queue')));
      bucket.addEventNotification(s3.EventType.OBJECT_REMOVED, new s3n.SnsDestination(new SecureTopic(stack, 'Topic')));
    });
    const outcomes = await outcomesOf(built, 'bucketToQueue', 'bucketToTopic');
    // THEN S3 delivers for this bucket; the same bucket ARN from another account is refused
    expect(failuresOf(outcomes)).toEqual([]);
    expect(outcomes.map(o => `${o.request.action} ${o.variants.map(v => `${v.variant.name}: ${v.decision}`)}`).sort())
      .toEqual(['sns:Publish another account: ImplicitlyDenied', 'sqs:SendMessage another account: ImplicitlyDenied']);
  });

  test('a plain state machine after the mixins: only this account\'s state machines assume its role', async () => {
    const built = app(stack => {
      new sfn.StateMachine(stack, 'Machine', { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Pass')) });
      stack.with(new ServerlessHardening());
    });
    const outcomes = await outcomesOf(built, 'stateMachineAssumesRole');
    expect(failuresOf(outcomes)).toEqual([]);
    expect(outcomes.flatMap(o => o.variants.map(v => v.decision))).toEqual(['ImplicitlyDenied']);
  });

  test('a SecureFunction reading a SecureTable through addToRolePolicy gets the key use DynamoDB makes for it', async () => {
    const built = app(stack => {
      const table = new SecureTable(stack, 'Table', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
      fn(stack, 'Function').addToRolePolicy(new iam.PolicyStatement({ actions: ['dynamodb:GetItem'], resources: [table.tableArn] }));
    });
    const outcomes = await outcomesOf(built, 'storeKeyThroughService');
    expect(outcomes.map(o => `${o.request.action} ${o.request.context['kms:ViaService']}`)).toEqual(['kms:Decrypt dynamodb.eu-west-1.amazonaws.com']);
    expect(failuresOf(outcomes)).toEqual([]);
  });
});

describe('issue 19 rows decided by the template', () => {
  test('row 9: CORS on a SecureHttpApi with JWT and IAM routes allows the Authorization header and the routes\' methods', () => {
    // GIVEN an HTTP API with CORS origins only, a JWT route and an IAM route
    const a = app(stack => {
      const pool = new cognito.UserPool(stack, 'Pool');
      const client = pool.addClient('Web');
      const api = new SecureHttpApi(stack, 'Api', { cors: { allowOrigins: ['https://app.example.com'] } });
      api.addRoute('GET', '/orders', fn(stack, 'List'), { authorization: HttpApiAuthorization.cognito(pool, [client]) });
      api.addRoute('POST', '/orders', fn(stack, 'Create'), { authorization: HttpApiAuthorization.iam() });
    });
    // THEN the preflight allows the Authorization header, the SigV4 headers and both methods
    const cors = Template.fromStack(a.node.findChild('S') as Stack).findResources('AWS::ApiGatewayV2::Api');
    const config = Object.values(cors)[0].Properties.CorsConfiguration;
    expect(config.AllowHeaders).toEqual(expect.arrayContaining(['Authorization', 'X-Amz-Date', 'X-Amz-Security-Token']));
    expect([...config.AllowMethods].sort()).toEqual(['GET', 'POST']);
  });
});

describe('issue 19 rows decided at synth', () => {
  test('row 7: a SecureBucket given to CloudFront standard logging is our error naming the supported way', () => {
    // GIVEN a distribution logging to a SecureBucket, whose ACLs are disabled
    const a = new App();
    const stack = new Stack(a, 'S', { env: ENV });
    const logs = new SecureBucket(stack, 'Logs');
    new cloudfront.Distribution(stack, 'Cdn', {
      defaultBehavior: { origin: new origins.HttpOrigin('example.com') },
      enableLogging: true,
      logBucket: logs,
    });
    // THEN synth fails with our error
    expect(() => a.synth()).toThrow(`S/Cdn: invalid logBucket: received "S/Logs (a SecureBucket)"; allowed: ${CLOUDFRONT_LOGGING_ALLOWED}`);
  });
});

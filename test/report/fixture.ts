import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, IPolicyValidationPlugin, Stack, Stage, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { FunctionNetwork } from '../../src/function/function-network';
import { SecureFunction } from '../../src/function/secure-function';
import { SecureQueue } from '../../src/messaging/secure-queue';
import { LogGroupHardening } from '../../src/mixins/log-group-hardening';
import { SecurityReport } from '../../src/report/security-report';
import { SecureStateMachine } from '../../src/workflow/secure-state-machine';
import { CODE, ENV, HANDLER } from '../core/fixtures';

/** The reason the fixture gives for its own acknowledgement. */
export const USER_REASON = 'the plain function stands for code the team has not migrated yet | tracked in `OPS-12`';
/** The reason of the fixture's waiver. */
export const WAIVER_REASON = 'calls a partner webhook that offers no VPC endpoint';

/** Runs `action` with stderr (and console.error, where CDK prints warnings) captured. */
export function captureStderr(action: () => void): string {
  const chunks: string[] = [];
  const write = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: any) => {
    chunks.push(String(chunk));
    return true;
  });
  const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    action();
  } finally {
    write.mockRestore();
    error.mockRestore();
  }
  return chunks.join('');
}

/** A fresh cloud assembly directory. */
export function tempOutdir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'security-report-'));
}

/**
 * An API with two routes (IAM and no authorization), reader and writer
 * functions on one plain table, a SecureQueue worker, a plain secret read by
 * the reader, a state machine running the worker started by a nightly rule,
 * a function outside the VPC (a waiver), a plain user pool with a client, a
 * plain function with a user acknowledgement, and a nested stage with one more
 * plain function.
 */
export function buildFixture(outdir: string): App {
  const app = new App({ outdir });
  const stack = new Stack(app, 'Shop', { env: ENV });

  const table = new dynamodb.Table(stack, 'Orders', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    deletionProtection: true,
  });
  const apiKey = new secretsmanager.Secret(stack, 'ApiKey');
  const reader = new SecureFunction(stack, 'Reader', { code: CODE, handler: HANDLER, secrets: { API_KEY: apiKey } });
  const writer = new SecureFunction(stack, 'Writer', { code: CODE, handler: HANDLER });
  table.grantReadData(reader);
  table.grantWriteData(writer);
  reader.allowGatewayEndpoint('dynamodb');
  writer.allowGatewayEndpoint('dynamodb');

  const jobs = new SecureQueue(stack, 'Jobs');
  const worker = new SecureFunction(stack, 'Worker', { code: CODE, handler: HANDLER });
  jobs.addConsumer(worker);
  jobs.grantSendMessages(writer);

  const api = new apigateway.RestApi(stack, 'Api', {
    cloudWatchRole: false,
    deployOptions: { throttlingRateLimit: 50, throttlingBurstLimit: 20, methodOptions: { '/orders/POST': { throttlingRateLimit: 5, throttlingBurstLimit: 2 } } },
  });
  const orders = api.root.addResource('orders');
  orders.addMethod('GET', new apigateway.LambdaIntegration(reader), { authorizationType: apigateway.AuthorizationType.IAM });
  orders.addMethod('POST', new apigateway.LambdaIntegration(writer));

  const fulfilment = new SecureStateMachine(stack, 'Fulfilment', {
    definitionBody: sfn.DefinitionBody.fromChainable(new tasks.LambdaInvoke(stack, 'Work', { lambdaFunction: worker })),
  });
  new events.Rule(stack, 'Nightly', { schedule: events.Schedule.cron({ hour: '2', minute: '0' }) })
    .addTarget(new targets.SfnStateMachine(fulfilment));

  new SecureFunction(stack, 'Webhook', { code: CODE, handler: HANDLER, network: FunctionNetwork.outsideVpc(WAIVER_REASON) });

  // A plain user pool with a client, for the report's `userPools`.
  new cognito.UserPool(stack, 'Customers').addClient('Web');

  const plain = new lambda.Function(stack, 'Plain', { runtime: lambda.Runtime.NODEJS_22_X, code: CODE, handler: HANDLER });
  Validations.of(plain).acknowledge({ id: 'AwsSolutions-L1', reason: USER_REASON });
  // A plain log group hardened in place, for the report's `hardened` entries.
  new logs.LogGroup(stack, 'AuditLogs', { retention: logs.RetentionDays.ONE_WEEK }).with(new LogGroupHardening());

  const prod = new Stage(app, 'Prod');
  new lambda.Function(new Stack(prod, 'Edge', { env: ENV }), 'Hello', { runtime: lambda.Runtime.NODEJS_22_X, code: CODE, handler: HANDLER });
  return app;
}

/**
 * Synthesizes the fixture with the report alone (and the packs given, which it
 * observes) and reads both files.
 */
export function synthFixture(packs: IPolicyValidationPlugin[] = []): { outdir: string; json: any; markdown: string; stderr: string[] } {
  const outdir = tempOutdir();
  const app = buildFixture(outdir);
  Validations.of(app).addPlugins(...packs, new SecurityReport(undefined, { plugins: packs }));
  const stderr = [captureStderr(() => app.synth())];
  return {
    outdir,
    json: JSON.parse(fs.readFileSync(path.join(outdir, 'security-report.json'), 'utf-8')),
    markdown: fs.readFileSync(path.join(outdir, 'security-report.md'), 'utf-8'),
    stderr,
  };
}

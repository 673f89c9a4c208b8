import { App, Duration, Mixins, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigatewayv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import * as fc from 'fast-check';
import { controlTowerFindingId } from '../../src/core/finding-ids';
import { ComplianceProfile } from '../../src/core/profile';
import { runtimeChangeRecords } from '../../src/mixins/changes';
import { FunctionOutsideVpc } from '../../src/mixins/function-hardening';
import { ServerlessHardening } from '../../src/mixins/serverless-hardening';
import { Finding, findingsFor, findingsOf, formatFindings } from '../compliance/harness';
import { callPathsHold } from '../compliance/runners';
import { CODE, ENV, HANDLER, prefixListContext } from '../core/fixtures';

/** One plain function as users write it. */
interface FunctionSpec {
  readonly oldRuntime: boolean;
  readonly environment: boolean;
  readonly ownLogGroup?: logs.RetentionDays;
  readonly deadLetterQueue: boolean;
  readonly tracing: boolean;
  readonly outsideVpc: boolean;
  /** An internet URL in its environment (a webhook): a warning, unless it stays outside the VPC. */
  readonly webhook: boolean;
  /** Its own reserved concurrency, or provisioned concurrency on an alias. */
  readonly concurrency?: 'reserved' | 'provisioned';
}

/** A plain app of every kind the mixins support, and of aws-cdk-lib's deploy-time helpers. */
interface AppSpec {
  readonly functions: FunctionSpec[];
  readonly api?: 'iam' | 'none';
  readonly httpApi?: 'iam' | 'none';
  readonly rule: boolean;
  /** A custom event bus whose rule starts the state machine, when there is one. */
  readonly bus: boolean;
  readonly schedule: boolean;
  readonly stream: boolean;
  readonly stateMachine: boolean;
  readonly bucketDeployment: boolean;
  readonly logGroups: logs.RetentionDays[];
  /** The mixin's reservedConcurrency. */
  readonly reservedConcurrency?: number;
}

/** A week and forever are the user's decisions (retention below a year, or none); a year and two are drawn twice as often. */
const RETENTIONS = [logs.RetentionDays.ONE_WEEK, logs.RetentionDays.ONE_YEAR, logs.RetentionDays.ONE_YEAR,
  logs.RetentionDays.TWO_YEARS, logs.RetentionDays.TWO_YEARS, logs.RetentionDays.INFINITE];

/** True one time in four. */
const rarely = fc.integer({ min: 0, max: 3 }).map((n) => n === 0);
const functionSpec: fc.Arbitrary<FunctionSpec> = fc.record({
  // An old runtime in one function of four, an unauthorized API in one of four: both outcomes of the property stay common.
  oldRuntime: rarely,
  environment: fc.boolean(),
  ownLogGroup: fc.option(fc.constantFrom(...RETENTIONS), { nil: undefined }),
  deadLetterQueue: fc.boolean(),
  tracing: fc.boolean(),
  outsideVpc: fc.boolean(),
  webhook: fc.boolean(),
  concurrency: fc.option(fc.constantFrom<'reserved' | 'provisioned'>('reserved', 'provisioned'), { nil: undefined }),
});

const appSpec: fc.Arbitrary<AppSpec> = fc.record({
  functions: fc.array(functionSpec, { minLength: 1, maxLength: 3 }),
  api: fc.option(fc.constantFrom<'iam' | 'none'>('iam', 'iam', 'iam', 'none'), { nil: undefined }),
  httpApi: fc.option(fc.constantFrom<'iam' | 'none'>('iam', 'iam', 'iam', 'none'), { nil: undefined }),
  rule: fc.boolean(),
  bus: fc.boolean(),
  schedule: fc.boolean(),
  stream: fc.boolean(),
  stateMachine: fc.boolean(),
  bucketDeployment: fc.boolean(),
  logGroups: fc.array(fc.constantFrom(...RETENTIONS), { maxLength: 2 }),
  reservedConcurrency: fc.option(fc.integer({ min: 1, max: 50 }), { nil: undefined }),
});

function build(spec: AppSpec): App {
  const app = new App({ context: prefixListContext() });
  const stack = new Stack(app, 'S', { env: ENV });
  const functions = spec.functions.map((f, i) => {
    const fn = new lambda.Function(stack, `Fn${i}`, {
      code: CODE,
      handler: HANDLER,
      runtime: f.oldRuntime ? lambda.Runtime.NODEJS_20_X : lambda.Runtime.NODEJS_LATEST,
      environment: f.environment ? { STAGE: 'prod' } : undefined,
      logGroup: f.ownLogGroup === undefined ? undefined : new logs.LogGroup(stack, `Fn${i}Logs`, { retention: f.ownLogGroup }),
      deadLetterQueueEnabled: f.deadLetterQueue,
      tracing: f.tracing ? lambda.Tracing.ACTIVE : undefined,
      timeout: Duration.seconds(5),
      reservedConcurrentExecutions: f.concurrency === 'reserved' ? 2 : undefined,
    });
    if (f.webhook) fn.addEnvironment('WEBHOOK_URL', 'https://hooks.example.com/services/alerts');
    if (f.concurrency === 'provisioned') fn.addAlias('live', { provisionedConcurrentExecutions: 1 });
    if (f.outsideVpc) fn.with(new FunctionOutsideVpc('calls a partner API on the internet'));
    return fn;
  });
  if (spec.api) {
    const api = new apigateway.RestApi(stack, 'Api');
    const authorizationType = spec.api === 'iam' ? apigateway.AuthorizationType.IAM : apigateway.AuthorizationType.NONE;
    api.root.addMethod('GET', new apigateway.LambdaIntegration(functions[0]), { authorizationType });
  }
  if (spec.rule) {
    new events.Rule(stack, 'Nightly', { schedule: events.Schedule.cron({ hour: '2', minute: '0' }), targets: [new targets.LambdaFunction(functions[0])] });
  }
  if (spec.httpApi) {
    const api = new apigatewayv2.HttpApi(stack, 'HttpApi', { defaultAuthorizer: spec.httpApi === 'iam' ? new HttpIamAuthorizer() : undefined });
    api.addRoutes({ path: '/items', methods: [apigatewayv2.HttpMethod.GET], integration: new HttpLambdaIntegration('Items', functions[0]) });
  }
  if (spec.stream) {
    const table = new dynamodb.Table(stack, 'Items', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING }, stream: dynamodb.StreamViewType.NEW_IMAGE });
    functions[0].addEventSource(new DynamoEventSource(table, { startingPosition: lambda.StartingPosition.LATEST }));
  }
  if (spec.schedule) {
    new scheduler.Schedule(stack, 'Hourly', { schedule: scheduler.ScheduleExpression.rate(Duration.hours(1)), target: new schedulerTargets.LambdaInvoke(functions[0]) });
  }
  if (spec.stateMachine) {
    const machine = new sfn.StateMachine(stack, 'Machine', {
      definitionBody: sfn.DefinitionBody.fromChainable(new tasks.LambdaInvoke(stack, 'Invoke', { lambdaFunction: functions[functions.length - 1] })),
    });
    if (spec.bus) {
      new events.Rule(stack, 'Escalate', { eventBus: new events.EventBus(stack, 'Bus'), eventPattern: { source: ['shop'] }, targets: [new targets.SfnStateMachine(machine)] });
    }
  }
  if (spec.bucketDeployment) {
    const site = new s3.Bucket(stack, 'Site');
    new s3deploy.BucketDeployment(stack, 'Deploy', { sources: [s3deploy.Source.data('index.html', 'ok')], destinationBucket: site });
    // Object Lock cannot be turned off once on: the app's decision, which the Control Tower rule's message names.
    Validations.of(site).acknowledge({ id: controlTowerFindingId('CT.S3.PR.9'), reason: 'files deployed again from the pipeline on demand' });
  }
  spec.logGroups.forEach((retention, i) => new logs.LogGroup(stack, `Logs${i}`, { retention }));
  Mixins.of(app).apply(new ServerlessHardening({ reservedConcurrency: spec.reservedConcurrency }));
  return app;
}

/**
 * The findings the mixins document as the user's decision, each with the
 * warning that names its fix: an old runtime, a method without authorization,
 * a log group kept forever.
 */
const USER_DECISIONS: Array<{ rules: RegExp; fix: RegExp }> = [
  { rules: /^(AwsSolutions-L1|Serverless-LambdaLatestVersion)$/, fix: /set runtime: lambda\.Runtime\.NODEJS_\d+_X/ },
  { rules: /^(AwsSolutions-APIG4|AwsSolutions-COG4)$/, fix: /set authorizationType: apigateway\.AuthorizationType\.IAM/ },
  { rules: /^(AwsSolutions-APIG4|ControlTower-CT\.APIGATEWAY\.PR\.5)$/, fix: /set authorizer: new HttpIamAuthorizer\(\)/ },
  { rules: /^(ControlTower-CT\.CLOUDWATCH\.PR\.2|Serverless-CloudWatchLogGroupRetentionPeriod|ServerlessSecurity-LambdaLogGroup\[RetentionInDays::.*\])$/, fix: /set retention: logs\.RetentionDays\.ONE_YEAR/ },
];

/** Findings that are neither zero nor a documented decision whose fix a warning names. */
function undocumented(app: App, findings: readonly Finding[]): Finding[] {
  const warnings = (app.node.children.filter(Stack.isStack) as Stack[])
    .flatMap((stack) => Annotations.fromStack(stack).findWarning('*', Match.anyValue()).map((w) => String(w.entry.data)));
  return findings.filter((finding) =>
    !USER_DECISIONS.some((d) => d.rules.test(finding.rule) && warnings.some((warning) => d.fix.test(warning))));
}

/**
 * What the mixin changed in how each generated function runs is said, and only
 * that: the VPC for a function it placed there, with a warning for one pointed at
 * the internet; the reserved concurrency the prop asks for, on a function that
 * had neither reserved nor provisioned concurrency; every other function keeps
 * its concurrency.
 */
function expectRunTimeChangesSaid(app: App, spec: AppSpec): void {
  const stack = app.node.findChild('S') as Stack;
  const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('on the internet')).map((w) => w.id);
  spec.functions.forEach((f, i) => {
    const fn = stack.node.findChild(`Fn${i}`) as lambda.Function;
    const cfn = fn.node.defaultChild as lambda.CfnFunction;
    const changes = runtimeChangeRecords(cfn).map((r) => r.change);
    const placed = changes.some((c) => c.startsWith('runs in the private subnets of S/SecurityBaseline/Network'));
    expect({ fn: i, placed }).toEqual({ fn: i, placed: !f.outsideVpc });
    expect({ fn: i, warned: warnings.includes(`/S/Fn${i}`) }).toEqual({ fn: i, warned: f.webhook && !f.outsideVpc });
    const reserved = f.concurrency === 'reserved' ? 2 : f.concurrency === 'provisioned' ? undefined : spec.reservedConcurrency;
    expect({ fn: i, reserved: stack.resolve(cfn.reservedConcurrentExecutions) }).toEqual({ fn: i, reserved });
    expect({ fn: i, said: changes.some((c) => c.includes('(reserved concurrency')) }).toEqual({ fn: i, said: !f.concurrency && spec.reservedConcurrency !== undefined });
  });
}

describe('ServerlessHardening on generated plain apps', () => {
  const synthesized: App[] = [];
  let decided = 0;

  test('25 apps: zero findings under STANDARD, or only the user\'s decisions, each with its fix named', () => {
    fc.assert(fc.property(appSpec, (spec) => {
      const app = build(spec);
      const findings = findingsOf(app, { profile: ComplianceProfile.STANDARD, guard: false });
      const left = undocumented(app, findings);
      if (left.length > 0) throw new Error(formatFindings(left));
      expectRunTimeChangesSaid(app, spec);
      if (findings.length > 0) decided++;
      if (synthesized.length < 6) synthesized.push(app);
    }), { numRuns: 25 });
    process.stdout.write(`plain apps: ${decided} of 25 with a user's decision\n`);
    // Both outcomes occur, or the property says little.
    expect(decided).toBeGreaterThan(2);
    expect(decided).toBeLessThan(25);
  }, 600_000);

  test('the Control Tower guard rules find only the documented decisions in a sample', () => {
    const findings = findingsFor(synthesized, { profile: ComplianceProfile.STANDARD, guard: true });
    expect(synthesized.map((app, i) => formatFindings(undocumented(app, findings[i])))).toEqual(synthesized.map(() => formatFindings([])));
  }, 300_000);

  callPathsHold('the same sample of', () => synthesized);
});

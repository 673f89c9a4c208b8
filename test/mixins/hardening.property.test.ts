import { App, Duration, Mixins, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import * as fc from 'fast-check';
import { ComplianceProfile } from '../../src/core/profile';
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
}

/** A plain app of the kinds the core mixins support. */
interface AppSpec {
  readonly functions: FunctionSpec[];
  readonly api?: 'iam' | 'none';
  readonly rule: boolean;
  readonly stateMachine: boolean;
  readonly logGroups: logs.RetentionDays[];
}

const RETENTIONS = [logs.RetentionDays.ONE_WEEK, logs.RetentionDays.ONE_YEAR, logs.RetentionDays.TWO_YEARS, logs.RetentionDays.INFINITE];

const functionSpec: fc.Arbitrary<FunctionSpec> = fc.record({
  oldRuntime: fc.boolean(),
  environment: fc.boolean(),
  ownLogGroup: fc.option(fc.constantFrom(...RETENTIONS), { nil: undefined }),
  deadLetterQueue: fc.boolean(),
  tracing: fc.boolean(),
  outsideVpc: fc.boolean(),
});

const appSpec: fc.Arbitrary<AppSpec> = fc.record({
  functions: fc.array(functionSpec, { minLength: 1, maxLength: 3 }),
  api: fc.option(fc.constantFrom<'iam' | 'none'>('iam', 'none'), { nil: undefined }),
  rule: fc.boolean(),
  stateMachine: fc.boolean(),
  logGroups: fc.array(fc.constantFrom(...RETENTIONS), { maxLength: 2 }),
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
    });
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
  if (spec.stateMachine) {
    new sfn.StateMachine(stack, 'Machine', {
      definitionBody: sfn.DefinitionBody.fromChainable(new tasks.LambdaInvoke(stack, 'Invoke', { lambdaFunction: functions[functions.length - 1] })),
    });
  }
  spec.logGroups.forEach((retention, i) => new logs.LogGroup(stack, `Logs${i}`, { retention }));
  Mixins.of(app).apply(new ServerlessHardening());
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
  { rules: /^(ControlTower-CT\.CLOUDWATCH\.PR\.2|Serverless-CloudWatchLogGroupRetentionPeriod|ServerlessSecurity-LambdaLogGroup\[RetentionInDays::.*\])$/, fix: /set retention: logs\.RetentionDays\.ONE_YEAR/ },
];

/** Findings that are neither zero nor a documented decision whose fix a warning names. */
function undocumented(app: App, findings: readonly Finding[]): Finding[] {
  const warnings = (app.node.children.filter(Stack.isStack) as Stack[])
    .flatMap((stack) => Annotations.fromStack(stack).findWarning('*', Match.anyValue()).map((w) => String(w.entry.data)));
  return findings.filter((finding) => {
    const decision = USER_DECISIONS.find((d) => d.rules.test(finding.rule));
    return !decision || !warnings.some((warning) => decision.fix.test(warning));
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
      if (findings.length > 0) decided++;
      if (synthesized.length < 6) synthesized.push(app);
    }), { numRuns: 25 });
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

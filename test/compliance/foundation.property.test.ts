process.env.CDK_VALIDATION = 'false';

import { App, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as fc from 'fast-check';
import { mostly, propertyRuns, sometimes } from './runners';
import { LogRetention } from '../../src/core/log-retention';
import { FunctionNetwork } from '../../src/function/function-network';
import { SecureFunction, SecureFunctionProps } from '../../src/function/secure-function';

/**
 * Over generated SecureFunction props, construction either throws our error or
 * the app synthesizes with zero findings under STANDARD (our pack, AwsSolutions,
 * Serverless; the Control Tower guard rules run once at the end over a sample of
 * the apps that synthesized). No other exception type is allowed.
 */

const NUM_RUNS = 500;
const GUARD_SAMPLE = 20;
const ENV = { account: '111111111111', region: 'eu-west-1' };
const CODE = lambda.Code.fromInline('exports.handler = async () => 1');

/** A generated prop set, kept as plain data so fast-check can print and shrink it. */
interface Generated {
  readonly memorySize?: number;
  readonly timeoutSeconds?: number;
  readonly reservedConcurrentExecutions?: number;
  readonly retryAttempts?: number;
  readonly environment?: Record<string, string>;
  readonly runtime?: string;
  readonly outsideVpcReason?: string;
  readonly logRetention?: { days: logs.RetentionDays; reason?: string };
  readonly architecture?: string;
}

const RETENTION_DAYS = Object.values(logs.RetentionDays).filter((v): v is logs.RetentionDays => typeof v === 'number');
const RUNTIMES = new Map(lambda.Runtime.ALL.map(r => [r.name, r]));
const ARCHITECTURES = new Map([lambda.Architecture.ARM_64, lambda.Architecture.X86_64].map(a => [a.name, a]));


const envName = fc.oneof(
  { weight: 12, arbitrary: fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,15}$/) },
  { weight: 2, arbitrary: fc.constantFrom('PASSWORD', 'DB_PASSWORD', 'API_KEY', 'SECRET', 'TOKEN', 'AWS_SECRET_ACCESS_KEY', 'SECRET_ARN', 'TOKEN_TABLE', 'KEY') },
  { weight: 1, arbitrary: fc.constantFrom('AWS_REGION', '_HANDLER', 'AWS_LAMBDA_FUNCTION_NAME', 'LAMBDA_TASK_ROOT') },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
);
const envValue = fc.oneof(
  { weight: 10, arbitrary: fc.string({ maxLength: 24 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'hunter2', 'AKIAIOSFODNN7EXAMPLE', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', '-----BEGIN RSA PRIVATE KEY-----',
      'ghp_9aK2x7QpL4mN8vR1tY6wZ3cB5dF0gH2jK4lM', '{{resolve:secretsmanager:db}}', 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:db', 'true', '',
    ),
  },
);

/** Reasons: mostly real sentences, sometimes empty or too short. */
const reason = fc.oneof(
  { weight: 4, arbitrary: fc.string({ minLength: 3, maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 3 }) },
);

const generated: fc.Arbitrary<Generated> = fc.record({
  memorySize: mostly(
    fc.integer({ min: 128, max: 10240 }),
    fc.oneof(fc.integer({ min: -100, max: 20000 }), fc.double({ min: 0, max: 20000, noNaN: true }))),
  timeoutSeconds: mostly(
    fc.integer({ min: 1, max: 900 }),
    fc.oneof(fc.integer({ min: 0, max: 2000 }), fc.double({ min: 0, max: 1000, noNaN: true }))),
  reservedConcurrentExecutions: mostly(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: -5, max: 2_000_000 })),
  retryAttempts: mostly(fc.integer({ min: 0, max: 2 }), fc.integer({ min: -3, max: 5 })),
  environment: sometimes(fc.dictionary(envName, envValue, { maxKeys: 3 }), 1),
  runtime: sometimes(fc.constantFrom(...RUNTIMES.keys()), 4),
  outsideVpcReason: sometimes(reason, 3),
  logRetention: sometimes(fc.record({ days: fc.constantFrom(...RETENTION_DAYS), reason: sometimes(reason, 1) }), 2),
  architecture: sometimes(fc.constantFrom(...ARCHITECTURES.keys()), 1),
}, { requiredKeys: [] });

function logRetentionOf(retention: Generated['logRetention']): LogRetention | undefined {
  if (retention === undefined) return undefined;
  return retention.reason === undefined
    ? LogRetention.days(retention.days)
    : LogRetention.belowMinimum(retention.days, retention.reason);
}

/** Builds the app; every call that takes user input (factories included) happens here. */
function buildApp(g: Generated): App {
  const app = new App();
  const stack = new Stack(app, 'S', { env: ENV });
  const props: SecureFunctionProps = {
    code: CODE,
    handler: 'index.handler',
    memorySize: g.memorySize,
    timeout: g.timeoutSeconds === undefined ? undefined : Duration.seconds(g.timeoutSeconds),
    reservedConcurrentExecutions: g.reservedConcurrentExecutions,
    retryAttempts: g.retryAttempts,
    environment: g.environment,
    runtime: g.runtime === undefined ? undefined : RUNTIMES.get(g.runtime),
    network: g.outsideVpcReason === undefined ? undefined : FunctionNetwork.outsideVpc(g.outsideVpcReason),
    logRetention: logRetentionOf(g.logRetention),
    architecture: g.architecture === undefined ? undefined : ARCHITECTURES.get(g.architecture),
  };
  new SecureFunction(stack, 'Fn', props);
  return app;
}

describe('SecureFunction over generated props', () => {
  propertyRuns(generated, buildApp, { numRuns: NUM_RUNS, guardSample: GUARD_SAMPLE, what: 'prop sets' });
});

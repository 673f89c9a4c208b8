process.env.CDK_VALIDATION = 'false';

import * as fs from 'fs';
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { tempOutdir } from './fixture';
import { SecureServerlessError } from '../../src/core/errors';
import { SecureFunction } from '../../src/function/secure-function';
import { installedAwsCdkLibVersion, namespacedAcknowledgementsArePathScoped } from '../../src/guardrails/acknowledgement-scope';
import { Guardrails } from '../../src/guardrails/guardrails';
import { StaleAcknowledgements } from '../../src/guardrails/stale-acknowledgement-check';
import { SecureQueue } from '../../src/messaging/secure-queue';
import { CODE, ENV, HANDLER, thrownBy } from '../core/fixtures';

const REASON = 'reviewed';

interface Built {
  readonly app: App;
  readonly fn: SecureFunction;
  readonly queue: SecureQueue;
}

/**
 * A SecureFunction whose user statement on "*" the app acknowledges in both id
 * forms (so both are used), a SecureQueue, and the acknowledgements `extra` adds.
 */
function build(outdir: string, extra: (built: Built) => void, stale?: StaleAcknowledgements): Built {
  const app = new App({ outdir });
  Guardrails.enforce(app, stale ? { staleAcknowledgements: stale } : {});
  const stack = new Stack(app, 'Shop', { env: ENV });
  const fn = new SecureFunction(stack, 'Charge', { code: CODE, handler: HANDLER });
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['secretsmanager:ListSecrets'], resources: ['*'] }));
  Validations.of(fn.policy).acknowledge({ id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]', reason: 'ListSecrets supports only "*"' });
  Validations.of(fn.policy).acknowledge({ id: 'ServerlessSecurity-LambdaPolicyWildcard[Resource::*]', reason: 'ListSecrets supports only "*"' });
  const queue = new SecureQueue(stack, 'Jobs');
  const built = { app, fn, queue };
  extra(built);
  return built;
}

/** Synthesizes, capturing stderr, and reads the JSON report. */
function synth(app: App, outdir: string): { json: any; stderr: string; error?: Error } {
  const chunks: string[] = [];
  const write = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: any) => {
    chunks.push(String(chunk));
    return true;
  });
  const log = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  let error: Error | undefined;
  try {
    app.synth();
  } catch (e) {
    error = e as Error;
  } finally {
    write.mockRestore();
    log.mockRestore();
  }
  return { json: JSON.parse(fs.readFileSync(path.join(outdir, 'security-report.json'), 'utf-8')), stderr: chunks.join(''), error };
}

describe('stale acknowledgements', () => {
  // GIVEN a typo, a wrong namespace form, a rule that does not fire on a SecureQueue, a pack that does not exist,
  // and an acknowledgement of a pack the STANDARD profile does not run
  const outdir = tempOutdir();
  const { app, fn, queue } = build(outdir, ({ queue: q, fn: f }) => {
    Validations.of(f.policy).acknowledge({ id: 'AwsSolutions-IAM5[Resource::arn:aws:s3:::typo*]', reason: REASON });
    Validations.of(q).acknowledge({ id: 'AwsSolutions::SQS3', reason: REASON });
    Validations.of(q).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'the queue has no dead-letter queue' });
    Validations.of(q).acknowledge({ id: 'AwsSolution-SQS4', reason: REASON });
    Validations.of(q).acknowledge({ id: 'HIPAA.Security-SQSQueueSSLRequestsOnly', reason: REASON });
  });
  // WHEN it synthesizes
  const { json, stderr, error } = synth(app, outdir);
  const stale = (json.staleAcknowledgements as any[]).map(ack => [ack.rule, ack.path]);

  test('synth passes: by default stale acknowledgements are listed, not failed', () => {
    expect(error).toBeUndefined();
  });

  test('the report lists the typo, the wrong namespace form, the rule that does not fire and the unknown pack, with why', () => {
    expect(stale).toEqual(expect.arrayContaining([
      ['AwsSolutions-IAM5[Resource::arn:aws:s3:::typo*]', fn.policy.node.path],
      ['AwsSolutions::SQS3', queue.node.path],
      ['AwsSolutions-SQS3', queue.node.path],
      ['AwsSolution-SQS4', queue.node.path],
    ]));
    const why = Object.fromEntries((json.staleAcknowledgements as any[]).map(ack => [ack.rule, ack.why]));
    expect(why['AwsSolutions::SQS3']).toContain('acknowledged as AwsSolutions-<Rule> or AwsSolutions::AwsSolutions-<Rule>');
    expect(why['AwsSolutions-SQS3']).toContain('matches no finding of AwsSolutions');
    expect(why['AwsSolution-SQS4']).toContain('names no pack');
    expect(json.summary.staleAcknowledgements).toBe(json.staleAcknowledgements.length);
  });

  test('used acknowledgements, of both id forms, and those of packs that did not run are not stale', () => {
    const rules = stale.map(([rule]) => rule);
    expect(rules).not.toContain('AwsSolutions::AwsSolutions-IAM5[Resource::*]');
    expect(rules).not.toContain('ServerlessSecurity-LambdaPolicyWildcard[Resource::*]');
    expect(rules).not.toContain('HIPAA.Security-SQSQueueSSLRequestsOnly');
  });

  test('no acknowledgement the library added is stale', () => {
    expect((json.staleAcknowledgements as any[]).filter(ack => ack.by !== 'user')).toEqual([]);
  });

  test('the synth summary line names them', () => {
    expect(stderr).toContain('stale acknowledgements matching no finding');
    expect(stderr).toContain(`'AwsSolutions::SQS3' on ${queue.node.path}`);
  });
});

describe('StaleAcknowledgements.FAIL', () => {
  test.each([
    ['a typo', (b: Built) => Validations.of(b.fn.policy).acknowledge({ id: 'ServerlessSecurity-LambdaPolicyWildcrd[Resource::*]', reason: REASON }), 'ServerlessSecurity-LambdaPolicyWildcrd[Resource::*]'],
    ['a wrong namespace form', (b: Built) => Validations.of(b.fn.policy).acknowledge({ id: 'ServerlessSecurity::LambdaPolicyWildcard[Resource::*]', reason: REASON }), 'ServerlessSecurity::LambdaPolicyWildcard[Resource::*]'],
    ['a rule that no longer fires', (b: Built) => Validations.of(b.queue).acknowledge({ id: 'AwsSolutions-SQS3', reason: REASON }), 'AwsSolutions-SQS3'],
  ])('fails the synth on %s, naming it', (_name, acknowledge, rule) => {
    const outdir = tempOutdir();
    const built = build(outdir, acknowledge, StaleAcknowledgements.FAIL);

    const { error } = synth(built.app, outdir);

    expect(error?.message).toContain(`ServerlessSecurity-StaleAcknowledgement[${rule}]`);
    expect(error?.message).not.toMatch(/Acknowledge with '[^']*StaleAcknowledgement/);
  });

  test('passes when every acknowledgement matches a finding', () => {
    const outdir = tempOutdir();
    const built = build(outdir, () => undefined, StaleAcknowledgements.FAIL);

    expect(synth(built.app, outdir).error).toBeUndefined();
  });

  test('a value that is not a StaleAcknowledgements is our error', () => {
    const error = thrownBy(() => Guardrails.enforce(new App(), { staleAcknowledgements: 'fail' as any }));
    expect(error).toBeInstanceOf(SecureServerlessError);
    expect(error.message).toContain('invalid staleAcknowledgements: received "fail"; allowed: StaleAcknowledgements.REPORT or StaleAcknowledgements.FAIL');
  });
});

test('a failing synth\'s summary line shows how to acknowledge a finding on its construct, in the id form the installed aws-cdk-lib scopes', () => {
  // GIVEN a user statement on "*" that nobody acknowledged
  const outdir = tempOutdir();
  const app = new App({ outdir });
  Guardrails.enforce(app);
  const stack = new Stack(app, 'Shop', { env: ENV });
  const fn = new SecureFunction(stack, 'Charge', { code: CODE, handler: HANDLER });
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: ['*'] }));

  // WHEN it synthesizes
  const { stderr, error } = synth(app, outdir);

  // THEN synth fails, and the hint uses the plain form, which cdk-nag scopes, while aws-cdk-lib 2.269 matches 'Pack::Rule' app-wide
  expect(error).toBeDefined();
  const pathScoped = namespacedAcknowledgementsArePathScoped(installedAwsCdkLibVersion());
  expect(stderr).toMatch(pathScoped
    ? /acknowledge\(\{ id: 'ServerlessSecurity::ServerlessSecurity-LambdaPolicyWildcard\[Resource::\*\]', reason \}\); aws-cdk-lib \S+ applies it to that construct/
    : /acknowledge\(\{ id: 'ServerlessSecurity-LambdaPolicyWildcard\[Resource::\*\]', reason \}\); with aws-cdk-lib \S+ a 'ServerlessSecurity::\.\.\.' id would silence the rule across the whole app/);
  expect(stderr).toContain(`Validations.of(${fn.policy.node.path}/Resource)`);
});

test('a Pack::Rule acknowledgement is matched app-wide up to aws-cdk-lib 2.270 and on its subtree from 2.271 (read in aws-cdk-lib\'s source)', () => {
  expect(['2.269.0', '2.270.0', '2.271.0', '2.278.0', '2.300.1'].map(version => namespacedAcknowledgementsArePathScoped(version)))
    .toEqual([false, false, true, true, true]);
});

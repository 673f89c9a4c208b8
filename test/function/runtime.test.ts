process.env.CDK_VALIDATION = 'false';

import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NewestRuntime } from '../../src';
import { LIBRARY_ACKNOWLEDGEMENT_METADATA } from '../../src/core/acknowledgements';
import { SecureServerlessError } from '../../src/core/errors';
import { ComplianceProfile } from '../../src/core/profile';
import { SecureFunction } from '../../src/function/secure-function';
import { FunctionHardening } from '../../src/mixins/function-hardening';
import { findingsOf } from '../compliance/harness';
import { CODE, HANDLER, metadataOf, newStack, thrownBy } from '../core/fixtures';
import { plainFunction } from '../mixins/cases';

/** The public preview runtimes aws-cdk-lib lists beside the others (2.278.0 lists both). */
const PREVIEWS = ['nodejs26.x', 'python3.15'];

/** The generally available runtimes of a family in the installed aws-cdk-lib, by version. */
function versions(family: string): number[] {
  return lambda.Runtime.ALL.filter((r) => !PREVIEWS.includes(r.name)).map((r) => r.name.match(new RegExp(`^${family}(\\d+)(?:\\.(\\d+)|\\.x)?$`)))
    .filter((m): m is RegExpMatchArray => m !== null)
    .map((m) => Number(m[1]) + Number(m[2] ?? 0) / 100);
}

describe('NewestRuntime', () => {
  test.each(['nodejs', 'python', 'java', 'dotnet', 'ruby'])('%s is the highest generally available version of the family aws-cdk-lib knows', (family) => {
    const runtime = NewestRuntime.of(family);
    const [, major, minor] = runtime.name.match(new RegExp(`^${family}(\\d+)(?:\\.(\\d+)|\\.x)?$`))!;
    expect(Number(major) + Number(minor ?? 0) / 100).toBe(Math.max(...versions(family)));
  });

  test('nodejs() and python() are of() for their family', () => {
    expect(NewestRuntime.nodejs()).toBe(NewestRuntime.of('nodejs'));
    expect(NewestRuntime.python()).toBe(NewestRuntime.of('python'));
  });

  test('an unknown family is our error', () => {
    const error = thrownBy(() => NewestRuntime.of('cobol'));
    expect(error).toBeInstanceOf(SecureServerlessError);
    expect(error.message).toBe('NewestRuntime: invalid family: received "cobol"; allowed: one of "nodejs", "python", "java", "dotnet", "ruby"');
  });
});

const PREVIEW = PREVIEWS[0];
const LATEST_RUNTIME_FINDINGS = ['AwsSolutions-L1', 'Serverless-LambdaLatestVersion'];

/** The newest nodejs runtime aws-cdk-lib knows, leaving out the preview: computed here, not by src/. */
function newestAvailableNodejs(): string {
  return lambda.Runtime.ALL.map(r => r.name).filter(name => /^nodejs\d+\.x$/.test(name) && name !== PREVIEW)
    .sort((a, b) => parseInt(a.slice(6), 10) - parseInt(b.slice(6), 10)).pop()!;
}

function latestRuntimeAcknowledgements(scope: SecureFunction | lambda.CfnFunction): any[] {
  return metadataOf(scope, LIBRARY_ACKNOWLEDGEMENT_METADATA).filter(entry => LATEST_RUNTIME_FINDINGS.includes(entry.id));
}

test('without a preview runtime in aws-cdk-lib, SecureFunction acknowledges no latest-runtime finding', () => {
  const { stack } = newStack();
  expect(latestRuntimeAcknowledgements(new SecureFunction(stack, 'Fn', { code: CODE, handler: HANDLER }))).toEqual([]);
});

describe('an aws-cdk-lib that lists a preview runtime (2.278.0 lists nodejs26.x)', () => {
  // GIVEN the preview runtime in aws-cdk-lib's list, as the newest aws-cdk-lib has it (a Runtime adds itself to ALL)
  let added: lambda.Runtime | undefined;
  beforeAll(() => {
    if (!lambda.Runtime.ALL.some(r => r.name === PREVIEW)) {
      added = new lambda.Runtime(PREVIEW, lambda.RuntimeFamily.NODEJS, { supportsInlineCode: true });
    }
  });
  afterAll(() => {
    if (added) lambda.Runtime.ALL.splice(lambda.Runtime.ALL.indexOf(added), 1);
  });

  test('SecureFunction runs on the newest generally available runtime, not the preview', () => {
    const { stack } = newStack();
    new SecureFunction(stack, 'Fn', { code: CODE, handler: HANDLER });

    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', { Runtime: newestAvailableNodejs() });
  });

  test('the latest-runtime findings the preview causes are acknowledged with the reason, and none is left open', () => {
    const { app, stack } = newStack();
    const fn = new SecureFunction(stack, 'Fn', { code: CODE, handler: HANDLER });

    expect(latestRuntimeAcknowledgements(fn).map(entry => entry.id)).toEqual(LATEST_RUNTIME_FINDINGS);
    expect(latestRuntimeAcknowledgements(fn)[0].reason).toBe(
      `${newestAvailableNodejs()} is the newest generally available nodejs runtime; ${PREVIEW}, newer in this aws-cdk-lib, is a public preview that AWS says is not for production use`);
    const findings = findingsOf(app, { profile: ComplianceProfile.STANDARD, guard: false });
    expect(findings.filter(f => LATEST_RUNTIME_FINDINGS.includes(f.rule))).toEqual([]);
  });

  test('NewestRuntime names the newest generally available runtime, not the preview', () => {
    expect(NewestRuntime.nodejs().name).toBe(newestAvailableNodejs());
  });

  test('asking for the preview runtime is our error naming the runtime to use', () => {
    const { stack } = newStack();
    const error = thrownBy(() => new SecureFunction(stack, 'Fn', { code: CODE, handler: HANDLER, runtime: lambda.Runtime.ALL.find(r => r.name === PREVIEW) }));

    expect(error.message).toBe(`S/Fn: invalid runtime: received "${PREVIEW}"; allowed: the newest generally available nodejs runtime known to the installed aws-cdk-lib (${newestAvailableNodejs()})`);
  });

  test('FunctionHardening acknowledges the same on a plain function at the newest generally available runtime', () => {
    const { stack } = newStack();
    const fn = plainFunction(stack, 'Fn', { runtime: lambda.Runtime.ALL.find(r => r.name === newestAvailableNodejs() && !r.isVariable) });
    fn.with(new FunctionHardening());

    expect(latestRuntimeAcknowledgements(fn.node.defaultChild as lambda.CfnFunction).map(entry => entry.id)).toEqual(LATEST_RUNTIME_FINDINGS);
  });
});

import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NewestRuntime } from '../../src';
import { SecureServerlessError } from '../../src/core/errors';
import { thrownBy } from '../core/fixtures';

/** The runtimes of a family in the installed aws-cdk-lib, by version (the reference AwsSolutions-L1 uses). */
function versions(family: string): number[] {
  return lambda.Runtime.ALL.map((r) => r.name.match(new RegExp(`^${family}(\\d+)(?:\\.(\\d+)|\\.x)?$`)))
    .filter((m): m is RegExpMatchArray => m !== null)
    .map((m) => Number(m[1]) + Number(m[2] ?? 0) / 100);
}

describe('NewestRuntime', () => {
  test.each(['nodejs', 'python', 'java', 'dotnet', 'ruby'])('%s is the highest version of the family aws-cdk-lib knows', (family) => {
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

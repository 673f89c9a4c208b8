import * as lambda from 'aws-cdk-lib/aws-lambda';
import { invalidProp } from '../core/errors';

const VERSION = /^([a-z]+)(\d+(?:\.\d+|\.x)?)?/;

/**
 * The newest runtime of `family` that the installed aws-cdk-lib knows, so the
 * default follows aws-cdk-lib upgrades instead of going stale (AwsSolutions-L1
 * compares against the same list).
 */
export function newestRuntime(family: string): lambda.Runtime | undefined {
  const candidates = lambda.Runtime.ALL.filter(r => familyOf(r.name) === family && !r.isVariable && r.name !== `${family}.latest`);
  return candidates.sort((a, b) => versionOf(a.name).localeCompare(versionOf(b.name), undefined, { numeric: true, sensitivity: 'base' })).pop();
}

/** The runtime family, e.g. `nodejs` for `nodejs22.x`. */
export function familyOf(name: string): string {
  const family = name.match(VERSION)?.[1] ?? name;
  // .NET Core 1.0 to 3.1 were renamed .NET: dotnetcore3.1 is an old dotnet, not a family of its own.
  return family === 'dotnetcore' ? 'dotnet' : family;
}

function versionOf(name: string): string {
  return name.match(VERSION)?.[2] ?? '0';
}

/**
 * The newest Lambda runtime of a family that the installed aws-cdk-lib knows.
 *
 * It is the runtime `AwsSolutions-L1` compares against, so a plain function that
 * names it passes that check on every aws-cdk-lib version, where a constant such as
 * `lambda.Runtime.NODEJS_LATEST` (an older LTS) or `NODEJS_24_X` goes stale on an
 * upgrade. SecureFunction uses it by default. An upgrade of aws-cdk-lib can move it
 * to a newer runtime: run your tests on the new one then.
 */
export class NewestRuntime {
  /** The newest Node.js runtime. */
  public static nodejs(): lambda.Runtime {
    return NewestRuntime.of('nodejs');
  }

  /** The newest Python runtime. */
  public static python(): lambda.Runtime {
    return NewestRuntime.of('python');
  }

  /**
   * The newest runtime of `family`: `nodejs`, `python`, `java`, `dotnet` or `ruby`.
   *
   * @param family the runtime family, the name of its runtimes without the version
   */
  public static of(family: string): lambda.Runtime {
    const newest = FAMILIES.includes(family) ? newestRuntime(family) : undefined;
    if (!newest) invalidProp('NewestRuntime', 'family', family, `one of ${FAMILIES.map(f => `"${f}"`).join(', ')}`);
    return newest;
  }

  private constructor() {}
}

const FAMILIES = ['nodejs', 'python', 'java', 'dotnet', 'ruby'];

import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IConstruct } from 'constructs';
import { acknowledgeFindings, LIBRARY_ACKNOWLEDGEMENT_METADATA } from '../core/acknowledgements';
import { invalidProp } from '../core/errors';

const VERSION = /^([a-z]+)(\d+(?:\.\d+|\.x)?)?/;

/**
 * Runtimes AWS offers as public previews: "not for production use", outside the
 * Lambda SLA, and "may be modified or discontinued without notice"
 * (https://aws.amazon.com/blogs/compute/introducing-public-preview-runtimes-on-aws-lambda-starting-with-node-js-26-and-python-3-15/).
 * aws-cdk-lib lists them with the others (2.278.0 has nodejs26.x and python3.15),
 * so the newest runtime it knows can be one. An entry goes when AWS announces the
 * runtime generally available.
 */
const PREVIEW_RUNTIMES = new Set(['nodejs26.x', 'python3.15']);

/** The latest-runtime rules, which compare against the newest runtime aws-cdk-lib knows, preview or not. */
const LATEST_RUNTIME_FINDINGS = ['AwsSolutions-L1', 'Serverless-LambdaLatestVersion'];

/**
 * The newest generally available runtime of `family` that the installed
 * aws-cdk-lib knows, so the default follows aws-cdk-lib upgrades instead of going
 * stale, and never lands on a preview runtime.
 */
export function newestRuntime(family: string): lambda.Runtime | undefined {
  return newestOf(family, (runtime) => !PREVIEW_RUNTIMES.has(runtime.name));
}

/** The runtime family, e.g. `nodejs` for `nodejs22.x`. */
export function familyOf(name: string): string {
  const family = name.match(VERSION)?.[1] ?? name;
  // .NET Core 1.0 to 3.1 were renamed .NET: dotnetcore3.1 is an old dotnet, not a family of its own.
  return family === 'dotnetcore' ? 'dotnet' : family;
}

/**
 * Acknowledges the latest-runtime findings on a function whose runtime is the
 * newest generally available one while aws-cdk-lib also knows a newer preview
 * runtime, which those rules take for the newest (AwsSolutions-L1 and
 * Serverless-LambdaLatestVersion compare against all of `lambda.Runtime.ALL`).
 * Once per function, however often a mixin applies.
 */
export function acknowledgePreviewRuntime(fn: IConstruct, runtime: string): void {
  const family = familyOf(runtime);
  const available = newestRuntime(family);
  const known = newestOf(family, () => true);
  if (!available || !known || available.name !== runtime || known.name === runtime) return;
  const done = fn.node.metadata.some((entry) => entry.type === LIBRARY_ACKNOWLEDGEMENT_METADATA && entry.data?.id === LATEST_RUNTIME_FINDINGS[0]);
  if (done) return;
  acknowledgeFindings(fn, LATEST_RUNTIME_FINDINGS,
    `${runtime} is the newest generally available ${family} runtime; ${known.name}, newer in this aws-cdk-lib, is a public preview that AWS says is not for production use`);
}

function newestOf(family: string, allowed: (runtime: lambda.Runtime) => boolean): lambda.Runtime | undefined {
  const candidates = lambda.Runtime.ALL
    .filter(r => familyOf(r.name) === family && !r.isVariable && r.name !== `${family}.latest` && allowed(r));
  return candidates.sort((a, b) => versionOf(a.name).localeCompare(versionOf(b.name), undefined, { numeric: true, sensitivity: 'base' })).pop();
}

function versionOf(name: string): string {
  return name.match(VERSION)?.[2] ?? '0';
}

/**
 * The newest generally available Lambda runtime of a family that the installed
 * aws-cdk-lib knows.
 *
 * It is the runtime `AwsSolutions-L1` compares against, so a plain function that
 * names it passes that check, where a constant such as `lambda.Runtime.NODEJS_LATEST`
 * (an older LTS) or `NODEJS_24_X` goes stale on an upgrade. SecureFunction uses it by
 * default. An upgrade of aws-cdk-lib can move it to a newer runtime: run your tests
 * on the new one then. A public preview runtime (not for production use) is never
 * chosen, although aws-cdk-lib lists it and `AwsSolutions-L1` then compares against it
 * (2.278.0 lists nodejs26.x and python3.15): SecureFunction and FunctionHardening
 * acknowledge that finding with the reason, a plain function without them gets it.
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

import * as lambda from 'aws-cdk-lib/aws-lambda';

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

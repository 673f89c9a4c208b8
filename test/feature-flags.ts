import { readFileSync } from 'fs';
import { dirname, join } from 'path';

/**
 * The feature flags `cdk init` writes into a new project's `cdk.json`: the
 * pinned CLI's init template, read where it ships (the package does not export
 * the file, so it is found beside the CLI's package.json). Never copied, so a
 * CLI upgrade brings its new flags into the tests.
 */
export function recommendedFeatureFlags(): { [flag: string]: unknown } {
  const cli = dirname(require.resolve('aws-cdk/package.json'));
  return JSON.parse(readFileSync(join(cli, 'lib', 'init-templates', '.recommended-feature-flags.json'), 'utf8'));
}

/** The flag sets the tests run under: none, and a new project's. */
export type FlagSet = 'none' | 'recommended';

/** The flag set of this test run: `CDK_FEATURE_FLAGS=recommended` selects a new project's. */
export function currentFlagSet(): FlagSet {
  const value = process.env.CDK_FEATURE_FLAGS ?? 'none';
  if (value !== 'none' && value !== 'recommended') {
    throw new Error(`CDK_FEATURE_FLAGS=${value}: allowed are "none" and "recommended"`);
  }
  return value;
}

/** Whether `flag` is on in this run's flag set. */
export function flagOn(flag: string): boolean {
  return currentFlagSet() === 'recommended' && recommendedFeatureFlags()[flag] === true;
}

import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, Stack } from 'aws-cdk-lib';
import * as fc from 'fast-check';
import { cfnLintApps, formatLintFindings, LintFinding } from './cfn-lint';
import { Finding, findingsFor, findingsOf, formatFindings } from './harness';
import { repeatedStatements } from './repeated-statements';
import { SecurityBaseline } from '../../src/baseline/security-baseline';
import { SecureServerlessError } from '../../src/core/errors';
import { ComplianceProfile } from '../../src/core/profile';
import { countsOf, evaluateApps, failuresOf, Outcome } from '../callpaths/evaluate';
import { reportCounts } from '../callpaths/run-totals';
import { ENV } from '../core/fixtures';

export const PROFILES = [ComplianceProfile.STANDARD, ComplianceProfile.REGULATED];

/** The apps and findings of a compliance matrix, for tests that look further. */
export interface Matrix {
  apps(profile: ComplianceProfile): App[];
  findings(profile: ComplianceProfile, name: string): Finding[];
}

/**
 * The build of a matrix whose every case fills stack `S` (in ENV) of an app of
 * its own, after a SecurityBaseline of the profile.
 */
export function baselineStackApp(cases: Record<string, (stack: Stack) => void>): (name: string, profile: ComplianceProfile) => App {
  return (name, profile) => {
    const app = new App();
    const stack = new Stack(app, 'S', { env: ENV });
    new SecurityBaseline(stack, 'SecurityBaseline', { profile });
    cases[name](stack);
    return app;
  };
}

/**
 * Registers the compliance matrix: every case is built for both profiles first,
 * then each profile is validated in one call, so cfn-guard runs once per profile
 * over all its templates; each case must have zero unacknowledged findings. One
 * cfn-lint run over every template of both profiles must find nothing either,
 * and no policy document may grant the same permission in two statements.
 */
export function complianceMatrix(caseNames: readonly string[], build: (name: string, profile: ComplianceProfile) => App): Matrix {
  const apps = new Map<ComplianceProfile, App[]>();
  const results = new Map<ComplianceProfile, Map<string, Finding[]>>();
  let guardRuns = 0;
  let lintFindings: LintFinding[] = [];
  let repeated: string[] = [];
  const callPaths = new Map<ComplianceProfile, Outcome[]>();

  beforeAll(() => {
    const validate = jest.spyOn(CfnGuardValidator.prototype, 'validate');
    for (const profile of PROFILES) apps.set(profile, caseNames.map(name => build(name, profile)));
    for (const profile of PROFILES) {
      const findings = findingsFor(apps.get(profile)!, { profile });
      results.set(profile, new Map(caseNames.map((name, i) => [name, findings[i]])));
    }
    guardRuns = validate.mock.calls.length;
    validate.mockRestore();
  }, 300_000);

  // The templates the packs read, already written: a hook of its own, so the lint has its own timeout.
  beforeAll(() => {
    const labelled = new Map(PROFILES.flatMap(profile => caseNames.map((name, i) => [`${name} (${profile})`, apps.get(profile)![i]] as const)));
    lintFindings = cfnLintApps(labelled);
    repeated = repeatedStatements(labelled);
  }, 300_000);

  // Every template, evaluated: each call path it wires is allowed, each variant refused (test/callpaths).
  beforeAll(async () => {
    for (const profile of PROFILES) callPaths.set(profile, await evaluateApps(apps.get(profile)!));
  }, 300_000);

  test('the Control Tower guard rules ran once per profile', () => {
    expect(guardRuns).toBe(PROFILES.length);
  });

  test('cfn-lint finds no error or warning in any template', () => {
    expect(formatLintFindings(lintFindings)).toEqual(formatLintFindings([]));
  });

  test('no policy document grants a permission in two statements', () => {
    expect(repeated).toEqual([]);
  });

  test.each(PROFILES)('%s profile: every modeled call path is allowed, every variant refused', profile => {
    const outcomes = callPaths.get(profile)!;
    const counts = countsOf(outcomes);
    reportCounts(profile, counts);
    expect(failuresOf(outcomes)).toEqual([]);
    expect(counts.allowed).toBeGreaterThan(0);
  });

  describe.each(PROFILES)('%s profile', profile => {
    test.each([...caseNames])('%s has no unacknowledged finding', name => {
      expect(formatFindings(results.get(profile)!.get(name)!)).toEqual(formatFindings([]));
    });
  });

  return {
    apps: profile => apps.get(profile)!,
    findings: (profile, name) => results.get(profile)!.get(name)!,
  };
}

/** Options of a property run. */
export interface PropertyRunOptions {
  readonly numRuns: number;
  /** How many of the apps that synthesized go through the guard rules, in one run. */
  readonly guardSample: number;
  /** What is generated, for the test names, e.g. `prop sets`. */
  readonly what: string;
  /** The seed of this run, over the tier's (test/jest.setup.ts); an undefined seed is not passed, so the tier's holds. */
  readonly seed?: number;
}

/**
 * Registers a property test: for every generated value, building the app either
 * throws our error or gives an app with zero findings under STANDARD (cdk-nag
 * packs per run); the guard rules then run once over a sample. Both outcomes must
 * occur in at least a tenth of the runs, or the property says little.
 */
export function propertyRuns<T>(generated: fc.Arbitrary<T>, build: (value: T) => App, options: PropertyRunOptions): void {
  const synthesized: App[] = [];
  const outcomes = { rejected: 0, synthesized: 0 };

  test(`${options.numRuns} ${options.what}: our error, or zero findings under STANDARD`, () => {
    const started = Date.now();
    fc.assert(fc.property(generated, value => {
      let app: App;
      try {
        app = build(value);
      } catch (e) {
        if (e instanceof SecureServerlessError) {
          outcomes.rejected++;
          return;
        }
        throw e;
      }
      const findings = findingsOf(app, { profile: ComplianceProfile.STANDARD, guard: false });
      if (findings.length > 0) throw new Error(formatFindings(findings));
      outcomes.synthesized++;
      if (synthesized.length < options.guardSample) synthesized.push(app);
    }), { numRuns: options.numRuns, ...options.seed === undefined ? {} : { seed: options.seed } });

    expect(outcomes.rejected).toBeGreaterThan(options.numRuns / 10);
    expect(outcomes.synthesized).toBeGreaterThan(options.numRuns / 10);
    process.stdout.write(`${options.what}: ${outcomes.synthesized} synthesized, ${outcomes.rejected} rejected in ${Date.now() - started} ms\n`);
  }, 600_000);

  test(`the Control Tower guard rules find nothing in ${options.guardSample} of the apps that synthesized`, () => {
    expect(synthesized.length).toBeGreaterThan(0);
    const findings = findingsFor(synthesized, { profile: ComplianceProfile.STANDARD, guard: true });
    expect(findings.map(formatFindings)).toEqual(synthesized.map(() => formatFindings([])));
  }, 300_000);

  callPathsHold(`the same ${options.guardSample}`, () => synthesized);
}

/**
 * Registers a test that evaluates every modeled call path of `apps()` (a sample
 * of generated apps, built by an earlier test): each must be allowed, each
 * variant refused. The counts go into the run's total.
 */
export function callPathsHold(sample: string, apps: () => App[]): void {
  test(`every modeled call path of ${sample} apps is allowed, every variant refused`, async () => {
    const built = apps();
    expect(built.length).toBeGreaterThan(0);
    const outcomes = await evaluateApps(built);
    reportCounts(`${built.length} generated apps`, countsOf(outcomes));
    expect(failuresOf(outcomes)).toEqual([]);
    expect(outcomes.length).toBeGreaterThan(0);
  }, 300_000);
}

/** Mostly valid values, sometimes anything, so both outcomes are well covered. */
export function mostly<T>(valid: fc.Arbitrary<T>, any: fc.Arbitrary<T>, undefinedWeight = 3): fc.Arbitrary<T | undefined> {
  return fc.oneof(
    { weight: undefinedWeight, arbitrary: fc.constant(undefined) },
    { weight: 6, arbitrary: valid },
    { weight: 1, arbitrary: any },
  );
}

/** `arbitrary` once for every `undefinedWeight` times undefined. */
export function sometimes<T>(arbitrary: fc.Arbitrary<T>, undefinedWeight: number): fc.Arbitrary<T | undefined> {
  return fc.oneof({ weight: undefinedWeight, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary });
}

import * as fc from 'fast-check';
import { currentFlagSet, recommendedFeatureFlags } from './feature-flags';

// aws-cdk-lib's built-in template validation loads the CloudFormation schemas in
// every test file (about 13 s of a 2-core machine per file) and only prints
// warnings in tests. The compliance matrices run cfn-lint over their templates
// instead, and the tests about the validation itself turn it on where they need it.
// A value set outside (CDK_VALIDATION=true npx projen test) is kept.
process.env.CDK_VALIDATION ??= 'false';

// CDK_FEATURE_FLAGS=recommended: every App of the run starts with the flags `cdk init`
// writes, through the context variable the CLI itself sets for an app
// (CDK_CONTEXT_JSON, which App reads over its constructor's context). Context a
// caller already put there is kept over the flags.
if (currentFlagSet() === 'recommended') {
  const given = process.env.CDK_CONTEXT_JSON ? JSON.parse(process.env.CDK_CONTEXT_JSON) : {};
  process.env.CDK_CONTEXT_JSON = JSON.stringify({ ...recommendedFeatureFlags(), ...given });
}

// The property tier draws its cases from one seed, so a run is repeatable and CI
// is not red by the draw: a fixed one unless PROPERTY_SEED names another, or says
// `random` for a new one each run (printed, to rerun a failure with it). fast-check
// also prints the seed and the shrunk case of any failure. A test that passes its
// own seed to fc.assert keeps it.
const seedSetting = process.env.PROPERTY_SEED;
const seed = seedSetting === 'random' ? Date.now() % 2 ** 31 : seedSetting ? Number(seedSetting) : 20261207;
if (!Number.isInteger(seed)) throw new Error(`PROPERTY_SEED must be an integer or "random"; received ${JSON.stringify(seedSetting)}`);
if (seedSetting === 'random') process.stdout.write(`property seed: ${seed} (PROPERTY_SEED=${seed} reruns it)\n`);
fc.configureGlobal({ ...fc.readConfigureGlobal(), seed });

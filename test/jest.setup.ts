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

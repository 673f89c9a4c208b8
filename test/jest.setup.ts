// aws-cdk-lib's built-in template validation loads the CloudFormation schemas in
// every test file (about 13 s of a 2-core machine per file) and only prints
// warnings in tests. The compliance matrices run cfn-lint over their templates
// instead, and the tests about the validation itself turn it on where they need it.
// A value set outside (CDK_VALIDATION=true npx projen test) is kept.
process.env.CDK_VALIDATION ??= 'false';

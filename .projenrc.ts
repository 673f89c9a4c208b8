import { awscdk, javascript } from 'projen';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-secure-serverless',
  description:
    'AWS CDK constructs that make a serverless application secure by default and prove it at synth: least-privilege functions, encrypted data stores, a private network, guardrails and a security report.',
  author: 'cdk-secure-serverless maintainers',
  authorAddress: 'maintainers@cdk-secure-serverless.dev',
  repositoryUrl: 'https://github.com/cdk-secure-serverless/cdk-secure-serverless.git',
  defaultReleaseBranch: 'main',
  projenrcTs: true,
  packageManager: javascript.NodePackageManager.NPM,
  stability: 'experimental',
  keywords: ['cdk', 'awscdk', 'aws-cdk', 'serverless', 'security', 'cdk-nag', 'compliance'],

  // Peer floor (DESIGN.md section 2): cdk-nag 3 rules run only from 2.258, and
  // acknowledgement ids with `::` need 2.269. Tests run against the floor
  // itself, so the floor is proven rather than assumed.
  cdkVersion: '2.269.0',
  cdkVersionPinning: false,
  constructsVersion: '10.5.1',
  jsiiVersion: '~6.0.0',
  peerDeps: ['cdk-nag@^3.0.2'],
  devDeps: [
    'cdk-nag@^3.0.2',
    '@cdklabs/cdk-validator-cfnguard@0.0.62',
    'fast-check@^4',
    'aws-cdk@2.1148.1',
    'esbuild',
    '@types/aws-lambda',
    // The example app's handlers and their tests.
    '@aws-lambda-powertools/logger',
    '@aws-sdk/client-dynamodb',
    '@aws-sdk/lib-dynamodb',
    '@aws-sdk/client-sqs',
    '@aws-sdk/client-secrets-manager',
    'aws-sdk-client-mock',
    'tsconfig-paths',
    '@types/node@^20',
    // The call-path model's policy evaluator (AGPL-3.0): tests only, never imported from src/ nor bundled.
    '@cloud-copilot/iam-simulate',
    // security-report.sarif is validated in the tests against the SARIF 2.1.0 schema
    // that @microsoft/jest-sarif ships, with ajv (the schema is JSON Schema draft-04).
    'ajv@^8',
    'ajv-draft-04@^1',
    'ajv-formats@^3',
    '@microsoft/jest-sarif@1.0.0-beta.0',
  ],

  publishToPypi: {
    distName: 'cdk-secure-serverless',
    module: 'cdk_secure_serverless',
  },
  publishToMaven: {
    javaPackage: 'dev.cdksecureserverless',
    mavenGroupId: 'dev.cdk-secure-serverless',
    mavenArtifactId: 'cdk-secure-serverless',
  },
  publishToNuget: {
    dotNetNamespace: 'CdkSecureServerless',
    packageId: 'CdkSecureServerless',
  },
  publishToGo: {
    moduleName: 'github.com/cdk-secure-serverless/cdk-secure-serverless-go',
  },

  gitignore: ['cdk.out', '*.cdk.out', '.bench-out', 'examples/**/cdk.out', '.jsii.tabl.json'],
  eslintOptions: { dirs: ['src'], devdirs: ['test', 'examples', 'bench', 'projenrc', '.projenrc.ts'] },
  jestOptions: {
    jestConfig: {
      testTimeout: 120_000,
      maxWorkers: 2,
      // Coverage instrumentation nearly doubles the suite's time (11 min against 5.8 on the 2-core machine), which
      // would take `npx projen test` past its 10-minute bar: it is collected by `npx projen test:coverage` instead.
      collectCoverage: false,
      testMatch: ['<rootDir>/@(src|test|examples)/**/*(*.)@(spec|test).ts?(x)'],
      // The property tier (hundreds of generated apps per construct) runs in its own
      // task, which CI runs after this one: `npx projen test:properties`.
      testPathIgnorePatterns: ['/node_modules/', '\\.property\\.test\\.ts$'],
      // The example app imports the library by its package name, as a user's app does.
      moduleNameMapper: { '^cdk-secure-serverless$': '<rootDir>/src/index.ts' },
      // aws-cdk-lib's template validation off unless a test turns it on: see the file.
      setupFiles: ['<rootDir>/test/jest.setup.ts'],
      // The call-path counts of the run, summed over its test files and printed at its end (test/callpaths/run-totals.ts).
      globalSetup: '<rootDir>/test/callpaths/run-totals.setup.ts',
      globalTeardown: '<rootDir>/test/callpaths/run-totals.teardown.ts',
    },
  },
  tsconfigDev: {
    compilerOptions: {
      // This tsconfig lives in test/.
      baseUrl: '..',
      paths: { 'cdk-secure-serverless': ['src/index.ts'] },
    },
    include: ['../examples/**/*.ts', '../bench/**/*.ts'],
  },
});

// Strict rosetta: every README example must compile against rosetta/default.ts-fixture.
project.package.file.addOverride('jsii.metadata', { jsii: { rosetta: { strict: true } } });
project.postCompileTask.exec('jsii-rosetta extract --strict --compile --fail');

// The tarball holds the compiled library and its docs only: everything at the top level is left
// out, then lib/, .jsii and API.md are let back in (npm always adds package.json, README and LICENSE).
// The example's cdk.out, .ci, bench and the lint settings stay out; test/package/tarball.test.ts checks it.
project.npmignore?.addPatterns('/*', '!/lib/', '!/.jsii', '!/API.md');

// Lint resolves the example app's import of this package through the dev tsconfig's paths.
project.tryFindObjectFile('.eslintrc.json')?.addOverride('settings.import/resolver.typescript.project', ['./tsconfig.json', './test/tsconfig.json']);

// Tests run under two flag sets (test/feature-flags.ts): none, and the flags `cdk init` writes.
// `npx projen test` runs every test without flags, then the compliance matrices, the mixin
// tests and the example under a new project's flags; `test:recommended-flags` runs every
// other test under them too (CI runs it), and the property tier runs under both.
const RECOMMENDED_FLAGS_CORE = ['test/compliance/', 'test/mixins/', 'examples/'];
project.testTask.exec(`jest --passWithNoTests --coverage=false ${RECOMMENDED_FLAGS_CORE.join(' ')}`, {
  name: 'the compliance matrices, mixin tests and example under the flags cdk init writes',
  env: { CDK_FEATURE_FLAGS: 'recommended' },
});
project.addTask('test:recommended-flags', {
  description: 'Run every other test under the feature flags cdk init writes (the core ones run in `test`)',
  env: { CDK_FEATURE_FLAGS: 'recommended' },
}).exec(`jest --passWithNoTests --coverage=false --testPathIgnorePatterns /node_modules/ '\\.property\\.test\\.ts$' ${RECOMMENDED_FLAGS_CORE.map((dir) => `'/${dir}'`).join(' ')}`);

project.addTask('test:coverage', {
  description: 'Run the tests without flags and collect coverage (coverage/, and a summary table)',
}).exec('jest --passWithNoTests --coverage');

// The property tier: every construct's generated prop sets and apps, our error or zero findings.
project.addTask('test:properties', {
  description: 'Run the property-based tests (generated props and apps): our error, or zero findings',
}).exec('jest --passWithNoTests --coverage=false --testPathIgnorePatterns=/node_modules/ --testMatch "<rootDir>/test/**/*.property.test.ts"');
project.addTask('test:properties:recommended-flags', {
  description: 'The property tier under the feature flags cdk init writes',
  env: { CDK_FEATURE_FLAGS: 'recommended' },
}).exec('jest --passWithNoTests --coverage=false --testPathIgnorePatterns=/node_modules/ --testMatch "<rootDir>/test/**/*.property.test.ts"');

// The README's main command: synthesize the example app with the guardrails on.
const example = project.addTask('example', {
  description: 'Synthesize the example app with the guardrails, print where the templates and the report are, and rewrite the README\'s report excerpt from it',
  cwd: 'examples/orders-service',
});
example.env('TS_NODE_PROJECT', '../../test/tsconfig.json');
example.exec('cdk synth --quiet --no-notices --no-version-reporting --app "ts-node --transpile-only -r tsconfig-paths/register app.ts" --output cdk.out');
example.exec('node print-outputs.js cdk.out');
// The README's security-report line and excerpt come from this run, as the cost section comes from the bench.
example.exec('ts-node --transpile-only readme-report.ts cdk.out');

// The example again, as a project made by `cdk init` would synthesize it: the pinned CLI's
// recommended feature flags, aws-cdk-lib's template validation on.
const exampleFlags = project.addTask('example:recommended-flags', {
  description: 'Synthesize the example app under the feature flags cdk init writes into a new project',
  cwd: 'examples/orders-service',
});
exampleFlags.env('TS_NODE_PROJECT', '../../test/tsconfig.json');
exampleFlags.exec('ts-node --transpile-only -r tsconfig-paths/register ../../test/example/synth-with-recommended-flags.ts recommended.cdk.out');
exampleFlags.exec('node print-outputs.js recommended.cdk.out');

// npm run bench: our constructs against plain aws-cdk-lib, synth + validation and resources per unit.
const bench = project.addTask('bench', {
  description: 'Compare synth + validation time and resources of our constructs with plain aws-cdk-lib',
  env: { TS_NODE_PROJECT: 'test/tsconfig.json' },
});
bench.exec('ts-node --transpile-only -r tsconfig-paths/register bench/run.ts');

project.synth();

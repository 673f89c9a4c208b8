// The repository's jest configuration for .ci/newest-aws-cdk-lib: the same tests, with aws-cdk-lib,
// constructs and cdk-nag resolved from the install of this folder's lockfile (NEWEST_AWS_CDK_LIB is
// that install's node_modules), for the tests, the library's source and every package that imports
// them (cdk-nag, the cfn-guard validator), so the run has one aws-cdk-lib: the newest.
const path = require('path');
const base = require('../../package.json').jest;

const modules = process.env.NEWEST_AWS_CDK_LIB;
if (!modules) throw new Error('NEWEST_AWS_CDK_LIB is not set: run this configuration through .ci/newest-aws-cdk-lib');

module.exports = {
  ...base,
  rootDir: path.join(__dirname, '..', '..'),
  collectCoverage: false,
  reporters: ['default'],
  moduleNameMapper: {
    ...base.moduleNameMapper,
    '^aws-cdk-lib$': path.join(modules, 'aws-cdk-lib'),
    '^aws-cdk-lib/(.*)$': `${path.join(modules, 'aws-cdk-lib')}/$1`,
    '^constructs$': path.join(modules, 'constructs'),
    '^cdk-nag$': path.join(modules, 'cdk-nag'),
  },
  setupFiles: [...base.setupFiles, '<rootDir>/test/newest-aws-cdk-lib/jest.setup.js'],
};

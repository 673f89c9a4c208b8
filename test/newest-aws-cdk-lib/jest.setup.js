// Fails the run unless the aws-cdk-lib the tests load is the one this folder's package.json pins.
const pinned = require('./package.json').dependencies['aws-cdk-lib'];
const loaded = require('aws-cdk-lib/package.json').version;
if (loaded !== pinned) {
  throw new Error(`the tests loaded aws-cdk-lib ${loaded}, not the pinned ${pinned}: check NEWEST_AWS_CDK_LIB`);
}

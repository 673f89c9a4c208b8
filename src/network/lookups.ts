import { Annotations, ContextProvider, GetContextKeyOptions, Stack } from 'aws-cdk-lib';
import * as cxschema from 'aws-cdk-lib/cloud-assembly-schema';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { SecureServerlessError } from '../core/errors';

/*
 * The context lookups a PrivateNetwork makes in a stack with a concrete account and region:
 * the availability zones (through ec2.Vpc) and the AWS-managed prefix lists of the gateway
 * services. The CLI answers them with AWS credentials and stores the answers in
 * cdk.context.json; without credentials it hands the app an error in their place, and the
 * synth fails with "Need to perform AWS calls ... no credentials". Each such failure gets an
 * error here that names the cdk.context.json entry to write instead.
 */

/**
 * The id of the AWS-managed prefix list of a gateway service in the stack's region, looked up
 * as `ec2.PrefixList.fromLookup` does (same provider and key).
 */
export function lookUpPrefixListId(scope: Construct, service: 'dynamodb' | 's3'): string {
  const stack = Stack.of(scope);
  const namespace = stack.region.startsWith('cn-') ? 'cn.com.amazonaws' : 'com.amazonaws';
  const name = `${namespace}.${stack.region}.${service}`;
  const options: GetContextKeyOptions = {
    provider: cxschema.ContextProvider.CC_API_PROVIDER,
    props: {
      typeName: 'AWS::EC2::PrefixList',
      propertyMatch: { PrefixListName: name },
      propertiesToReturn: ['PrefixListId'],
      expectedMatchCount: 'exactly-one',
    },
  };
  explainFailedLookup(scope, options, `the prefix list ${name}`, [{ PrefixListId: 'pl-12345678' }],
    `the id of the AWS-managed prefix list ${name} (VPC console, Managed prefix lists; or `
    + `aws ec2 describe-managed-prefix-lists --region ${stack.region} --filters Name=prefix-list-name,Values=${name})`);
  const answer = ContextProvider.getValue(scope, { ...options, dummyValue: [{ PrefixListId: 'pl-xxxxxxxx' }] }).value;
  const id = Array.isArray(answer) && answer.length === 1 ? answer[0]?.PrefixListId : undefined;
  if (typeof id !== 'string') {
    const { key } = ContextProvider.getKey(scope, options);
    throw new SecureServerlessError(scope.node.path, 'env',
      `invalid cdk.context.json entry ${JSON.stringify(key)}: received ${JSON.stringify(answer)}; allowed: [{ "PrefixListId": "pl-..." }], the one prefix list named ${name}`);
  }
  return id;
}

/**
 * Explains a failed lookup of the stack's availability zones, which ec2.Vpc makes through
 * `stack.availabilityZones` (aws-cdk-lib reports the failure on the stack, without the entry).
 */
export function explainAvailabilityZoneLookup(scope: Construct): void {
  const region = Stack.of(scope).region;
  explainFailedLookup(scope, { provider: cxschema.ContextProvider.AVAILABILITY_ZONE_PROVIDER },
    `the availability zones of ${region}`, ['a', 'b', 'c'].map((zone) => `${region}${zone}`),
    `the names of the account's zones in ${region} (EC2 console, or aws ec2 describe-availability-zones --region ${region})`);
}

function explainFailedLookup(scope: Construct, options: GetContextKeyOptions, what: string, example: unknown, answer: string): void {
  const { key } = ContextProvider.getKey(scope, options);
  const value = scope.node.tryGetContext(key);
  if (value === null || typeof value !== 'object' || !(cxapi.PROVIDER_ERROR_KEY in value)) return;
  const stack = Stack.of(scope);
  Annotations.of(scope).addError(`${what} could not be looked up (${value[cxapi.PROVIDER_ERROR_KEY]}). `
    + `Synthesize once with AWS credentials for account ${stack.account}, which stores the answer in cdk.context.json (commit it), `
    + `or write the entry into cdk.context.json yourself: ${JSON.stringify(key)}: ${JSON.stringify(example)}, with ${answer}`);
}

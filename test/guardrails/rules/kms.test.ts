import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { PARTITION } from '../../core/fixtures';
import { reported, testStack } from '../support';

const ROOT = `arn:${PARTITION}:iam::111111111111:root`;

/** The statement CT.KMS.PR.3 asks for and aws-cdk-lib never writes. */
function denyGrantsNotForAwsResources(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['kms:CreateGrant'],
    resources: ['*'],
    conditions: { Bool: { 'kms:GrantIsForAWSResource': false } },
  });
}

describe('KmsKeyPolicy', () => {
  test('reports the default key policy: the root may create grants for anything', () => {
    const { app, stack } = testStack();
    new kms.Key(stack, 'Key');

    expect(reported(app, 'KmsKeyPolicy')).toEqual([`ServerlessSecurity-KmsKeyPolicy[CreateGrant::${ROOT}] @ Test/Key/Resource`]);
  });

  test('accepts the root of an environment-agnostic stack (<AWS::AccountId>)', () => {
    const app = new App();
    const stack = new Stack(app, 'Agnostic');
    new kms.Key(stack, 'Key').addToResourcePolicy(denyGrantsNotForAwsResources());

    expect(reported(app, 'KmsKeyPolicy')).toEqual([]);
  });

  test('passes the default policy with a Deny on grants not for AWS resources', () => {
    const { app, stack } = testStack();
    new kms.Key(stack, 'Key').addToResourcePolicy(denyGrantsNotForAwsResources());

    expect(reported(app, 'KmsKeyPolicy')).toEqual([]);
  });

  test('accepts the Deny written with BoolIfExists, and not a Deny with another condition', () => {
    const { app, stack } = testStack();
    new kms.Key(stack, 'IfExists').addToResourcePolicy(new iam.PolicyStatement({
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:CreateGrant'],
      resources: ['*'],
      conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false' } },
    }));
    new kms.Key(stack, 'OtherCondition').addToResourcePolicy(new iam.PolicyStatement({
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:CreateGrant'],
      resources: ['*'],
      conditions: { Bool: { 'aws:SecureTransport': false } },
    }));

    expect(reported(app, 'KmsKeyPolicy')).toEqual([`ServerlessSecurity-KmsKeyPolicy[CreateGrant::${ROOT}] @ Test/OtherCondition/Resource`]);
  });

  test('reports kms:* to any principal but this account root', () => {
    const { app, stack } = testStack();
    const key = new kms.Key(stack, 'Key');
    key.addToResourcePolicy(denyGrantsNotForAwsResources());
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    key.addToResourcePolicy(new iam.PolicyStatement({ principals: [role], actions: ['kms:*'], resources: ['*'] }));
    key.addToResourcePolicy(new iam.PolicyStatement({ principals: [new iam.AccountRootPrincipal()], actions: ['*'], resources: ['*'] }));
    key.addToResourcePolicy(new iam.PolicyStatement({ principals: [new iam.AccountPrincipal('222222222222')], actions: ['kms:*'], resources: ['*'] }));

    expect(reported(app, 'KmsKeyPolicy')).toEqual([
      'ServerlessSecurity-KmsKeyPolicy[AllActions::<Role1ABCC5F0.Arn>] @ Test/Key/Resource',
      `ServerlessSecurity-KmsKeyPolicy[AllActions::arn:${PARTITION}:iam::222222222222:root] @ Test/Key/Resource`,
    ]);
  });

  test('passes CreateGrant only for AWS resources, and reports it otherwise', () => {
    const { app, stack } = testStack();
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const key = new kms.Key(stack, 'Key', {
      policy: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({
            principals: [role],
            actions: ['kms:CreateGrant', 'kms:Decrypt'],
            resources: ['*'],
            conditions: { Bool: { 'kms:GrantIsForAWSResource': true } },
          }),
        ],
      }),
    });
    expect(reported(app, 'KmsKeyPolicy')).toEqual([]);

    key.addToResourcePolicy(new iam.PolicyStatement({ principals: [role], actions: ['kms:Create*'], resources: ['*'] }));
    expect(reported(app, 'KmsKeyPolicy')).toEqual(['ServerlessSecurity-KmsKeyPolicy[CreateGrant::<Role1ABCC5F0.Arn>] @ Test/Key/Resource']);
  });
});

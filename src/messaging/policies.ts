import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

/**
 * Denies every principal of another account, while AWS services acting for this
 * account (SNS delivering to a queue, CloudWatch alarms publishing) stay allowed
 * by the statements that name them.
 */
export function denyOtherAccounts(scope: IConstruct, actions: string[], resource: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'DenyOtherAccounts',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions,
    resources: [resource],
    conditions: {
      StringNotEquals: { 'aws:PrincipalAccount': Stack.of(scope).account },
      Bool: { 'aws:PrincipalIsAWSService': 'false' },
    },
  });
}

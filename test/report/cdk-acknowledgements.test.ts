import { Validations } from 'aws-cdk-lib';
import { isAwsCdkLibAcknowledgement } from '../../src/report/cdk-acknowledgements';
import { newStack } from '../core/fixtures';

describe('isAwsCdkLibAcknowledgement', () => {
  test('recognises the acknowledgement aws-cdk-lib records for the literal AZs of a stack', () => {
    // GIVEN a stack whose AZs were read, WHEN aws-cdk-lib records its acknowledgement
    const { stack } = newStack();
    void stack.availabilityZones;
    const [[rule, reason]] = stack.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>));

    // THEN
    expect(rule).toBe('CloudFormation-Validate::W3010');
    expect(isAwsCdkLibAcknowledgement(rule, reason)).toBe(true);
  });

  test('the same rule acknowledged with the app\'s own reason is the app\'s', () => {
    expect(isAwsCdkLibAcknowledgement('CloudFormation-Validate::W3010', 'our subnets are pinned to two AZs on purpose')).toBe(false);
    expect(isAwsCdkLibAcknowledgement('AwsSolutions-L1', 'Literal AZs in template are the result of accessing stack.availabilityZones, this is expected and safe')).toBe(false);
  });
});

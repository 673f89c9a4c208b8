import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { asArray, isTrue } from '../../cfn-values';
import { IndexedResource, ResourceType } from '../../resource-index';

/**
 * A DynamoDB table has deletion protection: `DeletionProtectionEnabled` is true
 * on an `AWS::DynamoDB::Table`, and on every replica of an
 * `AWS::DynamoDB::GlobalTable`.
 */
export function DynamoDBTableDeletionProtection(table: IndexedResource): NagRuleResult {
  const flags = table.type === ResourceType.DYNAMODB_GLOBAL_TABLE
    ? asArray(table.properties.Replicas).map((replica) => replica?.DeletionProtectionEnabled)
    : [table.properties.DeletionProtectionEnabled];
  return flags.length > 0 && flags.every(isTrue) ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}

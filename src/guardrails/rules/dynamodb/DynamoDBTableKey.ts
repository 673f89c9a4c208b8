import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { asArray, CfnValue, isObject, isTrue, renderText } from '../../cfn-values';
import { IndexedResource, ResourceType } from '../../resource-index';

/**
 * A DynamoDB table is encrypted with a customer-managed KMS key.
 *
 * `AWS::DynamoDB::Table`: `SSESpecification.SSEEnabled` is true and
 * `KMSMasterKeyId` is set. `AWS::DynamoDB::GlobalTable` (what `TableV2`
 * synthesizes): `SSESpecification.SSEEnabled` is true and every replica sets
 * `SSESpecification.KMSMasterKeyId`. A key id of the form `alias/aws/...` is an
 * AWS-managed key and does not count.
 */
export function DynamoDBTableKey(table: IndexedResource): NagRuleResult {
  const sse = table.properties.SSESpecification;
  if (!isObject(sse) || !isTrue(sse.SSEEnabled)) return NagRuleCompliance.NON_COMPLIANT;
  const keys = table.type === ResourceType.DYNAMODB_GLOBAL_TABLE
    ? asArray(table.properties.Replicas).map((replica) => replica?.SSESpecification?.KMSMasterKeyId)
    : [sse.KMSMasterKeyId];
  return keys.length > 0 && keys.every(isCustomerManagedKey) ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}

function isCustomerManagedKey(keyId: CfnValue): boolean {
  return keyId !== undefined && !/(^|:)alias\/aws\//.test(renderText(keyId));
}

/**
 * The acknowledgements aws-cdk-lib records itself for its built-in template
 * validation (`CloudFormation Validate`), by rule id, each with the reasons it
 * writes: literal AZs from `stack.availabilityZones`, the camelCase flow-log
 * destination options, and the constructs it keeps for historical reasons.
 *
 * CDK stores an acknowledgement as rule id and reason only, so the id and the
 * exact reason together tell aws-cdk-lib's apart from the app's: an app that
 * acknowledges one of these rules with a reason of its own is still `user`.
 * Listed from aws-cdk-lib 2.269 (the peer floor); one that a later version adds
 * is reported as `user` until it is listed here.
 */
const FLOW_LOG_OPTIONS = 'AWS::EC2::FlowLog DestinationOptions accepts properties in camelCase, even they are listed as PascalCase in the spec';

const AWS_CDK_LIB_ACKNOWLEDGEMENTS = new Map<string, readonly string[]>([
  ['CloudFormation-Validate::W3010', ['Literal AZs in template are the result of accessing stack.availabilityZones, this is expected and safe']],
  ['CloudFormation-Validate::F3002', [FLOW_LOG_OPTIONS]],
  ['CloudFormation-Validate::F3003', [FLOW_LOG_OPTIONS]],
  ['CloudFormation-Validate::E3019', ['We are intentionally creating a duplicate resource']],
  ['CloudFormation-Validate::F3032', ['An empty list of resources to replicate tags is historically supported by this construct.']],
  ['CloudFormation-Validate::F3037', ['Duplicate domain names in subjectAlternativeNames exist for historical reasons']],
  ['CloudFormation-Validate::W2506', ['SSM parameter is typed as String instead of AWS::SSM::Parameter::Value<AWS::EC2::Image::Id> for historical reasons.']],
  ['CloudFormation-Validate::W3045', ['accessControl is deprecated, but we are still using it for historical reasons.']],
  ['CloudFormation-Validate::W9003', ['LifecycleRule.objectSizeLessThan and LifecycleRule.objectSizeGreaterThan are numbers for historical reasons']],
  ['CloudFormation-Validate::W9009', [
    'action is deprecated, but still in use for historical reasons',
    'elasticSearchConfig is deprecated, but still in use for historical reasons',
  ]],
]);

/** Whether aws-cdk-lib itself recorded this acknowledgement (its rule id as CDK stores it, and its reason). */
export function isAwsCdkLibAcknowledgement(rule: string, reason: string): boolean {
  return AWS_CDK_LIB_ACKNOWLEDGEMENTS.get(rule)?.includes(reason) ?? false;
}

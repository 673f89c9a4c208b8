import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { renderText } from '../../cfn-values';
import { IndexedResource, ResourceType } from '../../resource-index';

/**
 * A REST API stage is protected by a WAFv2 web ACL: an
 * `AWS::WAFv2::WebACLAssociation` in the same template whose `ResourceArn` is
 * `arn:...:apigateway:<region>::/restapis/<api>/stages/<stage>`, with the API
 * written as this stage's `RestApiId` is (a `Ref` to the `AWS::ApiGateway::RestApi`
 * or a literal id) and the stage as a `Ref` to this stage or its name (joined
 * with `Fn::Join` or `Fn::Sub`, as `stage.stageArn` is).
 *
 * Also applies to the stage an `AWS::ApiGateway::Deployment` creates through
 * `StageName`.
 */
export function ApiStageWaf(stage: IndexedResource): NagRuleResult {
  const { StageName: stageName, RestApiId: restApiId } = stage.properties;
  const isDeployment = stage.type === ResourceType.API_DEPLOYMENT;
  if (isDeployment && stageName === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  const names = stageName === undefined ? [] : [renderText(stageName)];
  if (!isDeployment) names.push(`<${stage.logicalId}>`);
  return restApiId !== undefined && stage.template.hasWebAclFor(renderText(restApiId), names)
    ? NagRuleCompliance.COMPLIANT
    : NagRuleCompliance.NON_COMPLIANT;
}

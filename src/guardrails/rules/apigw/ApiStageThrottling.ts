import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { asArray, CfnValue, decodeResourcePath, isObject, referencedLogicalId } from '../../cfn-values';
import { IndexedResource, ResourceType, TemplateIndex } from '../../resource-index';

/**
 * A REST API stage throttles requests: its `MethodSettings` set both
 * `ThrottlingRateLimit` and `ThrottlingBurstLimit` for all methods (resource
 * path `/*`, HTTP method `*`), or for each method of the API one by one.
 *
 * Also applies to the stage an `AWS::ApiGateway::Deployment` creates through
 * `StageName`, whose `StageDescription` may set the limits directly, and to an
 * HTTP or WebSocket API stage (`AWS::ApiGatewayV2::Stage`), whose
 * `DefaultRouteSettings` set both limits, or whose `RouteSettings` set them for
 * each route of the API by its route key.
 */
export function ApiStageThrottling(stage: IndexedResource): NagRuleResult {
  const { template, properties } = stage;
  if (stage.type === ResourceType.API_V2_STAGE) {
    return throttlesEveryRoute(template, properties) ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  }
  let methodSettings = properties.MethodSettings;
  if (stage.type === ResourceType.API_DEPLOYMENT) {
    if (properties.StageName === undefined) return NagRuleCompliance.NOT_APPLICABLE;
    const description = isObject(properties.StageDescription) ? properties.StageDescription : {};
    if (setsLimits(description)) return NagRuleCompliance.COMPLIANT;
    methodSettings = description.MethodSettings;
  }
  return throttlesEveryMethod(template, properties.RestApiId, methodSettings)
    ? NagRuleCompliance.COMPLIANT
    : NagRuleCompliance.NON_COMPLIANT;
}

function throttlesEveryMethod(template: TemplateIndex, restApiId: CfnValue, methodSettings: CfnValue): boolean {
  const settings = asArray(methodSettings).filter(isObject).filter(setsLimits);
  if (settings.some((setting) => setting.ResourcePath === '/*' && setting.HttpMethod === '*')) return true;
  const apiId = referencedLogicalId(restApiId);
  const methods = apiId === undefined ? [] : template.methodsOf(apiId);
  return methods.length > 0 && methods.every((method) => {
    const path = template.apiPathOf(method.properties.ResourceId);
    return path !== undefined && settings.some((setting) => covers(setting, path, method.properties.HttpMethod));
  });
}

function throttlesEveryRoute(template: TemplateIndex, properties: { [key: string]: CfnValue }): boolean {
  if (setsLimits(properties.DefaultRouteSettings)) return true;
  const apiId = referencedLogicalId(properties.ApiId);
  const routes = apiId === undefined ? [] : template.routesOf(apiId);
  const settings = isObject(properties.RouteSettings) ? properties.RouteSettings : {};
  return routes.length > 0 && routes.every((route) => {
    const routeKey = route.properties.RouteKey;
    return typeof routeKey === 'string' && setsLimits(settings[routeKey]);
  });
}

function setsLimits(settings: CfnValue): boolean {
  return isObject(settings) && settings.ThrottlingRateLimit !== undefined && settings.ThrottlingBurstLimit !== undefined;
}

function covers(setting: CfnValue, path: string, httpMethod: CfnValue): boolean {
  const settingPath = setting.ResourcePath === '/*' ? '/*' : decodeResourcePath(setting.ResourcePath);
  return (settingPath === '/*' || settingPath === path) && (setting.HttpMethod === '*' || setting.HttpMethod === httpMethod);
}


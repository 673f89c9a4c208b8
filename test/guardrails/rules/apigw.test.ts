import { Fn, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigatewayv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { reported, testStack } from '../support';

function api(scope: Stack, id: string, deployOptions: apigateway.StageOptions = {}): apigateway.RestApi {
  const restApi = new apigateway.RestApi(scope, id, { deployOptions, cloudWatchRole: false });
  restApi.root.addMethod('GET', new apigateway.MockIntegration());
  restApi.root.addResource('orders').addResource('{id}').addMethod('GET', new apigateway.MockIntegration());
  return restApi;
}

function webAcl(scope: Stack): wafv2.CfnWebACL {
  return new wafv2.CfnWebACL(scope, 'WebAcl', {
    defaultAction: { allow: {} },
    scope: 'REGIONAL',
    visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: 'api', sampledRequestsEnabled: true },
  });
}

describe('ApiStageThrottling', () => {
  test('passes a stage with rate and burst limits for all methods', () => {
    const { app, stack } = testStack();
    api(stack, 'Api', { throttlingRateLimit: 100, throttlingBurstLimit: 50 });

    expect(reported(app, 'ApiStageThrottling')).toEqual([]);
  });

  test('reports a stage without throttling, or with only one of the limits', () => {
    const { app, stack } = testStack();
    api(stack, 'Api');
    api(stack, 'RateOnly', { throttlingRateLimit: 100 });

    expect(reported(app, 'ApiStageThrottling')).toEqual([
      'ServerlessSecurity-ApiStageThrottling @ Test/Api/DeploymentStage.prod/Resource',
      'ServerlessSecurity-ApiStageThrottling @ Test/RateOnly/DeploymentStage.prod/Resource',
    ]);
  });

  test('passes limits set method by method when every method has them', () => {
    const limits = { throttlingRateLimit: 10, throttlingBurstLimit: 5 };
    const { app, stack } = testStack();
    api(stack, 'Api', { methodOptions: { '//GET': limits, '/orders/{id}/GET': limits } });

    expect(reported(app, 'ApiStageThrottling')).toEqual([]);
  });

  test('reports limits set method by method when one method lacks them', () => {
    const limits = { throttlingRateLimit: 10, throttlingBurstLimit: 5 };
    const { app, stack } = testStack();
    api(stack, 'Api', { methodOptions: { '/orders/{id}/GET': limits } });

    expect(reported(app, 'ApiStageThrottling')).toEqual(['ServerlessSecurity-ApiStageThrottling @ Test/Api/DeploymentStage.prod/Resource']);
  });

  test('checks the stage a deployment creates through StageName', () => {
    const { app, stack } = testStack();
    const restApi = api(stack, 'Api', { throttlingRateLimit: 100, throttlingBurstLimit: 50 });
    new apigateway.CfnDeployment(stack, 'Throttled', {
      restApiId: restApi.restApiId,
      stageName: 'v1',
      stageDescription: { throttlingRateLimit: 10, throttlingBurstLimit: 5 },
    });
    new apigateway.CfnDeployment(stack, 'Open', { restApiId: restApi.restApiId, stageName: 'v2' });

    expect(reported(app, 'ApiStageThrottling')).toEqual(['ServerlessSecurity-ApiStageThrottling @ Test/Open']);
  });
});

describe('ApiStageThrottling on HTTP API stages', () => {
  /** An HTTP API with two routes and a stage with the given settings. */
  function httpApi(scope: Stack, id: string, stage: Partial<apigatewayv2.CfnStageProps>): void {
    const httpApiResource = new apigatewayv2.CfnApi(scope, id, { name: id, protocolType: 'HTTP' });
    ['GET /orders', 'GET /orders/{id}'].forEach((routeKey, i) => {
      new apigatewayv2.CfnRoute(scope, `${id}Route${i}`, { apiId: httpApiResource.ref, routeKey, authorizationType: 'AWS_IAM' });
    });
    new apigatewayv2.CfnStage(scope, `${id}Stage`, { apiId: httpApiResource.ref, stageName: '$default', ...stage });
  }
  const limits = { throttlingRateLimit: 10, throttlingBurstLimit: 20 };

  test('passes default route settings with both limits, or route settings for every route', () => {
    const { app, stack } = testStack();
    httpApi(stack, 'StageWide', { defaultRouteSettings: limits });
    httpApi(stack, 'PerRoute', {
      routeSettings: {
        'GET /orders': { ThrottlingRateLimit: 1, ThrottlingBurstLimit: 1 },
        'GET /orders/{id}': { ThrottlingRateLimit: 2, ThrottlingBurstLimit: 2 },
      },
    });

    expect(reported(app, 'ApiStageThrottling')).toEqual([]);
  });

  test('reports a stage without limits, with one limit only, or with a route left unthrottled', () => {
    const { app, stack } = testStack();
    httpApi(stack, 'None', {});
    httpApi(stack, 'RateOnly', { defaultRouteSettings: { throttlingRateLimit: 10, detailedMetricsEnabled: true } });
    httpApi(stack, 'OneRoute', { routeSettings: { 'GET /orders': { ThrottlingRateLimit: 1, ThrottlingBurstLimit: 1 } } });

    expect(reported(app, 'ApiStageThrottling')).toEqual([
      'ServerlessSecurity-ApiStageThrottling @ Test/NoneStage',
      'ServerlessSecurity-ApiStageThrottling @ Test/OneRouteStage',
      'ServerlessSecurity-ApiStageThrottling @ Test/RateOnlyStage',
    ]);
  });

  test('is not what ApiStageWaf checks: AWS WAF cannot protect an HTTP API', () => {
    const { app, stack } = testStack();
    httpApi(stack, 'Api', { defaultRouteSettings: limits });

    expect(reported(app, 'ApiStageWaf')).toEqual([]);
  });
});

describe('ApiStageWaf', () => {
  test('passes a stage associated with a web ACL through stage.stageArn', () => {
    const { app, stack } = testStack();
    const restApi = api(stack, 'Api');
    new wafv2.CfnWebACLAssociation(stack, 'Association', {
      resourceArn: restApi.deploymentStage.stageArn,
      webAclArn: webAcl(stack).attrArn,
    });

    expect(reported(app, 'ApiStageWaf')).toEqual([]);
  });

  test('passes associations written as a joined string or with Fn::Sub, naming the stage by its name', () => {
    const { app, stack } = testStack();
    const joined = api(stack, 'Joined');
    const substituted = api(stack, 'Substituted');
    const acl = webAcl(stack);
    new wafv2.CfnWebACLAssociation(stack, 'JoinedAssociation', {
      resourceArn: `arn:aws:apigateway:eu-west-1::/restapis/${joined.restApiId}/stages/prod`,
      webAclArn: acl.attrArn,
    });
    new wafv2.CfnWebACLAssociation(stack, 'SubstitutedAssociation', {
      resourceArn: Fn.sub('arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/${Api}/stages/prod', { Api: substituted.restApiId }),
      webAclArn: acl.attrArn,
    });

    expect(reported(app, 'ApiStageWaf')).toEqual([]);
  });

  test('matches a stage of an API known by its literal id', () => {
    const { app, stack } = testStack();
    const acl = webAcl(stack);
    for (const name of ['v1', 'v2']) new apigateway.CfnStage(stack, name, { restApiId: 'a1b2c3d4e5', deploymentId: 'dep123', stageName: name });
    new wafv2.CfnWebACLAssociation(stack, 'Association', {
      resourceArn: 'arn:aws:apigateway:eu-west-1::/restapis/a1b2c3d4e5/stages/v1',
      webAclArn: acl.attrArn,
    });

    expect(reported(app, 'ApiStageWaf')).toEqual(['ServerlessSecurity-ApiStageWaf @ Test/v2']);
  });

  test('reports a stage with no association, or whose association targets another API', () => {
    const { app, stack } = testStack();
    const protectedApi = api(stack, 'Protected');
    api(stack, 'Unprotected');
    new wafv2.CfnWebACLAssociation(stack, 'Association', {
      resourceArn: protectedApi.deploymentStage.stageArn,
      webAclArn: webAcl(stack).attrArn,
    });

    expect(reported(app, 'ApiStageWaf')).toEqual(['ServerlessSecurity-ApiStageWaf @ Test/Unprotected/DeploymentStage.prod/Resource']);
  });

  test('checks the stage a deployment creates through StageName', () => {
    const { app, stack } = testStack();
    const restApi = api(stack, 'Api');
    new wafv2.CfnWebACLAssociation(stack, 'Association', {
      resourceArn: restApi.deploymentStage.stageArn,
      webAclArn: webAcl(stack).attrArn,
    });
    new apigateway.CfnDeployment(stack, 'Direct', { restApiId: restApi.restApiId, stageName: 'v1' });

    expect(reported(app, 'ApiStageWaf')).toEqual(['ServerlessSecurity-ApiStageWaf @ Test/Direct']);
  });
});

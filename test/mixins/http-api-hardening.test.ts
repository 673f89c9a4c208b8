import { Mixins } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as apigatewayv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer, WebSocketIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration, WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { plainFunction } from './cases';
import { HTTP_ACCESS_LOG_FORMAT, WEBSOCKET_ACCESS_LOG_FORMAT } from '../../src/api/api-defaults';
import { SecureHttpApi } from '../../src/api/secure-http-api';
import { LIBRARY_ACKNOWLEDGEMENT_METADATA } from '../../src/core/acknowledgements';
import { runtimeChangeRecords } from '../../src/mixins/changes';
import { HttpApiHardening } from '../../src/mixins/http-api-hardening';
import { logicalIdOf, metadataOf, newStack } from '../core/fixtures';

describe('HttpApiHardening on a plain HTTP API', () => {
  test('the $default stage gets SecureHttpApi\'s access logs and throttling; the API keeps its logical ids', () => {
    const { stack } = newStack();
    const secure = new SecureHttpApi(stack, 'Secure');
    secure.addRoute('GET', '/', plainFunction(stack, 'SecureHandler'));
    const api = new apigatewayv2.HttpApi(stack, 'Api', { defaultAuthorizer: new HttpIamAuthorizer() });
    api.addRoutes({ path: '/orders', methods: [apigatewayv2.HttpMethod.GET], integration: new HttpLambdaIntegration('Get', plainFunction(stack, 'Get')) });
    const ids = [logicalIdOf(api), logicalIdOf(api.defaultStage!)];

    api.with(new HttpApiHardening());

    const template = Template.fromStack(stack);
    const stage = template.toJSON().Resources[logicalIdOf(api.defaultStage!)].Properties;
    expect(stage.AccessLogSettings).toEqual({ DestinationArn: { 'Fn::GetAtt': [expect.stringMatching(/^ApiDefaultStageAccessLogs/), 'Arn'] }, Format: HTTP_ACCESS_LOG_FORMAT });
    expect(stage.DefaultRouteSettings).toEqual({ ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 });
    const secureStage = template.toJSON().Resources[logicalIdOf(secure.stage)].Properties;
    expect(secureStage.AccessLogSettings.Format).toBe(stage.AccessLogSettings.Format);
    expect([logicalIdOf(api), logicalIdOf(api.defaultStage!)]).toEqual(ids);
    template.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain', Properties: { RetentionInDays: 365, KmsKeyId: Match.anyValue() } });
    expect(runtimeChangeRecords(api.defaultStage!.node.defaultChild!).map((r) => r.change)).toEqual([
      'callers throttled at 100 requests per second, burst 200, on every route without limits of its own, where only the account\'s quota applied: '
      + 'requests beyond get 429 Too Many Requests',
    ]);
  });

  test('a stage with throttling or access logs of its own keeps them, and nothing is said to change', () => {
    const { stack } = newStack();
    const api = new apigatewayv2.HttpApi(stack, 'Api', { createDefaultStage: false });
    const stage = new apigatewayv2.HttpStage(stack, 'Prod', { httpApi: api, stageName: 'prod', throttle: { rateLimit: 5, burstLimit: 10 } });
    Mixins.of(stack).apply(new HttpApiHardening());
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: 'prod', DefaultRouteSettings: { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 }, AccessLogSettings: Match.objectLike({ Format: HTTP_ACCESS_LOG_FORMAT }),
    });
    expect(runtimeChangeRecords(stage.node.defaultChild!)).toEqual([]);
  });

  test('a route without authorization keeps its finding, with a warning that names the authorizer to set', () => {
    const { stack } = newStack();
    const api = new apigatewayv2.HttpApi(stack, 'Api');
    api.addRoutes({ path: '/open', methods: [apigatewayv2.HttpMethod.GET], integration: new HttpLambdaIntegration('Open', plainFunction(stack, 'Open')) });
    api.with(new HttpApiHardening());
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGatewayV2::Route', { AuthorizationType: 'NONE' });
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue()).map((w) => String(w.entry.data))).toEqual([
      'S/Api/GET--open/Resource: the route has no authorization; HttpApiHardening does not decide who may call it: set authorizer: new HttpIamAuthorizer() '
      + '(aws-cdk-lib/aws-apigatewayv2-authorizers) in its route options, or the API\'s defaultAuthorizer [ack: cdk-secure-serverless:authorization]',
    ]);
  });

  test('applied twice, or to the stage\'s L1, gives the same template', () => {
    const build = (apply: (api: apigatewayv2.HttpApi) => void) => {
      const { stack } = newStack();
      const api = new apigatewayv2.HttpApi(stack, 'Api', { defaultAuthorizer: new HttpIamAuthorizer() });
      api.addRoutes({ path: '/', methods: [apigatewayv2.HttpMethod.GET], integration: new HttpLambdaIntegration('Get', plainFunction(stack, 'Get')) });
      apply(api);
      return Template.fromStack(stack).toJSON();
    };
    const once = build((api) => api.with(new HttpApiHardening()));
    expect(build((api) => api.with(new HttpApiHardening()).with(new HttpApiHardening()))).toEqual(once);
    expect(build((api) => {
      api.defaultStage!.node.defaultChild!.with(new HttpApiHardening());
      api.node.findAll().filter((c) => c instanceof apigatewayv2.CfnRoute).forEach((route) => route.with(new HttpApiHardening()));
    })).toEqual(once);
  });
});

describe('HttpApiHardening on a plain WebSocket API', () => {
  const build = (authorizeConnect: boolean) => {
    const { stack } = newStack();
    const api = new apigatewayv2.WebSocketApi(stack, 'Chat', {
      connectRouteOptions: {
        integration: new WebSocketLambdaIntegration('Connect', plainFunction(stack, 'Connect')),
        authorizer: authorizeConnect ? new WebSocketIamAuthorizer() : undefined,
      },
      defaultRouteOptions: { integration: new WebSocketLambdaIntegration('Message', plainFunction(stack, 'Message')) },
    });
    const stage = new apigatewayv2.WebSocketStage(stack, 'Live', { webSocketApi: api, stageName: 'live', autoDeploy: true });
    Mixins.of(stack).apply(new HttpApiHardening());
    return { stack, api, stage };
  };

  test('the stage logs in the WebSocket format, through the app\'s one API Gateway account role, and is throttled', () => {
    const { stack, stage } = build(true);
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: 'live',
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: WEBSOCKET_ACCESS_LOG_FORMAT },
      DefaultRouteSettings: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
    });
    // WebSocket stages write their logs with the account's CloudWatch role, which the app sets once, in a stack of its own.
    expect(stack.dependencies.map((s) => s.stackName)).toEqual([expect.stringMatching(/^ApiGatewayAccount-/)]);
    expect(stage.node.defaultChild).toBeDefined();
  });

  test('with $connect authorized, the other routes\' findings are acknowledged with that reason', () => {
    const { api } = build(true);
    const defaultRoute = api.node.findAll().find((c) => c instanceof apigatewayv2.CfnRoute && (c as apigatewayv2.CfnRoute).routeKey === '$default')!;
    expect(metadataOf(defaultRoute, LIBRARY_ACKNOWLEDGEMENT_METADATA)).toEqual([
      { id: 'AwsSolutions-APIG4', reason: expect.stringMatching(/^a WebSocket API is authorized once per connection, on \$connect \(AWS_IAM\)/) },
      { id: 'ControlTower-CT.APIGATEWAY.PR.5', reason: expect.stringMatching(/^a WebSocket API is authorized once per connection/) },
    ]);
  });

  test('with $connect open, a warning names the authorizer to set, and nothing is acknowledged', () => {
    const { stack, api } = build(false);
    expect(api.node.findAll().flatMap((c) => metadataOf(c, LIBRARY_ACKNOWLEDGEMENT_METADATA))).toEqual([]);
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('no authorization on \\$connect')).length).toBeGreaterThan(0);
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('new WebSocketIamAuthorizer\\(\\)')).length).toBeGreaterThan(0);
  });
});

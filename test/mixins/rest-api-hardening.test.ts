import { Mixins } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { restApiWithIamMethods } from './cases';
import { SecureApi } from '../../src/api/secure-api';
import { SecurityBaseline } from '../../src/baseline/security-baseline';
import { ComplianceProfile } from '../../src/core/profile';
import { SecureFunction } from '../../src/function/secure-function';
import { hardeningRecords } from '../../src/mixins/changes';
import { RestApiHardening } from '../../src/mixins/rest-api-hardening';
import { CODE, HANDLER, newStack } from '../core/fixtures';

const IAM = { authorizationType: apigateway.AuthorizationType.IAM };

describe('RestApiHardening on a plain RestApi', () => {
  let template: Template;
  let api: apigateway.RestApi;
  let plainIds: string[];

  beforeAll(() => {
    const plain = newStack();
    restApiWithIamMethods(plain.stack);
    plainIds = Object.keys(Template.fromStack(plain.stack).toJSON().Resources).filter((id) => !id.startsWith('ApiDeployment'));
    const { stack } = newStack();
    restApiWithIamMethods(stack);
    api = stack.node.findChild('Api') as apigateway.RestApi;
    api.with(new RestApiHardening());
    template = Template.fromStack(stack);
  });

  test('keeps the logical ids of the API, its resources, methods and stage (a new deployment apart)', () => {
    const kept = plainIds.filter((id) => !/^Api(CloudWatchRole|Account)/.test(id));
    expect(Object.keys(template.toJSON().Resources)).toEqual(expect.arrayContaining(kept));
  });

  test('the stage traces, logs access in JSON and executions at ERROR, and is throttled', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      TracingEnabled: true,
      AccessLogSetting: { DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ApiAccessLogs'), 'Arn'] }, Format: Match.stringLikeRegexp('"requestId"') },
      MethodSettings: [{
        ResourcePath: '/*',
        HttpMethod: '*',
        LoggingLevel: 'ERROR',
        DataTraceEnabled: false,
        MetricsEnabled: true,
        ThrottlingRateLimit: 100,
        ThrottlingBurstLimit: 200,
      }],
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: { 'Fn::Join': ['', ['API-Gateway-Execution-Logs_', { Ref: Match.stringLikeRegexp('^Api') }, '/prod']] },
    });
  });

  test('the web ACL guards the stage, every method is validated, and the account role is the app\'s', () => {
    template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
    const validator = Object.keys(template.findResources('AWS::ApiGateway::RequestValidator'));
    expect(validator).toHaveLength(1);
    template.allResourcesProperties('AWS::ApiGateway::Method', { RequestValidatorId: { Ref: validator[0] } });
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
    template.resourceCountIs('AWS::IAM::Role', 2);
  });

  test('records the changes on the stage', () => {
    expect(hardeningRecords(api.deploymentStage.node.defaultChild!).map((r) => r.change)).toEqual(expect.arrayContaining([
      'X-Ray tracing', 'JSON access logs to a log group encrypted with the baseline key and retained',
    ]));
  });

  test('applied twice gives the same template', () => {
    const { stack } = newStack();
    restApiWithIamMethods(stack);
    stack.node.findChild('Api').with(new RestApiHardening()).with(new RestApiHardening());
    expect(Template.fromStack(stack).toJSON()).toEqual(template.toJSON());
  });
});

describe('what RestApiHardening leaves to the user, and where it agrees with SecureApi', () => {
  test('a method without authorization stays so, with a warning naming the fix', () => {
    const { stack } = newStack();
    const api = new apigateway.RestApi(stack, 'Api');
    api.root.addMethod('GET', new apigateway.MockIntegration());
    Mixins.of(api).apply(new RestApiHardening());
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Method', { AuthorizationType: 'NONE' });
    Annotations.fromStack(stack).hasWarning('/S/Api/Default/GET/Resource',
      Match.stringLikeRegexp('set authorizationType: apigateway.AuthorizationType.IAM'));
  });

  test.each([ComplianceProfile.STANDARD, ComplianceProfile.REGULATED])('%s: the stage settings equal SecureApi\'s', (profile) => {
    const { stack } = newStack();
    new SecurityBaseline(stack, 'SecurityBaseline', { profile });
    const secure = new SecureApi(stack, 'Secure');
    secure.addRoute('GET', '/orders', new SecureFunction(stack, 'Fn', { code: CODE, handler: HANDLER }));
    const api = new apigateway.RestApi(stack, 'Plain', { defaultMethodOptions: IAM });
    api.root.addResource('orders').addMethod('GET', new apigateway.MockIntegration());
    Mixins.of(stack).apply(new RestApiHardening());
    const stages = Object.values(Template.fromStack(stack).findResources('AWS::ApiGateway::Stage')).map((s: any) => s.Properties);
    const shared = (p: any) => ({
      tracing: p.TracingEnabled,
      format: p.AccessLogSetting.Format,
      stageSettings: p.MethodSettings.find((m: any) => m.ResourcePath === '/*'),
      cache: [p.CacheClusterEnabled, p.CacheClusterSize],
      clientCertificate: p.ClientCertificateId !== undefined,
    });
    expect(stages).toHaveLength(2);
    expect(shared(stages[1])).toEqual(shared(stages[0]));
  });
});

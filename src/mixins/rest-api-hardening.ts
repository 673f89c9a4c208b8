import { Annotations, CfnResource, Mixin, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, IConstruct } from 'constructs';
import { recordHardening, recordRuntimeChange } from './changes';
import { HardeningProps } from './hardening-props';
import { checkHardeningProps, hardeningBaseline, isLibraryManaged } from './hardening-scope';
import { accessLogFormat, CACHE_CLUSTER_SIZE, DEFAULT_THROTTLE, executionLogGroupName, STAGE_CACHE, STAGE_LOGGING } from '../api/api-defaults';
import { ApiCloudWatchRole } from '../api/api-gateway-account';
import { methodSettingPath } from '../api/route-checks';
import { SecureWebAcl } from '../api/secure-web-acl';
import { SecurityBaseline } from '../baseline/security-baseline';
import { acknowledgeFinding } from '../core/acknowledgements';
import { constructsUnder } from '../core/work-count';

const MIXIN = 'RestApiHardening';
/** The children aws-cdk-lib's RestApi adds for the account-wide CloudWatch role (`cloudWatchRole: true`). */
const ACCOUNT_CHILDREN = ['CloudWatchRole', 'Account'];

/**
 * Hardens a plain REST API (`apigateway.RestApi`, `LambdaRestApi`,
 * `SpecRestApi`) in place to SecureApi's defaults, on its deployment stage:
 *
 * - JSON access logs to a log group encrypted with the baseline key, retained;
 * - execution logging at ERROR without data trace, into a log group created
 *   first (API Gateway would create it unencrypted and never expiring);
 * - X-Ray tracing; stage throttling of 100 requests per second, burst 200,
 *   where the stage sets none;
 * - the stack's SecureWebAcl associated with the stage;
 * - a request validator on every method that has none (a `SpecRestApi` declares
 *   its validators in its OpenAPI definition, `x-amazon-apigateway-request-validators`);
 * - aws-cdk-lib's account-wide CloudWatch role (an AWS-managed policy, and an
 *   `AWS::ApiGateway::Account` that deleting the stack would break for every
 *   API of the account) replaced by the app's one ApiGatewayAccount;
 * - in the REGULATED profile, a client certificate on the stage.
 *
 * It never turns on authorization for a method that has none: that method keeps
 * failing AwsSolutions-APIG4, and a warning names the line to add. A method with
 * IAM or a Lambda authorizer gets the Cognito-only finding (COG4) acknowledged
 * with its authorization. In the REGULATED profile the stage gets SecureApi's
 * encrypted cache cluster, with caching off for every method: a cache would
 * replay one caller's responses to another, so turning it on is left to you.
 *
 * @example
 * Mixins.of(this).apply(new RestApiHardening());
 */
export class RestApiHardening extends Mixin {
  private readonly props: HardeningProps;

  constructor(props: HardeningProps = {}) {
    super();
    checkHardeningProps(MIXIN, props);
    this.props = props;
  }

  public supports(construct: IConstruct): boolean {
    return (construct instanceof apigateway.RestApiBase || construct instanceof apigateway.CfnMethod) && !isLibraryManaged(construct);
  }

  public applyTo(construct: IConstruct): void {
    if (!this.supports(construct)) return;
    if (construct instanceof apigateway.CfnMethod) {
      judgeAuthorization(construct);
      return;
    }
    const api = construct as apigateway.RestApiBase;
    const stage = tryDeploymentStage(api);
    const baseline = hardeningBaseline(api, MIXIN, this.props);
    this.replaceAccountRole(api);
    this.requestValidation(api);
    if (stage) new HardenedStage(api, stage, baseline).harden();
  }

  /** aws-cdk-lib's account role and Account give way to the app's ApiGatewayAccount. */
  private replaceAccountRole(api: apigateway.RestApiBase): void {
    const cfn = api.node.defaultChild as CfnResource;
    for (const id of ACCOUNT_CHILDREN) {
      const child = api.node.tryFindChild(id);
      if (!child) continue;
      // Dependencies on the removed resources are dropped by CDK, as they no longer synthesize.
      for (const resource of constructsUnder(child)) {
        if (CfnResource.isCfnResource(resource)) Object.defineProperty(resource, 'shouldSynthesize', { value: () => false });
      }
      api.node.tryRemoveChild(id);
      recordHardening(cfn, MIXIN, `aws-cdk-lib's ${id === 'Account' ? 'AWS::ApiGateway::Account' : 'account CloudWatch role'} replaced by the app's one ApiGatewayAccount`);
    }
  }

  private requestValidation(api: apigateway.RestApiBase): void {
    if (!(api instanceof apigateway.RestApi)) return;
    const validator = (api.node.tryFindChild('RequestValidator') as apigateway.RequestValidator | undefined)
      ?? api.addRequestValidator('RequestValidator', { validateRequestBody: true, validateRequestParameters: true });
    for (const method of api.methods) {
      const cfn = method.node.defaultChild as apigateway.CfnMethod;
      if (cfn.requestValidatorId !== undefined || cfn.httpMethod === 'OPTIONS') continue;
      cfn.requestValidatorId = validator.requestValidatorId;
      recordRuntimeChange(cfn, MIXIN, 'request parameters and body validated against the method\'s models: a request missing a required '
        + 'parameter, or whose body does not match the model, gets 400 Bad Request without reaching the integration');
    }
  }
}

function tryDeploymentStage(api: apigateway.RestApiBase): apigateway.Stage | undefined {
  try {
    return api.deploymentStage;
  } catch {
    // An API with `deploy: false` has no stage of its own: its stages are hardened where they are defined.
    return undefined;
  }
}

/**
 * A method without authorization keeps its finding, with the fix named; one with
 * IAM or a Lambda authorizer is acknowledged for Cognito's rule, as SecureApi does.
 */
function judgeAuthorization(method: apigateway.CfnMethod): void {
  const stack = Stack.of(method);
  const type = stack.resolve(method.authorizationType) as string | undefined;
  const httpMethod = stack.resolve(method.httpMethod);
  if (httpMethod === 'OPTIONS') return;
  if (type === undefined || type === 'NONE') {
    Annotations.of(method).addWarningV2('cdk-secure-serverless:authorization',
      `${method.node.path}: the method has no authorization; RestApiHardening does not decide who may call it: `
      + 'set authorizationType: apigateway.AuthorizationType.IAM (or a Cognito or Lambda authorizer) in its method options');
    return;
  }
  if (type === 'COGNITO_USER_POOLS') return;
  acknowledgeFinding(method, 'AwsSolutions-COG4',
    `the method is authorized with ${type === 'AWS_IAM' ? 'IAM (SigV4)' : 'a Lambda authorizer'}; a Cognito user pool is one way to authenticate callers, not the only one`);
}

/** One deployment stage being hardened. */
class HardenedStage {
  private readonly cfn: apigateway.CfnStage;
  private readonly stack: Stack;

  constructor(
    private readonly api: apigateway.RestApiBase,
    private readonly stage: apigateway.Stage,
    private readonly baseline: SecurityBaseline,
  ) {
    this.cfn = stage.node.defaultChild as apigateway.CfnStage;
    this.stack = Stack.of(stage);
  }

  public harden(): void {
    this.tracing();
    this.accessLogs();
    this.executionLogs();
    this.webAcl();
    if (this.baseline.regulated) this.clientCertificate();
    ApiCloudWatchRole.appManaged()._bind(this.stage);
  }

  private record(change: string): void {
    recordHardening(this.cfn, MIXIN, change);
  }

  private tracing(): void {
    if (this.cfn.tracingEnabled === true) return;
    this.cfn.tracingEnabled = true;
    this.record('X-Ray tracing');
  }

  private accessLogs(): void {
    if (this.cfn.accessLogSetting !== undefined) return;
    const group = this.baseline.createLogGroup(this.api, 'AccessLogs', `access logs of ${this.api.node.path}`);
    this.cfn.accessLogSetting = { destinationArn: group.logGroupArn, format: accessLogFormat().toString() };
    this.record('JSON access logs to a log group encrypted with the baseline key and retained');
  }

  /** Stage-wide method settings: execution logging and throttling where the stage has none. */
  private executionLogs(): void {
    const settings = this.stack.resolve(this.cfn.methodSettings) as apigateway.CfnStage.MethodSettingProperty[] | undefined;
    if (settings !== undefined && !Array.isArray(settings)) return;
    const all = (settings ?? []).find((s) => s.resourcePath === '/*' && s.httpMethod === '*');
    const hardened: apigateway.CfnStage.MethodSettingProperty = {
      resourcePath: '/*',
      httpMethod: '*',
      ...STAGE_LOGGING,
      throttlingRateLimit: DEFAULT_THROTTLE.rateLimit,
      throttlingBurstLimit: DEFAULT_THROTTLE.burstLimit,
      ...this.baseline.regulated ? STAGE_CACHE : {},
      // What the stage already says wins: the mixin fills in, it does not overrule.
      ...all,
    };
    if (JSON.stringify(hardened) !== JSON.stringify(all)) {
      this.cfn.methodSettings = [hardened, ...this.uncachedMethods(hardened, settings ?? []), ...(settings ?? []).filter((s) => s !== all)];
      this.record('execution logging at ERROR without data trace, and metrics, for every method');
    }
    if (all?.throttlingRateLimit === undefined && all?.throttlingBurstLimit === undefined) {
      recordRuntimeChange(this.cfn, MIXIN, `callers throttled at ${hardened.throttlingRateLimit} requests per second, burst ${hardened.throttlingBurstLimit}, `
        + 'on every method without limits of its own, where only the account\'s quota applied: requests beyond get 429 Too Many Requests');
    }
    if (this.api.node.tryFindChild('ExecutionLogs')) return;
    const group = this.baseline.createLogGroup(this.api, 'ExecutionLogs', `execution logs of ${this.api.node.path}`);
    const stageName = this.cfn.stageName ?? this.stage.stageName;
    (group.node.defaultChild as logs.CfnLogGroup).logGroupName = executionLogGroupName(this.api.restApiId, stageName);
    this.stage.node.addDependency(group);
    this.record('execution log group created first, encrypted with the baseline key and retained');
  }

  /**
   * REGULATED asks for an encrypted cache on the stage, as SecureApi has. A cache
   * would replay one caller's responses to another, so every method of the API
   * keeps caching off: the cluster exists, encrypted, and serves nothing until you
   * turn caching on for a route whose cache key names the caller.
   */
  private uncachedMethods(
    stageSettings: apigateway.CfnStage.MethodSettingProperty, existing: apigateway.CfnStage.MethodSettingProperty[],
  ): apigateway.CfnStage.MethodSettingProperty[] {
    if (!this.baseline.regulated || !(this.api instanceof apigateway.RestApi)) return [];
    this.cfn.cacheClusterEnabled ??= true;
    this.cfn.cacheClusterSize ??= CACHE_CLUSTER_SIZE;
    this.record('an encrypted cache cluster, with caching off for every method');
    return this.api.methods
      .map((method) => ({ resourcePath: methodSettingPath(method.resource.path), httpMethod: method.httpMethod }))
      .filter((route) => !existing.some((s) => s.httpMethod === route.httpMethod && s.resourcePath === route.resourcePath))
      .map((route) => ({ ...stageSettings, ...route, cachingEnabled: false }));
  }

  private webAcl(): void {
    if (this.api.node.tryFindChild('WebAclAssociation')) return;
    SecureWebAcl.of(this.api)._associate(this.api as unknown as Construct, 'WebAclAssociation', this.stage.stageArn);
    recordRuntimeChange(this.cfn, MIXIN, 'the stack\'s web ACL in front of the stage: AWS managed rules answer 403 Forbidden to requests from '
      + 'known bad addresses, with common exploits or known bad inputs, or with a body over 8 KB, and to a client over its rate limit');
  }

  private clientCertificate(): void {
    if (this.cfn.clientCertificateId !== undefined) return;
    const certificate = new apigateway.CfnClientCertificate(this.api, 'ClientCertificate', {
      description: `Lets the backends of ${this.api.node.path} verify that requests come from API Gateway`,
    });
    this.cfn.clientCertificateId = certificate.ref;
    this.record('a client certificate, so backends can verify that requests come from API Gateway');
  }
}

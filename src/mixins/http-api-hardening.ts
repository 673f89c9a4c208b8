import { Annotations, CfnResource, Mixin, Stack } from 'aws-cdk-lib';
import * as apigatewayv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { Construct, IConstruct } from 'constructs';
import { recordHardening, recordRuntimeChange } from './changes';
import { StackLookup } from './hardening-pass';
import { HardeningProps } from './hardening-props';
import { checkHardeningProps, hardeningBaseline, isLibraryManaged } from './hardening-scope';
import { DEFAULT_THROTTLE, HTTP_ACCESS_LOG_FORMAT, WEBSOCKET_ACCESS_LOG_FORMAT } from '../api/api-defaults';
import { ApiCloudWatchRole } from '../api/api-gateway-account';
import { acknowledgeFindings, LIBRARY_ACKNOWLEDGEMENT_METADATA } from '../core/acknowledgements';
import { controlTowerFindingId } from '../core/finding-ids';

const MIXIN = 'HttpApiHardening';
/** The findings of a route without authorization. */
const NO_AUTHORIZATION_FINDINGS = ['AwsSolutions-APIG4', controlTowerFindingId('CT.APIGATEWAY.PR.5')];
/** The route of a WebSocket API that API Gateway authorizes: the connection, once. */
const CONNECT_ROUTE = '$connect';

/**
 * Hardens a plain API Gateway v2 API in place, as SecureHttpApi does: an HTTP
 * or WebSocket API (`apigatewayv2.HttpApi`, `WebSocketApi`, `CfnApi`), its stages
 * (`HttpStage`, `WebSocketStage`, `CfnStage`, the `$default` stage an `HttpApi`
 * creates) and its routes.
 *
 * - JSON access logs to a log group encrypted with the baseline key and
 *   retained (a WebSocket stage logs through the account's API Gateway
 *   CloudWatch role: the app's one `ApiGatewayAccount`);
 * - stage throttling of 100 requests per second, burst 200, where the stage
 *   sets none: callers beyond get `429 Too Many Requests`, which is shown at
 *   synth and listed in the security report.
 *
 * It never turns on authorization for a route that has none: that route keeps
 * failing AwsSolutions-APIG4 and CT.APIGATEWAY.PR.5, and a warning names the
 * line to add. A WebSocket API is authorized once per connection, on
 * `$connect`: its other routes take no authorization of their own, and when
 * `$connect` has one their findings are acknowledged with that reason.
 *
 * HTTP APIs cannot be associated with AWS WAF or traced with X-Ray; use a REST
 * API (`RestApiHardening`, or SecureApi) where those are needed.
 *
 * @example
 * Mixins.of(this).apply(new HttpApiHardening());
 */
export class HttpApiHardening extends Mixin {
  private readonly props: HardeningProps;

  constructor(props: HardeningProps = {}) {
    super();
    checkHardeningProps(MIXIN, props);
    this.props = props;
  }

  public supports(construct: IConstruct): boolean {
    return (construct instanceof apigatewayv2.HttpApi || construct instanceof apigatewayv2.WebSocketApi
      || construct instanceof apigatewayv2.HttpStage || construct instanceof apigatewayv2.WebSocketStage
      || construct instanceof apigatewayv2.CfnStage || construct instanceof apigatewayv2.CfnRoute) && !isLibraryManaged(construct);
  }

  public applyTo(construct: IConstruct): void {
    if (!this.supports(construct)) return;
    // An L2 API or stage hardens the stages and routes it holds.
    const resources = construct instanceof CfnResource ? [construct] : construct.node.findAll()
      .filter((c) => c instanceof apigatewayv2.CfnStage || c instanceof apigatewayv2.CfnRoute);
    for (const resource of resources) {
      if (resource instanceof apigatewayv2.CfnRoute) judgeAuthorization(resource);
      else if (resource instanceof apigatewayv2.CfnStage) this.hardenStage(resource);
    }
  }

  private hardenStage(stage: apigatewayv2.CfnStage): void {
    const baseline = hardeningBaseline(stage, MIXIN, this.props);
    const websocket = protocolOf(stage) === 'WEBSOCKET';
    // Under an L2 stage, or beside a bare L1.
    const home = stage.node.scope as Construct;
    const prefix = stage.node.id === 'Resource' ? '' : stage.node.id;
    if (stage.accessLogSettings === undefined) {
      const group = (home.node.tryFindChild(`${prefix}AccessLogs`) as ReturnType<typeof baseline.createLogGroup> | undefined)
        ?? baseline.createLogGroup(home, `${prefix}AccessLogs`, `access logs of ${stage.node.path}`);
      stage.accessLogSettings = { destinationArn: group.logGroupArn, format: websocket ? WEBSOCKET_ACCESS_LOG_FORMAT : HTTP_ACCESS_LOG_FORMAT };
      recordHardening(stage, MIXIN, 'JSON access logs to a log group encrypted with the baseline key and retained');
      // A WebSocket stage writes its logs with the account's API Gateway CloudWatch role, as a REST stage does.
      if (websocket) ApiCloudWatchRole.appManaged()._bind(stage);
    }
    const stack = Stack.of(stage);
    const settings = (stack.resolve(stage.defaultRouteSettings) ?? {}) as apigatewayv2.CfnStage.RouteSettingsProperty;
    if (settings.throttlingRateLimit === undefined && settings.throttlingBurstLimit === undefined) {
      stage.defaultRouteSettings = {
        ...stage.defaultRouteSettings as object,
        throttlingRateLimit: DEFAULT_THROTTLE.rateLimit,
        throttlingBurstLimit: DEFAULT_THROTTLE.burstLimit,
      };
      recordRuntimeChange(stage, MIXIN, `callers throttled at ${DEFAULT_THROTTLE.rateLimit} requests per second, burst ${DEFAULT_THROTTLE.burstLimit}, `
        + 'on every route without limits of its own, where only the account\'s quota applied: requests beyond get 429 Too Many Requests');
    }
  }
}

/**
 * A route without authorization keeps its findings, with the fix named; the
 * routes of a WebSocket API other than `$connect` take none of their own, and
 * when `$connect` has one, their findings are acknowledged with it.
 */
function judgeAuthorization(route: apigatewayv2.CfnRoute): void {
  const stack = Stack.of(route);
  const type = stack.resolve(route.authorizationType) as string | undefined;
  const routeKey = stack.resolve(route.routeKey);
  if (type !== undefined && type !== 'NONE') return;
  if (typeof routeKey === 'string' && routeKey.startsWith('OPTIONS ')) return;
  const api = apiOf(route);
  if (protocolOf(route) === 'WEBSOCKET') {
    const connect = api && StackLookup.of(stack).referring(apigatewayv2.CfnRoute, 'apiId', c => c.apiId, api.ref, 'equals')
      .find((c) => stack.resolve(c.routeKey) === CONNECT_ROUTE);
    const connectType = connect ? stack.resolve(connect.authorizationType) as string | undefined : undefined;
    if (routeKey !== CONNECT_ROUTE && connectType !== undefined && connectType !== 'NONE') {
      const acknowledged = route.node.metadata.some((m) => m.type === LIBRARY_ACKNOWLEDGEMENT_METADATA);
      if (!acknowledged) {
        acknowledgeFindings(route, NO_AUTHORIZATION_FINDINGS,
          `a WebSocket API is authorized once per connection, on ${CONNECT_ROUTE} (${connectType}); API Gateway takes no authorization on its other routes`);
      }
      return;
    }
    Annotations.of(route).addWarningV2('cdk-secure-serverless:authorization',
      `${route.node.path}: the WebSocket API has no authorization on ${CONNECT_ROUTE}; ${MIXIN} does not decide who may connect: `
      + 'set authorizer: new WebSocketIamAuthorizer() (aws-cdk-lib/aws-apigatewayv2-authorizers) in the API\'s connectRouteOptions');
    return;
  }
  Annotations.of(route).addWarningV2('cdk-secure-serverless:authorization',
    `${route.node.path}: the route has no authorization; ${MIXIN} does not decide who may call it: set authorizer: new HttpIamAuthorizer() `
    + '(aws-cdk-lib/aws-apigatewayv2-authorizers) in its route options, or the API\'s defaultAuthorizer');
}

/** The API a stage or route belongs to, when the stack defines it. */
function apiOf(resource: apigatewayv2.CfnStage | apigatewayv2.CfnRoute): apigatewayv2.CfnApi | undefined {
  const stack = Stack.of(resource);
  const ref = (stack.resolve(resource.apiId) as { Ref?: string } | undefined)?.Ref;
  if (ref === undefined) return undefined;
  const scope = resource.node.scope;
  // The L2's API is its parent or its sibling; else the stack is searched once.
  const near = [scope?.node.defaultChild, scope?.node.scope?.node.defaultChild];
  const found = near.find((c): c is apigatewayv2.CfnApi => c instanceof apigatewayv2.CfnApi && stack.resolve(c.logicalId) === ref);
  return found ?? StackLookup.of(stack).referring(apigatewayv2.CfnApi, 'logicalId', c => c.logicalId, ref, 'equals')[0];
}

/** HTTP or WEBSOCKET; an API defined outside the stack counts as HTTP. */
function protocolOf(resource: apigatewayv2.CfnStage | apigatewayv2.CfnRoute): string {
  if (resource.node.scope instanceof apigatewayv2.WebSocketStage) return 'WEBSOCKET';
  if (resource.node.scope instanceof apigatewayv2.HttpStage) return 'HTTP';
  const api = apiOf(resource);
  return api ? Stack.of(resource).resolve(api.protocolType) : 'HTTP';
}

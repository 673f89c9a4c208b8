import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { Throttle } from './route-checks';

/**
 * The settings SecureApi decides for every REST API stage, shared with
 * RestApiHardening so a SecureApi and a hardened plain API cannot drift.
 */
export const DEFAULT_THROTTLE: Throttle = { rateLimit: 100, burstLimit: 200 };

/** Execution logging at ERROR without request or response data, and metrics, for every method of a stage. */
export const STAGE_LOGGING: apigateway.CfnStage.MethodSettingProperty = {
  loggingLevel: apigateway.MethodLoggingLevel.ERROR,
  dataTraceEnabled: false,
  metricsEnabled: true,
};

/** The cache of a REGULATED stage: the smallest cluster, encrypted. */
export const CACHE_CLUSTER_SIZE = '0.5';
export const STAGE_CACHE: apigateway.CfnStage.MethodSettingProperty = {
  cachingEnabled: true,
  cacheDataEncrypted: true,
  cacheTtlInSeconds: 300,
};

/** The JSON access-log format of every REST API stage. */
export function accessLogFormat(): apigateway.AccessLogFormat {
  return apigateway.AccessLogFormat.jsonWithStandardFields({
    caller: true,
    httpMethod: true,
    ip: true,
    protocol: true,
    requestTime: true,
    resourcePath: true,
    responseLength: true,
    status: true,
    user: true,
  });
}

/**
 * The log group API Gateway writes execution logs to, which it would create
 * itself, unencrypted and never expiring, unless it already exists.
 */
export function executionLogGroupName(restApiId: string, stageName: string): string {
  return `API-Gateway-Execution-Logs_${restApiId}/${stageName}`;
}

/**
 * The JSON access log line of an HTTP API: who called which route, how the
 * authorizer and the integration answered. SecureHttpApi and HttpApiHardening
 * write the same.
 *
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging-variables.html
 */
export const HTTP_ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  requestTime: '$context.requestTime',
  httpMethod: '$context.httpMethod',
  routeKey: '$context.routeKey',
  path: '$context.path',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  caller: '$context.identity.caller',
  user: '$context.identity.userArn',
  principalId: '$context.authorizer.principalId',
  authorizerError: '$context.authorizer.error',
  integrationError: '$context.integrationErrorMessage',
});

/**
 * The JSON access log line of a WebSocket API: which connection sent what to
 * which route, how the authorizer and the integration answered.
 *
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-logging.html
 */
export const WEBSOCKET_ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  requestTime: '$context.requestTime',
  eventType: '$context.eventType',
  routeKey: '$context.routeKey',
  connectionId: '$context.connectionId',
  status: '$context.status',
  principalId: '$context.authorizer.principalId',
  authorizerError: '$context.authorizer.error',
  integrationError: '$context.integrationErrorMessage',
});

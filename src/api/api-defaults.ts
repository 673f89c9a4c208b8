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

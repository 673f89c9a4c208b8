import { pushTo, ScannedResource, ScannedStack } from './app-scan';
import { Inventory } from './inventory';
import { invokersByFunction } from './invokers';
import { NetworkIndex } from './network';
import { PermissionIndex } from './permissions';
import { referencedIds } from './references';
import { SecurityReportAlarm, SecurityReportDeadLetter, SecurityReportFunction, SecurityReportLogging } from './schema';
import { asArray, isObject, numberValue, referencedLogicalId, renderText } from '../guardrails/cfn-values';
import { ResourceType } from '../guardrails/resource-index';

const ALARM = 'AWS::CloudWatch::Alarm';
const EVENT_INVOKE_CONFIG = 'AWS::Lambda::EventInvokeConfig';

/**
 * Every function of one template: its role's statements, invokers, network,
 * encryption, logs, concurrency, failure handling and alarms. Also records,
 * in the inventory, which stores its statements reach and which keys it uses.
 */
export function describeFunctions(scan: ScannedStack, inventory: Inventory): SecurityReportFunction[] {
  const functions = scan.resourcesOf(ResourceType.LAMBDA_FUNCTION);
  if (functions.length === 0) return [];
  const permissions = new PermissionIndex(scan);
  const network = new NetworkIndex(scan);
  const invokers = invokersByFunction(scan);
  const alarms = alarmsByReference(scan);
  const helpers = scan.deployTimeHelperIds();
  const invokeConfigs = new Map<string, ScannedResource>();
  for (const config of scan.resourcesOf(EVENT_INVOKE_CONFIG)) {
    const fnId = referencedLogicalId(config.properties.FunctionName);
    if (fnId !== undefined) invokeConfigs.set(fnId, config);
  }

  return functions.map((fn) => {
    const props = fn.properties;
    const role = scan.referenced(props.Role, ResourceType.IAM_ROLE);
    const rolePermissions = permissions.of(role?.logicalId);
    inventory.recordStatements(scan, fn.path, rolePermissions.rawStatements);
    if (props.KmsKeyArn !== undefined) inventory.recordKeyUse(scan, props.KmsKeyArn, `${fn.path} (environment)`);
    const deadLetter = describeDeadLetter(fn, scan, invokeConfigs.get(fn.logicalId));
    const deadLetterQueue = referencedLogicalId(props.DeadLetterConfig?.TargetArn);
    const concurrency = numberValue(props.ReservedConcurrentExecutions);
    return {
      path: fn.path,
      logicalId: fn.logicalId,
      ...props.Runtime !== undefined ? { runtime: renderText(props.Runtime) } : {},
      role: role?.path ?? renderText(props.Role),
      policies: rolePermissions.policies,
      statements: rolePermissions.statements,
      invokers: invokers.get(fn.logicalId) ?? [],
      network: network.describe(fn),
      encryption: props.KmsKeyArn !== undefined ? { environmentKey: scan.nameOf(props.KmsKeyArn) } : {},
      logging: describeLogging(fn, scan),
      ...concurrency !== undefined ? { concurrency } : {},
      deadLetter,
      alarms: [...new Set([...alarms.get(fn.logicalId) ?? [], ...deadLetterQueue ? alarms.get(deadLetterQueue) ?? [] : []])],
      ...helpers.has(fn.logicalId) ? { deployTimeHelper: true } : {},
    };
  });
}

function describeLogging(fn: ScannedResource, scan: ScannedStack): SecurityReportLogging {
  const logGroup = scan.template.logGroupOf(fn) as ScannedResource | undefined;
  if (!logGroup) {
    const configured = fn.properties.LoggingConfig?.LogGroup;
    const name = configured !== undefined ? renderText(configured)
      : `/aws/lambda/${fn.properties.FunctionName !== undefined ? renderText(fn.properties.FunctionName) : `<${fn.logicalId}>`}`;
    return { logGroup: name, inTemplate: false };
  }
  const retentionDays = numberValue(logGroup.properties.RetentionInDays);
  return {
    logGroup: logGroup.path,
    inTemplate: true,
    ...retentionDays !== undefined ? { retentionDays } : {},
    ...logGroup.properties.KmsKeyId !== undefined ? { key: scan.nameOf(logGroup.properties.KmsKeyId) } : {},
  };
}

function describeDeadLetter(fn: ScannedResource, scan: ScannedStack, invokeConfig: ScannedResource | undefined): SecurityReportDeadLetter {
  const target = fn.properties.DeadLetterConfig?.TargetArn;
  const onFailure = invokeConfig?.properties.DestinationConfig?.OnFailure?.Destination;
  const retryAttempts = numberValue(invokeConfig?.properties.MaximumRetryAttempts);
  return {
    ...target !== undefined ? { target: scan.nameOf(target) } : {},
    ...onFailure !== undefined ? { onFailure: scan.nameOf(onFailure) } : {},
    ...retryAttempts !== undefined ? { retryAttempts } : {},
  };
}

/** Alarms by the logical id their metric dimensions name (a function, a queue). */
function alarmsByReference(scan: ScannedStack): Map<string, SecurityReportAlarm[]> {
  const result = new Map<string, SecurityReportAlarm[]>();
  for (const alarm of scan.resourcesOf(ALARM)) {
    const props = alarm.properties;
    const metrics = props.MetricName !== undefined
      ? [{ Namespace: props.Namespace, MetricName: props.MetricName, Dimensions: props.Dimensions }]
      : asArray(props.Metrics).map((query) => query?.MetricStat?.Metric).filter(isObject);
    const report: SecurityReportAlarm = {
      path: alarm.path,
      metrics: metrics.map((metric) => `${renderText(metric.Namespace)}/${renderText(metric.MetricName)}`),
      actions: asArray(props.AlarmActions).map((action) => scan.nameOf(action)),
    };
    const named = new Set<string>();
    for (const metric of metrics) {
      for (const dimension of asArray(metric.Dimensions).filter(isObject)) referencedIds(dimension.Value, named);
    }
    for (const id of named) pushTo(result, id, report);
  }
  return result;
}

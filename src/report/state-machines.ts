import { ScannedResource, ScannedStack } from './app-scan';
import { SecurityReportInvoker, SecurityReportStateMachine, SecurityReportTask } from './schema';
import { asArray, CfnValue, isObject, isTrue, referencedLogicalId, renderText, renderValue } from '../guardrails/cfn-values';
import { ResourceType } from '../guardrails/resource-index';

const STATE_MACHINE = 'AWS::StepFunctions::StateMachine';
const LAMBDA_VERSION = 'AWS::Lambda::Version';
const LAMBDA_ALIAS = 'AWS::Lambda::Alias';
/** How a reference is written while a definition string is rendered for parsing. */
const PLACEHOLDER = (name: string): string => `\u27e8${name}\u27e9`;
const REFERENCE = /^\u27e8([^.\u27e9]+)(\.[^\u27e9]*)?\u27e9$/;

/** A task state of a definition, with the function it invokes (or is) when there is one. */
interface ParsedTask {
  readonly state: string;
  readonly resource: string;
  readonly fn?: ScannedResource;
}

/**
 * Every state machine of a template: its role, logging, tracing, key, its task
 * states with the functions they invoke, and the rules and schedules that start it.
 */
export function describeStateMachines(scan: ScannedStack): SecurityReportStateMachine[] {
  const invokers = invokersByTarget(scan);
  return scan.resourcesOf(STATE_MACHINE).map((machine) => {
    const props = machine.properties;
    const logging = isObject(props.LoggingConfiguration) ? props.LoggingConfiguration : {};
    const destination = asArray(logging.Destinations).find(isObject)?.CloudWatchLogsLogGroup?.LogGroupArn;
    const encryption = isObject(props.EncryptionConfiguration) ? props.EncryptionConfiguration : {};
    const tasks: SecurityReportTask[] = tasksOf(machine, scan).map((task) => ({
      state: task.state,
      resource: task.resource,
      ...task.fn ? { function: task.fn.path } : {},
    }));
    return {
      path: machine.path,
      logicalId: machine.logicalId,
      type: renderText(props.StateMachineType ?? 'STANDARD'),
      role: scan.nameOf(props.RoleArn),
      logLevel: renderText(logging.Level ?? 'OFF'),
      includeExecutionData: isTrue(logging.IncludeExecutionData),
      ...destination !== undefined ? { logGroup: scan.nameOf(destination) } : {},
      tracing: isTrue(props.TracingConfiguration?.Enabled),
      ...encryption.Type === 'CUSTOMER_MANAGED_KMS_KEY' ? { key: scan.nameOf(encryption.KmsKeyId) } : {},
      tasks,
      invokers: invokers.get(machine.logicalId) ?? [],
    };
  });
}

/**
 * The functions each state machine's tasks invoke, as invokers by function
 * logical id: Step Functions calls them with the state machine's role.
 */
export function stateMachineInvokers(scan: ScannedStack): Array<[string, SecurityReportInvoker]> {
  return scan.resourcesOf(STATE_MACHINE).flatMap((machine) => tasksOf(machine, scan).flatMap((task): Array<[string, SecurityReportInvoker]> =>
    task.fn ? [[task.fn.logicalId, { kind: 'state-machine-task', principal: 'states.amazonaws.com', source: `${machine.path} (state ${task.state})` }]] : []));
}

/** One target of an EventBridge rule or Scheduler schedule, with who invokes it and when. */
export interface RuleTarget {
  /** The rule or schedule. */
  readonly rule: ScannedResource;
  readonly arn: CfnValue;
  readonly invoker: SecurityReportInvoker;
}

/** The targets of every EventBridge rule and Scheduler schedule of a template. */
export function ruleTargets(scan: ScannedStack): RuleTarget[] {
  const found: RuleTarget[] = [];
  for (const [type, principal, targetsOf] of [
    ['AWS::Events::Rule', 'events.amazonaws.com', (props: CfnValue) => asArray(props.Targets)],
    ['AWS::Scheduler::Schedule', 'scheduler.amazonaws.com', (props: CfnValue) => asArray(props.Target)],
  ] as const) {
    for (const rule of scan.resourcesOf(type)) {
      const schedule = rule.properties.ScheduleExpression;
      const source = schedule !== undefined ? `${rule.path} (${renderText(schedule)})` : rule.path;
      for (const target of targetsOf(rule.properties).filter(isObject)) found.push({ rule, arn: target.Arn, invoker: { kind: 'event-rule', principal, source } });
    }
  }
  return found;
}

function invokersByTarget(scan: ScannedStack): Map<string, SecurityReportInvoker[]> {
  const result = new Map<string, SecurityReportInvoker[]>();
  for (const target of ruleTargets(scan)) {
    const machine = scan.referenced(target.arn, STATE_MACHINE);
    if (machine) result.set(machine.logicalId, [...result.get(machine.logicalId) ?? [], target.invoker]);
  }
  return result;
}

/** The task states of a definition, nested ones (Parallel branches, Map processors) included. */
function tasksOf(machine: ScannedResource, scan: ScannedStack): ParsedTask[] {
  const definition = parseDefinition(machine.properties);
  const tasks: ParsedTask[] = [];
  const walk = (states: CfnValue): void => {
    if (!isObject(states)) return;
    for (const [name, state] of Object.entries(states)) {
      if (!isObject(state)) continue;
      if (state.Type === 'Task') tasks.push(taskOf(name, state, scan));
      for (const branch of asArray(state.Branches)) walk(branch?.States);
      walk(state.Iterator?.States);
      walk(state.ItemProcessor?.States);
    }
  };
  walk(definition?.States);
  return tasks;
}

function taskOf(name: string, state: { [key: string]: CfnValue }, scan: ScannedStack): ParsedTask {
  const resource = state.Resource === undefined ? '' : renderValue(state.Resource, PLACEHOLDER).text;
  const integration = /:states:::(.+)$/.exec(resource)?.[1];
  const target = integration === undefined ? resource : (state.Parameters ?? state.Arguments)?.FunctionName;
  const fn = integration === undefined || integration.startsWith('lambda:invoke') ? functionOf(target, scan) : undefined;
  return { state: name, resource: integration ?? readable(resource), fn };
}

/** The function a rendered reference names, through a version or alias when it names one. */
function functionOf(value: CfnValue, scan: ScannedStack): ScannedResource | undefined {
  const logicalId = typeof value === 'string' ? REFERENCE.exec(value)?.[1] : referencedLogicalId(value);
  const found = scan.resource(logicalId);
  if (found?.type === ResourceType.LAMBDA_FUNCTION) return found;
  const throughVersionOrAlias = found?.type === LAMBDA_VERSION || found?.type === LAMBDA_ALIAS;
  if (throughVersionOrAlias) return scan.referenced(found.properties.FunctionName, ResourceType.LAMBDA_FUNCTION);
  return undefined;
}

/** A rendered value with the placeholders written as cdk-nag writes references, `<Fn.Arn>`. */
function readable(text: string): string {
  return text.replace(/\u27e8([^\u27e9]*)\u27e9/g, '<$1>');
}

/** The definition as JSON, each reference a placeholder; undefined when it cannot be read. */
function parseDefinition(props: { [key: string]: CfnValue }): CfnValue {
  const source = props.DefinitionString !== undefined ? renderValue(props.DefinitionString, PLACEHOLDER).text : undefined;
  if (source === undefined) return props.Definition;
  try {
    return JSON.parse(source);
  } catch {
    return undefined;
  }
}

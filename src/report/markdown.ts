import { mermaidGraph } from './mermaid';
import {
  SecurityReportAcknowledgement, SecurityReportApi, SecurityReportDataStore, SecurityReportDocument, SecurityReportFunction,
  SecurityReportKey, SecurityReportRoute, SecurityReportService, SecurityReportStack, SecurityReportStateMachine, SecurityReportWaiver,
  SecurityReportHardening,
} from './schema';

/**
 * `security-report.md`: the JSON report for people, in GitHub-flavoured
 * Markdown with one Mermaid graph per stack.
 */
export function renderMarkdown(report: SecurityReportDocument): string {
  const { summary } = report;
  const lines: string[] = [
    '# Security report',
    '',
    'Written at synth by cdk-secure-serverless from the templates of this cloud assembly: what each function can do and who can invoke it, '
      + 'the API routes and their authorization, who reads and writes each data store, the keys, and every acknowledged finding and waiver with its reason. '
      + 'The same data is in `security-report.json`.',
    '',
    table(['Functions', 'Outside a VPC', 'API routes', 'Without authorization', 'Data stores', 'Keys', 'Acknowledgements (library / aws-cdk-lib / user)', 'Waivers'], [[
      `${summary.functions}`, `${summary.functionsOutsideVpc}`, `${summary.routes}`, `${summary.routesWithoutAuthorization}`, `${summary.dataStores}`,
      `${summary.keys}`, `${summary.acknowledgements} (${summary.libraryAcknowledgements} / ${summary.awsCdkLibAcknowledgements} / ${summary.userAcknowledgements})`, `${summary.waivers}`,
    ]]),
  ];
  const failing = failingPacks(report);
  if (failing.length > 0) {
    lines.push('', `**This synth fails** on the open findings of ${failing.join(', ')}: each is listed in \`validation-report.json\` beside this report.`);
  }
  if (summary.findings.length > 0) {
    lines.push('', table(['Pack', 'Open findings', 'Acknowledged'],
      summary.findings.map((pack) => [pack.pack, pack.open !== undefined ? `${pack.open}` : 'not observed', `${pack.acknowledged}`])));
  }
  for (const stage of report.stages) {
    for (const stack of stage.stacks) lines.push('', ...stackSection(stack, stage.stage));
    if (stage.acknowledgements.length > 0 || stage.waivers.length > 0) {
      lines.push('', `## ${stage.stage ? `Stage ${code(stage.stage)}` : 'App'}: outside any stack`);
      lines.push(...acknowledgementSection(stage.acknowledgements), ...waiverSection(stage.waivers));
    }
  }
  return lines.join('\n') + '\n';
}

function stackSection(stack: SecurityReportStack, stage: string): string[] {
  const lines = [`## Stack ${code(stack.path)}${stage ? ` (stage ${code(stage)})` : ''}`, ''];
  lines.push([
    `Template ${code(stack.templateFile)}`,
    stack.account || stack.region ? `, ${[stack.account, stack.region].filter(Boolean).join(' / ')}` : '',
    `: ${count(stack.functions.length, 'function')}, ${count(stack.apis.length, 'API')}, `,
    `${count(stack.dataStores.length, 'data store')}, ${count(stack.keys.length, 'key')}.`,
  ].join(''));
  const graph = mermaidGraph(stack);
  if (graph.length > 0) lines.push('', '```mermaid', ...graph, '```');
  if (stack.functions.length > 0) {
    lines.push('', '### Functions');
    for (const fn of stack.functions) lines.push('', ...functionSection(fn));
  }
  if (stack.apis.length > 0) lines.push('', '### API routes', ...stack.apis.flatMap(apiSection));
  if (stack.dataStores.length > 0) lines.push('', '### Data stores', '', dataStoreTable(stack.dataStores));
  if (stack.keys.length > 0) lines.push('', '### Keys', '', keyTable(stack.keys));
  if (stack.stateMachines.length > 0) lines.push('', '### State machines', ...stack.stateMachines.flatMap(stateMachineSection));
  lines.push(...acknowledgementSection(stack.acknowledgements), ...waiverSection(stack.waivers), ...hardenedSection(stack.hardened),
    ...runtimeChangeSection(stack.runtimeChanges));
  return lines;
}

function describeRoute(service: SecurityReportService): string {
  if (service.endpoint) return `through ${service.via} ${code(service.endpoint)}`;
  if (service.via === 'internet') return 'through the internet';
  if (service.via) return 'through a route outside the template';
  return '**with no network path**';
}

function functionSection(fn: SecurityReportFunction): string[] {
  const { network, logging, deadLetter } = fn;
  const outside = fn.policies.filter((policy) => policy.kind === 'aws-managed' || policy.kind === 'external');
  const reaches = network.reachableEndpoints.map((endpoint) => `${endpoint.service} (${endpoint.endpointType.toLowerCase()})`);
  const egress = network.securityGroups.flatMap((group) => group.allowsAllOutbound
    ? [`${code(group.path)}: all outbound traffic`]
    : group.egress.map((rule) => `${code(group.path)}: ${rule.protocol} ${rule.ports} to ${code(rule.destination)}`));
  const failures = [
    deadLetter.target ? `dead-letter ${code(deadLetter.target)}` : '',
    deadLetter.onFailure ? `on failure ${code(deadLetter.onFailure)}` : '',
    deadLetter.retryAttempts !== undefined ? `${deadLetter.retryAttempts} retries` : '',
  ].filter(Boolean);
  const rows: string[][] = [
    ['Role', code(fn.role)],
    ['Policies', fn.policies.map((policy) => `${code(policy.name)} (${policy.kind})`).join(', ') || 'none in the template'],
    ['Invoked by', fn.invokers.map((invoker) => `${invoker.kind}: ${code(invoker.source)} as ${code(invoker.principal)}`
      + (invoker.sourceAccount ? ` from account ${invoker.sourceAccount}` : '')).join('<br>') || 'nothing in the template'],
    ['Network', network.inVpc
      ? [`VPC ${code(network.vpc ?? '?')}`, ...egress.length > 0 ? [`egress ${egress.join('; ')}`] : ['no egress'],
        `reaches ${reaches.join(', ') || 'no VPC endpoint'}`,
        ...network.services.map((service) => `calls ${service.service} ${describeRoute(service)}`)].join('<br>')
      : 'outside any VPC: reaches AWS services and the internet directly'],
    ['Environment key', fn.encryption.environmentKey ? code(fn.encryption.environmentKey) : 'Lambda\'s AWS-managed key'],
    ['Logs', logging.inTemplate
      ? `${code(logging.logGroup)}, ${logging.retentionDays !== undefined ? `${logging.retentionDays} days` : 'never expire'}, `
        + (logging.key ? `key ${code(logging.key)}` : 'not encrypted with a customer-managed key')
      : `${code(logging.logGroup)}, created by Lambda: never expires, not encrypted with a customer-managed key`],
    ['Reserved concurrency', fn.concurrency !== undefined ? `${fn.concurrency}` : 'unreserved'],
    ['Failures', failures.join(', ') || 'no dead-letter queue or on-failure destination'],
    ['Alarms', fn.alarms.map((alarm) => alarm.metrics.join(' + ')).join(', ') || 'none'],
  ];
  const lines = [`#### ${code(fn.path)}${fn.runtime ? ` (${fn.runtime})` : ''}`, '', table(['Property', 'Value'], rows)];
  if (fn.statements.length > 0) {
    lines.push('', table(['Effect', 'Actions', 'Resources', 'Conditions'], fn.statements.map((statement) => [
      statement.effect,
      statement.notActions ? `all but ${codeList(statement.notActions)}` : codeList(statement.actions),
      statement.notResources ? `all but ${codeList(statement.notResources)}` : codeList(statement.resources),
      statement.conditions ? code(JSON.stringify(statement.conditions)) : '',
    ])));
  }
  if (outside.length > 0) {
    lines.push('', `Not in the template, so not listed: ${outside.map((policy) => `${code(policy.name)} (${policy.kind})`).join(', ')}.`);
  }
  return lines;
}

function stateMachineSection(machine: SecurityReportStateMachine): string[] {
  const summary = [
    `${code(machine.path)}, ${machine.type}`,
    `role ${code(machine.role)}`,
    machine.logGroup ? `logs at ${machine.logLevel} to ${code(machine.logGroup)}${machine.includeExecutionData ? ' with execution data' : ''}` : 'no logs',
    machine.tracing ? 'traced' : 'not traced',
    machine.key ? `key ${code(machine.key)}` : 'AWS-owned key',
    `started by ${machine.invokers.map((invoker) => `${code(invoker.source)} as ${code(invoker.principal)}`).join(', ') || 'no rule or schedule in the template'}`,
  ];
  const lines = ['', `${summary.join('; ')}.`];
  if (machine.tasks.length > 0) {
    lines.push('', table(['Task', 'Calls', 'Function'], machine.tasks.map((task) => [
      code(task.state), code(task.resource), task.function ? code(task.function) : '',
    ])));
  }
  return lines;
}

function apiSection(api: SecurityReportApi): string[] {
  const stages = api.stages.map((stage) => [
    `stage ${code(stage.name)}`,
    stage.webAcl ? `web ACL ${code(stage.webAcl)}` : 'no web ACL',
    stage.throttling ? `throttled to ${throttlingText(stage.throttling)}` : 'not throttled',
    stage.tracing ? 'traced' : 'not traced',
    stage.accessLogs ? `access logs to ${code(stage.accessLogs)}` : 'no access logs',
  ].join(', '));
  return [
    '',
    `${code(api.path)}, ${api.endpointType} endpoint${stages.length > 0 ? `; ${stages.join('; ')}` : '; no stage'}.`,
    '',
    table(['Method', 'Path', 'Authorization', 'Handler', 'Throttling'], api.routes.map((route) => [
      route.method,
      code(route.path),
      authorizationText(route),
      route.handler ? code(route.handler) : route.integration,
      route.throttling ? throttlingText(route.throttling) : '',
    ])),
  ];
}

/** The packs whose open findings fail this synth. */
export function failingPacks(report: SecurityReportDocument): string[] {
  return report.summary.findings.filter((pack) => pack.failsSynth).map((pack) => pack.pack);
}

/** `COGNITO_USER_POOLS` once, not again as the authorizer's type; a Lambda authorizer keeps its type (`TOKEN`, `REQUEST`). */
function authorizationText(route: SecurityReportRoute): string {
  const authorizer = route.authorizer?.replace(` (${route.authorization})`, '');
  return route.authorization + (authorizer ? ` ${code(authorizer)}` : '') + (route.apiKeyRequired ? ', API key' : '');
}

function dataStoreTable(stores: readonly SecurityReportDataStore[]): string {
  return table(['Store', 'Kind', 'Key', 'Recovery and retention', 'Readers', 'Writers'], stores.map((store) => [
    code(store.path),
    store.kind,
    code(store.key),
    [
      `removal ${store.removalPolicy}`,
      store.pointInTimeRecovery !== undefined ? `point-in-time recovery ${onOff(store.pointInTimeRecovery)}` : '',
      store.deletionProtection !== undefined ? `deletion protection ${onOff(store.deletionProtection)}` : '',
      store.retentionSeconds !== undefined ? `messages kept ${duration(store.retentionSeconds)}` : '',
      store.deadLetterQueue ? `dead-letter ${code(store.deadLetterQueue)}` : '',
      store.kind === 'secret' ? `rotation ${store.rotation ?? 'off'}` : '',
      store.versioning !== undefined ? `versioning ${onOff(store.versioning)}` : '',
    ].filter(Boolean).join(', '),
    codeList(store.readers),
    codeList(store.writers),
  ]));
}

function keyTable(keys: readonly SecurityReportKey[]): string {
  return table(['Key', 'Rotation', 'Removal', 'Allowed principals', 'Used by'], keys.map((key) => [
    code(key.path) + (key.aliases.length > 0 ? ` (${key.aliases.map(code).join(', ')})` : ''),
    onOff(key.rotation),
    key.removalPolicy,
    key.allows.map((grant) => `${codeList(grant.principals)}: ${grant.actions.length > 3 ? `${grant.actions.length} actions` : codeList(grant.actions)}`
      + (grant.conditions ? ' (conditional)' : '')).join('<br>'),
    codeList(key.usedBy),
  ]));
}

function acknowledgementSection(acknowledgements: readonly SecurityReportAcknowledgement[]): string[] {
  if (acknowledgements.length === 0) return [];
  return ['', '### Acknowledged findings', '', table(['Rule', 'Construct', 'By', 'Reason'],
    acknowledgements.map((ack) => [code(ack.rule), code(ack.path || '(app)'), ack.by, ack.reason]))];
}

function waiverSection(waivers: readonly SecurityReportWaiver[]): string[] {
  if (waivers.length === 0) return [];
  return ['', '### Waivers', '', table(['Setting', 'Value', 'Construct', 'Reason'],
    waivers.map((waiver) => [waiver.setting, waiver.value, code(waiver.path), waiver.reason]))];
}

/** What runs differently since the hardening, resource by resource: what a reviewer checks before deploying. */
function runtimeChangeSection(changes: readonly SecurityReportHardening[]): string[] {
  if (changes.length === 0) return [];
  return ['', '### How hardened resources now run', '',
    'What the hardening mixins changed in how these resources run: check each against what the app expects before deploying.', '',
    ...changes.flatMap((entry) => [`- ${code(entry.path)} (${entry.mixin}):`, ...entry.changes.map((change) => `  - ${change}`)])];
}

function hardenedSection(hardened: readonly SecurityReportHardening[]): string[] {
  if (hardened.length === 0) return [];
  return ['', '### Hardened in place', '', table(['Resource', 'Mixin', 'Changes'],
    hardened.map((entry) => [code(entry.path), entry.mixin, entry.changes.join('; ')]))];
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.map(cell).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** A table cell: one line, pipes escaped (GitHub splits cells on them even inside code). */
function cell(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
}

/** Inline code that survives backticks in the text. */
function code(text: string): string {
  const fence = text.includes('`') ? '``' : '`';
  return `${fence}${fence === '``' ? ` ${text} ` : text}${fence}`;
}

function codeList(items: readonly string[]): string {
  return items.map(code).join(', ');
}

function throttlingText(throttling: { rateLimit?: number; burstLimit?: number }): string {
  return [throttling.rateLimit !== undefined ? `${throttling.rateLimit}/s` : '', throttling.burstLimit !== undefined ? `burst ${throttling.burstLimit}` : '']
    .filter(Boolean).join(', ');
}

function onOff(value: boolean): string {
  return value ? 'on' : 'off';
}

function duration(seconds: number): string {
  return seconds % 86_400 === 0 ? count(seconds / 86_400, 'day') : seconds % 3600 === 0 ? count(seconds / 3600, 'hour') : `${seconds} s`;
}

/** `1 key`, `2 keys`. */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

import { mermaidGraph } from './mermaid';
import {
  SecurityReportAcknowledgement, SecurityReportApi, SecurityReportDataStore, SecurityReportDocument, SecurityReportFinding, SecurityReportFunction,
  SecurityReportHardening, SecurityReportInvoker, SecurityReportKey, SecurityReportRoute, SecurityReportService, SecurityReportStack,
  SecurityReportStateMachine, SecurityReportUserPool, SecurityReportWaiver,
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
      + 'the API routes and their authorization, who reads and writes each data store, the keys and user pools, the open findings, '
      + 'and every acknowledged finding and waiver with its reason. '
      + 'The same data is in `security-report.json`, and the findings and acknowledgements in `security-report.sarif` for code scanning.',
    '',
    table(['Functions', 'Outside a VPC', 'API routes', 'Without authorization', 'Data stores', 'Keys', 'User pools',
      'Acknowledgements (library / aws-cdk-lib / user)', 'Waivers'], [[
      `${summary.functions}`, `${summary.functionsOutsideVpc}`, `${summary.routes}`, `${summary.routesWithoutAuthorization}`, `${summary.dataStores}`,
      `${summary.keys}`, `${summary.userPools}`,
      `${summary.acknowledgements} (${summary.libraryAcknowledgements} / ${summary.awsCdkLibAcknowledgements} / ${summary.userAcknowledgements})`, `${summary.waivers}`,
    ]]),
  ];
  const failing = failingPacks(report);
  if (failing.length > 0) {
    lines.push('', `**This synth fails** on the open findings of ${failing.join(', ')}: each is listed under its stack below, `
      + 'and in `validation-report.json` beside this report.');
  }
  const ran = summary.findings.filter((pack) => pack.ran);
  if (ran.length > 0) {
    lines.push('', table(['Pack', 'Open findings', 'Acknowledged'],
      ran.map((pack) => [pack.pack, pack.open !== undefined ? `${pack.open}` : 'not observed', `${pack.acknowledged}`])));
  }
  const waiting = summary.findings.filter((pack) => !pack.ran);
  if (waiting.length > 0) {
    lines.push('', `Acknowledgements for packs that did not run in this synth: ${waiting.map((pack) => `${pack.pack} ${pack.acknowledged}`).join(', ')}. `
      + 'The library records them in every profile, so that turning a pack on (the REGULATED profile, `controlTower: true`) finds nothing to fix; '
      + 'until then they are listed, not checked.');
  }
  for (const stage of report.stages) {
    for (const stack of stage.stacks) lines.push('', ...stackSection(stack, stage.stage));
    if (stage.acknowledgements.length > 0 || stage.waivers.length > 0 || stage.openFindings.length > 0) {
      lines.push('', `## ${stage.stage ? `Stage ${code(stage.stage)}` : 'App'}: outside any stack`);
      lines.push(...findingSection(stage.openFindings), ...acknowledgementSection(stage.acknowledgements), ...waiverSection(stage.waivers));
    }
  }
  return lines.join('\n') + '\n';
}

function stackSection(stack: SecurityReportStack, stage: string): string[] {
  const lines = [`## Stack ${code(stack.path)}${stage ? ` (stage ${code(stage)})` : ''}`, ''];
  const helpers = stack.functions.filter((fn) => fn.deployTimeHelper).length;
  lines.push([
    `Template ${code(stack.templateFile)}`,
    stack.account || stack.region ? `, ${[stack.account, stack.region].filter(Boolean).join(' / ')}` : '',
    `: ${count(stack.functions.length - helpers, 'function')}${helpers > 0 ? ` and ${count(helpers, 'deploy-time helper')}` : ''}, `,
    `${count(stack.apis.length, 'API')}, ${count(stack.dataStores.length, 'data store')}, ${count(stack.keys.length, 'key')}`,
    stack.userPools.length > 0 ? `, ${count(stack.userPools.length, 'user pool')}` : '',
    '.',
  ].join(''));
  lines.push(...findingSection(stack.openFindings));
  const graph = mermaidGraph(stack);
  if (graph.length > 0) lines.push('', '```mermaid', ...graph, '```');
  if (stack.functions.length > 0) {
    lines.push('', '### Functions');
    for (const fn of stack.functions) lines.push('', ...functionSection(fn));
  }
  if (stack.apis.length > 0) lines.push('', '### API routes', ...stack.apis.flatMap(apiSection));
  if (stack.dataStores.length > 0) lines.push('', '### Data stores', '', dataStoreTable(stack.dataStores));
  if (stack.keys.length > 0) lines.push('', '### Keys', '', keyTable(stack.keys));
  if (stack.userPools.length > 0) lines.push('', '### User pools', ...stack.userPools.flatMap(userPoolSection));
  if (stack.stateMachines.length > 0) lines.push('', '### State machines', ...stack.stateMachines.flatMap(stateMachineSection));
  lines.push(...acknowledgementSection(stack.acknowledgements), ...waiverSection(stack.waivers), ...hardenedSection(stack.hardened));
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
    : group.egress.map((rule) => `${code(group.path)}: ${rule.protocol} ${rule.ports} to ${code(rule.destination)}${rule.note ? ` (${rule.note})` : ''}`));
  const failures = [
    deadLetter.target ? `dead-letter ${code(deadLetter.target)}` : '',
    deadLetter.onFailure ? `on failure ${code(deadLetter.onFailure)}` : '',
    deadLetter.retryAttempts !== undefined ? `${deadLetter.retryAttempts} retries` : '',
  ].filter(Boolean);
  const rows: string[][] = [
    ['Role', code(fn.role)],
    ['Policies', fn.policies.map((policy) => `${code(policy.name)} (${policy.kind})`).join(', ') || 'none in the template'],
    ['Invoked by', fn.invokers.map(invokerText).join('<br>') || 'nothing in the template'],
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

/** `api-route: \`GET /orders on Shop/Api\` as \`apigateway.amazonaws.com\` from account 1, permission \`arn:...\``. */
function invokerText(invoker: SecurityReportInvoker): string {
  return `${invoker.kind}: ${code(invoker.source)} as ${code(invoker.principal)}`
    + (invoker.sourceAccount ? ` from account ${invoker.sourceAccount}` : '')
    + (invoker.permissions?.length ? `, ${invoker.permissions.length > 1 ? 'permissions' : 'permission'} ${codeList(invoker.permissions)}` : '');
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

/**
 * `COGNITO_USER_POOLS` or `JWT` once, not again as the authorizer's type (a
 * Lambda authorizer keeps its type, `TOKEN` or `REQUEST`), then the pools and
 * clients whose tokens it accepts.
 */
function authorizationText(route: SecurityReportRoute): string {
  const authorizer = route.authorizer?.replace(` (${route.authorization})`, '');
  const accepts = [
    route.userPools ? `${route.userPools.length > 1 ? 'pools' : 'pool'} ${codeList(route.userPools)}` : '',
    route.clients ? `${route.clients.length === 1 ? 'client' : 'clients'} ${codeList(route.clients)}` : route.userPools ? 'any client' : '',
  ].filter(Boolean);
  return route.authorization + (authorizer ? ` ${code(authorizer)}` : '') + (accepts.length > 0 ? ` (${accepts.join(', ')})` : '')
    + (route.apiKeyRequired ? ', API key' : '');
}

function userPoolSection(pool: SecurityReportUserPool): string[] {
  const summary = [
    code(pool.path),
    `MFA ${pool.mfa === 'ON' ? 'required' : pool.mfa === 'OPTIONAL' ? 'optional' : 'off'}${pool.mfaMethods.length > 0 ? ` (${pool.mfaMethods.join(', ')})` : ''}`,
    `sign-up ${pool.signUp}`,
    pool.passwordMinLength !== undefined ? `passwords of ${pool.passwordMinLength} characters or more` : 'Cognito\'s default password policy',
    `threat protection ${pool.threatProtection ?? 'off'}`,
    `deletion protection ${onOff(pool.deletionProtection)}`,
    `removal ${pool.removalPolicy}`,
  ];
  const lines = ['', `${summary.join(', ')}.`];
  if (pool.clients.length > 0) {
    lines.push('', table(['Client', 'Secret', 'Auth flows', 'OAuth flows and scopes', 'Callback URLs', 'User existence errors'], pool.clients.map((client) => [
      code(client.path),
      client.generateSecret ? 'yes' : 'no',
      codeList(client.authFlows) || 'none',
      [...client.oauthFlows, ...client.oauthScopes].map(code).join(', ') || 'none',
      codeList(client.callbackUrls),
      client.preventUserExistenceErrors ?? 'not set',
    ])));
  } else {
    lines.push('', 'No app client in the template.');
  }
  return lines;
}

function findingSection(findings: readonly SecurityReportFinding[]): string[] {
  if (findings.length === 0) return [];
  return ['', '### Open findings', '', table(['Rule', 'Construct', 'Severity', 'Pack', 'Description'],
    findings.map((finding) => [code(finding.rule), finding.path ? code(finding.path) : '', finding.severity, finding.pack, finding.description]))];
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

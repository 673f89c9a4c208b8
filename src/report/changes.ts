import { compareText } from './app-scan';
import { SecurityChangesDocument, SecurityChangesEntity, SecurityChangesSection, SecurityChangesValue } from './changes-schema';
import { count } from './markdown';
import { SecurityReportDocument } from './schema';

/** The version of `security-changes.json`'s schema. */
export const CHANGES_SCHEMA_VERSION = 1;

/** Lists of a stack that are records of the stack rather than entities of their own. */
const RECORDS = new Set(['acknowledgements', 'waivers', 'hardened']);
/** Lists that are never compared: open findings fail the synth, and are in the report and the SARIF log. */
const NOT_COMPARED = new Set(['openFindings']);
/** The name of an entity of each list of a stack. */
const KINDS: { readonly [list: string]: string } = {
  functions: 'function', apis: 'API', dataStores: 'data store', keys: 'key', stateMachines: 'state machine', userPools: 'user pool',
};
/**
 * Fields whose lists are grants, expanded to one line per item so that
 * statements merged or split (`@aws-cdk/aws-iam:minimizePolicies`) compare
 * equal: a statement is one line per action and resource, a key policy
 * statement one per principal and action.
 */
const EXPANDED = new Set(['actions', 'notActions', 'resources', 'notResources', 'principals']);
/**
 * The lists and entity fields each version of the report's schema added
 * (`<list>` or `<list>.<field>`): an older baseline has nothing to compare
 * them with, so they are left out rather than shown as added.
 */
const ADDED_IN_VERSION: ReadonlyMap<number, readonly string[]> = new Map([
  [2, ['userPools']],
]);

type Json = any;

/** One line of an entity: a setting, an item of a list, or an item with an identity of its own. */
interface Fact {
  readonly section: string;
  readonly key: string;
  /** The line as shown. */
  readonly text: string;
  /** A setting's path and value, which may change in place. */
  readonly setting?: { readonly field: string; readonly value: string };
  /** The key of the item with an identity this line belongs to, shown with it when the item is added or removed. */
  readonly owner?: string;
  /** Whether the line stands for an item with an identity: its fields, not this line, say what changed in it. */
  readonly item?: boolean;
}

/** One entity of a report: a function, API, data store... or the records of a stack. */
interface Entity {
  readonly list: string;
  readonly kind: string;
  readonly path: string;
  readonly value: Json;
}

/**
 * What changed in the report since a baseline report: per function, API, data
 * store, key, state machine and user pool (by construct path), and per stack for
 * its acknowledgements, waivers and hardened resources.
 *
 * The comparison is generic: every field of an entity is compared, so fields
 * the report gains later are compared too. Lists of objects are compared by
 * identity where items have one (a construct path, a name, a route's method and
 * path, an acknowledgement's rule and path), else item by item; grants are
 * expanded to one line per action and resource or principal and action.
 *
 * @param baselineFile the baseline's file, as given
 */
export function compareReports(baseline: SecurityReportDocument, current: SecurityReportDocument, baselineFile: string): SecurityChangesDocument {
  const before = entitiesOf(baseline);
  const after = entitiesOf(current);
  const notCompared = new Set([...ADDED_IN_VERSION]
    .filter(([version]) => baseline.schemaVersion < version && version <= current.schemaVersion)
    .flatMap(([, added]) => added));
  const entities: SecurityChangesEntity[] = [];
  for (const key of [...new Set([...before.keys(), ...after.keys()])]) {
    const old = before.get(key);
    const now = after.get(key);
    if (now && notCompared.has(now.list)) continue;
    const entity = now ?? old!;
    if (!old || !now) {
      const sections = now ? diffFacts(new Map(), factsOf(now, notCompared)) : [];
      if (isRecords(entity) && sections.length === 0) continue;
      entities.push({ kind: entity.kind, path: entity.path, status: now ? 'added' : 'removed', sections });
      continue;
    }
    const sections = diffFacts(factsOf(old, notCompared), factsOf(now, notCompared));
    if (sections.length > 0) entities.push({ kind: entity.kind, path: entity.path, status: 'changed', sections });
  }
  entities.sort((a, b) => compareText(a.path, b.path) || compareText(a.kind, b.kind));
  const records = (section: string, side: 'added' | 'removed') => entities.filter(isRecords)
    .reduce((sum, entity) => sum + (entity.sections.find((s) => s.section === section)?.[side].length ?? 0), 0);
  const real = entities.filter((entity) => !isRecords(entity));
  return {
    schemaVersion: CHANGES_SCHEMA_VERSION,
    generatedBy: 'cdk-secure-serverless',
    baseline: { file: baselineFile, schemaVersion: baseline.schemaVersion, notCompared: [...notCompared].sort() },
    summary: {
      added: real.filter((entity) => entity.status === 'added').length,
      removed: real.filter((entity) => entity.status === 'removed').length,
      changed: real.filter((entity) => entity.status === 'changed').length,
      routesLostAuthorization: lostAuthorization(entities).length,
      acknowledgementsAdded: records('acknowledgements', 'added'),
      acknowledgementsRemoved: records('acknowledgements', 'removed'),
      waiversAdded: records('waivers', 'added'),
      waiversRemoved: records('waivers', 'removed'),
    },
    entities,
  };
}

/** Every entity of a report, by list and path. */
function entitiesOf(report: SecurityReportDocument): Map<string, Entity> {
  const result = new Map<string, Entity>();
  const add = (entity: Entity): void => void result.set(`${entity.list}|${entity.path}`, entity);
  for (const stage of report.stages ?? []) {
    add({ list: 'stage', kind: 'stage', path: stage.stage, value: { acknowledgements: stage.acknowledgements ?? [], waivers: stage.waivers ?? [] } });
    for (const stack of stage.stacks ?? []) {
      const records: { [list: string]: Json } = {};
      for (const [list, value] of Object.entries(stack)) {
        if (NOT_COMPARED.has(list) || !Array.isArray(value)) continue;
        if (RECORDS.has(list)) {
          records[list] = value;
          continue;
        }
        for (const item of value) {
          if (isObject(item) && typeof item.path === 'string') add({ list, kind: KINDS[list] ?? list, path: item.path, value: item });
        }
      }
      add({ list: 'stack', kind: 'stack', path: stack.path, value: records });
    }
  }
  return result;
}

/** Whether an entity stands for the records (acknowledgements, waivers, hardened resources) of a stack or stage. */
function isRecords(entity: { readonly kind: string }): boolean {
  return entity.kind === 'stack' || entity.kind === 'stage';
}

/** The lines of an entity, by key. */
function factsOf(entity: Entity, notCompared: ReadonlySet<string>): Map<string, Fact> {
  const facts = new Map<string, Fact>();
  for (const [field, value] of Object.entries(entity.value)) {
    if (field === 'path' || notCompared.has(`${entity.list}.${field}`)) continue;
    flatten(value, field, field, facts, undefined);
  }
  return facts;
}

function flatten(value: Json, at: string, section: string, facts: Map<string, Fact>, owner: string | undefined): void {
  const add = (fact: Fact): void => void facts.set(fact.key, fact);
  if (Array.isArray(value)) {
    for (const item of value) {
      if (!isObject(item)) {
        add({ section, key: `${at}[]${scalar(item)}`, text: `${label(at)}: ${scalar(item)}`, owner });
        continue;
      }
      const id = identityOf(item);
      if (id !== undefined) {
        const key = `${at}[${id}]`;
        add({ section, key, text: `${label(at)}: ${id}${describeItem(item)}`, owner, item: true });
        for (const [field, inner] of Object.entries(item)) {
          if (!IDENTITY_FIELDS.has(field)) flatten(inner, `${key}.${field}`, section, facts, owner ?? key);
        }
        continue;
      }
      for (const flat of expand(item)) add({ section, key: `${at}{${JSON.stringify(flat)}}`, text: `${label(at)}: ${renderItem(flat)}`, owner });
    }
  } else if (isObject(value)) {
    for (const [field, inner] of Object.entries(value)) flatten(inner, `${at}.${field}`, section, facts, owner);
  } else if (value !== undefined) {
    add({ section, key: at, text: `${at}: ${scalar(value)}`, setting: { field: at, value: scalar(value) }, owner });
  }
}

/** Fields that name an item of a list rather than describe it. */
const IDENTITY_FIELDS = new Set(['path', 'name', 'method', 'rule', 'setting', 'mixin']);

/**
 * An item's identity within its list: a route's method and path, an
 * acknowledgement's rule and construct, a waiver's setting and construct, a
 * hardening's mixin and resource, else a construct path or a name.
 */
function identityOf(item: { [key: string]: Json }): string | undefined {
  const where = typeof item.path === 'string' ? item.path || 'the app' : undefined;
  if (typeof item.method === 'string') return `${item.method} ${item.path ?? ''}`.trim();
  if (typeof item.rule === 'string') return `${item.rule} on ${where}`;
  if (typeof item.setting === 'string') return `${item.setting} on ${where}`;
  if (typeof item.mixin === 'string') return `${item.mixin} on ${where}`;
  if (where !== undefined) return where;
  return typeof item.name === 'string' ? item.name : undefined;
}

/** An item with an identity, in a few words: its settings, and one more level of lists. */
function describeItem(item: { [key: string]: Json }): string {
  const parts = Object.entries(item)
    .filter(([field, value]) => !IDENTITY_FIELDS.has(field) && value !== undefined && !(Array.isArray(value) && value.length === 0))
    .map(([field, value]) => `${field} ${isObject(value) || Array.isArray(value) ? JSON.stringify(value) : scalar(value)}`);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

/** An item without an identity as one or more flat items: one per combination of its grant lists' values. */
function expand(item: { [key: string]: Json }): Array<{ [key: string]: Json }> {
  let result: Array<{ [key: string]: Json }> = [{}];
  for (const [field, value] of Object.entries(item)) {
    if (EXPANDED.has(field) && Array.isArray(value) && value.length > 0) {
      const single = field.replace(/s$/, '');
      result = result.flatMap((partial) => value.map((one) => ({ ...partial, [single]: one })));
    } else {
      result = result.map((partial) => ({ ...partial, [field]: value }));
    }
  }
  return result;
}

/** A flat item as a line: a statement, a key policy grant, an invoker, a service, an egress rule, or its fields. */
function renderItem(item: { [key: string]: Json }): string {
  const conditions = item.conditions !== undefined ? ` when ${JSON.stringify(item.conditions)}` : '';
  if (item.kind !== undefined && item.source !== undefined) {
    return `${item.kind} ${item.source} as ${item.principal}${item.sourceAccount ? ` from account ${item.sourceAccount}` : ''}`
      + (item.permissions?.length ? `, permission ${item.permissions.join(', ')}` : '');
  }
  if (item.effect !== undefined || item.principal !== undefined) {
    const action = item.action ?? (item.notAction !== undefined ? `all but ${item.notAction}` : '(no action)');
    const resource = item.resource ?? (item.notResource !== undefined ? `all but ${item.notResource}` : undefined);
    const on = resource !== undefined ? ` on ${resource}` : '';
    const policy = item.policy !== undefined ? ` (${item.policy})` : '';
    // A key policy statement names its principal: `<principal> may <action>`; an identity statement its effect.
    if (item.principal !== undefined) return `${item.principal} ${item.effect === 'Deny' ? 'may not' : 'may'} ${action}${on}${conditions}${policy}`;
    return `${item.effect} ${action}${resource !== undefined ? on : ' on (no resource)'}${conditions}${policy}`;
  }
  if (item.service !== undefined && item.action !== undefined) {
    return `${item.action} through ${item.via ?? 'no network path'}${item.endpoint ? ` ${item.endpoint}` : ''}`;
  }
  if (item.protocol !== undefined) return `${item.protocol} ${item.ports} to ${item.destination}${item.note ? ` (${item.note})` : ''}`;
  return Object.entries(item).filter(([, value]) => value !== undefined)
    .map(([field, value]) => `${field} ${isObject(value) || Array.isArray(value) ? JSON.stringify(value) : scalar(value)}`).join(', ');
}

/** A key's path for people: `network.securityGroups[Shop/Sg].egress` reads `network: security group Shop/Sg, egress`. */
function label(at: string): string {
  return at.replace(/\[([^\]]*)\]/g, ' $1').replace(/\./g, ' / ');
}

function diffFacts(before: Map<string, Fact>, after: Map<string, Fact>): SecurityChangesSection[] {
  const sections = new Map<string, { added: string[]; removed: string[]; changed: SecurityChangesValue[] }>();
  const sectionOf = (name: string) => {
    let found = sections.get(name);
    if (!found) sections.set(name, found = { added: [], removed: [], changed: [] });
    return found;
  };
  // An item added or removed whole is one line: the lines of its fields go with it.
  const gone = (fact: Fact, other: Map<string, Fact>) => fact.owner !== undefined && !other.has(fact.owner);
  for (const [key, fact] of after) {
    const old = before.get(key);
    if (!old) {
      if (!gone(fact, before)) sectionOf(fact.section).added.push(fact.text);
    } else if (old.text !== fact.text && !fact.item) {
      const section = sectionOf(fact.section);
      if (fact.setting && old.setting) {
        section.changed.push({ field: fact.setting.field, from: old.setting.value, to: fact.setting.value });
      } else {
        section.removed.push(old.text);
        section.added.push(fact.text);
      }
    }
  }
  for (const [key, fact] of before) {
    if (!after.has(key) && !gone(fact, after)) sectionOf(fact.section).removed.push(fact.text);
  }
  return [...sections].map(([section, lines]) => ({ section, ...lines }));
}

/** Routes whose authorization was something and is now `NONE`: `<API path> <METHOD> <path>`. */
function lostAuthorization(entities: readonly SecurityChangesEntity[]): string[] {
  return entities.filter((entity) => entity.kind === 'API').flatMap((entity) => entity.sections.flatMap((section) => section.changed
    .filter((value) => /^routes\[.*\]\.authorization$/.test(value.field) && value.from !== 'NONE' && value.to === 'NONE')
    .map((value) => `${entity.path} ${/^routes\[(.*)\]/.exec(value.field)![1]}`)));
}

/**
 * `security-changes.md`: the changes as a section for a pull-request comment.
 * Nothing changed is a section that says so.
 */
export function renderChanges(changes: SecurityChangesDocument): string {
  const lines = ['## Security changes', ''];
  const against = `the baseline \`${changes.baseline.file}\` (report schema ${changes.baseline.schemaVersion})`;
  if (changes.entities.length === 0) {
    lines.push(`No change since ${against}: the same functions, APIs, data stores, keys, state machines and user pools, with the same permissions, `
      + 'network paths, invokers, routes, key principals, acknowledgements, waivers and hardened resources.');
  } else {
    lines.push(`Since ${against}: ${headlineOf(changes)}.`);
    const lost = lostAuthorization(changes.entities);
    if (lost.length > 0) lines.push('', `**${count(lost.length, 'route')} lost ${lost.length > 1 ? 'their' : 'its'} authorization:** ${lost.map(code).join(', ')}.`);
    for (const entity of changes.entities) {
      lines.push('', `**${entity.kind} ${code(entity.path || '(app)')}** ${entity.status}`);
      for (const section of entity.sections) {
        for (const text of section.added) lines.push(`- ${section.section}: + ${code(withoutSection(text, section.section))}`);
        for (const text of section.removed) lines.push(`- ${section.section}: − ${code(withoutSection(text, section.section))}`);
        for (const value of section.changed) lines.push(`- ${section.section}: ${code(value.field)} ${code(value.from)} → ${code(value.to)}`);
      }
    }
  }
  if (changes.baseline.notCompared.length > 0) {
    lines.push('', `The baseline has an older report schema: ${changes.baseline.notCompared.map(code).join(', ')} `
      + 'are not compared, and other fields whose format changed may show as changed. Regenerate the baseline with this version.');
  }
  return lines.join('\n') + '\n';
}

/** `2 functions changed, 1 API added, 1 acknowledgement added`, or `no change`. */
export function headlineOf(changes: SecurityChangesDocument): string {
  const parts: string[] = [];
  for (const status of ['added', 'removed', 'changed']) {
    const byKind = new Map<string, number>();
    for (const entity of changes.entities) {
      if (entity.status === status && !isRecords(entity)) byKind.set(entity.kind, (byKind.get(entity.kind) ?? 0) + 1);
    }
    if (byKind.size > 0) parts.push(`${[...byKind].map(([kind, n]) => count(n, kind)).join(', ')} ${status}`);
  }
  const s = changes.summary;
  if (s.routesLostAuthorization > 0) parts.push(`${count(s.routesLostAuthorization, 'route')} without authorization now`);
  if (s.acknowledgementsAdded > 0) parts.push(`${count(s.acknowledgementsAdded, 'acknowledgement')} added`);
  if (s.acknowledgementsRemoved > 0) parts.push(`${count(s.acknowledgementsRemoved, 'acknowledgement')} removed`);
  if (s.waiversAdded > 0) parts.push(`${count(s.waiversAdded, 'waiver')} added`);
  if (s.waiversRemoved > 0) parts.push(`${count(s.waiversRemoved, 'waiver')} removed`);
  const hardened = changes.entities.some((entity) => entity.sections.some((section) => section.section === 'hardened'));
  if (hardened) parts.push('hardened resources changed');
  return parts.join('; ') || 'no change';
}

/** A line without its section's name, which the Markdown says before it. */
function withoutSection(text: string, section: string): string {
  for (const prefix of [`${section}: `, `${section} / `]) if (text.startsWith(prefix)) return text.slice(prefix.length);
  return text;
}

function code(text: string): string {
  const fence = text.includes('`') ? '``' : '`';
  return fence === '``' ? `\`\` ${text} \`\`` : `\`${text}\``;
}

function scalar(value: Json): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function isObject(value: Json): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

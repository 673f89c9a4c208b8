import { Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** CDK core stores an acknowledgement of a plain id as `Annotation::<id>`. */
const ANNOTATION_PREFIX = /^annotation::/i;

/**
 * The acknowledgements that filtered a finding in the current synth, per app and
 * plugin namespace, for those that a plugin filters itself (cdk-nag packs and
 * ControlTowerChecks) rather than CDK core. Each is `<construct path>\0<rule>`,
 * the rule as the report writes it (without `Annotation::`).
 */
const used = new WeakMap<IConstruct, Map<string, Set<string>>>();

/** The key under which an acknowledgement is recorded as used. */
export function acknowledgementUseKey(path: string, rule: string): string {
  return `${path}\u0000${rule}`;
}

/** Forgets what `namespace` used in the app of `root`: its plugin starts a new run. */
export function startAcknowledgementRun(root: IConstruct, namespace: string): void {
  used.get(root.node.root)?.delete(namespace);
}

/** Records that the acknowledgement `key` (as CDK stores it) on `holder` filtered a finding of `namespace`. */
export function markAcknowledgementUsed(holder: IConstruct, key: string, namespace: string): void {
  const root = holder.node.root;
  let byNamespace = used.get(root);
  if (!byNamespace) {
    byNamespace = new Map();
    used.set(root, byNamespace);
  }
  let keys = byNamespace.get(namespace);
  if (!keys) {
    keys = new Set();
    byNamespace.set(namespace, keys);
  }
  keys.add(acknowledgementUseKey(holder.node.path, key.replace(ANNOTATION_PREFIX, '')));
}

/** The acknowledgements plugins filtered findings with in the app's current synth. */
export function acknowledgementsUsedIn(root: IConstruct): Set<string> {
  return new Set([...used.get(root.node.root)?.values() ?? []].flatMap((keys) => [...keys]));
}

/**
 * The construct, from `construct` up, that holds an acknowledgement whose key
 * (as CDK stores it, `Annotation::` compared without case) is one of `keys`,
 * with the key found.
 */
export function acknowledgementOf(construct: IConstruct | undefined, keys: readonly string[]): { holder: IConstruct; key: string } | undefined {
  const wanted = new Set(keys.map(normalize));
  for (let current = construct; current; current = current.node.scope) {
    for (const entry of current.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY || !entry.data) continue;
      const key = Object.keys(entry.data as object).find((k) => wanted.has(normalize(k)));
      if (key !== undefined) return { holder: current, key };
    }
  }
  return undefined;
}

/**
 * Records as used every acknowledgement of one of `keys` on `resource` and its
 * ancestors, also one that a nearer one shadows.
 *
 * @returns whether there was one
 */
export function markCoveringAcknowledgements(resource: IConstruct, keys: readonly string[], namespace: string): boolean {
  let any = false;
  for (let from: IConstruct | undefined = resource; from;) {
    const found = acknowledgementOf(from, keys);
    if (!found) break;
    markAcknowledgementUsed(found.holder, found.key, namespace);
    any = true;
    from = found.holder.node.scope;
  }
  return any;
}

function normalize(key: string): string {
  return key.replace(ANNOTATION_PREFIX, 'Annotation::');
}

/**
 * Makes a cdk-nag pack record the acknowledgements it filters findings with:
 * its own check (`isAcknowledged(resource, ruleId)`, matching `ruleId` and
 * `Annotation::<ruleId>` on the resource and its ancestors) is wrapped once.
 */
export function recordNagPackUse(pack: object, namespace: string): void {
  const target = pack as { isAcknowledged?: (resource: IConstruct, ruleId: string) => boolean };
  const check = target.isAcknowledged;
  if (typeof check !== 'function' || RECORDING in pack) return;
  Object.defineProperty(pack, RECORDING, { value: true });
  target.isAcknowledged = function (this: unknown, resource: IConstruct, ruleId: string): boolean {
    const acknowledged = check.call(this, resource, ruleId);
    if (acknowledged) markCoveringAcknowledgements(resource, [ruleId, `Annotation::${ruleId}`], namespace);
    return acknowledged;
  };
}

const RECORDING = Symbol.for('cdk-secure-serverless.RecordsAcknowledgementUse');

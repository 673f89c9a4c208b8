import { Annotations, AspectPriority, Aspects, IAspect, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** Metadata type under which a hardening mixin records what it changed on a resource. */
export const HARDENING_METADATA = 'cdk-secure-serverless:hardening';
/** Metadata type under which a hardening mixin records what it changed in how a resource runs. */
export const RUNTIME_CHANGE_METADATA = 'cdk-secure-serverless:runtime-change';

/** One change a hardening mixin made, as recorded in construct metadata. */
export interface HardeningRecord {
  /** The mixin's class name, e.g. `TableHardening`. */
  readonly mixin: string;
  /** The change in words, e.g. `point-in-time recovery turned on`. */
  readonly change: string;
}

/**
 * Records that `mixin` changed `scope` as `change` says, so the security report
 * can list what each mixin did to each resource.
 *
 * The same change is recorded once: a mixin applied twice changes nothing the
 * second time and so must not say it did.
 */
export function recordHardening(scope: IConstruct, mixin: string, change: string): void {
  record(scope, HARDENING_METADATA, mixin, change);
}

/** The hardening changes recorded on `scope` itself, in the order they were made. */
export function hardeningRecords(scope: IConstruct): HardeningRecord[] {
  return records(scope, HARDENING_METADATA);
}

/**
 * Records that `mixin` changed how `scope` runs (where a function runs and what
 * it reaches, how many executions it may run at once, its log format, how its
 * event sources treat failures, how an API throttles its callers), in words that
 * say what the app will see. Each such change is also a hardening change, and is
 * shown at synth (`registerRuntimeNotice`) and listed in the security report.
 */
export function recordRuntimeChange(scope: IConstruct, mixin: string, change: string): void {
  recordHardening(scope, mixin, change);
  record(scope, RUNTIME_CHANGE_METADATA, mixin, change);
}

/** The run-time changes recorded on `scope` itself, in the order they were made. */
export function runtimeChangeRecords(scope: IConstruct): HardeningRecord[] {
  return records(scope, RUNTIME_CHANGE_METADATA);
}

const NOTICE = Symbol.for('cdk-secure-serverless.RuntimeChangeNotice');

/**
 * Makes the run-time changes recorded in `scope`'s stack visible at synth: one
 * info message per changed resource, which `cdk synth` prints. It runs as a
 * read-only aspect, after the aspects that still change functions (their event
 * sources, the endpoints they reach), once per stack.
 */
export function registerRuntimeNotice(scope: IConstruct): void {
  const stack = Stack.of(scope) as Stack & { [NOTICE]?: true };
  if (stack[NOTICE]) return;
  Object.defineProperty(stack, NOTICE, { value: true });
  Aspects.of(stack).add(new RuntimeChangeNotice(), { priority: AspectPriority.READONLY });
}

class RuntimeChangeNotice implements IAspect {
  public visit(node: IConstruct): void {
    const changes = runtimeChangeRecords(node);
    if (changes.length === 0) return;
    const mixins = [...new Set(changes.map((c) => c.mixin))].join(' and ');
    Annotations.of(node).addInfo(`${mixins} changed how ${displayedPath(node)} runs: ${changes.map((c) => c.change).join('; ')}`);
  }
}

/** The path a user wrote: an L1 named `Resource` stands for its L2. */
function displayedPath(node: IConstruct): string {
  return node.node.id === 'Resource' && node.node.scope ? node.node.scope.node.path : node.node.path;
}

function record(scope: IConstruct, type: string, mixin: string, change: string): void {
  if (records(scope, type).some((r) => r.mixin === mixin && r.change === change)) return;
  scope.node.addMetadata(type, { mixin, change } satisfies HardeningRecord);
}

function records(scope: IConstruct, type: string): HardeningRecord[] {
  return scope.node.metadata.filter((m) => m.type === type).map((m) => m.data as HardeningRecord);
}

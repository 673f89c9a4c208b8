import { Annotations } from 'aws-cdk-lib';
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
 * say what the app will see. Each such change is also a hardening change; it is
 * shown at synth as an info message on the resource, which `cdk synth` prints,
 * and listed in the security report.
 */
export function recordRuntimeChange(scope: IConstruct, mixin: string, change: string): void {
  recordHardening(scope, mixin, change);
  if (record(scope, RUNTIME_CHANGE_METADATA, mixin, change)) {
    Annotations.of(scope).addInfo(`${mixin} changed how ${displayedPath(scope)} runs: ${change}`);
  }
}

/** The run-time changes recorded on `scope` itself, in the order they were made. */
export function runtimeChangeRecords(scope: IConstruct): HardeningRecord[] {
  return records(scope, RUNTIME_CHANGE_METADATA);
}

/** The path a user wrote: an L1 named `Resource` stands for its L2. */
function displayedPath(node: IConstruct): string {
  return node.node.id === 'Resource' && node.node.scope ? node.node.scope.node.path : node.node.path;
}

/** Records the change unless recorded before; says whether it was new. */
function record(scope: IConstruct, type: string, mixin: string, change: string): boolean {
  if (records(scope, type).some((r) => r.mixin === mixin && r.change === change)) return false;
  scope.node.addMetadata(type, { mixin, change } satisfies HardeningRecord);
  return true;
}

function records(scope: IConstruct, type: string): HardeningRecord[] {
  return scope.node.metadata.filter((m) => m.type === type).map((m) => m.data as HardeningRecord);
}

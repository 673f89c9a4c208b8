import { IConstruct } from 'constructs';

/** Metadata type under which a hardening mixin records what it changed on a resource. */
export const HARDENING_METADATA = 'cdk-secure-serverless:hardening';

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
  if (hardeningRecords(scope).some((r) => r.mixin === mixin && r.change === change)) return;
  scope.node.addMetadata(HARDENING_METADATA, { mixin, change } satisfies HardeningRecord);
}

/** The hardening changes recorded on `scope` itself, in the order they were made. */
export function hardeningRecords(scope: IConstruct): HardeningRecord[] {
  return scope.node.metadata
    .filter((m) => m.type === HARDENING_METADATA)
    .map((m) => m.data as HardeningRecord);
}

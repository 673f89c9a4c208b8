/*
 * The shape of `security-changes.json`: what changed in the security report
 * since a baseline report, one interface per JSON object.
 */

/**
 * `security-changes.json`: the changes of the security report since a baseline.
 */
export interface SecurityChangesDocument {
  /** The version of this schema, `1`. */
  readonly schemaVersion: number;
  /** What wrote it: `cdk-secure-serverless`. */
  readonly generatedBy: string;
  /** The baseline the report is compared with. */
  readonly baseline: SecurityChangesBaseline;
  /** Counts of the changes. */
  readonly summary: SecurityChangesSummary;
  /** Each function, API, data store, key, state machine and user pool that was added, removed or changed, and each stack whose acknowledgements, waivers or hardened resources changed, by path. */
  readonly entities: SecurityChangesEntity[];
}

/**
 * `baseline`: the report compared with.
 */
export interface SecurityChangesBaseline {
  /** The file, as given to `Guardrails.enforce` (`baseline`). */
  readonly file: string;
  /** The schema version of the baseline report. */
  readonly schemaVersion: number;
  /**
   * Lists of this version of the report that the baseline's older schema does
   * not have, left out of the comparison (`userPools` for a baseline of schema 1).
   */
  readonly notCompared: string[];
}

/**
 * `summary`: counts over `entities`.
 */
export interface SecurityChangesSummary {
  /** Entities (functions, APIs, data stores, keys, state machines, user pools) added since the baseline. */
  readonly added: number;
  /** Entities removed since the baseline. */
  readonly removed: number;
  /** Entities that exist in both and changed. */
  readonly changed: number;
  /** API routes that had an authorization in the baseline and have none now. */
  readonly routesLostAuthorization: number;
  /** Acknowledgements added since the baseline, in every stack and outside them. */
  readonly acknowledgementsAdded: number;
  /** Acknowledgements removed since the baseline. */
  readonly acknowledgementsRemoved: number;
  /** Waivers added since the baseline. */
  readonly waiversAdded: number;
  /** Waivers removed since the baseline. */
  readonly waiversRemoved: number;
}

/**
 * One entry of `entities`: one function, API, data store, key, state machine,
 * user pool, or the records (acknowledgements, waivers, hardened resources) of one stack.
 */
export interface SecurityChangesEntity {
  /** `function`, `API`, `data store`, `key`, `state machine`, `user pool`, or `stack` for a stack's records (the report's list of that name for other lists). */
  readonly kind: string;
  /** Construct path (the stack's for its records; `""` for the app's). */
  readonly path: string;
  /** `added`, `removed` or `changed`. */
  readonly status: string;
  /**
   * The changes, by section of the report (`statements`, `invokers`, `network`,
   * `routes`, `readers`, `allows`, `acknowledgements`...): what was added and
   * removed. An entity added lists everything it has; one removed lists nothing.
   */
  readonly sections: SecurityChangesSection[];
}

/**
 * One entry of `entities[].sections`.
 */
export interface SecurityChangesSection {
  /** The field of the report, e.g. `statements` or `network`. */
  readonly section: string;
  /** What is there now and was not, one line each: an action on a resource, an invoker, a route, a principal allowed by a key... */
  readonly added: string[];
  /** What was there and is not any more. */
  readonly removed: string[];
  /** Settings whose value changed, e.g. a route's `authorization`. */
  readonly changed: SecurityChangesValue[];
}

/**
 * One entry of `sections[].changed`: a setting whose value changed.
 */
export interface SecurityChangesValue {
  /** The setting, e.g. `routes[GET /orders].authorization` or `concurrency`. */
  readonly field: string;
  /** Its value in the baseline. */
  readonly from: string;
  /** Its value now. */
  readonly to: string;
}

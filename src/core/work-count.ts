import { Construct, IConstruct } from 'constructs';

/**
 * Counted work: how many times each step of the library's synth-time code (a
 * rule, an aspect, a mixin, the report) handles each construct. The tests that
 * keep that code linear count instead of timing: as an app grows, no construct
 * may be handled more often by any step. Internal, not part of the public API.
 *
 * It costs nothing unless a test counts: every hook first checks one module
 * variable.
 */

/** Times each subject (a construct path) was handled, per step. */
export type WorkCounts = Map<string, Map<string, number>>;

let counts: WorkCounts | undefined;
let currentStep = 'unattributed';

/** Whether work is being counted; a hook that has to prepare its subjects checks this first. */
export function countingWork(): boolean {
  return counts !== undefined;
}

/** Records that the current step (or `step`) handled `subject` once. */
export function countWork(subject: IConstruct, step?: string): void {
  if (counts === undefined) return;
  const name = step ?? currentStep;
  let perSubject = counts.get(name);
  if (!perSubject) {
    perSubject = new Map();
    counts.set(name, perSubject);
  }
  perSubject.set(subject.node.path, (perSubject.get(subject.node.path) ?? 0) + 1);
}

/** Records that the current step handled each of `subjects` once, and returns them. */
export function countEach<T extends IConstruct | { readonly node: IConstruct }>(subjects: readonly T[]): readonly T[] {
  if (counts !== undefined) {
    for (const subject of subjects) countWork(Construct.isConstruct(subject) ? subject : subject.node);
  }
  return subjects;
}

/** Runs `work` as `step`: what the hooks count inside it is the step's. */
export function inWorkStep<T>(step: string, work: () => T): T {
  if (counts === undefined) return work();
  const outer = currentStep;
  currentStep = step;
  try {
    return work();
  } finally {
    currentStep = outer;
  }
}

/**
 * Every construct under `scope`, `scope` included, as `node.findAll()` gives
 * them; each one counts as handled by the current step.
 */
export function constructsUnder(scope: IConstruct): IConstruct[] {
  return countEach(scope.node.findAll()) as IConstruct[];
}

/** Runs `work` with counting on and returns what it counted. Counting does not nest. */
export function countWorkOf(work: () => void): WorkCounts {
  if (counts !== undefined) throw new Error('work is already being counted');
  counts = new Map();
  try {
    work();
    return counts;
  } finally {
    counts = undefined;
    currentStep = 'unattributed';
  }
}


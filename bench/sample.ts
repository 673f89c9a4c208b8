// What one measured synth (synth-once.ts) reports, shared with the bench that runs it (run.ts).

/** The phases of one measured synth, in order. */
export const PHASES = ['build', 'aspects', 'prepare', 'templates', 'builtInStart', 'builtInValidate', 'otherValidation', 'packs'] as const;
export type Phase = typeof PHASES[number];

/** What each phase covers, for the bench's output. */
export const PHASE_DESCRIPTIONS: Record<Phase, string> = {
  build: 'constructing the app (the constructs, their grants and acknowledgements)',
  aspects: 'app.synth() up to preparing the app: the aspects, ours and aws-cdk-lib\'s',
  prepare: 'preparing the app: references across stacks, dependencies',
  templates: 'rendering and writing the templates, construct validations',
  builtInStart: 'starting aws-cdk-lib\'s built-in template validation engine (WASM), once per process',
  builtInValidate: 'aws-cdk-lib\'s built-in template validation of each template',
  otherValidation: 'the rest of the validation step (reports, other plugins)',
  packs: 'the packs of the profile (ServerlessSecurity, AwsSolutions, Serverless, and HIPAA, NIST, PCI in REGULATED)',
};

/** Wall and CPU milliseconds of one phase of the measured synth. */
export interface PhaseTime {
  readonly ms: number;
  readonly cpuMs: number;
}

/** What one measured synth prints. */
export interface Sample {
  readonly variant: string;
  readonly units: number;
  readonly profile: string;
  /** Wall milliseconds from the first construct to the last pack's verdict. */
  readonly ms: number;
  /** CPU milliseconds (user + system, every thread of the process) over the same span. */
  readonly cpuMs: number;
  readonly phases: Record<Phase, PhaseTime>;
  /** Milliseconds the process spent paused for garbage collection over the same span. */
  readonly gcMs: number;
  readonly stacks: number;
  readonly resources: number;
  readonly maxStackResources: number;
  readonly findings: number;
  /** Peak resident memory of the process so far, in MB. */
  readonly maxRssMb: number;
}

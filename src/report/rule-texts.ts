import { RULES } from '../guardrails/rules/catalog';

/** What is known about a rule, for the help of `security-report.sarif`. */
export interface RuleText {
  /** What a finding of the rule means. */
  readonly description?: string;
  /** Why the rule exists. */
  readonly explanation?: string;
  /** How to fix a finding. */
  readonly fix?: string;
  /** `error`, `warning` or `info`. */
  readonly level?: string;
}

const OUR_PACK = 'ServerlessSecurity';

/** Rules by id (without a finding's `[...]`), as packs described them in this process. */
const observed = new Map<string, RuleText>();

/** Our pack's rules, known whether it ran or not. */
const ours = new Map<string, RuleText>(RULES.map((definition) => [`${OUR_PACK}-${definition.rule.name}`, {
  description: definition.info,
  explanation: definition.explanation,
  fix: definition.fix,
  level: definition.level === 'Error' ? 'error' : 'warning',
}]));

/**
 * Remembers what a pack says about a rule: the first description stays, a
 * later one fills only what is missing. Rule texts do not change between
 * synths, so one table serves the whole process.
 */
export function rememberRule(rule: string, text: RuleText): void {
  const id = baseRule(rule);
  const known = observed.get(id);
  if (known && known.description && known.explanation && known.fix && known.level) return;
  const merged: { -readonly [K in keyof RuleText]: RuleText[K] } = { ...known };
  for (const [field, value] of Object.entries(text) as Array<[keyof RuleText, string | undefined]>) {
    if (merged[field] === undefined && value) merged[field] = value;
  }
  observed.set(id, merged);
}

/** What is known about a rule (or one finding of it, `Rule[finding]`); undefined when no pack described it. */
export function ruleText(rule: string): RuleText | undefined {
  const id = baseRule(rule);
  return ours.get(id) ?? observed.get(id);
}

/**
 * The rule of a finding id: `AwsSolutions-IAM5[Resource::*]` is `AwsSolutions-IAM5`,
 * `AwsSolutions::AwsSolutions-SQS3` is `AwsSolutions-SQS3`, and CDK core's
 * `ControlTower::ControlTower-CT.S3.PR.1` is `ControlTower-CT.S3.PR.1`.
 */
export function baseRule(rule: string): string {
  const withoutFinding = rule.replace(/\[.*\]$/, '');
  const namespace = withoutFinding.indexOf('::');
  return namespace > 0 ? withoutFinding.slice(namespace + 2) : withoutFinding;
}

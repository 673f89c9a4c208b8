import { Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { controlTowerFindingId } from '../core/finding-ids';

/**
 * Whether `construct` or an ancestor acknowledged one of `keys`, as CDK stores them
 * (`Annotation::<id>` for the plain form, `<namespace>::<id>` otherwise). aws-cdk-lib
 * before 2.262.1 wrote `annotation::`, so the prefix is compared without case.
 */
export function isAcknowledged(construct: IConstruct | undefined, keys: readonly string[]): boolean {
  const wanted = new Set(keys.map(normalize));
  for (let current = construct; current; current = current.node.scope) {
    for (const entry of current.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY || !entry.data) continue;
      if (Object.keys(entry.data as object).some(key => wanted.has(normalize(key)))) return true;
    }
  }
  return false;
}

function normalize(key: string): string {
  return key.replace(/^annotation::/i, 'Annotation::');
}

/** A Control Tower finding parsed from cfn-guard's message `[CT.SQS.PR.1]: Require ...`. */
export interface ControlTowerFinding {
  /** The id to acknowledge, e.g. `ControlTower-CT.SQS.PR.1`. */
  readonly id: string;
  readonly message: string;
  /** The keys under which CDK may store an acknowledgement of it. */
  readonly acknowledgementKeys: string[];
}

/** Parses a cfn-guard violation of a Control Tower rule. */
export function controlTowerFinding(description: string, guardRuleName: string): ControlTowerFinding {
  const match = /^\[([^\]]+)\]:\s*(.*)$/s.exec(description.trim());
  const id = controlTowerFindingId(match ? match[1] : guardRuleName);
  return {
    id,
    message: match ? match[2] : description,
    acknowledgementKeys: [`Annotation::${id}`, `ControlTower::${id}`, `cdk-validator-cfnguard::${guardRuleName}`],
  };
}

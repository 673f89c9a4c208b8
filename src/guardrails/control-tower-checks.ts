import * as path from 'path';
import {
  CfnElement, IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport,
  PolicyViolation, Stack, Validations,
} from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { controlTowerFindingId } from '../core/finding-ids';

/**
 * Properties of ControlTowerChecks.
 */
export interface ControlTowerChecksProps {
  /**
   * Control Tower rule files to skip, by file name without extension (e.g. `ct-s3-pr-1`).
   *
   * @default - every bundled Control Tower proactive control runs
   */
  readonly disabledRules?: string[];
}

/** Acknowledgement keys CDK core may store for a Control Tower finding id. */
function acknowledgementKeys(id: string, guardRuleName: string): string[] {
  return [`Annotation::${id}`, `annotation::${id}`, `ControlTower::${id}`, `cdk-validator-cfnguard::${guardRuleName}`];
}

/**
 * The AWS Control Tower proactive controls, run with the cfn-guard binary and rules
 * bundled in `@cdklabs/cdk-validator-cfnguard` (an optional peer dependency: install
 * it to use this plugin).
 *
 * Unlike registering `CfnGuardValidator` directly, findings are reported with the
 * construct path and the id `ControlTower-<control>` (e.g. `ControlTower-CT.LAMBDA.PR.3`),
 * and an acknowledgement of that id counts only on the construct that carries it and
 * its children, as cdk-nag's do.
 */
export class ControlTowerChecks implements IPolicyValidationPlugin {
  /** The plugin name shown in the validation report. */
  public readonly name = 'ControlTower';
  private readonly props: ControlTowerChecksProps;

  constructor(props: ControlTowerChecksProps = {}) {
    this.props = props;
  }

  /**
   * Runs the controls over the templates of the context.
   */
  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const app = (context as { appConstruct?: IConstruct }).appConstruct;
    const byTemplate = app ? indexTemplates(app) : new Map<string, Map<string, IConstruct>>();
    const report = this.guard().validate(context);
    const violations = new Map<string, PolicyViolation>();
    for (const violation of report.violations) {
      const { control, message } = parseDescription(violation.description, violation.ruleName);
      const id = controlTowerFindingId(control);
      for (const resource of violation.violatingResources) {
        const construct = byTemplate.get(path.resolve(resource.templatePath ?? ''))?.get(resource.resourceLogicalId ?? '');
        if (construct && isAcknowledged(construct, acknowledgementKeys(id, violation.ruleName))) continue;
        const entry = violations.get(id) ?? { ruleName: id, description: message, fix: violation.fix, severity: 'error', violatingResources: [] };
        (entry.violatingResources as unknown[]).push({ ...resource, constructPath: construct?.node.path });
        violations.set(id, entry);
      }
    }
    const list = [...violations.values()];
    return { success: list.length === 0, violations: list };
  }

  private guard(): IPolicyValidationPlugin {
    let module: { CfnGuardValidator: new (props: object) => IPolicyValidationPlugin };
    try {
      // An optional dependency, loaded only when the controls run; users install it themselves.
      // eslint-disable-next-line @typescript-eslint/no-require-imports, import/no-extraneous-dependencies
      module = require('@cdklabs/cdk-validator-cfnguard');
    } catch {
      throw new Error('ControlTowerChecks needs the optional peer dependency @cdklabs/cdk-validator-cfnguard: npm install --save-dev @cdklabs/cdk-validator-cfnguard');
    }
    return new module.CfnGuardValidator({ disabledRules: this.props.disabledRules, maxBuffer: 512 * 1024 * 1024 });
  }
}

/** Maps each synthesized template path to its resources by logical id, in one walk of the tree. */
function indexTemplates(app: IConstruct): Map<string, Map<string, IConstruct>> {
  const result = new Map<string, Map<string, IConstruct>>();
  for (const construct of app.node.findAll()) {
    if (!CfnElement.isCfnElement(construct)) continue;
    const stack: Stack = construct.stack;
    const file = path.resolve(stackOutdir(stack), stack.templateFile);
    let byLogicalId = result.get(file);
    if (!byLogicalId) {
      byLogicalId = new Map();
      result.set(file, byLogicalId);
    }
    byLogicalId.set(stack.resolve(construct.logicalId), construct);
  }
  return result;
}

function stackOutdir(stack: Stack): string {
  // The assembly directory of the stack's stage, where its template is written.
  let scope: IConstruct | undefined = stack.node.scope;
  while (scope && !(scope as { outdir?: string }).outdir) scope = scope.node.scope;
  return (scope as { outdir?: string } | undefined)?.outdir ?? '';
}

/** Whether `construct` or an ancestor acknowledged one of `keys`. */
function isAcknowledged(construct: IConstruct, keys: readonly string[]): boolean {
  for (let current: IConstruct | undefined = construct; current; current = current.node.scope) {
    for (const entry of current.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY || !entry.data) continue;
      if (Object.keys(entry.data as object).some(key => keys.includes(key))) return true;
    }
  }
  return false;
}

/** Control Tower messages read `[CT.SQS.PR.1]: Require ...`. */
function parseDescription(description: string, fallback: string): { control: string; message: string } {
  const match = /^\[([^\]]+)\]:\s*(.*)$/s.exec(description.trim());
  return match ? { control: match[1], message: match[2] } : { control: fallback, message: description };
}

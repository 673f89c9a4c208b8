import * as path from 'path';
import {
  CfnElement, IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport, PolicyViolation, Stack,
} from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { controlTowerFinding, isAcknowledged } from './acknowledged';
import { bundledControlTowerRules, controlTowerRuleFiles } from './control-tower-rules';
import { rememberRule } from '../report/rule-texts';

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
    const report = this.guard(context.templatePaths)?.validate(context) ?? { success: true, violations: [] };
    const violations = new Map<string, PolicyViolation>();
    for (const violation of report.violations) {
      const { id, message, acknowledgementKeys } = controlTowerFinding(violation.description, violation.ruleName);
      for (const resource of violation.violatingResources) {
        const construct = byTemplate.get(path.resolve(resource.templatePath ?? ''))?.get(resource.resourceLogicalId ?? '');
        // The security report describes acknowledged findings too, which no other plugin sees.
        rememberRule(id, { description: message, fix: violation.fix, level: 'error' });
        if (construct && isAcknowledged(construct, acknowledgementKeys)) continue;
        const entry = violations.get(id) ?? { ruleName: id, description: message, fix: violation.fix, severity: 'error', violatingResources: [] };
        (entry.violatingResources as unknown[]).push({ ...resource, constructPath: construct?.node.path });
        violations.set(id, entry);
      }
    }
    const list = [...violations.values()];
    return { success: list.length === 0, violations: list };
  }

  /** A validator of the rules that can apply to the templates' resource types; none when no rule can. */
  private guard(templatePaths: readonly string[]): IPolicyValidationPlugin | undefined {
    let module: { CfnGuardValidator: new (props: object) => IPolicyValidationPlugin };
    let rulesDirectory: string;
    try {
      // An optional dependency, loaded only when the controls run; users install it themselves.
      // eslint-disable-next-line @typescript-eslint/no-require-imports, import/no-extraneous-dependencies
      module = require('@cdklabs/cdk-validator-cfnguard');
      rulesDirectory = bundledControlTowerRules();
    } catch {
      throw new Error('ControlTowerChecks needs the optional peer dependency @cdklabs/cdk-validator-cfnguard: npm install --save-dev @cdklabs/cdk-validator-cfnguard');
    }
    const rules = controlTowerRuleFiles(rulesDirectory, templatePaths, this.props.disabledRules);
    if (rules.length === 0) return undefined;
    return new module.CfnGuardValidator({ controlTowerRulesEnabled: false, rules, maxBuffer: 512 * 1024 * 1024 });
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

import { CfnResource, IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport, PolicyViolation } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ResourceIndex } from './resource-index';
import { SERVERLESS_SECURITY_PACK } from '../core/finding-ids';
import { TemplateDependencyCycle } from './rules/cloudformation/TemplateDependencyCycle';

const CYCLE_RULE = `${SERVERLESS_SECURITY_PACK}-TemplateDependencyCycle`;

/** The rules whose findings no acknowledgement covers: they mean CloudFormation will refuse the template. */
export const UNACKNOWLEDGEABLE_RULES: readonly string[] = [CYCLE_RULE];

const CYCLE_DESCRIPTION = 'The resource is in a dependency cycle with the resources named in the finding (Ref, Fn::GetAtt, Fn::Sub, DependsOn): '
  + 'CloudFormation cannot deploy the template, so the finding cannot be acknowledged.';

const CYCLE_FIX = 'Break one link: an ARN built from a literal name (Stack.formatArn) instead of a reference, a condition that needs no reference '
  + '(aws:SourceAccount, kms:ViaService), a statement moved into a separate policy resource, or one DependsOn less.';

/**
 * Findings that mean CloudFormation will refuse the template: a dependency
 * cycle (`ServerlessSecurity-TemplateDependencyCycle[Cycle::<ids>]`, one
 * finding per cycle naming every resource in it).
 *
 * Each is reported with severity `fatal`, which aws-cdk-lib never lets an
 * acknowledgement suppress, in any id form, and this plugin reads no
 * acknowledgement itself: an acknowledged cycle would still ship a template
 * that cannot deploy. (A cdk-nag pack cannot report `fatal`, and it drops the
 * findings acknowledged on a resource before aws-cdk-lib sees them, hence a
 * plugin of its own.) `Guardrails.enforce` registers it.
 *
 * @example
 * const app = new App();
 * Validations.of(app).addPlugins(new DeployabilityChecks());
 */
export class DeployabilityChecks implements IPolicyValidationPlugin {
  /** The plugin name shown in the validation report. */
  public readonly name: string = `${SERVERLESS_SECURITY_PACK}-Deployability`;
  /** The rules it evaluates. */
  public readonly ruleIds?: string[] = [...UNACKNOWLEDGEABLE_RULES];

  /**
   * Checks the app of the validation context.
   *
   * @param context the validation context CDK passes
   */
  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const app = (context as { appConstruct?: IConstruct }).appConstruct;
    return app ? this.validateScope(app) : { success: true, violations: [] };
  }

  /**
   * Checks every resource under `scope` and returns the violations, all `fatal`.
   *
   * @param scope the construct tree to check (the app, a stage or a stack)
   */
  public validateScope(scope: IConstruct): PolicyValidationPluginReport {
    const index = ResourceIndex.build(scope);
    const violations = new Map<string, PolicyViolation>();
    const pending: IConstruct[] = [scope];
    while (pending.length > 0) {
      const construct = pending.pop()!;
      pending.push(...construct.node.children);
      const resource = CfnResource.isCfnResource(construct) ? index.resourceOf(construct) : undefined;
      const findings = resource ? TemplateDependencyCycle(resource) : undefined;
      if (!Array.isArray(findings)) continue;
      for (const finding of findings) {
        const ruleName = `${CYCLE_RULE}[${finding}]`;
        const violation = violations.get(ruleName)
          ?? { ruleName, description: CYCLE_DESCRIPTION, fix: CYCLE_FIX, severity: 'fatal', violatingResources: [] };
        violation.violatingResources.push({ constructPath: construct.node.path, resourceLogicalId: resource!.logicalId, locations: ['Properties'] });
        violations.set(ruleName, violation);
      }
    }
    const list = [...violations.values()];
    list.forEach((violation) => violation.violatingResources.sort((a, b) => (a.constructPath ?? '').localeCompare(b.constructPath ?? '')));
    return { success: list.length === 0, violations: list };
  }
}

import { CfnResource, PolicyValidationPluginReport } from 'aws-cdk-lib';
import { NagPack, NagPackProps } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { ANY_RESOURCE_TYPE, ResourceIndex } from './resource-index';
import { countWork, inWorkStep } from '../core/work-count';
import { RuleDefinition, RULES } from './rules/catalog';

const PACK_NAME = 'ServerlessSecurity';

const RULES_BY_TYPE = new Map<string, RuleDefinition[]>();
for (const definition of RULES) {
  for (const type of definition.resourceTypes) RULES_BY_TYPE.set(type, [...RULES_BY_TYPE.get(type) ?? [], definition]);
}
const RULES_FOR_ANY_TYPE = RULES_BY_TYPE.get(ANY_RESOURCE_TYPE) ?? [];

/**
 * A cdk-nag 3 pack with the serverless checks that no cdk-nag pack makes.
 *
 * It checks shared function roles, wildcard function policies, function log
 * groups, environment encryption and literal credentials, function URLs,
 * service-principal invoke permissions, API stage throttling and WAF, table
 * keys and deletion protection, VPC endpoint policies and security groups,
 * key policies and event-source visibility timeouts. Dependency cycles, which
 * make a template undeployable and so cannot be acknowledged, are found by
 * `DeployabilityChecks`.
 *
 * Rules match resources by CloudFormation type, so resources that CDK emits
 * as a plain `CfnResource` (the helper functions of custom-resource
 * providers) are checked like any other. Rule ids are
 * `ServerlessSecurity-<Rule>`; rules that report several findings on one
 * resource use cdk-nag's form `ServerlessSecurity-<Rule>[<finding>]`, and each
 * finding is acknowledged on its own:
 * `Validations.of(construct).acknowledge({ id: 'ServerlessSecurity-LambdaPolicyWildcard[Resource::*]', reason })`.
 * The rule list, with what each checks and why, is in `src/guardrails/RULES.md`.
 *
 * A validation run walks the tree once to index every template (logical ids
 * are per stack), so the rules take time linear in the number of resources.
 * Relations are resolved within one template: a function whose role or log
 * group lives in another stack is judged on what its own template shows.
 *
 * @example
 * const app = new App();
 * Validations.of(app).addPlugins(new ServerlessSecurityChecks(app));
 */
export class ServerlessSecurityChecks extends NagPack {
  /**
   * The name of the validation plugin, also the rule-id prefix.
   */
  public readonly name: string = PACK_NAME;

  /**
   * The ids of the rules the pack evaluates, e.g. `ServerlessSecurity-LambdaSharedRole`.
   */
  public readonly ruleIds?: string[] = RULES.map((definition) => `${PACK_NAME}-${definition.rule.name}`);

  private index?: ResourceIndex;

  /**
   * @param scope the app (or stage) the pack is registered on; needed only for `writeSuppressionsToCloudFormation`
   * @param props cdk-nag pack options
   */
  constructor(scope?: IConstruct, props?: NagPackProps) {
    super(scope, props);
    this.packName = PACK_NAME;
  }

  /**
   * Validates every resource under `scope` and returns the violations.
   *
   * Pass the app, a stage or a stack: a rule that relates resources (a
   * function and its log group, a stage and its web ACL) sees only those under
   * `scope`. This is what the CDK validation framework calls with the app, and
   * what tests call directly.
   *
   * @param scope the construct tree to validate
   */
  public validateScope(scope: IConstruct): PolicyValidationPluginReport {
    this.index = inWorkStep('rules:index', () => ResourceIndex.build(scope));
    try {
      return super.validateScope(scope);
    } finally {
      this.index = undefined;
    }
  }

  /**
   * Applies the rules for the resource's CloudFormation type.
   *
   * @param node the resource to check
   */
  protected checkResource(node: CfnResource): void {
    const resource = this.index?.resourceOf(node);
    if (!resource) return;
    for (const definition of [...RULES_BY_TYPE.get(resource.type) ?? [], ...RULES_FOR_ANY_TYPE]) {
      this.applyRule({
        ruleSuffixOverride: definition.rule.name,
        info: definition.info,
        explanation: definition.explanation,
        level: definition.level,
        node,
        rule: () => inWorkStep(`rule:${definition.rule.name}`, () => {
          countWork(node);
          return definition.rule(resource);
        }),
      });
    }
  }
}

import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { IndexedResource } from '../../resource-index';

/**
 * A resource is in no dependency cycle of its template.
 *
 * CloudFormation creates a resource after everything it refers to (`Ref`,
 * `Fn::GetAtt`, `Fn::Sub`) or names in `DependsOn`; resources that depend on each
 * other, directly or through others, cannot be created at all. aws-cdk-lib's own
 * template validation only warns about it. Each resource of a cycle reports one
 * finding that names every resource of the cycle: `Cycle::<id>,<id>,...`.
 */
export function TemplateDependencyCycle(resource: IndexedResource): NagRuleResult {
  const cycle = resource.template.dependencyCycleOf(resource.logicalId);
  return cycle ? [`Cycle::${cycle.join(',')}`] : NagRuleCompliance.COMPLIANT;
}

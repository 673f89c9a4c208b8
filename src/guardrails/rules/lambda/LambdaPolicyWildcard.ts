import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { asArray, CfnValue, RenderedValue, renderText, renderValue } from '../../cfn-values';
import { isAllow, literalActions, statementsOf } from '../../policy-document';
import { IndexedResource, ResourceType } from '../../resource-index';

/**
 * The policies of a function's role grant no wildcard: no `*` or `service:*`
 * action, no `Resource: '*'` and no resource ARN that is a wildcard over a
 * whole resource type.
 *
 * Checked: inline `Policies` of an `AWS::IAM::Role`, and `AWS::IAM::Policy`,
 * `AWS::IAM::RolePolicy` and `AWS::IAM::ManagedPolicy` attached to it, when the
 * role is used by a function of the template or trusts the Lambda service.
 * Allow statements only. One finding per offending value, in cdk-nag's form:
 * `Action::s3:*`, `Resource::*`, `Resource::arn:<AWS::Partition>:s3:::*`,
 * `NotAction::<action>` and `NotResource::<resource>` (an Allow with `NotAction`
 * or `NotResource` grants everything else).
 *
 * Resources: a literal `*` is a finding, and so is an ARN (literal or joined
 * from intrinsics) that ends in `*` with no scoping name before it:
 * `arn:aws:s3:::*`, `arn:<AWS::Partition>:dynamodb:<AWS::Region>:<AWS::AccountId>:table/*`.
 * A value that refers to a resource or parameter (`<MyBucket.Arn>/*`,
 * `Fn::ImportValue`) is scoped by it and is fine; so is a name prefix
 * (`table/Orders*`, `arn:aws:s3:::my-bucket/*`).
 */
export function LambdaPolicyWildcard(resource: IndexedResource): NagRuleResult {
  const documents = functionPolicyDocuments(resource);
  if (documents === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  const findings = new Set<string>();
  for (const statement of documents.flatMap(statementsOf).filter(isAllow)) {
    for (const action of literalActions(statement.Action)) {
      if (action === '*' || action.endsWith(':*')) findings.add(`Action::${action}`);
    }
    for (const action of asArray(statement.NotAction)) findings.add(`NotAction::${renderText(action)}`);
    for (const target of asArray(statement.Resource).map((value) => renderValue(value))) {
      if (isUnscoped(target)) findings.add(`Resource::${target.text}`);
    }
    for (const target of asArray(statement.NotResource)) findings.add(`NotResource::${renderText(target)}`);
  }
  return findings.size > 0 ? [...findings] : NagRuleCompliance.COMPLIANT;
}

/** The policy documents of a resource that applies to a function's role; undefined when it applies to none. */
function functionPolicyDocuments(resource: IndexedResource): CfnValue[] | undefined {
  const { template, properties } = resource;
  switch (resource.type) {
    case ResourceType.IAM_ROLE:
      return template.isFunctionRole(resource.logicalId)
        ? asArray(properties.Policies).map((policy) => policy?.PolicyDocument)
        : undefined;
    case ResourceType.IAM_POLICY:
      return asArray(properties.Roles).some((role) => template.isFunctionRole(template.roleIdOf(role)))
        ? [properties.PolicyDocument]
        : undefined;
    case ResourceType.IAM_ROLE_POLICY:
      return template.isFunctionRole(template.roleIdOf(properties.RoleName)) ? [properties.PolicyDocument] : undefined;
    case ResourceType.IAM_MANAGED_POLICY:
      return template.rolesAttachedTo(resource.logicalId).some((roleId) => template.isFunctionRole(roleId))
        ? [properties.PolicyDocument]
        : undefined;
    default:
      return undefined;
  }
}

/**
 * Whether a resource value is a wildcard over a whole resource type: `*`, or
 * an ARN whose resource name (the bucket for S3, the part after the type word
 * such as `table/` or `function:` otherwise) is missing or starts with `*`.
 */
function isUnscoped(target: RenderedValue): boolean {
  if (target.text === '*') return true;
  if (!target.text.endsWith('*') || target.referencesResource) return false;
  // Pseudo parameters (`<AWS::Partition>`) contain colons: fold them before splitting the ARN.
  const fields = target.text.replace(/<[^<>]*>/g, '\u0001').split(':');
  if (fields[0] !== 'arn' || fields.length < 6) return false;
  const segments = fields.slice(5).join(':').split(/[/:]/).filter((segment) => segment.length > 0);
  const name = fields[2] === 's3' || segments.length === 1 ? segments[0] : segments[1];
  return name === undefined || name.startsWith('*');
}

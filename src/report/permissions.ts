import { pushTo, ScannedStack } from './app-scan';
import { SecurityReportPolicy, SecurityReportStatement } from './schema';
import { asArray, CfnValue, isObject, renderText } from '../guardrails/cfn-values';
import { statementsOf } from '../guardrails/policy-document';
import { ResourceType } from '../guardrails/resource-index';

const AWS_MANAGED_POLICY = /:iam::aws:policy\/(.+)$/;

/** A role's policies and their statements, as reported and as written. */
export interface RolePermissions {
  readonly policies: SecurityReportPolicy[];
  readonly statements: SecurityReportStatement[];
  /** The statements as they are in the template, in the same order. */
  readonly rawStatements: CfnValue[];
}

interface AttachedPolicy {
  readonly name: string;
  readonly kind: string;
  readonly document: CfnValue;
}

/**
 * The permissions of each role of one template: inline policies,
 * `AWS::IAM::Policy`, `AWS::IAM::RolePolicy` and customer-managed policies
 * attached from either side, plus the names of AWS-managed and external ones.
 */
export class PermissionIndex {
  private readonly attached = new Map<string, AttachedPolicy[]>();
  private readonly byRole = new Map<string, RolePermissions>();

  constructor(private readonly scan: ScannedStack) {
    const template = scan.template;
    for (const policy of scan.resourcesOf(ResourceType.IAM_POLICY)) {
      for (const role of asArray(policy.properties.Roles)) {
        this.attach(template.roleIdOf(role), policy.path, policy.type, policy.properties.PolicyDocument);
      }
    }
    for (const policy of scan.resourcesOf(ResourceType.IAM_ROLE_POLICY)) {
      this.attach(template.roleIdOf(policy.properties.RoleName), policy.path, policy.type, policy.properties.PolicyDocument);
    }
    for (const policy of scan.resourcesOf(ResourceType.IAM_MANAGED_POLICY)) {
      for (const roleId of new Set(template.rolesAttachedTo(policy.logicalId))) {
        this.attach(roleId, policy.path, policy.type, policy.properties.PolicyDocument);
      }
    }
  }

  /** The permissions of the role with this logical id (empty for a role defined elsewhere). */
  public of(roleId: string | undefined): RolePermissions {
    const key = roleId ?? '';
    let permissions = this.byRole.get(key);
    if (!permissions) {
      permissions = this.collect(roleId);
      this.byRole.set(key, permissions);
    }
    return permissions;
  }

  private collect(roleId: string | undefined): RolePermissions {
    const result: RolePermissions = { policies: [], statements: [], rawStatements: [] };
    const role = this.scan.resource(roleId, ResourceType.IAM_ROLE);
    if (!role) return result;
    const add = (policy: AttachedPolicy): void => {
      result.policies.push({ name: policy.name, kind: policy.kind });
      for (const statement of statementsOf(policy.document)) {
        result.rawStatements.push(statement);
        result.statements.push(renderStatement(statement, policy.name));
      }
    };
    for (const inline of asArray(role.properties.Policies).filter(isObject)) {
      add({ name: `${role.path}/inline:${renderText(inline.PolicyName)}`, kind: 'inline', document: inline.PolicyDocument });
    }
    for (const arn of asArray(role.properties.ManagedPolicyArns)) {
      // Customer-managed policies of this template are attached from `attached`.
      if (this.scan.referenced(arn, ResourceType.IAM_MANAGED_POLICY)) continue;
      const text = renderText(arn);
      const awsManaged = AWS_MANAGED_POLICY.exec(text);
      result.policies.push(awsManaged ? { name: awsManaged[1], kind: 'aws-managed' } : { name: text, kind: 'external' });
    }
    for (const policy of this.attached.get(role.logicalId) ?? []) add(policy);
    return result;
  }

  private attach(roleId: string | undefined, name: string, kind: string, document: CfnValue): void {
    if (roleId !== undefined) pushTo(this.attached, roleId, { name, kind, document });
  }
}

/** A statement as the report shows it: lists always, tokens rendered. */
export function renderStatement(statement: CfnValue, policy: string): SecurityReportStatement {
  return {
    policy,
    effect: renderText(statement.Effect ?? 'Allow'),
    actions: asArray(statement.Action).map(renderText),
    ...statement.NotAction !== undefined ? { notActions: asArray(statement.NotAction).map(renderText) } : {},
    resources: asArray(statement.Resource).map(renderText),
    ...statement.NotResource !== undefined ? { notResources: asArray(statement.NotResource).map(renderText) } : {},
    ...statement.Condition !== undefined ? { conditions: renderCondition(statement.Condition) } : {},
  };
}

/** A condition block with every value rendered as text (or a list of text). */
export function renderCondition(condition: CfnValue): { [operator: string]: any } {
  if (!isObject(condition)) return { value: renderText(condition) };
  const result: { [operator: string]: any } = {};
  for (const [operator, block] of Object.entries(condition)) {
    if (!isObject(block)) {
      result[operator] = renderText(block);
      continue;
    }
    const keys: { [key: string]: any } = {};
    for (const [key, value] of Object.entries(block)) {
      keys[key] = Array.isArray(value) ? value.map(renderText) : renderText(value);
    }
    result[operator] = keys;
  }
  return result;
}

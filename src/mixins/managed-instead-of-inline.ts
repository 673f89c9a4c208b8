import { CfnResource, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { recordHardening } from './changes';
import { StackLookup } from './hardening-pass';

/** The id of the customer-managed policy that takes an inline policy's place, under it. */
const MANAGED_ID = 'Managed';

/**
 * Replaces the inline `policy`'s resource by a customer-managed policy, under
 * `policy` so dependencies on it follow. Idempotent.
 */
export function managedInsteadOfInline(policy: iam.Policy, mixin: string): iam.ManagedPolicy | undefined {
  const existing = policy.node.tryFindChild(MANAGED_ID);
  if (existing instanceof iam.ManagedPolicy) return existing;
  const inline = policy.node.tryFindChild('Resource');
  if (!(inline instanceof iam.CfnPolicy)) return undefined;
  const principals = policy as unknown as { roles: iam.IRole[]; users: iam.IUser[]; groups: iam.IGroup[] };
  const managed = new iam.ManagedPolicy(policy, MANAGED_ID, {
    description: `Permissions of ${policy.node.path}, formerly an inline policy`,
    document: policy.document,
    roles: [...principals.roles],
    users: [...principals.users],
    groups: [...principals.groups],
  });
  // Dependencies taken on the construct follow the managed policy, which is under it; those taken on the
  // resource itself (aws-cdk-lib's helpers do) are moved to the managed policy's resource.
  const managedResource = managed.node.defaultChild as CfnResource;
  for (const resource of StackLookup.of(Stack.of(policy)).dependentsOf(inline)) {
    if (resource.obtainDependencies().includes(inline)) resource.replaceDependency(inline, managedResource);
  }
  policy.node.tryRemoveChild(inline.node.id);
  recordHardening(managed.node.defaultChild!, mixin, `inline policy ${policy.node.path} turned into this customer-managed policy`);
  return managed;
}

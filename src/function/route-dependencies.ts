import { CfnResource, Lazy, Stack } from 'aws-cdk-lib';
import { Dependable, IConstruct, IDependable } from 'constructs';

/**
 * aws-cdk-lib's `lambda.Function` in a VPC depends on the routes of its subnets
 * (`node.addDependency` on its own node), so that the function is created after
 * them and deleted before them. A construct dependency reaches every resource under
 * the construct: the dead-letter queue, its policy, the log group and the alarm
 * under a SecureFunction were ordered after the routes too, which none of them
 * uses. Each resource under `owned` keeps every other dependency (its own, and
 * those a user adds on the function or above it); only those on the routes go.
 * The function itself keeps them.
 *
 * DependsOn orders creation and deletion only: dropping it changes no resource.
 * The list is computed, uncached, each time the template is resolved: only the last
 * resolution, when the template is written, comes after aws-cdk-lib has turned
 * construct dependencies into resource dependencies. It keeps aws-cdk-lib's order.
 */
export function orderOnlyTheFunctionAfterRoutes(owned: ReadonlyArray<IConstruct>, routes: IDependable): void {
  const routeResources = new Set<IConstruct>();
  for (const root of Dependable.of(routes).dependencyRoots) {
    for (const construct of root.node.findAll()) {
      if (CfnResource.isCfnResource(construct)) routeResources.add(construct);
    }
  }
  if (routeResources.size === 0) return;
  for (const construct of owned) {
    for (const resource of construct.node.findAll()) {
      if (!CfnResource.isCfnResource(resource)) continue;
      const stack = Stack.of(resource);
      resource.addOverride('DependsOn', Lazy.uncachedList({
        produce: () => resource.obtainDependencies()
          .filter((target): target is CfnResource => CfnResource.isCfnResource(target)
            && !routeResources.has(target) && Stack.of(target) === stack && isWritten(target))
          .sort((a, b) => a.node.path.localeCompare(b.node.path))
          .map(target => target.logicalId),
      }, { omitEmpty: true }));
    }
  }
}

/**
 * Whether the resource is written to the template, as aws-cdk-lib asks before it names
 * a resource in DependsOn: an `iam.Policy` with no statements or not attached is not.
 * `shouldSynthesize` is protected in `CfnResource`'s declarations.
 */
function isWritten(resource: CfnResource): boolean {
  return (resource as unknown as { shouldSynthesize(): boolean }).shouldSynthesize();
}

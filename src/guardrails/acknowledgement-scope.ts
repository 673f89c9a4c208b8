/**
 * Since which aws-cdk-lib version CDK core applies an acknowledgement of the
 * `Pack::Rule` form only to the construct that carries it and its children.
 *
 * Measured in aws-cdk-lib's source (`core/lib/private/synthesis-validation.js`):
 * 2.269.0 and 2.270.0 collect every acknowledgement of the app into one map
 * keyed by id (`collectAcknowledgedRuleIds`) and suppress a finding by its id
 * alone, anywhere in the app; 2.271.0 to 2.278.0 keep the path of each
 * (`collectAcknowledgedRules`) and suppress only the findings at or below it
 * (`findClosestAck`). The plain form (`Rule[finding]`) is matched by cdk-nag on
 * the resource and its ancestors in every version.
 */
export const PATH_SCOPED_NAMESPACED_ACKNOWLEDGEMENTS_FROM = '2.271.0';

/** The version of the aws-cdk-lib the app runs with. */
export function installedAwsCdkLibVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return String((require('aws-cdk-lib/package.json') as { version: string }).version);
}

/** Whether CDK core applies a `Pack::Rule` acknowledgement to its construct's subtree only, in `version`. */
export function namespacedAcknowledgementsArePathScoped(version: string = installedAwsCdkLibVersion()): boolean {
  return compareVersions(version, PATH_SCOPED_NAMESPACED_ACKNOWLEDGEMENTS_FROM) >= 0;
}

/**
 * The id to acknowledge `ruleName` (a finding of the plugin whose namespace is
 * `namespace`) with, so that it covers only the construct it is recorded on: the
 * `Pack::Rule` form where CDK core scopes it (and where only CDK core reads
 * acknowledgements), else the plain form, which cdk-nag packs and
 * ControlTowerChecks scope themselves.
 */
export function scopedAcknowledgementId(namespace: string, ruleName: string, filtersItself: boolean, version?: string): string {
  return filtersItself && !namespacedAcknowledgementsArePathScoped(version) ? ruleName : `${namespace}::${ruleName}`;
}

function compareVersions(a: string, b: string): number {
  const [x, y] = [a, b].map((v) => v.split(/[.-]/).slice(0, 3).map((part) => parseInt(part, 10) || 0));
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return 0;
}

import { ObservedReport } from './stale-acknowledgements';
import { installedAwsCdkLibVersion, namespacedAcknowledgementsArePathScoped, scopedAcknowledgementId } from '../guardrails/acknowledgement-scope';

/**
 * How to acknowledge the first open finding on its construct only, in the id
 * form that the installed aws-cdk-lib scopes: aws-cdk-lib's own output suggests
 * `Pack::Rule`, which up to 2.270 silences the rule across the whole app.
 */
export function acknowledgementHint(results: readonly ObservedReport[], failingPacks: readonly string[]): string | undefined {
  const failing = failingPacks.map((pack) => pack.replace(/ /g, '-'));
  for (const { namespace, report, filtersAcknowledgements } of results) {
    if (!failing.includes(namespace)) continue;
    const violation = report.violations.find((v) => v.severity?.toLowerCase() !== 'fatal' && v.violatingResources.length > 0);
    if (!violation) continue;
    const id = scopedAcknowledgementId(namespace, violation.ruleName, filtersAcknowledgements);
    const version = installedAwsCdkLibVersion();
    const scope = namespacedAcknowledgementsArePathScoped(version)
      ? `aws-cdk-lib ${version} applies it to that construct and its children`
      : `with aws-cdk-lib ${version} a '${namespace}::...' id would silence the rule across the whole app`;
    return 'to accept one with its reason, acknowledge it on its construct: '
      + `Validations.of(${violation.violatingResources[0].constructPath ?? 'construct'}).acknowledge({ id: '${id}', reason }); ${scope}`;
  }
  return undefined;
}


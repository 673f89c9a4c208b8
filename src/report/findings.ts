import { IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport } from 'aws-cdk-lib';
import { SecurityReportAcknowledgement, SecurityReportPackFindings } from './schema';

/**
 * Records the results of other validation plugins, which CDK does not show to
 * a plugin: each plugin's `validate` is wrapped to keep its last report. The
 * plugins must run before the report, i.e. be registered before it.
 */
export class PluginObserver {
  private readonly results = new Map<IPolicyValidationPlugin, PolicyValidationPluginReport>();

  constructor(private readonly plugins: readonly IPolicyValidationPlugin[]) {
    for (const plugin of plugins) {
      const validate = plugin.validate.bind(plugin);
      (plugin as { validate: (context: IPolicyValidationContext) => PolicyValidationPluginReport }).validate = (context) => {
        const report = validate(context);
        this.results.set(plugin, report);
        return report;
      };
    }
  }

  /**
   * Findings per pack: open ones for each observed plugin (after the
   * acknowledgements CDK core applies, keyed `<Plugin>::<rule>`), and the
   * acknowledgements of every pack, observed or not, by rule-id prefix.
   *
   * @param acknowledgementKeys every acknowledgement key in the app, as CDK core stores it
   * @param acknowledgements the acknowledgements of the report
   */
  public findings(
    acknowledgementKeys: ReadonlySet<string>,
    acknowledgements: readonly SecurityReportAcknowledgement[],
  ): SecurityReportPackFindings[] {
    const acknowledged = new Map<string, number>();
    for (const { rule } of acknowledgements) acknowledged.set(packOf(rule), (acknowledged.get(packOf(rule)) ?? 0) + 1);
    const result: SecurityReportPackFindings[] = [];
    const seen = new Set<string>();
    for (const plugin of this.plugins) {
      // CDK core names a plugin's acknowledgements with its name, spaces as hyphens.
      const namespace = plugin.name.replace(/ /g, '-');
      if (seen.has(namespace)) continue;
      seen.add(namespace);
      const report = this.results.get(plugin);
      result.push({
        pack: plugin.name,
        observed: report !== undefined,
        ...report ? { open: openFindings(namespace, report, acknowledgementKeys) } : {},
        acknowledged: acknowledged.get(namespace) ?? 0,
      });
    }
    for (const pack of [...acknowledged.keys()].sort()) {
      if (!seen.has(pack)) result.push({ pack, observed: false, acknowledged: acknowledged.get(pack)! });
    }
    return result;
  }
}

/** Findings (one per rule and resource) that CDK core does not filter as acknowledged. */
function openFindings(namespace: string, report: PolicyValidationPluginReport, acknowledgementKeys: ReadonlySet<string>): number {
  let open = 0;
  for (const violation of report.violations) {
    const key = (namespaceOf(violation.ruleName) !== undefined ? violation.ruleName : `${namespace}::${violation.ruleName}`).replace(/ /g, '-');
    const suppressed = violation.severity?.toLowerCase() !== 'fatal' && acknowledgementKeys.has(key);
    if (!suppressed) open += Math.max(1, violation.violatingResources.length);
  }
  return open;
}

/**
 * The pack a rule id belongs to: the namespace of `Pack::Rule`, else the
 * prefix of `Pack-Rule` (`AwsSolutions-IAM5[Resource::*]` is AwsSolutions),
 * else `Annotation`.
 */
export function packOf(rule: string): string {
  return namespaceOf(rule) ?? /^([A-Za-z][\w.]*)-/.exec(rule)?.[1] ?? 'Annotation';
}

/** The namespace before a `::` that is not inside brackets (`[Resource::*]` is part of the rule). */
function namespaceOf(rule: string): string | undefined {
  const outside = rule.replace(/\[[^\]]*\]|\([^)]*\)|\{[^}]*\}/g, (match) => ' '.repeat(match.length));
  const at = outside.indexOf('::');
  return at > 0 ? rule.slice(0, at) : undefined;
}

import { CloudFormationValidatePlugin, IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport } from 'aws-cdk-lib';
import { NagPack } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { SecurityReportAcknowledgement, SecurityReportPackFindings } from './schema';
import { ObservedReport } from './stale-acknowledgements';
import { recordNagPackUse, startAcknowledgementRun } from '../guardrails/acknowledgement-use';
import { SKIPPED_REPORT } from '../guardrails/built-in-validation';
import { ControlTowerChecks } from '../guardrails/control-tower-checks';

/** A plugin's last result and the templates it validated. */
interface PluginResult {
  readonly templates: string;
  readonly report: PolicyValidationPluginReport;
}

/**
 * The last result of each observed plugin. One wrapper per plugin, however many
 * reports observe it: aws-cdk-lib's built-in template validation is one shared
 * instance for every app of the process.
 */
const lastResults = new WeakMap<IPolicyValidationPlugin, PluginResult | undefined>();

function observe(plugin: IPolicyValidationPlugin): void {
  if (lastResults.has(plugin)) return;
  lastResults.set(plugin, undefined);
  const namespace = namespaceOfPlugin(plugin);
  recordNagPackUse(plugin, namespace);
  const validate = plugin.validate.bind(plugin);
  (plugin as { validate: (context: IPolicyValidationContext) => PolicyValidationPluginReport }).validate = (context) => {
    const app = (context as { appConstruct?: IConstruct }).appConstruct;
    if (app) startAcknowledgementRun(app, namespace);
    const report = validate(context);
    lastResults.set(plugin, report === SKIPPED_REPORT ? undefined : { templates: templatesKey(context.templatePaths), report });
    return report;
  };
}

function templatesKey(templatePaths: readonly string[]): string {
  return JSON.stringify([...templatePaths].sort());
}

/**
 * Records the results of other validation plugins, which CDK does not show to
 * a plugin: each plugin's `validate` is wrapped to keep its last report. The
 * plugins must run before the report, i.e. be registered before it; a result
 * counts for the report whose synth validated the same templates.
 */
export class PluginObserver {
  constructor(private readonly plugins: readonly IPolicyValidationPlugin[]) {
    plugins.forEach(observe);
  }

  /** The namespace of every plugin given, observed or not. */
  public get namespaces(): Set<string> {
    return new Set(this.plugins.map(namespaceOfPlugin));
  }

  /**
   * The results of the plugins that validated these templates, as each
   * returned it (before CDK core filters acknowledged findings).
   *
   * @param templatePaths the templates of this synth, as the report's validation context lists them
   */
  public observedReports(templatePaths: readonly string[]): ObservedReport[] {
    const templates = templatesKey(templatePaths);
    return this.plugins.flatMap((plugin) => {
      const last = lastResults.get(plugin);
      if (last?.templates !== templates) return [];
      const filtersAcknowledgements = plugin instanceof NagPack || plugin instanceof ControlTowerChecks;
      return [{ namespace: namespaceOfPlugin(plugin), report: last.report, filtersAcknowledgements }];
    });
  }

  /**
   * Findings per pack: open ones for each observed plugin (after the
   * acknowledgements CDK core applies, keyed `<Plugin>::<rule>`), and the
   * acknowledgements of every pack, observed or not, by rule-id prefix.
   *
   * @param templatePaths the templates of this synth, as the report's validation context lists them
   * @param acknowledgementKeys every acknowledgement key in the app, as CDK core stores it
   * @param acknowledgements the acknowledgements of the report
   */
  public findings(
    templatePaths: readonly string[],
    acknowledgementKeys: ReadonlySet<string>,
    acknowledgements: readonly SecurityReportAcknowledgement[],
  ): SecurityReportPackFindings[] {
    const templates = templatesKey(templatePaths);
    const acknowledged = new Map<string, number>();
    for (const { rule } of acknowledgements) acknowledged.set(packOf(rule), (acknowledged.get(packOf(rule)) ?? 0) + 1);
    const result: SecurityReportPackFindings[] = [];
    const seen = new Set<string>();
    for (const plugin of this.plugins) {
      const namespace = namespaceOfPlugin(plugin);
      if (seen.has(namespace)) continue;
      seen.add(namespace);
      const last = lastResults.get(plugin);
      const report = last?.templates === templates ? last.report : undefined;
      const open = report ? openFindings(namespace, report, acknowledgementKeys) : undefined;
      result.push({
        pack: plugin.name,
        observed: open !== undefined,
        ...open ? { open: open.count } : {},
        acknowledged: acknowledged.get(namespace) ?? 0,
        // aws-cdk-lib reports the findings of its own template validation as warnings that never fail the synth.
        ...open ? { failsSynth: open.fails && !(plugin instanceof CloudFormationValidatePlugin) } : {},
      });
    }
    for (const pack of [...acknowledged.keys()].sort()) {
      if (!seen.has(pack)) result.push({ pack, observed: false, acknowledged: acknowledged.get(pack)! });
    }
    return result;
  }
}

/**
 * Findings (one per rule and resource) that CDK core does not filter as
 * acknowledged, and whether they fail the synth as CDK core decides it: by the
 * plugin's own verdict, or, once CDK filtered some of its findings, by whether
 * an open one is an error.
 */
function openFindings(
  namespace: string,
  report: PolicyValidationPluginReport,
  acknowledgementKeys: ReadonlySet<string>,
): { count: number; fails: boolean } {
  let count = 0;
  let suppressedAny = false;
  let openError = false;
  for (const violation of report.violations) {
    const key = (namespaceOf(violation.ruleName) !== undefined ? violation.ruleName : `${namespace}::${violation.ruleName}`).replace(/ /g, '-');
    const severity = violation.severity?.toLowerCase();
    const suppressed = severity !== 'fatal' && acknowledgementKeys.has(key);
    suppressedAny ||= suppressed;
    if (suppressed) continue;
    count += Math.max(1, violation.violatingResources.length);
    openError ||= severity === 'error' || severity === 'fatal';
  }
  return { count, fails: suppressedAny ? openError : !report.success };
}

/** CDK core names a plugin's acknowledgements with its name, spaces as hyphens. */
function namespaceOfPlugin(plugin: IPolicyValidationPlugin): string {
  return plugin.name.replace(/ /g, '-');
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
export function namespaceOf(rule: string): string | undefined {
  const outside = rule.replace(/\[[^\]]*\]|\([^)]*\)|\{[^}]*\}/g, (match) => ' '.repeat(match.length));
  const at = outside.indexOf('::');
  return at > 0 ? rule.slice(0, at) : undefined;
}

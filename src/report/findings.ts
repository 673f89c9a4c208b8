import {
  CloudFormationValidatePlugin, IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport, PolicyViolation, Stage,
} from 'aws-cdk-lib';
import { NagPack } from 'cdk-nag';
import { rememberRule } from './rule-texts';
import { SecurityReportAcknowledgement, SecurityReportPackFindings } from './schema';
import { SKIPPED_REPORT } from '../guardrails/built-in-validation';

/** An open finding as a pack reported it, before the report places it in a stack. */
export interface ObservedFinding {
  readonly rule: string;
  readonly pack: string;
  readonly severity: string;
  readonly description: string;
  /** The construct path the pack names (cdk-nag and our packs do). */
  readonly constructPath?: string;
  /** The template and logical id the pack names (cfn-guard and aws-cdk-lib's template validation do). */
  readonly templatePath?: string;
  readonly logicalId?: string;
}

/** The findings of a synth: per pack, and each open one. */
export interface ObservedFindings {
  readonly packs: SecurityReportPackFindings[];
  readonly open: ObservedFinding[];
}

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
  if (plugin instanceof NagPack) rememberNagRules(plugin);
  const validate = plugin.validate.bind(plugin);
  (plugin as { validate: (context: IPolicyValidationContext) => PolicyValidationPluginReport }).validate = (context) => {
    const report = validate(context);
    lastResults.set(plugin, report === SKIPPED_REPORT ? undefined : { templates: templatesKey(context.templatePaths), report });
    return report;
  };
}

/**
 * Remembers the description of every rule a cdk-nag pack applies, whether or
 * not it finds anything: a finding the pack drops as acknowledged reaches no
 * one else, and its acknowledgement is still reported with the rule's help.
 */
function rememberNagRules(pack: NagPack): void {
  const target = pack as unknown as { applyRule: (params: NagRuleParams) => void; readPackName: string };
  const applyRule = target.applyRule.bind(pack);
  const seen = new Set<string>();
  target.applyRule = (params) => {
    const id = `${target.readPackName}-${params.ruleSuffixOverride ?? params.rule.name}`;
    if (!seen.has(id)) {
      seen.add(id);
      rememberRule(id, { description: params.info, explanation: params.explanation, level: params.level === 'Error' ? 'error' : 'warning' });
    }
    applyRule(params);
  };
}

/** What cdk-nag's `applyRule` is given (its `IApplyRule`). */
interface NagRuleParams {
  readonly ruleSuffixOverride?: string;
  readonly info: string;
  readonly explanation: string;
  readonly level: string;
  readonly rule: { readonly name: string };
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

  /**
   * Findings per pack: open ones for each observed plugin (after the
   * acknowledgements CDK core applies, keyed `<Plugin>::<rule>`), and the
   * acknowledgements of every pack, observed or not, by rule-id prefix.
   *
   * @param templatePaths the templates of this synth, as the report's validation context lists them
   * @param acknowledgementKeys every acknowledgement key in the app, as CDK core stores it
   * @param acknowledgements the acknowledgements of the report
   * @param app the app, whose registered plugins say which packs ran
   */
  public findings(
    templatePaths: readonly string[],
    acknowledgementKeys: ReadonlySet<string>,
    acknowledgements: readonly SecurityReportAcknowledgement[],
    app?: Stage,
  ): ObservedFindings {
    const templates = templatesKey(templatePaths);
    const acknowledged = new Map<string, number>();
    for (const { rule } of acknowledgements) acknowledged.set(packOf(rule), (acknowledged.get(packOf(rule)) ?? 0) + 1);
    const packs: SecurityReportPackFindings[] = [];
    const open: ObservedFinding[] = [];
    const seen = new Set<string>();
    for (const plugin of this.plugins) {
      const namespace = namespaceOfPlugin(plugin);
      if (seen.has(namespace)) continue;
      seen.add(namespace);
      const last = lastResults.get(plugin);
      const report = last?.templates === templates ? last.report : undefined;
      const found = report ? openFindings(plugin.name, namespace, report, acknowledgementKeys) : undefined;
      open.push(...found?.findings ?? []);
      packs.push({
        pack: plugin.name,
        ran: true,
        observed: found !== undefined,
        ...found ? { open: found.findings.length } : {},
        acknowledged: acknowledged.get(namespace) ?? 0,
        // aws-cdk-lib reports the findings of its own template validation as warnings that never fail the synth.
        ...found ? { failsSynth: found.fails && !(plugin instanceof CloudFormationValidatePlugin) } : {},
      });
    }
    const registered = new Set(app ? registeredPlugins(app).map(namespaceOfPlugin) : []);
    for (const pack of [...acknowledged.keys()].sort()) {
      if (!seen.has(pack)) packs.push({ pack, ran: registered.has(pack), observed: false, acknowledged: acknowledged.get(pack)! });
    }
    return { packs, open };
  }
}

/** CDK core names a plugin's acknowledgements with its name, spaces as hyphens. */
function namespaceOfPlugin(plugin: IPolicyValidationPlugin): string {
  return plugin.name.replace(/ /g, '-');
}

/**
 * The plugins registered on the app and its nested stages, which run at synth
 * (aws-cdk-lib keeps them on each stage; an app registers them with
 * `Validations.of(app).addPlugins`).
 */
function registeredPlugins(app: Stage): IPolicyValidationPlugin[] {
  const plugins: IPolicyValidationPlugin[] = [];
  const visit = (stage: Stage): void => {
    plugins.push(...(stage as unknown as { _validationPlugins?: IPolicyValidationPlugin[] })._validationPlugins ?? []);
  };
  visit(app);
  for (const child of app.node.findAll()) if (child !== app && Stage.isStage(child)) visit(child);
  return plugins;
}

/**
 * Findings (one per rule and resource) that CDK core does not filter as
 * acknowledged, and whether they fail the synth as CDK core decides it: by the
 * plugin's own verdict, or, once CDK filtered some of its findings, by whether
 * an open one is an error. Remembers every rule's description, filtered or not.
 */
function openFindings(
  pack: string,
  namespace: string,
  report: PolicyValidationPluginReport,
  acknowledgementKeys: ReadonlySet<string>,
): { findings: ObservedFinding[]; fails: boolean } {
  const findings: ObservedFinding[] = [];
  let suppressedAny = false;
  let openError = false;
  for (const violation of report.violations) {
    const key = (namespaceOf(violation.ruleName) !== undefined ? violation.ruleName : `${namespace}::${violation.ruleName}`).replace(/ /g, '-');
    const severity = violation.severity?.toLowerCase() ?? 'error';
    rememberRule(violation.ruleName, { description: violation.description, fix: violation.fix, level: severity === 'fatal' ? 'error' : severity });
    const suppressed = severity !== 'fatal' && acknowledgementKeys.has(key);
    suppressedAny ||= suppressed;
    if (suppressed) continue;
    findings.push(...findingsOf(pack, violation, severity));
    openError ||= severity === 'error' || severity === 'fatal';
  }
  return { findings, fails: suppressedAny ? openError : !report.success };
}

/** One finding per resource a violation names (one without a resource when it names none). */
function findingsOf(pack: string, violation: PolicyViolation, severity: string): ObservedFinding[] {
  const base = { rule: violation.ruleName, pack, severity, description: violation.description };
  if (violation.violatingResources.length === 0) return [base];
  return violation.violatingResources.map((resource) => {
    const { constructPath, templatePath, resourceLogicalId } = resource;
    return {
      ...base,
      ...constructPath ? { constructPath } : {},
      ...templatePath ? { templatePath } : {},
      ...resourceLogicalId ? { logicalId: resourceLogicalId } : {},
    };
  });
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

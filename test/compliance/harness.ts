import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, CfnElement, PolicyValidationPluginReport, PolicyViolationBeta1, Stack, Stage } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks, ServerlessChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { ComplianceProfile } from '../../src/core/profile';
import { ServerlessSecurityChecks } from '../../src/guardrails';
import { controlTowerFinding, isAcknowledged } from '../../src/guardrails/acknowledged';
import { bundledControlTowerRules, controlTowerRuleFiles } from '../../src/guardrails/control-tower-rules';
import { DeployabilityChecks } from '../../src/guardrails/deployability-checks';

/** Anything that checks a construct tree the way a cdk-nag pack does. */
export interface ScopePack {
  readonly name: string;
  validateScope(scope: IConstruct): PolicyValidationPluginReport;
}

/** One unacknowledged finding on one resource. */
export interface Finding {
  /** The pack name, or `ControlTower` for the bundled cfn-guard rules. */
  readonly source: string;
  /** The id to acknowledge, e.g. `AwsSolutions-IAM5[Resource::*]` or `ControlTower-CT.SQS.PR.1`. */
  readonly rule: string;
  /** Construct path of the resource, e.g. `Stack/Queue/Resource`. */
  readonly path: string;
  readonly message: string;
}

export interface FindingsOptions {
  readonly profile: ComplianceProfile;
  /**
   * Whether to run the AWS Control Tower proactive controls (cfn-guard).
   *
   * @default true
   */
  readonly guard?: boolean;
  /**
   * Packs to run besides the profile's packs (ServerlessSecurityChecks and the cdk-nag packs).
   *
   * @default - none
   */
  readonly extraPacks?: readonly ScopePack[];
}

export const CONTROL_TOWER = 'ControlTower';

/** cfn-guard prints one result per rule and template; the 1 MB default overflows on large apps. */
const GUARD_MAX_BUFFER = 512 * 1024 * 1024;

/**
 * Synthesizes each app and returns its unacknowledged findings, one list per app
 * in the order given. The guard rules run once over the templates of all apps.
 */
export function findingsFor(apps: readonly App[], options: FindingsOptions): Finding[][] {
  const indexes = apps.map(indexApp);
  const packs = [...packsFor(options.profile), ...options.extraPacks ?? []];
  const findings = indexes.map(index => packs.flatMap(pack => packFindings(pack, index)));
  if (options.guard ?? true) {
    for (const [appIndex, finding] of guardFindings(indexes)) findings[appIndex].push(finding);
  }
  return findings.map(dedupe);
}

/** Findings of a single app. */
export function findingsOf(app: App, options: FindingsOptions): Finding[] {
  return findingsFor([app], options)[0];
}

/** Throws an error listing every unacknowledged finding of the app(s), if any. */
export function expectNoFindings(apps: App | readonly App[], options: FindingsOptions): void {
  const list = Array.isArray(apps) ? apps : [apps as App];
  const perApp = findingsFor(list, options);
  const failing = perApp.map((findings, i) => ({ findings, i })).filter(({ findings }) => findings.length > 0);
  if (failing.length === 0) return;
  const sections = failing.map(({ findings, i }) =>
    (list.length > 1 ? `App ${i + 1} of ${list.length}:\n` : '') + formatFindings(findings));
  throw new Error(`${options.profile} profile:\n${sections.join('\n\n')}`);
}

/** One line per finding, grouped by source, sorted by rule and path. */
export function formatFindings(findings: readonly Finding[]): string {
  if (findings.length === 0) return 'No unacknowledged findings.';
  const lines = [`${findings.length} unacknowledged finding(s):`];
  for (const [source, group] of groupBySource(findings)) {
    lines.push(`  ${source} (${group.length})`);
    const width = Math.max(...group.map(f => f.rule.length));
    for (const f of [...group].sort(byRuleThenPath)) {
      lines.push(`    ${f.rule.padEnd(width)}  ${f.path}  ${f.message}`);
    }
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------
// cdk-nag packs

const cdkNagPacks = new Map<string, ScopePack>();

/** Pack instances are shared because `validateScope` resets its state on every call. */
function cdkNagPack(name: string, create: () => ScopePack): ScopePack {
  let pack = cdkNagPacks.get(name);
  if (!pack) {
    pack = create();
    cdkNagPacks.set(name, pack);
  }
  return pack;
}

function packsFor(profile: ComplianceProfile): ScopePack[] {
  const standard = [
    cdkNagPack('ServerlessSecurity-Deployability', () => new DeployabilityChecks()),
    cdkNagPack('ServerlessSecurity', () => new ServerlessSecurityChecks()),
    cdkNagPack('AwsSolutions', () => new AwsSolutionsChecks()),
    cdkNagPack('Serverless', () => new ServerlessChecks()),
  ];
  if (profile === ComplianceProfile.STANDARD) return standard;
  return [
    ...standard,
    cdkNagPack('HIPAA', () => new HIPAASecurityChecks()),
    cdkNagPack('NIST', () => new NIST80053R5Checks()),
    cdkNagPack('PCI', () => new PCIDSS321Checks()),
  ];
}

function packFindings(pack: ScopePack, index: AppIndex): Finding[] {
  const namespace = namespaceOf(pack.name);
  return pack.validateScope(index.app).violations.flatMap(violation =>
    violation.violatingResources.flatMap((resource): Finding[] => {
      const constructPath = resource.constructPath ?? resource.resourceLogicalId ?? '(unknown resource)';
      const qualified = qualifiedId(namespace, violation.ruleName);
      // cdk-nag filters the plain form itself; CDK core would match `Pack::Rule` app-wide,
      // so the harness accepts it only on the resource and its ancestors. A fatal finding takes none.
      if (violation.severity !== 'fatal' && isAcknowledged(index.byPath.get(constructPath), [qualified])) return [];
      return [{ source: pack.name, rule: violation.ruleName, path: constructPath, message: violation.description }];
    }));
}

/** What `namespaceFromPluginName` in aws-cdk-lib does to a plugin name. */
function namespaceOf(pluginName: string): string {
  return pluginName.replace(/ /g, '-');
}

/** The metadata key `Validations.acknowledge` stores for `<namespace>::<rule>`. */
function qualifiedId(namespace: string, ruleName: string): string {
  return ruleName.includes('::') ? ruleName : `${namespace}::${ruleName}`;
}

// ---------------------------------------------------------------------------
// Control Tower guard rules

/** Runs cfn-guard once over every template and returns each finding with its app's position. */
function guardFindings(indexes: readonly AppIndex[]): Array<[number, Finding]> {
  const templates = new Map<string, StackTemplate>();
  indexes.forEach(index => index.templates.forEach(t => templates.set(t.templatePath, t)));
  const templatePaths = [...templates.keys()];
  keepForComparison(templatePaths);
  // As ControlTowerChecks does: only the rules that can report on the templates' resource types.
  const rules = controlTowerRuleFiles(bundledControlTowerRules(), templatePaths);
  if (rules.length === 0) return [];
  const report = new CfnGuardValidator({ controlTowerRulesEnabled: false, rules, maxBuffer: GUARD_MAX_BUFFER }).validate({
    templatePaths,
    // The guard plugin reads templates only; any construct satisfies the type.
    appConstruct: indexes[0].app,
  });
  return report.violations.flatMap(violation => violation.violatingResources.flatMap(resource => {
    const template = templates.get(path.resolve(resource.templatePath));
    if (!template) throw new Error(`cfn-guard reported a template the harness did not pass: ${resource.templatePath}`);
    const finding = guardFinding(violation, template, resource.resourceLogicalId);
    return finding ? [[template.appIndex, finding] as [number, Finding]] : [];
  }));
}

/**
 * With `CONTROL_TOWER_TEMPLATES` set to a directory, copies each template the
 * guard rules check there, named after the test file, for the comparison of
 * the two Control Tower engines (`test/compliance/control-tower-engines.ts`).
 */
function keepForComparison(templatePaths: readonly string[]): void {
  const directory = process.env.CONTROL_TOWER_TEMPLATES;
  if (!directory) return;
  fs.mkdirSync(directory, { recursive: true });
  const testFile = path.basename(expect.getState().testPath ?? 'unknown', '.test.ts');
  for (const templatePath of templatePaths) {
    const name = `${testFile}-${createHash('sha256').update(templatePath).digest('hex').slice(0, 8)}-${path.basename(templatePath)}`;
    fs.copyFileSync(templatePath, path.join(directory, name));
  }
}

/**
 * The same parsing and scoped acknowledgements as the library's ControlTowerChecks:
 * an acknowledgement counts only on the resource and its ancestors.
 */
function guardFinding(violation: PolicyViolationBeta1, template: StackTemplate, logicalId: string): Finding | undefined {
  const { id, message, acknowledgementKeys } = controlTowerFinding(violation.description, violation.ruleName);
  const construct = template.byLogicalId.get(logicalId);
  if (isAcknowledged(construct, acknowledgementKeys)) return undefined;
  const constructPath = construct?.node.path ?? `${template.stack.node.path}/${logicalId}`;
  return { source: CONTROL_TOWER, rule: id, path: constructPath, message };
}

// ---------------------------------------------------------------------------
// Synthesized apps

interface StackTemplate {
  readonly appIndex: number;
  readonly stack: Stack;
  readonly templatePath: string;
  readonly byLogicalId: Map<string, IConstruct>;
}

interface AppIndex {
  readonly app: App;
  readonly byPath: Map<string, IConstruct>;
  readonly templates: StackTemplate[];
}

/**
 * Synthesizes the app (so aspects have run, as they have when packs run in a real
 * synth) and indexes its constructs by path and each stack's template by logical id.
 */
function indexApp(app: App, appIndex: number): AppIndex {
  synthWithoutDefaultValidation(app);
  const constructs = app.node.findAll();
  const byPath = new Map(constructs.map(c => [c.node.path, c]));
  const stacks = constructs.filter(Stack.isStack);
  const byStack = new Map(stacks.map(stack => [stack, new Map<string, IConstruct>()]));
  for (const element of constructs.filter(CfnElement.isCfnElement)) {
    byStack.get(element.stack)?.set(element.stack.resolve(element.logicalId), element);
  }
  const templates = stacks.map(stack => ({
    appIndex,
    stack,
    templatePath: path.resolve(Stage.of(stack)!.outdir, stack.templateFile),
    byLogicalId: byStack.get(stack)!,
  }));
  return { app, byPath, templates };
}

/**
 * aws-cdk-lib's built-in template validation adds about 4 s to the first synth of
 * each test file and checks nothing the harness reports; it reads the variable at synth.
 */
function synthWithoutDefaultValidation(app: App): void {
  const previous = process.env.CDK_VALIDATION;
  process.env.CDK_VALIDATION = 'false';
  try {
    app.synth();
  } finally {
    if (previous === undefined) delete process.env.CDK_VALIDATION;
    else process.env.CDK_VALIDATION = previous;
  }
}

function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter(f => {
    const key = `${f.source}\0${f.rule}\0${f.path}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function groupBySource(findings: readonly Finding[]): Map<string, Finding[]> {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) groups.set(f.source, [...groups.get(f.source) ?? [], f]);
  return groups;
}

function byRuleThenPath(a: Finding, b: Finding): number {
  return a.rule.localeCompare(b.rule) || a.path.localeCompare(b.path);
}

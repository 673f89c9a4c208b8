/**
 * Compares the two engines that can run the AWS Control Tower proactive controls,
 * rule by rule, over the templates of the compliance matrices:
 *
 * - cfn-guard, as `ControlTowerChecks` runs it (the binary of `@cdklabs/cdk-validator-cfnguard`);
 * - aws-cdk-lib's built-in template validation engine, which `CloudFormationValidatePlugin`
 *   gives Guard rules with its `guardRules` prop.
 *
 * Collect the templates, then compare (optionally with the engine of another aws-cdk-lib install,
 * e.g. the newest release: a directory holding `node_modules/aws-cdk-lib`):
 *
 *   CONTROL_TOWER_TEMPLATES=/tmp/ct npx jest test/compliance/*.compliance.test.ts
 *   npx ts-node --transpile-only -P test/tsconfig.json test/compliance/control-tower-engines.ts /tmp/ct [/path/to/install]
 *
 * It prints, for every rule file, the resources each engine fails, and every verdict that differs.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App } from 'aws-cdk-lib';
import { bundledControlTowerRules, controlTowerRuleFiles } from '../../src/guardrails/control-tower-rules';
import { ENV } from '../core/fixtures';

/** One failed resource: the control, the template and the resource's logical id. */
type Verdict = string;

const verdict = (control: string, template: string, logicalId: string): Verdict => `${control}|${path.basename(template)}|${logicalId}`;

/** The control a rule file checks, e.g. `CT.SQS.PR.1`, from the message it reports. */
function controlOf(ruleFile: string): string {
  return /\[(CT\.[A-Z0-9]+\.PR\.\d+)\]/.exec(fs.readFileSync(ruleFile, 'utf-8'))?.[1] ?? path.basename(ruleFile, '.guard');
}

function guardFiles(directory: string): string[] {
  return fs.readdirSync(directory, { withFileTypes: true }).flatMap(entry => {
    const full = path.join(directory, entry.name);
    return entry.isDirectory() ? guardFiles(full) : entry.name.endsWith('.guard') ? [full] : [];
  }).sort();
}

/** cfn-guard's failures, with the rule files that can report on the templates (the others SKIP), as ControlTowerChecks runs them. */
function cfnGuardVerdicts(templates: readonly string[]): Set<Verdict> {
  const failed = new Set<Verdict>();
  // In batches: cfn-guard prints one result per rule and template.
  for (let i = 0; i < templates.length; i += 50) {
    const batch = templates.slice(i, i + 50);
    const rules = controlTowerRuleFiles(bundledControlTowerRules(), batch);
    const report = new CfnGuardValidator({ controlTowerRulesEnabled: false, rules, maxBuffer: 1024 * 1024 * 1024 })
      .validate({ templatePaths: [...batch], appConstruct: new App() } as any);
    for (const violation of report.violations) {
      const control = /^\s*\[([^\]]+)\]/.exec(violation.description)?.[1] ?? violation.ruleName;
      for (const resource of violation.violatingResources) failed.add(verdict(control, resource.templatePath, resource.resourceLogicalId));
    }
  }
  return failed;
}

interface EngineModule {
  RegoEngine: new (config: object) => {
    validateDetailed(file: unknown, config: object): { diagnostics: any[] };
    listRules(): Array<{ id: string; origin: string }>;
  };
  TemplateFile: new (file: string) => unknown;
  version(): string;
}

/** The built-in engine's failures with every rule file, or why it cannot run them. */
function builtInVerdicts(
  install: string, ruleFiles: readonly string[], templates: readonly string[],
): { version: string; failed?: Set<Verdict>; rejected: Map<string, string[]> } {
  const engineDirectory = path.join(install, 'node_modules', 'aws-cdk-lib', 'node_modules', '@aws', 'cloudformation-validate');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const engine: EngineModule = require(engineDirectory);
  const rules = ruleFiles.map(file => ({ name: path.basename(file, '.guard'), content: fs.readFileSync(file, 'utf-8') }));
  const rejected = new Map<string, string[]>();
  let validator: InstanceType<EngineModule['RegoEngine']>;
  try {
    validator = new engine.RegoEngine({ guardRules: rules });
  } catch {
    // Which rules, and why: one engine per rule (each takes seconds to start).
    for (const rule of rules) {
      try {
        new engine.RegoEngine({ guardRules: [rule] });
      } catch (error) {
        const reason = String((error as Error).message ?? error).replace(/'[^']*'/g, '…');
        rejected.set(reason, [...rejected.get(reason) ?? [], rule.name]);
      }
    }
    return { version: engine.version(), rejected };
  }
  const ids = validator.listRules().filter(rule => rule.origin === 'GUARD').map(rule => rule.id);
  const failed = new Set<Verdict>();
  for (const template of templates) {
    const report = validator.validateDetailed(new engine.TemplateFile(template), {
      include: { ids },
      severityLevel: 'INFO',
      pseudoParameterOverrides: { accountId: ENV.account, region: ENV.region },
    });
    for (const diagnostic of report.diagnostics) {
      if (diagnostic.source !== 'GUARD' || !diagnostic.entity?.logicalId) continue;
      const control = /\[([^\]]+)\]/.exec(diagnostic.ruleDescription ?? '')?.[1] ?? diagnostic.ruleId;
      failed.add(verdict(control, template, diagnostic.entity.logicalId));
    }
  }
  return { version: engine.version(), failed, rejected };
}

function main(): void {
  const [directory, install = path.join(__dirname, '..', '..')] = process.argv.slice(2);
  if (!directory) throw new Error('usage: control-tower-engines.ts <templates directory> [aws-cdk-lib install directory]');
  const templates = fs.readdirSync(directory).filter(file => file.endsWith('.json')).map(file => path.join(directory, file)).sort();
  const ruleFiles = guardFiles(bundledControlTowerRules());
  const controls = new Map(ruleFiles.map(file => [controlOf(file), path.basename(file, '.guard')]));
  const awsCdkLib = JSON.parse(fs.readFileSync(path.join(install, 'node_modules', 'aws-cdk-lib', 'package.json'), 'utf-8')).version;
  console.log(`${ruleFiles.length} Control Tower rule files, ${templates.length} templates of the compliance matrices, aws-cdk-lib ${awsCdkLib}`);

  const builtIn = builtInVerdicts(install, ruleFiles, templates);
  console.log(`built-in engine: @aws/cloudformation-validate ${builtIn.version}`);
  if (!builtIn.failed) {
    for (const [reason, rules] of builtIn.rejected) console.log(`  rejects ${rules.length} of ${ruleFiles.length} rule files: ${reason} (${rules.slice(0, 3).join(', ')}, ...)`);
    console.log('verdicts: none from the built-in engine, which cannot load the rules; cfn-guard not compared');
    return;
  }
  const guard = cfnGuardVerdicts(templates);

  const rows: string[] = ['| Control | Rule file | Failed by both | cfn-guard only | built-in only |', '| --- | --- | --- | --- | --- |'];
  const differing: string[] = [];
  let agreeing = 0;
  for (const [control, file] of [...controls].sort()) {
    const of = (set: Set<Verdict>) => [...set].filter(v => v.startsWith(`${control}|`));
    const guardOnly = of(guard).filter(v => !builtIn.failed!.has(v));
    const builtInOnly = of(builtIn.failed).filter(v => !guard.has(v));
    const both = of(guard).filter(v => builtIn.failed!.has(v));
    if (guardOnly.length === 0 && builtInOnly.length === 0) agreeing++;
    if (both.length + guardOnly.length + builtInOnly.length === 0) continue;
    rows.push(`| ${control} | ${file} | ${both.length} | ${guardOnly.length} | ${builtInOnly.length} |`);
    differing.push(...guardOnly.map(v => `cfn-guard only: ${v}`), ...builtInOnly.map(v => `built-in only: ${v}`));
  }
  console.log(rows.join('\n'));
  console.log(`${agreeing} of ${controls.size} controls give the same verdicts on every resource; ${differing.length} verdicts differ:`);
  for (const line of differing) console.log(`  ${line}`);
}

main();

import * as fs from 'fs';
import * as path from 'path';

/**
 * cfn-guard evaluates every rule file against every template: the bundled Control
 * Tower rules cost about 10 s of CPU per 50 KB template, mostly on rules whose
 * resource types the template does not have. Every bundled rule selects resources
 * by type literals (`Resources.*[ Type == %SQS_QUEUE_TYPE ]`, with
 * `let SQS_QUEUE_TYPE = "AWS::SQS::Queue"`), and a rule that selects nothing can
 * only SKIP, so running just the rule files that name a resource type of the
 * templates reports the same findings in about a fifth of the time.
 */

const RESOURCE_TYPE = /AWS::[A-Za-z0-9]+::[A-Za-z0-9]+/g;

/** The Control Tower rules `@cdklabs/cdk-validator-cfnguard` bundles (its own default rules path). */
export function bundledControlTowerRules(): string {
  // eslint-disable-next-line import/no-extraneous-dependencies
  return path.join(path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard')), '..', 'rules', 'control-tower', 'cfn-guard');
}

/** The resource types each rule file names outside comments, per rules directory. */
const ruleTypesByDirectory = new Map<string, Map<string, Set<string>>>();

/**
 * The rule files under `rulesDirectory` that can report on the resources of
 * `templatePaths`, minus `disabledRules` (file names without extension), sorted.
 * A rule file that names no resource type, and every rule file when a template
 * cannot be read, is kept: the selection only ever leaves out rules that would SKIP.
 */
export function controlTowerRuleFiles(rulesDirectory: string, templatePaths: readonly string[], disabledRules: readonly string[] = []): string[] {
  const rules = ruleTypesOf(rulesDirectory);
  const present = resourceTypesOf(templatePaths);
  const disabled = new Set(disabledRules);
  return [...rules.entries()]
    .filter(([file, types]) => !disabled.has(path.parse(file).name)
      && (present === undefined || types.size === 0 || [...types].some(type => present.has(type))))
    .map(([file]) => file)
    .sort();
}

function ruleTypesOf(rulesDirectory: string): Map<string, Set<string>> {
  let rules = ruleTypesByDirectory.get(rulesDirectory);
  if (!rules) {
    rules = new Map(guardFiles(rulesDirectory).map(file => [file, namedTypes(fs.readFileSync(file, 'utf-8'))]));
    ruleTypesByDirectory.set(rulesDirectory, rules);
  }
  return rules;
}

function guardFiles(directory: string): string[] {
  return fs.readdirSync(directory, { withFileTypes: true }).flatMap(entry => {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return guardFiles(full);
    return entry.name.endsWith('.guard') ? [full] : [];
  });
}

function namedTypes(rule: string): Set<string> {
  const code = rule.split('\n').filter(line => !line.trimStart().startsWith('#')).join('\n');
  return new Set(code.match(RESOURCE_TYPE) ?? []);
}

/** The resource types of the templates, or undefined when one cannot be read as JSON. */
function resourceTypesOf(templatePaths: readonly string[]): Set<string> | undefined {
  const types = new Set<string>();
  for (const templatePath of templatePaths) {
    let template: { Resources?: Record<string, { Type?: unknown }> };
    try {
      template = JSON.parse(fs.readFileSync(templatePath, 'utf-8'));
    } catch {
      return undefined;
    }
    for (const resource of Object.values(template.Resources ?? {})) {
      if (typeof resource?.Type === 'string') types.add(resource.Type);
    }
  }
  return types;
}

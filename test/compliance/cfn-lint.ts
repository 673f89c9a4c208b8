import { spawnSync } from 'child_process';
import * as path from 'path';
import { App } from 'aws-cdk-lib';

/** The repository root: cfn-lint reads `.cfnlintrc.yaml` (the ignored checks) from its working directory. */
const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** cfn-lint's JSON output grows with the findings; the 1 MB default overflows on a broken matrix. */
const CFN_LINT_MAX_BUFFER = 64 * 1024 * 1024;

/** One cfn-lint error or warning, located by a label of the app and the template path in it. */
export interface LintFinding {
  /** e.g. `W3037`. */
  readonly rule: string;
  readonly level: string;
  /** Which app, e.g. `topic (STANDARD)`, and which template. */
  readonly template: string;
  /** Where in the template, e.g. `Resources/TopicPolicy/Properties/PolicyDocument`. */
  readonly location: string;
  readonly message: string;
}

interface CfnLintMatch {
  readonly Filename: string;
  readonly Level: string;
  readonly Location: { readonly Path?: readonly (string | number)[] };
  readonly Message: string;
  readonly Rule: { readonly Id: string };
}

/**
 * Lints the templates of synthesized apps with one cfn-lint process and returns
 * its errors and warnings (except the checks `.cfnlintrc.yaml` ignores). Each app
 * is named by its label in the findings. Throws if cfn-lint is missing or crashes.
 */
export function cfnLintApps(apps: ReadonlyMap<string, App>): LintFinding[] {
  const labels = new Map<string, string>();
  for (const [label, app] of apps) {
    // Stage.synth returns the assembly it already wrote, so this costs nothing after the packs ran.
    const assembly = app.synth();
    for (const stack of assembly.stacksRecursively) {
      labels.set(path.resolve(assembly.directory, stack.templateFile), `${label} ${stack.templateFile}`);
    }
  }
  if (labels.size === 0) return [];
  return cfnLint([...labels.keys()]).map(match => ({
    rule: match.Rule.Id,
    level: match.Level,
    template: labels.get(path.resolve(REPO_ROOT, match.Filename)) ?? match.Filename,
    location: (match.Location.Path ?? []).join('/'),
    message: match.Message,
  }));
}

/** One line per finding, sorted, or a line saying there is none. */
export function formatLintFindings(findings: readonly LintFinding[]): string {
  if (findings.length === 0) return 'No cfn-lint findings.';
  const lines = findings
    .map(f => `  ${f.rule} ${f.level}  ${f.template}  ${f.location}  ${f.message}`)
    .sort();
  return [`${findings.length} cfn-lint finding(s):`, ...lines].join('\n');
}

function cfnLint(templatePaths: readonly string[]): CfnLintMatch[] {
  const result = spawnSync('cfn-lint', ['--format', 'json', '--', ...templatePaths], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    maxBuffer: CFN_LINT_MAX_BUFFER,
  });
  if (result.error) {
    const missing = (result.error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new Error(missing
      ? 'cfn-lint is not on PATH: install it (pip install cfn-lint) to lint the compliance-matrix templates'
      : `cfn-lint could not run: ${result.error.message}`);
  }
  // Exit codes 2, 4 and 8 (and their sums) mean findings; 1 and anything else a failure of cfn-lint itself.
  if (result.status === null || result.status === 1 || result.status > 14) {
    throw new Error(`cfn-lint failed (exit ${result.status ?? result.signal}):\n${result.stderr}${result.stdout}`);
  }
  return JSON.parse(result.stdout || '[]') as CfnLintMatch[];
}

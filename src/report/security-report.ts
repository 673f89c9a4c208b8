import * as fs from 'fs';
import * as path from 'path';
import {
  IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport, Stage,
} from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { PluginObserver } from './findings';
import { count, failingPacks, renderMarkdown } from './markdown';
import { buildReport } from './report-builder';
import { SecurityReportDocument } from './schema';

/**
 * Properties of a SecurityReport.
 */
export interface SecurityReportProps {
  /**
   * Validation plugins (packs) whose findings the report counts per pack.
   *
   * CDK shows a plugin nothing of the others' results, so the report wraps the
   * `validate` method of each plugin given here to record its result. Register
   * them before the report, so that they run first. `Guardrails.enforce` passes
   * every plugin it registers.
   *
   * @default - none: the report counts each pack's acknowledgements only
   */
  readonly plugins?: IPolicyValidationPlugin[];
}

/**
 * A validation plugin that never fails synth and writes `security-report.json`
 * and `security-report.md` into the cloud assembly directory, beside the
 * templates: for each function what its role allows, who can invoke it, where
 * it runs and what it reaches, its keys, logs, concurrency, dead letters and
 * alarms; for each REST API its stages and routes with their authorization
 * and throttling; for each table, queue, topic, secret and bucket its key,
 * recovery settings and the functions that read or write it; each KMS key;
 * every acknowledged finding and typed waiver with its reason; and, in the
 * Markdown, a Mermaid graph of invokers, functions and data stores per stack.
 * After writing, it prints one line on stderr with the path and headline counts.
 *
 * The report is built from the synthesized templates and the construct tree in
 * one pass, in time linear in the number of resources. Relations are read
 * within one template (as the guardrail rules read them); a statement on `*`
 * reaches every data store of the app in the same account.
 *
 * `Guardrails.enforce` registers it; to use it alone, register it last and pass
 * the app, which lets it clear the report files an earlier synth left in the
 * same directory (validation plugins may add files to the cloud assembly but
 * not change existing ones):
 *
 * @example
 * import { SecurityReport } from 'cdk-secure-serverless';
 *
 * const app = new App();
 * Validations.of(app).addPlugins(new SecurityReport(app));
 */
export class SecurityReport implements IPolicyValidationPlugin {
  /** The file name of the JSON report. */
  public static readonly JSON_FILE = 'security-report.json';
  /** The file name of the Markdown report. */
  public static readonly MARKDOWN_FILE = 'security-report.md';

  /** The plugin name. */
  public readonly name: string = 'SecurityReport';
  private readonly observer: PluginObserver;
  /** Headlines printed, by report file: a second synth of the same app writes the same report and says nothing new. */
  private readonly printed = new Map<string, string>();

  /**
   * @param scope the app (or a construct in it); when given, report files left by an earlier synth into the same directory are removed now, before synthesis
   * @param props options
   */
  constructor(scope?: IConstruct, props: SecurityReportProps = {}) {
    this.observer = new PluginObserver(props.plugins ?? []);
    const root = scope?.node.root;
    if (root && Stage.isStage(root)) {
      for (const file of [SecurityReport.JSON_FILE, SecurityReport.MARKDOWN_FILE]) fs.rmSync(path.join(root.outdir, file), { force: true });
    }
  }

  /**
   * Writes the report of the app being synthesized. Always succeeds: a report
   * that cannot be written is explained on stderr.
   *
   * @param context the validation context CDK passes
   */
  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    try {
      const app = (context as { appConstruct?: IConstruct }).appConstruct;
      if (!app || !Stage.isStage(app)) {
        warn('the security report was not written: this version of aws-cdk-lib does not pass the app to validation plugins');
      } else {
        this.write(app, context);
      }
    } catch (error) {
      warn(`the security report was not written: ${(error as Error).message}`);
    }
    return { success: true, violations: [] };
  }

  private write(app: Stage, context: IPolicyValidationContext): void {
    const report = buildReport(app, {
      templatePaths: context.templatePaths,
      findings: (keys, acknowledgements) => this.observer.findings(context.templatePaths, keys, acknowledgements),
    });
    const jsonFile = path.join(app.outdir, SecurityReport.JSON_FILE);
    const markdownFile = path.join(app.outdir, SecurityReport.MARKDOWN_FILE);
    const stale = [
      writeNewFile(jsonFile, JSON.stringify(report, undefined, 2) + '\n'),
      writeNewFile(markdownFile, renderMarkdown(report)),
    ].filter((file): file is string => file !== undefined);
    if (stale.length > 0) {
      warn(`the security report was not updated: ${stale.map(displayPath).join(' and ')} ${stale.length > 1 ? 'are' : 'is'} left from an earlier synth, `
        + 'and validation plugins may not change files that exist before validation. Delete them, or construct the report with the app '
        + '(new SecurityReport(app)) so that it removes them before synthesis.');
      return;
    }
    const line = `security report ${displayPath(markdownFile)} (and .json): ${headline(report)}`;
    if (this.printed.get(markdownFile) === line) return;
    this.printed.set(markdownFile, line);
    warn(line);
  }
}

/**
 * Writes `content` to `file` unless the file exists: unchanged content is fine,
 * other content is a report of an earlier synth.
 *
 * @returns the file when it exists with other content
 */
function writeNewFile(file: string, content: string): string | undefined {
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf-8') === content ? undefined : file;
  fs.writeFileSync(file, content);
  return undefined;
}

function headline(report: SecurityReportDocument): string {
  const s = report.summary;
  const observed = s.findings.filter((pack) => pack.open !== undefined);
  const open = observed.reduce((sum, pack) => sum + pack.open!, 0);
  const failing = failingPacks(report);
  return (failing.length > 0 ? `the synth fails on the open findings of ${failing.join(', ')}; ` : '') + [
    `${count(s.functions, 'function')} (${s.functionsOutsideVpc} outside a VPC)` +
      (s.deployTimeHelpers > 0 ? ` and ${count(s.deployTimeHelpers, 'deploy-time helper')}` : ''),
    `${count(s.routes, 'API route')} (${s.routesWithoutAuthorization} without authorization)`,
    count(s.dataStores, 'data store'),
    count(s.keys, 'key'),
    `${count(s.acknowledgements, 'acknowledged finding')} (${s.libraryAcknowledgements} by the library, ${s.awsCdkLibAcknowledgements} of aws-cdk-lib's code, ${s.userAcknowledgements} by the app)`,
    count(s.waivers, 'waiver'),
    ...s.hardenedResources > 0 ? [`${count(s.hardenedResources, 'resource')} hardened in place`
      + (s.runtimeChangedResources > 0 ? ` (${s.runtimeChangedResources} of them run differently: see "How hardened resources now run")` : '')] : [],
    observed.length > 0 ? `${count(open, 'open finding')} in ${count(observed.length, 'pack')}` : 'open findings not observed',
  ].join(', ');
}

function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.length < file.length && !relative.startsWith('..') ? relative : file;
}

function warn(message: string): void {
  process.stderr.write(`cdk-secure-serverless: ${message}\n`);
}

// The README's security-report figures come from the example's last run, as the cost section comes
// from the bench: `npx projen example` ends with `ts-node readme-report.ts cdk.out`, which rewrites
// the marked parts of README.md from the report and templates the synth wrote. A test synthesizes the example
// and fails when README.md differs from what it produces.
import * as fs from 'fs';
import * as path from 'path';
import { reportLine } from '../../src/report/markdown';
import { SecurityReportDocument } from '../../src/report/schema';

export const README_FILE = path.join(__dirname, '..', '..', 'README.md');

/** The stack whose report the excerpt shows, and the function whose table it shows. */
const STACK = 'OrdersService';
const FUNCTION = `${STACK}/ProcessOrder`;

/** The marked parts of the README and what fills each, from the report's Markdown and JSON. */
type Render = (markdown: string, report: SecurityReportDocument, cloudAssembly: string) => string;
const PARTS: ReadonlyArray<{ name: string; render: Render }> = [
  { name: 'report-line', render: (_, report) => ['```text', stderrLine(report), '```'].join('\n') },
  { name: 'report-excerpt', render: (markdown) => excerpt(markdown) },
  { name: 'example-stacks', render: (_, __, cloudAssembly) => exampleStacks(cloudAssembly) },
];

/** What the example synthesizes: the service's stack and the account's API Gateway logging stack, by their resources. */
export function exampleStacks(cloudAssembly: string): string {
  const resources = (file: string) => Object.keys(JSON.parse(fs.readFileSync(path.join(cloudAssembly, file), 'utf8')).Resources ?? {}).length;
  const templates = fs.readdirSync(cloudAssembly).filter((file) => file.endsWith('.template.json')).sort();
  const service = templates.find((file) => file === `${STACK}.template.json`);
  const account = templates.find((file) => file.startsWith('ApiGatewayAccount'));
  if (!service || !account || templates.length !== 2) {
    throw new Error(`expected the ${STACK} and ApiGatewayAccount templates in ${cloudAssembly}, found ${templates.join(', ')}`);
  }
  return `\`npx projen example\` synthesizes it through the \`cdk\` CLI with the guardrails on: the service's stack of ${resources(service)} `
    + `resources (and the account's API Gateway logging setting in a stack of ${resources(account)}), no unacknowledged finding, and the `
    + 'security report beside the templates.';
}

/** The line the synth prints on stderr, with the path as the README's `npx projen example` run shows it. */
export function stderrLine(report: SecurityReportDocument): string {
  return `cdk-secure-serverless: ${reportLine('cdk.out/security-report.md', report)}`;
}

/**
 * An excerpt of `security-report.md`: the summary (its tables and notes, without the opening
 * paragraph); for the service's stack, the Mermaid graph, the API routes, one function's table,
 * the data stores and the user pools. Each part is taken whole from the report, its heading
 * turned into a lead-in line so the README keeps its own outline.
 */
export function excerpt(markdown: string): string {
  const sections = sectionsOf(markdown);
  const root = '# Security report';
  const stack = `${root} > ## Stack \`${STACK}\``;
  const fn = [...sections.keys()].find((key) => key.startsWith(`${stack} > ### Functions > #### \`${FUNCTION}\``));
  if (!fn) throw new Error(`security-report.md has no section for ${FUNCTION}`);
  return [
    part(sections, root).split('\n\n').slice(1).join('\n\n'),
    firstBlock(part(sections, stack), 'mermaid'),
    `${STACK}'s API routes:\n\n${part(sections, `${stack} > ### API routes`)}`,
    `${fn.split(' > #### ')[1]}:\n\n${part(sections, fn)}`,
    `${STACK}'s data stores:\n\n${part(sections, `${stack} > ### Data stores`)}`,
    `${STACK}'s user pools:\n\n${part(sections, `${stack} > ### User pools`)}`,
  ].join('\n\n');
}

/** README.md with its marked parts rewritten from a cloud assembly's report. */
export function rewriteReadme(readme: string, cloudAssembly: string): string {
  const markdown = fs.readFileSync(path.join(cloudAssembly, 'security-report.md'), 'utf8');
  const report: SecurityReportDocument = JSON.parse(fs.readFileSync(path.join(cloudAssembly, 'security-report.json'), 'utf8'));
  return PARTS.reduce((text, { name, render }) => replaceMarked(text, name, render(markdown, report, cloudAssembly)), readme);
}

/** The text between `<!-- name:start -->` and `<!-- name:end -->`, trimmed. */
export function marked(readme: string, name: string): string {
  const [start, end] = markers(readme, name);
  return readme.slice(start, end).trim();
}

function replaceMarked(readme: string, name: string, content: string): string {
  const [start, end] = markers(readme, name);
  return `${readme.slice(0, start)}\n${content}\n${readme.slice(end)}`;
}

function markers(readme: string, name: string): [number, number] {
  const open = `<!-- ${name}:start -->`;
  const start = readme.indexOf(open);
  const end = readme.indexOf(`<!-- ${name}:end -->`);
  if (start < 0 || end < start) throw new Error(`README.md has no ${open} ... <!-- ${name}:end --> part`);
  return [start + open.length, end];
}

/** Each heading's body (up to the next heading), keyed by the chain of headings above it: `# A > ## B`. */
function sectionsOf(markdown: string): Map<string, string> {
  const sections = new Map<string, string[]>();
  const chain: string[] = [];
  let fenced = false;
  let body: string[] = [];
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const heading = fenced ? null : line.match(/^(#+) /);
    if (heading) {
      chain.splice(heading[1].length - 1);
      chain.push(line);
      body = [];
      sections.set(chain.join(' > '), body);
    } else {
      body.push(line);
    }
  }
  return new Map([...sections].map(([key, lines]) => [key, lines.join('\n').trim()]));
}

function part(sections: Map<string, string>, key: string): string {
  const body = sections.get(key);
  if (body === undefined) throw new Error(`security-report.md has no section ${key}`);
  return body;
}

function firstBlock(text: string, lang: string): string {
  const match = text.match(new RegExp('^```' + lang + '\\n[\\s\\S]*?^```$', 'm'));
  if (!match) throw new Error(`no \`\`\`${lang} block in ${text.slice(0, 80)}...`);
  return match[0];
}

if (require.main === module) {
  const cloudAssembly = process.argv[2] ?? 'cdk.out';
  fs.writeFileSync(README_FILE, rewriteReadme(fs.readFileSync(README_FILE, 'utf8'), cloudAssembly));
  console.log(`README.md's security-report line and excerpt, and the example's stack sizes, rewritten from ${path.resolve(cloudAssembly)}`);
}

// Prints where `cdk synth` wrote the templates (and the security report, when present).
const fs = require('fs');
const path = require('path');

const outdir = path.resolve(process.argv[2] ?? 'cdk.out');
const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
console.log(`Synthesized with the guardrails on; no unacknowledged finding. Cloud assembly: ${outdir}`);
for (const [name, artifact] of Object.entries(manifest.artifacts ?? {})) {
  if (artifact.type !== 'aws:cloudformation:stack') continue;
  const file = path.join(outdir, artifact.properties.templateFile);
  const resources = Object.keys(JSON.parse(fs.readFileSync(file, 'utf8')).Resources ?? {}).length;
  console.log(`  ${name}: ${file} (${resources} resources)`);
}
for (const report of ['security-report.md', 'security-report.json', 'security-report.sarif', 'security-changes.md', 'validation-report.json']) {
  const file = path.join(outdir, report);
  if (fs.existsSync(file)) console.log(`  ${report}: ${file}`);
}

// What .ci/newcomer reads from the README and checks in the newcomer's app:
//   node newcomer.js install-args README.md              the Install section's `npm install` arguments, one a line,
//                                                         the tarball as ./cdk-secure-serverless.tgz
//   node newcomer.js example README.md                   the first TypeScript block of the Example section
//   node newcomer.js entry cdk.json                      the entry file that cdk.json's app command runs
//   node newcomer.js check-package README.md INIT COMMITTED LOCK
//       fails unless the committed package.json is the one `cdk init` wrote (INIT) plus exactly the Install
//       section's packages, and the lockfile pins each of those within the README's range (and init's).
const fs = require('fs');
const semver = require('semver');

function section(readme, heading) {
  const lines = fs.readFileSync(readme, 'utf8').split('\n');
  const start = lines.indexOf(heading);
  if (start < 0) fail(`${readme} has no heading "${heading}"`);
  const level = heading.match(/^#+/)[0].length;
  let fenced = false;
  const body = [];
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('```')) fenced = !fenced;
    const other = !fenced && line.match(/^(#+) /);
    if (other && other[1].length <= level) break;
    body.push(line);
  }
  return body.join('\n');
}

function firstBlock(text, lang, what) {
  const match = new RegExp('^```' + lang + '(?: [^\\n]*)?\\n([\\s\\S]*?)^```$', 'm').exec(text);
  if (!match) fail(`no \`\`\`${lang} block in ${what}`);
  return match[1];
}

/** The arguments of the Install section's `npm install` command (continued lines joined), quotes removed. */
function installArgs(readme) {
  const script = firstBlock(section(readme, '## Install'), 'bash', 'the README\'s Install section').replace(/\\\n/g, ' ');
  const command = script.split('\n').find((line) => /^npm install /.test(line.trim()));
  if (!command) fail('the README\'s Install section has no `npm install` command');
  const args = command.trim().split(/\s+/).slice(2).map((arg) => arg.replace(/^'(.*)'$/, '$1'));
  const tarballs = args.filter((arg) => arg.endsWith('.tgz'));
  if (tarballs.length !== 1) fail(`the README's npm install names ${tarballs.length} tarballs: ${command}`);
  return args.map((arg) => (arg.endsWith('.tgz') ? './cdk-secure-serverless.tgz' : arg));
}

/** The README's ranges of the packages its npm install adds beside the tarball: { name: range }. */
function readmeRanges(readme) {
  return Object.fromEntries(installArgs(readme).filter((arg) => !arg.endsWith('.tgz')).map((spec) => {
    const at = spec.lastIndexOf('@');
    return [spec.slice(0, at), spec.slice(at + 1)];
  }));
}

function checkPackage(readme, initFile, committedFile, lockFile) {
  const init = JSON.parse(fs.readFileSync(initFile, 'utf8'));
  const committed = JSON.parse(fs.readFileSync(committedFile, 'utf8'));
  const lock = JSON.parse(fs.readFileSync(lockFile, 'utf8'));
  const ranges = readmeRanges(readme);
  const problems = [];
  const same = (a, b) => JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));

  for (const field of new Set([...Object.keys(init), ...Object.keys(committed)])) {
    if (field !== 'dependencies' && !same(init[field], committed[field])) {
      problems.push(`${field}: cdk init writes ${JSON.stringify(init[field])}, the committed package.json has ${JSON.stringify(committed[field])}`);
    }
  }
  const expected = [...new Set([...Object.keys(init.dependencies ?? {}), ...Object.keys(ranges), 'cdk-secure-serverless'])].sort();
  const names = Object.keys(committed.dependencies ?? {}).sort();
  if (!same(expected, names)) problems.push(`dependencies: expected ${expected.join(', ')}, found ${names.join(', ')}`);
  if (committed.dependencies?.['cdk-secure-serverless'] !== 'file:cdk-secure-serverless.tgz') {
    problems.push('dependencies: cdk-secure-serverless must be file:cdk-secure-serverless.tgz, the packed library');
  }
  for (const name of names.filter((n) => n !== 'cdk-secure-serverless')) {
    const version = lock.packages?.[`node_modules/${name}`]?.version;
    const wanted = [ranges[name], init.dependencies?.[name], committed.dependencies[name]].filter(Boolean);
    if (!ranges[name] && committed.dependencies[name] !== init.dependencies[name]) {
      problems.push(`dependencies.${name}: cdk init writes ${init.dependencies[name]}, the committed package.json has ${committed.dependencies[name]}`);
    }
    for (const range of wanted) {
      if (!version || !semver.satisfies(version, range)) problems.push(`${name}: the lockfile pins ${version ?? 'nothing'}, outside ${range}`);
    }
  }
  if (problems.length > 0) {
    fail(`${committedFile} no longer matches what cdk init writes plus the README's npm install; relock with .ci/newcomer --relock:\n  ${problems.join('\n  ')}`);
  }
  console.log(`${committedFile}: cdk init's package.json plus ${Object.keys(ranges).join(', ')} and the tarball, as the README installs them`);
}

function sorted(value) {
  if (Array.isArray(value) || value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sorted(value[key])]));
}

function fail(message) {
  console.error(message);
  process.exit(1);
}

const [command, ...args] = process.argv.slice(2);
if (command === 'install-args') {
  console.log(installArgs(args[0]).join('\n'));
} else if (command === 'example') {
  process.stdout.write(firstBlock(section(args[0], '## Example'), 'ts', 'the README\'s Example section'));
} else if (command === 'entry') {
  const app = JSON.parse(fs.readFileSync(args[0], 'utf8')).app;
  const entry = app.split(/\s+/).find((word) => /\.ts$/.test(word));
  if (!entry) fail(`cdk.json's app command names no .ts file: ${app}`);
  console.log(entry);
} else if (command === 'check-package') {
  checkPackage(...args);
} else {
  fail('usage: node newcomer.js install-args|example|entry|check-package ...');
}

// The packed library's entry in a committed lockfile: `node tarball-entry.js check|strip LOCKFILE`.
// The entry must resolve to the tarball beside the lockfile and carry no integrity. npm records one
// for a local tarball, but every build rewrites the tarball under the same name, and with a recorded
// integrity npm ci installs the copy in its cache that has that integrity: the library of an earlier
// build. `strip` removes it (after npm install --package-lock-only); `check` fails when it is there.
const fs = require('fs');

const [mode, file] = process.argv.slice(2);
const ENTRY = 'node_modules/cdk-secure-serverless';
const lock = JSON.parse(fs.readFileSync(file, 'utf8'));
const entry = lock.packages?.[ENTRY];
if (!entry || entry.resolved !== 'file:cdk-secure-serverless.tgz') {
  console.error(`${file}: ${ENTRY} must resolve to file:cdk-secure-serverless.tgz, found ${JSON.stringify(entry?.resolved)}`);
  process.exit(1);
}
if (mode === 'strip') {
  delete entry.integrity;
  fs.writeFileSync(file, JSON.stringify(lock, undefined, 2) + '\n');
} else if (mode === 'check') {
  if (entry.integrity !== undefined) {
    console.error(`${file}: ${ENTRY} has an integrity, so npm ci would install an earlier build from its cache; relock with the step's --relock`);
    process.exit(1);
  }
} else {
  console.error('usage: node tarball-entry.js check|strip LOCKFILE');
  process.exit(2);
}

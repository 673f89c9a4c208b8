import * as fs from 'fs';
import * as path from 'path';
import { readmeSection } from '../readme';

/**
 * The README's Compatibility table names the versions CI tests: the floor (this repository's
 * lockfile, every test) and the newest aws-cdk-lib 2.x (test/newest-aws-cdk-lib's lockfile,
 * .ci/newest-aws-cdk-lib; and test/newcomer's, .ci/newcomer). A change to any of them without
 * the table, or to the table without them, fails here.
 */

const ROOT = path.join(__dirname, '..', '..');
const json = (file: string): any => JSON.parse(fs.readFileSync(path.join(ROOT, file), 'utf8'));
const locked = (lock: any, name: string): string => lock.packages[`node_modules/${name}`].version;

const repository = { package: json('package.json'), lock: json('package-lock.json') };
const newest = { package: json('test/newest-aws-cdk-lib/package.json'), lock: json('test/newest-aws-cdk-lib/package-lock.json') };
const newcomer = { package: json('test/newcomer/package.json'), lock: json('test/newcomer/package-lock.json') };
const table = readmeSection('## Compatibility');

/** The Version cell of the table's row for `name`. */
function row(name: string): string {
  const line = table.split('\n').find(l => l.startsWith(`| ${name} |`));
  if (!line) throw new Error(`the Compatibility table has no row for ${name}`);
  return line.split(' | ')[1];
}

/** The versions the row says are tested, in order. */
function tested(name: string): string[] {
  const [, after] = row(name).split('tested on ');
  return (after ?? '').replace(/\([^)]*\)/g, '').match(/\d+\.\d+\.\d+/g) ?? [];
}

describe('the README\'s Compatibility table', () => {
  test.each(['aws-cdk-lib', 'constructs', 'cdk-nag'])('%s: the versions it says are tested are the floor\'s and the newest step\'s', (name) => {
    // GIVEN the versions the tests and the newest step install
    const floor = locked(repository.lock, name);
    const newer = locked(newest.lock, name);

    // THEN the table lists exactly those, floor first, and each lockfile pins what its package.json names
    expect(tested(name)).toEqual([...new Set([floor, newer])]);
    expect(repository.package.devDependencies[name]).toBe(floor);
    expect(newest.package.dependencies[name]).toBe(newer);
  });

  test('aws-cdk-lib: the peer floor is the tested floor', () => {
    const floor = repository.package.devDependencies['aws-cdk-lib'];

    expect(repository.package.peerDependencies['aws-cdk-lib']).toBe(`^${floor}`);
    expect(row('aws-cdk-lib').startsWith(`>= ${floor} `)).toBe(true);
  });

  test('the newcomer\'s app gets versions the table lists as tested', () => {
    for (const name of ['aws-cdk-lib', 'constructs', 'cdk-nag']) {
      expect(tested(name)).toContain(locked(newcomer.lock, name));
    }
  });

  test('the CLI is one version: the repository\'s, the newest step\'s and the one cdk init writes into a new app', () => {
    const cli = repository.package.devDependencies['aws-cdk'];

    expect(row('AWS CDK CLI')).toContain(`${cli} in this repository`);
    expect(newest.package.devDependencies['aws-cdk']).toBe(cli);
    expect(newcomer.package.devDependencies['aws-cdk']).toBe(cli);
    expect([locked(newest.lock, 'aws-cdk'), locked(newcomer.lock, 'aws-cdk')]).toEqual([cli, cli]);
  });
});

import { execFileSync } from 'child_process';
import * as path from 'path';

/** What the published package may hold: the compiled library, the jsii assembly and the docs. */
const ALLOWED = [/^lib\/.+\.(js|d\.ts)$/, /^\.jsii$/, /^README\.md$/, /^LICENSE$/, /^API\.md$/, /^package\.json$/];
/** What it must hold whatever was built: npm's own files and the docs. */
const REQUIRED = ['API.md', 'LICENSE', 'README.md', 'package.json'];

describe('the npm package', () => {
  // GIVEN the files `npm pack` would put in the tarball (lib/ and .jsii exist only after a compile)
  const [pack] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: path.resolve(__dirname, '..', '..'),
    encoding: 'utf-8',
    stdio: ['ignore', 'pipe', 'ignore'],
  }));
  const files: string[] = pack.files.map((file: { path: string }) => file.path);

  test('holds only the compiled library, .jsii and the docs', () => {
    expect(files.filter((file) => !ALLOWED.some((allowed) => allowed.test(file)))).toEqual([]);
    expect(REQUIRED.filter((file) => !files.includes(file))).toEqual([]);
  });

  test('holds no cloud assembly, CI script, example or bench file', () => {
    expect(files.filter((file) => /(^|\/)cdk\.out(\/|$)|^\.ci\/|^examples\/|^bench\//.test(file))).toEqual([]);
  });
});

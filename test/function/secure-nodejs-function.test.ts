import * as fs from 'fs';
import * as path from 'path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SecureServerlessError } from '../../src/core/errors';
import { SecureNodejsFunction } from '../../src/function/secure-nodejs-function';
import { newStack, thrownBy } from '../core/fixtures';

const ENTRY = path.join(__dirname, 'fixtures', 'greeter', 'index.ts');

// GIVEN one stack with a bundled function, synthesized once
const { app, stack } = newStack();
const fn = new SecureNodejsFunction(stack, 'Greeter', { entry: ENTRY, handler: 'greet', sourceMap: true });
const assembly = app.synth();
const template = Template.fromStack(stack);

describe('SecureNodejsFunction', () => {
  test('is a SecureFunction with the exported handler', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.greet',
      TracingConfig: { Mode: 'Active' },
      VpcConfig: { SubnetIds: Match.arrayWith([{ Ref: Match.stringLikeRegexp('^SecurityBaselineNetworkVpcisolatedSubnet1') }]) },
      Environment: { Variables: { NODE_OPTIONS: '--enable-source-maps' } },
    });
    expect(fn.node.tryFindChild('LogGroup')).toBeDefined();
  });

  test('bundles the entry and the files it imports from other folders, without Docker', () => {
    // The other asset is the code of aws-cdk-lib's default-security-group helper.
    const assets = fs.readdirSync(assembly.directory)
      .filter(name => name.startsWith('asset.') && fs.existsSync(path.join(assembly.directory, name, 'index.js.map')));
    expect(assets).toHaveLength(1);
    const bundle = fs.readFileSync(path.join(assembly.directory, assets[0], 'index.js'), 'utf8');
    expect(bundle).toContain('hello ');
    expect(bundle).not.toMatch(/\bimport\s|require\(["']\.\.?\//);
    expect(fs.existsSync(path.join(assembly.directory, assets[0], 'index.js.map'))).toBe(true);
  });

  test.each([
    ['a missing entry', { entry: path.join(__dirname, 'fixtures', 'nope.ts') }, /^S\/Bad: invalid entry: received ".*nope\.ts"; allowed: a path to an existing file$/],
    ['an entry that is not a script', { entry: path.join(__dirname, 'fixtures') }, /^S\/Bad: invalid entry: received ".*fixtures"; allowed: a path to a file ending in \.ts/],
    ['a non-Node.js runtime', { entry: ENTRY, runtime: lambda.Runtime.PYTHON_3_14 }, /^S\/Bad: invalid runtime: received "python3\.14"; allowed: a Node\.js runtime$/],
    ['a handler that is not a name', { entry: ENTRY, handler: 'index.greet' }, /^S\/Bad: invalid handler: received "index\.greet"; allowed: the name of an exported function/],
  ])('%s throws our error', (_label, props, message) => {
    const error = thrownBy(() => new SecureNodejsFunction(newStack().stack, 'Bad', props as any));
    expect(error).toBeInstanceOf(SecureServerlessError);
    expect(error.message).toMatch(message);
  });
});

import * as fs from 'fs';
import * as path from 'path';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { familyOf } from './runtime';
import { SecureFunction, SecureFunctionOptions } from './secure-function';
import { rejectUnhonouredProps, UNHONOURED_FUNCTION_PROPS, UNHONOURED_NODEJS_PROPS } from './unhonoured-props';
import { invalidProp, SecureServerlessError } from '../core/errors';

const ENTRY_EXTENSIONS = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'];

/**
 * Properties of a SecureNodejsFunction.
 */
export interface SecureNodejsFunctionProps extends SecureFunctionOptions {
  /**
   * Path to the TypeScript or JavaScript file that exports the handler.
   */
  readonly entry: string;

  /**
   * Name of the exported handler function.
   *
   * @default 'handler'
   */
  readonly handler?: string;

  /**
   * A Node.js runtime; it must be the newest one the installed aws-cdk-lib knows.
   *
   * @default - the newest Node.js runtime known to aws-cdk-lib
   */
  readonly runtime?: lambda.Runtime;

  /**
   * Modules left out of the bundle because the runtime provides them.
   *
   * @default ['@aws-sdk/*']
   */
  readonly externalModules?: string[];

  /**
   * Whether the bundle is minified.
   *
   * @default true
   */
  readonly minify?: boolean;

  /**
   * Whether a source map is bundled and enabled with `NODE_OPTIONS=--enable-source-maps`.
   *
   * @default false
   */
  readonly sourceMap?: boolean;
}

/**
 * A SecureFunction whose code is a TypeScript or JavaScript entry file bundled with
 * esbuild from the npm package, on this machine, without Docker.
 *
 * Add esbuild to your project's dev dependencies (`npm install --save-dev esbuild`).
 */
export class SecureNodejsFunction extends SecureFunction {
  constructor(scope: Construct, id: string, props: SecureNodejsFunctionProps) {
    const constructPath = scope.node.path ? `${scope.node.path}/${id}` : id;
    if (props !== null && typeof props === 'object') {
      rejectUnhonouredProps(constructPath, props, { ...UNHONOURED_NODEJS_PROPS, ...UNHONOURED_FUNCTION_PROPS });
    }
    const entry = checkEntry(constructPath, props);
    if (props.runtime !== undefined && (!(props.runtime instanceof lambda.Runtime) || familyOf(props.runtime.name) !== 'nodejs')) {
      invalidProp(constructPath, 'runtime', (props.runtime as lambda.Runtime)?.name ?? props.runtime, 'a Node.js runtime');
    }
    const handlerName = props.handler ?? 'handler';
    if (!/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(handlerName)) {
      invalidProp(constructPath, 'handler', handlerName, 'the name of an exported function, such as "handler"');
    }
    const sourceMap = props.sourceMap ?? false;
    super(scope, id, {
      ...props,
      runtime: props.runtime,
      handler: `index.${handlerName}`,
      code: bundle(constructPath, entry, {
        external: props.externalModules ?? ['@aws-sdk/*'],
        minify: props.minify ?? true,
        sourceMap,
      }),
    });
    if (sourceMap) this.addEnvironment('NODE_OPTIONS', '--enable-source-maps');
  }
}

interface BundleOptions {
  readonly external: string[];
  readonly minify: boolean;
  readonly sourceMap: boolean;
}

function checkEntry(constructPath: string, props: SecureNodejsFunctionProps): string {
  const entry = props?.entry;
  if (typeof entry !== 'string' || !ENTRY_EXTENSIONS.includes(path.extname(entry))) {
    invalidProp(constructPath, 'entry', entry, `a path to a file ending in ${ENTRY_EXTENSIONS.join(', ')}`);
  }
  const resolved = path.resolve(entry);
  if (!fs.existsSync(resolved) || !fs.statSync(resolved).isFile()) {
    invalidProp(constructPath, 'entry', entry, 'a path to an existing file');
  }
  return resolved;
}

function bundle(constructPath: string, entry: string, options: BundleOptions): lambda.Code {
  return lambda.Code.fromAsset(path.dirname(entry), {
    // The bundle can import files outside the entry's folder: hash what was built.
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Never pulled: local bundling always succeeds or throws.
      image: DockerImage.fromRegistry('cdk-secure-serverless/local-esbuild-only'),
      local: {
        tryBundle(outputDir: string): boolean {
          const esbuild = loadEsbuild(constructPath, entry);
          try {
            esbuild.buildSync({
              entryPoints: [entry],
              outfile: path.join(outputDir, 'index.js'),
              bundle: true,
              platform: 'node',
              format: 'cjs',
              target: 'node20',
              external: options.external,
              minify: options.minify,
              sourcemap: options.sourceMap,
              logLevel: 'silent',
            });
          } catch (error) {
            throw new SecureServerlessError(constructPath, 'entry', `esbuild could not bundle ${entry}: ${(error as Error).message}`);
          }
          return true;
        },
      },
    },
  });
}

function loadEsbuild(constructPath: string, entry: string): { buildSync(options: object): unknown } {
  try {
    const resolved = require.resolve('esbuild', { paths: [process.cwd(), path.dirname(entry)] });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(resolved);
  } catch {
    throw new SecureServerlessError(constructPath, 'entry',
      `bundling ${entry} needs esbuild, which was not found; allowed: add it to your project with npm install --save-dev esbuild`);
  }
}

// Synthesizes the example app in the current folder as a project made by `cdk init` would:
// the context is the pinned CLI's recommended feature flags plus the app's cdk.context.json,
// passed the way the CLI passes context to an app (CDK_CONTEXT_JSON), with aws-cdk-lib's
// template validation on, as users run it. Usage: ts-node synth-with-recommended-flags.ts <outdir>
import { existsSync, readFileSync } from 'fs';
import { resolve } from 'path';
import { recommendedFeatureFlags } from '../feature-flags';

const outdir = resolve(process.argv[2] ?? 'recommended.cdk.out');
const lookups = existsSync('cdk.context.json') ? JSON.parse(readFileSync('cdk.context.json', 'utf8')) : {};
process.env.CDK_CONTEXT_JSON = JSON.stringify({ ...recommendedFeatureFlags(), ...lookups });
process.env.CDK_OUTDIR = outdir;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { buildApp } = require(resolve('app'));
buildApp().synth();

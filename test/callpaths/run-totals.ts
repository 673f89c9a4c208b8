import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { basename, join } from 'path';
import { unverifiedFacts } from './aws-facts';
import type { CallPathCounts } from './evaluate';
import { currentFlagSet } from '../feature-flags';

/**
 * The call-path counts of one jest run, summed over its test files: each file
 * that evaluates apps records its counts in the file the run's global setup
 * names (workers inherit the variable), and the global teardown prints one line
 * per file and label, and the run's total, after jest's own summary.
 */
const FILE_VARIABLE = 'CDK_SECURE_SERVERLESS_CALL_PATH_TOTALS';

interface Recorded extends CallPathCounts {
  readonly file: string;
  readonly label: string;
}

/** Prints one line for these counts, and records them for the run's total. */
export function reportCounts(label: string, counts: CallPathCounts): void {
  const file = basename(expect.getState().testPath ?? 'unknown');
  process.stdout.write(`call paths (${file}, ${label}): ${counted(counts)}\n`);
  const totals = process.env[FILE_VARIABLE];
  if (totals) appendFileSync(totals, `${JSON.stringify({ file, label, ...counts })}\n`);
}

/** jest's globalSetup: a fresh totals file for the run. */
export function startRunTotals(): void {
  const file = join(mkdtempSync(join(tmpdir(), 'call-paths-')), 'totals.jsonl');
  writeFileSync(file, '');
  process.env[FILE_VARIABLE] = file;
}

/** jest's globalTeardown: every recorded line and the total, for the run's flag set. */
export function printRunTotals(): void {
  const file = process.env[FILE_VARIABLE];
  if (!file || !existsSync(file)) return;
  const recorded: Recorded[] = readFileSync(file, 'utf8').split('\n').filter(line => line !== '').map(line => JSON.parse(line));
  rmSync(join(file, '..'), { recursive: true, force: true });
  delete process.env[FILE_VARIABLE];
  if (recorded.length === 0) return;
  const flags = currentFlagSet() === 'recommended' ? 'the flags cdk init writes' : 'no feature flags';
  const lines = recorded.sort((a, b) => `${a.file} ${a.label}`.localeCompare(`${b.file} ${b.label}`)).map(r => `  ${r.file} (${r.label}): ${counted(r)}`);
  const total = {
    allowed: recorded.reduce((sum, r) => sum + r.allowed, 0),
    refused: recorded.reduce((sum, r) => sum + r.refused, 0),
    unverifiedRows: unverifiedFacts().length,
  };
  const unverified = unverifiedFacts().map(([id, fact]) => `  unverified: ${id}: ${fact.note ?? fact.integration}`);
  process.stdout.write(`\nCall paths evaluated under ${flags}:\n${lines.join('\n')}\n`
    + `Call paths total (${recorded.length} evaluations, ${flags}): ${counted(total)}\n${unverified.join('\n')}\n`);
}

function counted(counts: CallPathCounts): string {
  return `${counts.allowed} allowed as expected, ${counts.refused} refused as expected, ${counts.unverifiedRows} row${counts.unverifiedRows === 1 ? '' : 's'} unverified`;
}

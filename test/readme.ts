import * as fs from 'fs';
import * as path from 'path';

/** The repository's README.md. */
export const README_FILE = path.join(__dirname, '..', 'README.md');

/**
 * The README's section under `heading` (the whole heading line, e.g. `## Example`), up to the
 * next heading of the same or a higher level; fails when there is no such heading.
 */
export function readmeSection(heading: string, text: string = fs.readFileSync(README_FILE, 'utf8')): string {
  const lines = text.split('\n');
  const start = lines.indexOf(heading);
  if (start < 0) throw new Error(`README.md has no heading "${heading}"`);
  const level = heading.match(/^#+/)![0].length;
  let fenced = false;
  let end = start + 1;
  for (; end < lines.length; end++) {
    if (lines[end].startsWith('```')) fenced = !fenced;
    const other = !fenced && lines[end].match(/^(#+) /);
    if (other && other[1].length <= level) break;
  }
  return lines.slice(start + 1, end).join('\n');
}

/** The contents of the fenced code blocks of `text` whose info string starts with `lang`. */
export function codeBlocks(text: string, lang: string): string[] {
  const blocks: string[] = [];
  const pattern = /^```(\S*)[^\n]*\n([\s\S]*?)^```$/gm;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    if (match[1] === lang) blocks.push(match[2]);
  }
  return blocks;
}

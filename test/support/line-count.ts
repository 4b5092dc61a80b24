import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Lines that carry content: not blank, and not a comment (`//`, `/*`, ` *`, `*\/` lines in
 * TypeScript; `#` lines in YAML; the `---` document separators of YAML neither).
 */
export function contentLines(text: string, language: 'ts' | 'yaml'): number {
  let count = 0;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    if (language === 'ts' && (line.startsWith('//') || line.startsWith('/*') || line.startsWith('*'))) continue;
    if (language === 'yaml' && (line.startsWith('#') || line === '---')) continue;
    count++;
  }
  return count;
}

/** The files under a directory (recursively) whose names end with one of the extensions, sorted. */
export function filesUnder(dir: string, extensions: readonly string[]): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(full, extensions));
    else if (extensions.some(e => entry.name.endsWith(e))) out.push(full);
  }
  return out.sort();
}

/** Content lines of the example fleet's TypeScript and of the YAML it writes (clusters/, infrastructure/, apps/). */
export function exampleFleetSize(projectRoot: string): { typescript: number; yaml: number } {
  const sum = (files: string[], language: 'ts' | 'yaml') =>
    files.reduce((n, f) => n + contentLines(fs.readFileSync(f, 'utf8'), language), 0);
  const typescript = sum(filesUnder(path.join(projectRoot, 'src/example-fleet'), ['.ts']), 'ts');
  const yaml = sum(['clusters', 'infrastructure', 'apps'].flatMap(d => filesUnder(path.join(projectRoot, d), ['.yaml', '.yml'])), 'yaml');
  return { typescript, yaml };
}

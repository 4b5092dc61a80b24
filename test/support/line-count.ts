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

/**
 * Content lines of the init template's fleet (templates/init/src/main.ts) and of the YAML it
 * writes, synthesized into a temporary directory against this checkout's src/.
 */
export function templateFleetSize(projectRoot: string, rootDir: string): { typescript: number; yaml: number } {
  const source = fs.readFileSync(path.join(projectRoot, 'templates/init/src/main.ts'), 'utf8');
  const code = source.replace("from 'cdk8s-flux'", `from ${JSON.stringify(path.join(projectRoot, 'src'))}`)
    + `\ncreateFleet(${JSON.stringify(rootDir)}).synth();\n`;
  const file = path.join(rootDir, 'fleet.ts');
  fs.writeFileSync(file, code);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { execFileSync } = require('node:child_process') as typeof import('node:child_process');
  execFileSync(path.join(projectRoot, 'node_modules/.bin/tsx'), [file], { env: { ...process.env, NODE_PATH: path.join(projectRoot, 'node_modules') }, stdio: 'pipe' });
  const yaml = ['clusters', 'infrastructure', 'apps'].flatMap(d => filesUnder(path.join(rootDir, d), ['.yaml', '.yml']))
    .reduce((n, f) => n + contentLines(fs.readFileSync(f, 'utf8'), 'yaml'), 0);
  return { typescript: contentLines(source, 'ts'), yaml };
}

// `npx tsx test/support/line-count.ts`: the numbers, for the README and reviews
if (require.main === module) {
  const root = path.resolve(__dirname, '..', '..');
  const tmp = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'fleet-size-'));
  console.log(JSON.stringify({ exampleFleet: exampleFleetSize(root), initTemplate: templateFleetSize(root, tmp) }));
}

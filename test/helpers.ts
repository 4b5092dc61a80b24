import { FleetValidationError, GitOpsRepo } from '../src';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Every file under `dir` (recursively): relative path → content. */
export function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(child);
      else out[child] = fs.readFileSync(path.join(dir, child), 'utf8');
    }
  };
  if (fs.existsSync(dir)) walk('');
  return out;
}

/** Writes a file, creating its parent directories. */
export function writeFile(dir: string, rel: string, content: string): void {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  fs.writeFileSync(path.join(dir, rel), content);
}

/** The problems synth reports for a fleet, as `[construct path] message` lines; empty when it is valid. */
export function problemsOf(repo: GitOpsRepo): string[] {
  try {
    repo.synthLayout();
    return [];
  } catch (e) {
    if (!(e instanceof FleetValidationError)) throw e;
    return e.problems.map(p => `[${p.path}] ${p.message}`);
  }
}

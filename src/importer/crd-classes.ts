import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { Doc } from '../core/model/repo-tree';
import { directoryName } from './names';

/** Classes `cdk8s import` generated for the CRDs a repository carries (or the user named). */
export interface CrdClasses {
  /** The generated TypeScript, by path in the fleet (`src/imports/<prefix>-<group>.ts`). */
  readonly files: Map<string, string>;
  /** Each generated module's exports, loaded here, by the specifier a component imports it with (`../imports/…`). */
  readonly modules: Map<string, Record<string, unknown>>;
  /** The module and class of each `group/kind` at an API version: `apiVersion\0kind` → where. */
  readonly classes: Map<string, { readonly module: string; readonly name: string }>;
  /** Why classes could not be generated, if they could not. */
  readonly error?: string;
}

/**
 * Runs `cdk8s import` (offline: the CRDs are local files) for CRDs, grouped by API group, and loads
 * the generated classes in this process (transpiled with TypeScript), so that objects of those kinds
 * can be written with them and proven like the rest. Needs cdk8s-cli and typescript installed (a
 * fleet repository has them as development dependencies); without them, the objects stay ApiObjects.
 */
export function generateCrdClasses(crds: readonly Doc[]): CrdClasses {
  const result: CrdClasses = { files: new Map(), modules: new Map(), classes: new Map() };
  if (crds.length === 0) return result;
  let cli: string;
  let ts: typeof import('typescript');
  try {
    const pkg = require.resolve('cdk8s-cli/package.json');
    cli = path.join(path.dirname(pkg), (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { bin: { cdk8s: string } }).bin.cdk8s);
    ts = require('typescript') as typeof import('typescript');
  } catch {
    return { ...result, error: 'cdk8s-cli and typescript are not installed where cdk8s-flux runs, so no class was generated for the CRDs the repository carries' };
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-flux-crds-'));
  try {
    const byGroup = new Map<string, Doc[]>();
    for (const crd of crds) {
      const group = String(crd.spec?.group ?? '');
      if (!group) continue;
      byGroup.set(group, [...byGroup.get(group) ?? [], crd]);
    }
    for (const [group, docs] of [...byGroup].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const prefix = directoryName(group.split('.')[0]).replace(/[^a-z0-9-]/g, '-');
      const file = path.join(work, `${group}.yaml`);
      fs.writeFileSync(file, docs.map(d => stringify(d)).join('---\n'));
      const run = spawnSync(process.execPath, [cli, 'import', `${prefix}:=${file}`, '--language', 'typescript', '--output', path.join(work, 'imports'), '--no-check-upgrade'], { cwd: work, encoding: 'utf8' });
      if (run.status !== 0) return { ...result, error: `cdk8s import of the CRDs of ${group} failed: ${(run.stderr || run.stdout).split('\n')[0]}` };
    }
    const dir = path.join(work, 'imports');
    for (const name of fs.existsSync(dir) ? fs.readdirSync(dir).filter(f => f.endsWith('.ts')).sort() : []) {
      const text = fs.readFileSync(path.join(dir, name), 'utf8');
      const specifier = `../imports/${name.replace(/\.ts$/, '')}`;
      const js = ts.transpileModule(text, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 } }).outputText;
      const module = { exports: {} as Record<string, unknown> };
      // eslint-disable-next-line @typescript-eslint/no-implied-eval
      new Function('require', 'module', 'exports', js)(require, module, module.exports);
      result.files.set(`src/imports/${name}`, text);
      result.modules.set(specifier, module.exports);
      for (const [exported, value] of Object.entries(module.exports)) {
        const gvk = (value as { GVK?: { apiVersion: string; kind: string } } | undefined)?.GVK;
        if (typeof value === 'function' && gvk) result.classes.set(`${gvk.apiVersion}\0${gvk.kind}`, { module: specifier, name: exported });
      }
    }
    return result;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

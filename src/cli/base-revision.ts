import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { scanLayout } from '../core/disk-scan';

/** Thrown when the base revision cannot be synthesized: not a git repository, an unknown ref, a fleet app that fails there. */
export class BaseRevisionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BaseRevisionError';
  }
}

/** A revision of the repository, synthesized in a temporary directory. */
export interface SynthesizedRevision {
  /** The commit it resolved to. */
  readonly commit: string;
  /** Where the fleet's root sits in the temporary copy (directories a Kustomization builds outside the managed roots are read there). */
  readonly rootDir: string;
  /** Every file of the managed roots after the synth, by repository path (relative to the fleet's root). */
  readonly files: ReadonlyMap<string, string>;
}

function git(cwd: string, args: readonly string[], input?: Buffer): { ok: boolean; stdout: Buffer; stderr: string } {
  const r = spawnSync('git', args, { cwd, input, maxBuffer: 1 << 30 });
  if (r.error) throw new BaseRevisionError(`cannot run git (${(r.error as NodeJS.ErrnoException).code ?? r.error.message}): diff --base needs git on the PATH`);
  return { ok: r.status === 0, stdout: r.stdout, stderr: r.stderr.toString().trim() };
}

/**
 * Synthesizes the fleet as it is at `ref`, without touching the user's tree: the revision's files
 * are exported (`git archive`) into a temporary directory, the fleet's `node_modules` is linked
 * there, the revision's own app (the `app` of its cdk8s.yaml) runs `synth` in that copy, and the
 * layout it wrote is read back. `visit` runs while the copy exists; the copy is removed after.
 * @param rootDir the fleet's root in the user's checkout (where its cdk8s.yaml is)
 */
export function withRevision<T>(rootDir: string, ref: string, managedRoots: readonly string[], visit: (revision: SynthesizedRevision) => T, step: (text: string) => void = () => undefined): T {
  const top = git(rootDir, ['rev-parse', '--show-toplevel']);
  if (!top.ok) throw new BaseRevisionError(`diff --base needs a git repository: ${rootDir} is not in one (${top.stderr.split('\n')[0]})`);
  const toplevel = fs.realpathSync(top.stdout.toString().trim());
  const resolved = git(rootDir, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  if (!resolved.ok) throw new BaseRevisionError(`--base ${JSON.stringify(ref)} is not a commit of ${toplevel}: give a branch, tag or commit (e.g. origin/main; in CI fetch it first, e.g. actions/checkout with fetch-depth: 0)`);
  const commit = resolved.stdout.toString().trim();
  const prefix = path.relative(toplevel, fs.realpathSync(rootDir));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-flux-base-'));
  try {
    step(`exporting ${ref} (${commit.slice(0, 12)})`);
    const archive = git(toplevel, ['archive', '--format=tar', commit, ...prefix ? [prefix] : []]);
    if (!archive.ok) throw new BaseRevisionError(`cannot export ${ref}: ${archive.stderr.split('\n')[0]}`);
    const untar = spawnSync('tar', ['-x', '-C', tmp], { input: archive.stdout, maxBuffer: 1 << 30 });
    if (untar.status !== 0) throw new BaseRevisionError(`cannot unpack ${ref} into ${tmp}: ${untar.stderr?.toString().trim() || untar.error?.message}`);
    const baseRoot = path.join(tmp, prefix);
    const config = path.join(baseRoot, 'cdk8s.yaml');
    if (!fs.existsSync(config)) throw new BaseRevisionError(`${ref} has no ${path.posix.join(prefix, 'cdk8s.yaml')}: the fleet app cannot be run at that revision`);
    const app = (parse(fs.readFileSync(config, 'utf8')) as { app?: unknown } | null)?.app;
    if (typeof app !== 'string' || app.trim() === '') throw new BaseRevisionError(`${ref}'s cdk8s.yaml has no \`app\`: the fleet app cannot be run at that revision`);
    // the revision runs with today's installed packages (node_modules is never committed)
    for (const dir of new Set([rootDir, toplevel])) {
      const modules = path.join(dir, 'node_modules');
      const target = path.join(tmp, path.relative(toplevel, fs.realpathSync(dir)), 'node_modules');
      if (fs.existsSync(modules) && !fs.existsSync(target)) fs.symlinkSync(fs.realpathSync(modules), target, 'dir');
    }
    step(`synthesizing ${ref}`);
    // the base is synthesized only to be compared: CI's strictness (warnings as errors, schema
    // validation) is for the working tree, and must not make a base with warnings uncomparable
    const env: NodeJS.ProcessEnv = { ...process.env, CDK8S_FLUX_ROOT_DIR: baseRoot, CI: '' };
    const r = spawnSync(`${app} synth`, { cwd: baseRoot, shell: true, env, maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'pipe'] });
    if (r.status !== 0) {
      const said = `${r.stderr?.toString() ?? ''}${r.stdout?.toString() ?? ''}`.trim();
      throw new BaseRevisionError(`the fleet at ${ref} (${commit.slice(0, 12)}) did not synthesize (\`${app} synth\` exited ${r.status ?? r.signal}):\n${said.split('\n').slice(0, 30).join('\n')}`);
    }
    const disk = scanLayout(baseRoot, managedRoots);
    const files = new Map<string, string>();
    for (const [p, content] of disk.generated) files.set(p, content);
    for (const [p, content] of disk.foreign) if (content !== undefined) files.set(p, content);
    return visit({ commit, rootDir: baseRoot, files });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

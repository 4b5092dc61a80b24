import * as fs from 'node:fs';
import * as path from 'node:path';
import { CommandSpec, ExitCode, formatUsage, parseSpec } from './args';
import { SynthIo } from './synth';
import { GitOpsRepo } from '../fleet/gitops-repo';
import { DIRECTORY_NAME_PATTERN } from '../core/names';

/** The init command's interface. */
export const INIT_COMMAND: CommandSpec = {
  name: 'init',
  summary: 'scaffold a new fleet repository (cdk8s-flux init [dir])',
  synopsis: '[dir] [--name <package-name>] [--package-spec <spec>] [--root <dir>]…',
  description: `Scaffolds a new fleet repository in dir (default: the current directory), which must be empty
(a .git directory is fine): package.json, tsconfig.json, cdk8s.yaml, src/main.ts with one
environment, a HelmRepository and a HelmRelease, its cluster directory with the Flux sync and an
infrastructure Kustomization, a test that compares a fresh synth with the committed layout,
a GitHub Actions workflow (.github/workflows/ci.yml), README.md, .gitignore and .gitattributes
(LF line ends for the generated layout).
Then: npm install && npm run synth && npm test.`,
  flags: {
    'name': { type: 'string', valueName: 'NAME', description: 'the package name (default: the directory\'s name)' },
    'package-spec': { type: 'string', valueName: 'SPEC', complete: 'file', description: 'how package.json depends on cdk8s-flux (default: ^<this version>; e.g. file:../cdk8s-flux-0.1.0.tgz made by npm pack)' },
    'root': { type: 'string', valueName: 'DIR', multiple: true, description: 'another top-level directory of the layout (e.g. tenants): the fleet adds it with repo.addRoot, the sync keeps it in spec.ignore, .gitattributes keeps its line ends' },
  },
  positionals: { name: 'DIR', min: 0, max: 1, complete: 'directory' },
};

/** Help of the init command. */
export const INIT_USAGE = formatUsage(INIT_COMMAND).replace(/ {6}\(in this repository: npm run init -- …\)/, '');

/** Where init finds its templates: `templates/init/` of this package (from src/cli/ or lib/cli/ alike). */
const TEMPLATES = path.resolve(__dirname, '..', '..', 'templates', 'init');

/** Template files whose name npm would not ship as is (and `github/` is written as `.github/`). */
const RENAMED: Readonly<Record<string, string>> = { gitignore: '.gitignore', gitattributes: '.gitattributes' };

/** What init reads of this package's own package.json. */
export interface PackageManifest {
  version: string;
  peerDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

/** Runs the init command; returns the exit code (0 scaffolded, 2 usage error or a directory that is not empty). */
export function runInit(argv: readonly string[], io: SynthIo, cwd: string = process.cwd()): number {
  let parsed;
  try {
    parsed = parseSpec(INIT_COMMAND, argv);
  } catch (e) {
    io.err(`${(e as Error).message}\n`);
    return ExitCode.ERROR;
  }
  if (parsed.values.help) {
    io.out(`${INIT_USAGE}\n`);
    return ExitCode.CLEAN;
  }
  const args = { dir: parsed.positionals[0] ?? '.', name: parsed.values.name as string | undefined, packageSpec: parsed.values['package-spec'] as string | undefined };
  const dir = path.resolve(cwd, args.dir);
  const existing = fs.existsSync(dir) ? fs.readdirSync(dir).filter(f => f !== '.git') : [];
  if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory()) {
    io.err(`${dir} is a file: give init a new or empty directory\n`);
    return ExitCode.ERROR;
  }
  if (existing.length > 0) {
    io.err(`${dir} is not empty (${existing.sort().slice(0, 3).join(', ')}${existing.length > 3 ? ', …' : ''}): init writes only into a new or empty directory, so that it never overwrites your files\n`);
    return ExitCode.ERROR;
  }
  const name = args.name ?? packageNameOf(path.basename(dir));
  if (!/^(@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/.test(name) || name.length > 214) {
    io.err(`--name ${JSON.stringify(name)} is not a valid npm package name (lowercase letters, digits, '-', '.', '_', '~'; optionally @scope/)\n`);
    return ExitCode.ERROR;
  }
  const roots = (parsed.values.root as string[] | undefined) ?? [];
  for (const root of roots) {
    const problem = rootProblem(root, roots);
    if (problem) {
      io.err(`--root ${JSON.stringify(root)}: ${problem}\n`);
      return ExitCode.ERROR;
    }
  }
  const self = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as PackageManifest;
  const files = withRoots(templateFiles(), roots);
  files.set('package.json', `${JSON.stringify(scaffoldManifest(name, args.packageSpec ?? `^${self.version}`, self), null, 2)}\n`);
  for (const [file, content] of files) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), content);
  }
  const shown = path.relative(cwd, dir) || '.';
  io.out(`Scaffolded a fleet in ${shown}: ${[...files.keys()].sort().join(', ')}.\nNext:\n` +
    `${shown === '.' ? '' : `  cd ${shown}\n`}  npm install\n  npm run synth      # writes clusters/ and infrastructure/\n  npm test\n`);
  return ExitCode.CLEAN;
}

/** Why a `--root` cannot be a root of the layout, if so. */
function rootProblem(root: string, all: readonly string[]): string | undefined {
  if (!DIRECTORY_NAME_PATTERN.test(root) || /\.ya?ml$/.test(root)) return 'is not a directory name: lowercase letters, digits, \'-\', \'.\' or \'_\' (e.g. tenants)';
  if (GitOpsRepo.MANAGED_ROOTS.includes(root)) return `is a root of every fleet already (${GitOpsRepo.MANAGED_ROOTS.map(r => `${r}/`).join(', ')})`;
  if (GitOpsRepo.RESERVED_ROOTS.includes(root)) return `is reserved (${GitOpsRepo.RESERVED_ROOTS.map(r => `${r}/`).join(', ')}): pick another name, e.g. tenants`;
  if (all.indexOf(root) !== all.lastIndexOf(root)) return 'is given twice';
  return undefined;
}

/**
 * The scaffold with the extra roots: the fleet adds each (`repo.addRoot`), the sync's `spec.ignore`
 * keeps it, and `.gitattributes` keeps the line ends of what synth writes there.
 */
function withRoots(files: Map<string, string>, roots: readonly string[]): Map<string, string> {
  if (roots.length === 0) return files;
  const main = files.get('src/main.ts')!;
  const added = roots.map(r => `  repo.addRoot('${r}'); // ${r}/: a top-level directory of the layout (its directories: repo.roots)\n`).join('');
  files.set('src/main.ts', main
    .replace(/(  const repo = new GitOpsRepo\(\{ rootDir \}\);\n)/, `$1${added}`)
    .replace("!/apps/\\n'", `!/apps/\\n${roots.map(r => `!/${r}/\\n`).join('')}'`));
  files.set('.gitattributes', `${files.get('.gitattributes')!}${roots.map(r => `${r}/** text eol=lf\n`).join('')}`);
  return files;
}

/** A directory name as an npm package name: lowercase, invalid characters as '-'. */
export function packageNameOf(dirName: string): string {
  return dirName.toLowerCase().replace(/[^a-z0-9-._~]+/g, '-').replace(/^[-._]+/, '') || 'fleet';
}

/** Every template file: path in the scaffold → content. */
function templateFiles(): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(TEMPLATES, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(child);
      else files.set((rel ? `${rel}/${RENAMED[e.name] ?? e.name}` : RENAMED[e.name] ?? e.name).replace(/^github\//, '.github/'), fs.readFileSync(path.join(TEMPLATES, child), 'utf8'));
    }
  };
  walk('');
  return files;
}

/** The scaffold's package.json: the toolchain versions this package is tested with. */
export function scaffoldManifest(name: string, packageSpec: string, self: PackageManifest): Record<string, unknown> {
  const dev = self.devDependencies ?? {};
  const peers = self.peerDependencies ?? {};
  return {
    name,
    version: '0.1.0',
    private: true,
    description: 'A Flux GitOps fleet written in TypeScript with cdk8s-flux',
    engines: { node: '>=20.19' },
    scripts: {
      synth: 'cdk8s-flux synth',
      diff: 'cdk8s-flux diff',
      seal: 'cdk8s-flux seal',
      validate: 'cdk8s-flux validate',
      graph: 'cdk8s-flux graph',
      test: 'tsc --noEmit && vitest run',
    },
    dependencies: {
      'cdk8s': peers.cdk8s,
      'cdk8s-flux': packageSpec,
      'cdk8s-plus-27': peers['cdk8s-plus-27'],
      'constructs': peers.constructs,
    },
    devDependencies: {
      '@types/node': dev['@types/node'],
      'tsx': dev.tsx,
      'typescript': dev.typescript,
      'vitest': dev.vitest,
    },
  };
}

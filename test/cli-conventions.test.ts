import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { captureCli } from './helpers';
import { describe, expect, it } from 'vitest';
import { ExitCode, GitOpsRepo, LayoutDirectory, Rules, runCli } from '../src';
import { FleetTesting } from '../src/testing';
import { parseCommandArgs } from '../src/cli/args';
import { bashCompletion, zshCompletion } from '../src/cli/completion';
import { launch } from '../src/cli/launcher';
import { cliCommands } from '../src/cli/run-cli';
import { runInit } from '../src/cli/init';
import { fluxFleet } from './flux-fixture';

const PROJECT_ROOT = path.resolve(__dirname, '..');
const TSX = path.join(PROJECT_ROOT, 'node_modules/.bin/tsx');
const VERSION = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')).version;

function capture(terminal = false) {
  return captureCli({ terminal });
}

/** The fixture fleet, its rule warnings suppressed (with reasons), so that a clean run prints nothing. */
function fleet(): GitOpsRepo {
  const f = fluxFleet();
  f.repo.addEnvironment({ name: 'dev', cluster: 'dev' }, f.cluster);
  Rules.suppress(f.release, 'helm-upgrade-remediation', 'test fixture: never upgraded');
  Rules.suppress(f.podinfo, 'helm-repository-oci', 'test fixture: a HelmRepository of type oci on purpose');
  Rules.suppress(f.gitRepo, 'sync-ignore', 'test fixture: never reconciled');
  return f.repo;
}

function invalidFleet(): GitOpsRepo {
  const repo = fleet();
  new LayoutDirectory(repo.infrastructure, 'Bad_Dir');
  return repo;
}

/** Runs one command line of the CLI (init through the launcher, the others through runCli). */
function run(argv: string[], repo: () => GitOpsRepo = fleet) {
  const { io, sink } = capture();
  const code = argv[0] === 'init' ? runInit(argv.slice(1), sink, FleetTesting.tempDir()) : runCli(repo, argv, { io: sink, sealing: { dev: { certificate: '/nonexistent/dev.pem', store: '/nonexistent/dev.yaml' } } });
  return { code, ...io };
}

const commands = cliCommands();

describe('the CLI conventions, for every command of the table', () => {
  it('the table lists every command, each with flags, help and the one exit-code line', () => {
    expect(commands.map(c => c.name)).toEqual(expect.arrayContaining(['synth', 'diff', 'seal', 'validate', 'graph', 'completion', 'init']));
    for (const c of commands) {
      const help = run([c.name, '--help']);
      expect(help.code, c.name).toBe(ExitCode.CLEAN);
      expect(help.out).toMatch(new RegExp(`^Usage: cdk8s-flux ${c.name} `));
      expect(run([c.name, '-h']).out, c.name).toBe(help.out);
      for (const flag of Object.keys(c.flags)) expect(help.out, `${c.name} --${flag}`).toContain(`--${flag}`);
      expect(help.out, c.name).toContain('--verbose');
      expect(help.out, c.name).toContain(`Exit codes: 0 clean; ${c.findings ? `1 ${c.findings}; ` : ''}2 a usage error, or the command could not run.`);
    }
  });

  it('refuses an unknown flag with exit 2, naming the command and the flag, before the fleet is built', () => {
    const unbuildable = () => { throw new Error('the fleet was built'); };
    for (const c of commands) {
      const r = run([c.name, '--no-such-flag'], unbuildable);
      expect(r.code, c.name).toBe(ExitCode.ERROR);
      expect(r.err, c.name).toBe(`${c.name}: unknown option --no-such-flag (cdk8s-flux ${c.name} --help lists the options)\n`);
      expect(r.out).toBe('');
    }
    expect(run(['synth', '--chek']).err).toBe('synth: unknown option --chek (did you mean --check?) (cdk8s-flux synth --help lists the options)\n');
  });

  it('takes --flag=value and --flag value alike, and refuses a single-valued flag given twice', () => {
    for (const c of commands) {
      for (const [name, spec] of Object.entries(c.flags)) {
        if (spec.type !== 'string') continue;
        const value = spec.choices?.[0] ?? 'x';
        const spaced = parseCommandArgs(c.name, c.flags, [`--${name}`, value], { name: 'A', min: 0, max: 9 });
        const joined = parseCommandArgs(c.name, c.flags, [`--${name}=${value}`], { name: 'A', min: 0, max: 9 });
        expect(joined, `${c.name} --${name}`).toEqual(spaced);
        expect(spaced.values[name], `${c.name} --${name}`).toEqual(spec.multiple ? [value] : value);
        const twice = () => parseCommandArgs(c.name, c.flags, [`--${name}=${value}`, `--${name}`, value]);
        if (spec.multiple) {
          expect(parseCommandArgs(c.name, c.flags, [`--${name}=${value}`, `--${name}`, value]).values[name]).toEqual([value, value]);
        } else {
          expect(twice, `${c.name} --${name}`).toThrow(spec.sensitive ? `--${name} is given twice: give it once` : `--${name} is given twice ("${value}" and "${value}"): give it once`);
        }
        expect(() => parseCommandArgs(c.name, c.flags, [`--${name}`]), `${c.name} --${name}`).toThrow(`--${name} needs a`);
      }
      for (const [name, spec] of Object.entries(c.flags)) {
        if (spec.type === 'boolean') expect(() => parseCommandArgs(c.name, c.flags, [`--${name}=yes`])).toThrow(`--${name} takes no value`);
      }
    }
    // through the dispatcher: --env=dev works, a repeated --env is refused with exit 2 (it used to take the last)
    expect(run(['graph', '--env=dev', '--check']).code).toBe(ExitCode.FINDINGS);
    const repeated = run(['graph', '--out=a', '--out', 'b']);
    expect(repeated).toMatchObject({ code: ExitCode.ERROR, err: 'graph: --out is given twice ("a" and "b"): give it once (cdk8s-flux graph --help lists the options)\n' });
  });

  it('never echoes a sensitive value in a usage error', () => {
    const seal = commands.find(c => c.name === 'seal')!;
    expect(() => parseCommandArgs('seal', seal.flags, ['--from-literal=a=hunter2', '--from-literal', 'b=hunter3', '--from-stdin', 'k', '--from-stdin', 'k'])).toThrow(/^seal: --from-stdin is given twice/);
    const r = run(['seal', '--env', 'dev', '--from-literal=password=hunter2', '--bogus=hunter2']);
    expect(r.code).toBe(ExitCode.ERROR);
    expect(r.err).not.toContain('hunter2');
  });

  it('-v/--version print the version from package.json; -h/--help the command list', () => {
    for (const flag of ['-v', '--version']) expect(run([flag])).toMatchObject({ code: 0, out: `${VERSION}\n` });
    const dir = FleetTesting.tempDir();
    for (const flag of ['-v', '--version']) {
      const { io, sink } = capture();
      expect(launch([flag], { cwd: dir, io: sink })).toBe(0);
      expect(io.out).toBe(`${VERSION}\n`);
    }
    const top = run(['-h']);
    for (const c of commands) expect(top.out).toMatch(new RegExp(`\\n  ${c.name} +\\S`));
    expect(top.out).toContain('0 clean; 1 findings');
  });
});

describe('one table of exit codes: 0 clean, 1 findings, 2 usage or internal error', () => {
  it('holds for synth, validate, graph and diff', () => {
    const repo = fleet();
    const cases: [string[], () => GitOpsRepo, number][] = [
      [['synth', '--check'], () => repo, ExitCode.FINDINGS], // nothing written yet: the layout differs
      [['synth'], () => repo, ExitCode.CLEAN],
      [['synth', '--check'], () => repo, ExitCode.CLEAN],
      [['validate'], () => repo, ExitCode.CLEAN],
      [['graph', '--check'], () => repo, ExitCode.FINDINGS],
      [['diff', 'dev', 'dev', '--exit-code'], () => repo, ExitCode.CLEAN],
      [['synth'], invalidFleet, ExitCode.FINDINGS],
      [['synth', '--check'], invalidFleet, ExitCode.FINDINGS],
      [['validate'], invalidFleet, ExitCode.FINDINGS],
      [['graph'], invalidFleet, ExitCode.FINDINGS],
      [['diff', 'dev', 'dev'], invalidFleet, ExitCode.FINDINGS],
      [['diff'], () => repo, ExitCode.ERROR],
      [['diff', '--output', 'yaml', 'dev', 'dev'], () => repo, ExitCode.ERROR],
      [['validate', 'extra'], () => repo, ExitCode.ERROR],
      [['seal', '--env', 'dev', '-n', 'apps', '--name', 'db', '--from-literal', 'a=1'], () => repo, ExitCode.ERROR], // no certificate
      [['completion', 'fish'], () => repo, ExitCode.ERROR],
      [['synth'], () => { throw new TypeError('a bug'); }, ExitCode.ERROR],
    ];
    for (const [argv, make, code] of cases) {
      const r = run(argv, make);
      expect(r.code, `${argv.join(' ')}: ${r.err}`).toBe(code);
    }
  });
});

describe('--json', () => {
  it('validate --json prints the result, valid or not, on standard output', () => {
    const ok = run(['validate', '--json']);
    expect(ok.code).toBe(0);
    const valid = JSON.parse(ok.out);
    expect(valid).toMatchObject({ command: 'validate', valid: true, problems: [], warnings: [] });
    expect(valid.counts.clusters).toBe(1);
    expect(valid.counts.schema.HelmRelease).toBe(1);
    const bad = run(['validate', '--json'], invalidFleet);
    expect(bad.code).toBe(1);
    const invalid = JSON.parse(bad.out);
    expect(invalid.valid).toBe(false);
    expect(invalid.problems).toContainEqual({ path: 'infrastructure/Bad_Dir', message: expect.stringContaining('dirName "Bad_Dir" is not a valid directory name') });
  });

  it('synth --check --json says whether the layout is up to date and what would change', () => {
    const repo = fleet();
    const before = run(['synth', '--check', '--json'], () => repo);
    expect(before.code).toBe(1);
    const differs = JSON.parse(before.out);
    expect(differs).toMatchObject({ command: 'synth --check', clean: false, remove: [], conflicts: [] });
    expect(differs.write).toContain('clusters/dev/apps.yaml');
    expect(differs.diff).toContain('+++ b/clusters/dev/apps.yaml');
    expect(run(['synth'], () => repo).code).toBe(0);
    const after = run(['synth', '--check', '--json'], () => repo);
    expect(after.code).toBe(0);
    expect(JSON.parse(after.out)).toMatchObject({ clean: true, write: [], remove: [], warnings: [] });
    const invalid = run(['synth', '--check', '--json'], invalidFleet);
    expect(invalid.code).toBe(1);
    expect(JSON.parse(invalid.out).problems[0].path).toBe('infrastructure/Bad_Dir');
  });
});

describe('errors in the fleet\'s own code', () => {
  it('name the user\'s file and line, from a real fleet app run by tsx', () => {
    const dir = FleetTesting.tempDir();
    fs.mkdirSync(path.join(dir, 'src'));
    fs.writeFileSync(path.join(dir, 'src/main.ts'), [
      `import { GitOpsRepo, runCli } from ${JSON.stringify(path.join(PROJECT_ROOT, 'src'))};`,
      'interface Env { readonly replicas?: { readonly count: number } }',
      'function createFleet(env: Env): GitOpsRepo {',
      '  const count = env.replicas!.count; // line 4: a TypeError',
      '  return new GitOpsRepo({ rootDir: String(count) });',
      '}',
      'process.exitCode = runCli(() => createFleet({}), process.argv.slice(2));',
      '',
    ].join('\n'));
    fs.writeFileSync(path.join(dir, 'cdk8s.yaml'), `app: ${TSX} src/main.ts\n`);
    const r = spawnSync(process.execPath, [TSX, path.join(PROJECT_ROOT, 'src/cli/bin.ts'), 'validate'], { cwd: dir, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^validate failed: TypeError: Cannot read properties of undefined \(reading 'count'\)\n {4}at src\/main\.ts:4:\d+ \(your code\)\n\(run with --verbose for the stack trace\)\n$/);
  });
});

describe('progress', () => {
  it('shows on a terminal and stays quiet otherwise', () => {
    const repo = fleet();
    const quiet = capture(false);
    expect(runCli(repo, ['synth'], { io: quiet.sink })).toBe(0);
    expect(quiet.io.err).toBe('');
    const tty = capture(true);
    expect(runCli(fleet(), ['validate'], { io: tty.sink })).toBe(0);
    expect(tty.io.err).toMatch(/^\r\x1b\[2Kvalidating the fleet… \(\d+\.\d s\)\r\x1b\[2K$/);
  });
});

describe('shell completion, generated from the table', () => {
  it('bash: completes commands, flags and choices (run in bash)', () => {
    const script = bashCompletion(commands);
    expect(run(['completion', 'bash']).out).toBe(script);
    const complete = (words: string[]) => {
      const r = spawnSync('bash', ['-c', `${script}\nCOMP_WORDS=(${words.map(w => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _cdk8s_flux; printf '%s\\n' "\${COMPREPLY[@]}"`], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      return r.stdout.split('\n').filter(Boolean);
    };
    expect(complete(['cdk8s-flux', ''])).toEqual(expect.arrayContaining(commands.map(c => c.name)));
    expect(complete(['cdk8s-flux', 'va'])).toEqual(['validate']);
    expect(complete(['cdk8s-flux', 'synth', '--'])).toEqual(expect.arrayContaining(['--check', '--strict', '--validate', '--json', '--verbose', '--help']));
    expect(complete(['cdk8s-flux', 'diff', '--output', ''])).toEqual(['text', 'markdown', 'json']);
    expect(complete(['cdk8s-flux', 'seal', '--scope', 'n'])).toEqual(['namespace-wide']);
    expect(complete(['cdk8s-flux', 'completion', ''])).toEqual(['bash', 'zsh', 'environments']);
  });

  it('zsh: one completion function per command with every flag', () => {
    const script = zshCompletion(commands);
    expect(run(['completion', 'zsh']).out).toBe(script);
    expect(script.startsWith('#compdef cdk8s-flux\n')).toBe(true);
    for (const c of commands) {
      expect(script).toContain(`_cdk8s_flux_${c.name}() {`);
      for (const flag of Object.keys(c.flags)) expect(script, `${c.name} --${flag}`).toMatch(new RegExp(`--${flag}[\\['}]`));
    }
    expect(script).toContain("'--output[how to print the differences (default text)]:format:(text markdown json)'");
    const zsh = spawnSync('zsh', ['-n'], { input: script, encoding: 'utf8' });
    if (zsh.error) {
      console.warn('zsh is not installed here: the zsh script was checked for its content only, not parsed by zsh');
    } else {
      expect(zsh.status, zsh.stderr).toBe(0);
    }
  });

  it('the launcher prints completion without a fleet, and lists the fleet\'s environments through the app', () => {
    const dir = FleetTesting.tempDir();
    const { io, sink } = capture();
    expect(launch(['completion', 'bash'], { cwd: dir, io: sink })).toBe(0);
    expect(io.out).toBe(bashCompletion(commands));
    expect(run(['completion', 'environments'])).toMatchObject({ code: 0, out: 'dev\n' });
  });
});

describe('warnings and --strict', () => {
  it('a check of severity warning synthesizes with a warning; --strict makes it a finding, and --json lists it', () => {
    const warned = () => {
      const repo = fleet();
      repo.registerCheck({
        id: 'test/advice', description: 'advice', severity: 'warning',
        check: model => model.clusters.map(c => ({ path: c.directory, message: 'consider a second replica' })),
      });
      return repo;
    };
    const plain = run(['synth'], warned);
    expect(plain.code).toBe(ExitCode.CLEAN);
    expect(plain.err).toBe('warning: [clusters/dev] consider a second replica\n');
    const strict = run(['synth', '--strict'], warned);
    expect(strict.code).toBe(ExitCode.FINDINGS);
    // --strict makes the check's warnings problems of the fleet: nothing is written
    expect(strict.err).toBe('The fleet has 1 problem; nothing was written:\n  [clusters/dev] consider a second replica\n');
    const check = run(['synth', '--check', '--strict', '--json'], warned);
    expect(check.code).toBe(ExitCode.FINDINGS);
    expect(JSON.parse(check.out).problems).toMatchObject([{ path: 'clusters/dev', message: 'consider a second replica', severity: 'warning' }]);
    const validate = run(['validate', '--json'], warned);
    expect(validate.code).toBe(ExitCode.CLEAN);
    expect(JSON.parse(validate.out)).toMatchObject({ valid: true, warnings: [{ path: 'clusters/dev', message: 'consider a second replica' }] });
    expect(run(['validate', '--strict'], warned).code).toBe(ExitCode.FINDINGS);
    // without warnings, --strict changes nothing
    expect(run(['synth', '--strict']).code).toBe(ExitCode.CLEAN);
  });
});

describe('progress of a synth', () => {
  it('names each phase on a terminal, then clears its line before the result', () => {
    const tty = capture(true);
    expect(runCli(fleet(), ['synth'], { io: tty.sink })).toBe(0);
    const steps = tty.io.err.split('\r\x1b[2K').filter(Boolean).map(s => s.replace(/ \(\d+\.\d s\)$/, ''));
    expect(steps).toEqual(['synthesizing the fleet…', 'writing the layout…']);
    expect(tty.io.err.endsWith('\r\x1b[2K')).toBe(true);
    expect(tty.io.out).toMatch(/^Synthesized the layout into /);
  });
});

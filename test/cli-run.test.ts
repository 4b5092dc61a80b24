import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { captureCli } from './helpers';
import { describe, expect, it } from 'vitest';
import { CertificateError, cliUsage, GitOpsRepo, LayoutDirectory, runCli } from '../src';
import { FleetTesting } from '../src/testing';
import { launch } from '../src/cli/launcher';
import { describeFailure } from '../src/cli/failure';
import { fluxFleet } from './flux-fixture';

const PROJECT_ROOT = path.resolve(__dirname, '..');
const TSX = path.join(PROJECT_ROOT, 'node_modules/.bin/tsx');

function capture() {
  return captureCli();
}

/** The small fixture fleet with its cluster registered as environment `dev`. */
function fleet(): GitOpsRepo {
  const f = fluxFleet();
  f.repo.addEnvironment({ name: 'dev', cluster: 'dev' }, f.cluster);
  return f.repo;
}

describe('runCli', () => {
  it('lists every command with --help, help or -h', () => {
    for (const argv of [['--help'], ['help'], ['-h']]) {
      const { io, sink } = capture();
      expect(runCli(fleet, argv, { io: sink })).toBe(0);
      expect(io.out).toBe(`${cliUsage()}\n`);
    }
    for (const command of ['synth', 'seal', 'validate', 'graph', 'init']) expect(cliUsage()).toMatch(new RegExp(`\\n  ${command} +\\S`));
  });

  it('prints each command\'s help without building the fleet', () => {
    const unbuildable = () => { throw new Error('the fleet was built'); };
    for (const command of ['synth', 'seal', 'validate', 'graph']) {
      for (const argv of [[command, '--help'], ['help', command]]) {
        const { io, sink } = capture();
        expect(runCli(unbuildable, argv, { io: sink }), io.err).toBe(0);
        expect(io.out).toMatch(new RegExp(`^Usage: cdk8s-flux ${command} `));
        expect(io.err).toBe('');
      }
    }
    const { io, sink } = capture();
    expect(runCli(unbuildable, ['seal', '--help'], { io: sink, sealing: { dev: { certificate: 'c.pem', store: 's.yaml' } } })).toBe(0);
    expect(io.out).toContain('\n\nEnvironments: dev\n');
  });

  it('runs synth by default: no arguments, or only flags (as `npx cdk8s synth` and `cdk8s-flux --check` do)', () => {
    const repo = fleet();
    const first = capture();
    expect(runCli(repo, ['--check'], { io: first.sink })).toBe(1);
    expect(first.io.out).toContain('+++ b/clusters/dev/apps.yaml');
    const written = capture();
    expect(runCli(repo, [], { io: written.sink })).toBe(0);
    expect(written.io.out).toMatch(/^Synthesized the layout into .*: 7 written, 0 removed, 0 unchanged\.\n$/);
    const again = capture();
    expect(runCli(repo, ['synth', '--check'], { io: again.sink })).toBe(0);
  });

  it('refuses an unknown command in one line, with exit code 2', () => {
    const { io, sink } = capture();
    expect(runCli(fleet, ['synthesize'], { io: sink })).toBe(2);
    expect(io.err).toMatch(/^Unknown command "synthesize": use synth, diff, seal, validate, graph, verify, completion(, [a-z]+)* \(cdk8s-flux --help lists them\)\n$/);
    expect(io.out).toBe('');
  });

  it('reports a fleet that cannot be built in one line, with a stack trace only with --verbose', () => {
    const broken = () => { throw new CertificateError('sealed-secrets/certs/qa.pem does not exist: fetch it with kubeseal --fetch-cert'); };
    const plain = capture();
    expect(runCli(broken, [], { io: plain.sink })).toBe(2);
    expect(plain.io.err).toBe('sealed-secrets/certs/qa.pem does not exist: fetch it with kubeseal --fetch-cert\n');

    const bug = () => { throw new TypeError('cannot read properties of undefined'); };
    const unexpected = capture();
    expect(runCli(bug, ['validate'], { io: unexpected.sink })).toBe(2);
    // an error in the fleet's own code names its file and line (here: this test file, where `bug` throws)
    expect(unexpected.io.err).toMatch(/^validate failed: TypeError: cannot read properties of undefined\n    at test\/cli-run\.test\.ts:\d+:\d+ \(your code\)\n\(run with --verbose for the stack trace\)\n$/);
    const verbose = capture();
    expect(runCli(bug, ['validate', '--verbose'], { io: verbose.sink })).toBe(2);
    expect(verbose.io.err).toMatch(/^TypeError: cannot read properties of undefined\n\s+at /);
  });

  it('reports an invalid fleet with every problem and no stack trace, for each command', () => {
    const invalid = () => {
      const repo = fleet();
      new LayoutDirectory(repo.infrastructure, 'Bad_Dir');
      return repo;
    };
    for (const [argv, code] of [[[], 1], [['validate'], 1], [['graph'], 1]] as const) {
      const { io, sink } = capture();
      expect(runCli(invalid, argv, { io: sink }), argv.join(' ')).toBe(code);
      expect(io.err).toContain('[infrastructure/Bad_Dir] dirName "Bad_Dir" is not a valid directory name');
      expect(io.err).not.toMatch(/\n\s+at /);
    }
  });

  it('seal finds each environment\'s certificate and store by convention when the app passes none', () => {
    const repo = fleet();
    const { io, sink } = capture();
    expect(runCli(repo, ['seal', '--env', 'dev', '-n', 'apps', '--name', 'db', '--from-literal', 'a=1'], { io: sink })).toBe(2);
    const cert = path.join(repo.rootDir, 'sealed-secrets', 'certs', 'dev.pem');
    expect(io.err).toBe(`the sealing certificate ${cert} does not exist: fetch the controller's certificate into it with \`kubeseal --fetch-cert --controller-name=sealed-secrets-controller --controller-namespace=flux-system > ${cert}\` (or copy the certificate file your cluster's admin gives you), then commit it\n`);
  });

  it('prints the library version', () => {
    const { io, sink } = capture();
    expect(runCli(fleet, ['--version'], { io: sink })).toBe(0);
    expect(io.out).toBe(`${JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')).version}\n`);
  });
});

describe('the cdk8s-flux launcher', () => {
  it('runs cdk8s.yaml\'s app with the command and arguments appended, quoted, and returns its exit code', () => {
    const dir = FleetTesting.tempDir();
    fs.writeFileSync(path.join(dir, 'cdk8s.yaml'), `app: ${process.execPath} app.js\n`);
    fs.writeFileSync(path.join(dir, 'app.js'), `require('fs').writeFileSync('argv.json', JSON.stringify(process.argv.slice(2))); process.exitCode = 3;`);
    const { sink } = capture();
    expect(launch(['seal', '--from-literal', "it's=a $HOME `x`"], { cwd: dir, io: sink })).toBe(3);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'argv.json'), 'utf8'))).toEqual(['seal', '--from-literal', "it's=a $HOME `x`"]);
  });

  it('explains a missing cdk8s.yaml or app in one line, and still prints help', () => {
    const dir = FleetTesting.tempDir();
    const missing = capture();
    expect(launch(['synth'], { cwd: dir, io: missing.sink })).toBe(2);
    expect(missing.io.err).toBe(`No cdk8s.yaml in ${dir}: run cdk8s-flux in the root of a fleet repository (its cdk8s.yaml names the app to run), or create one with \`cdk8s-flux init\`\n`);
    const help = capture();
    expect(launch(['graph', '--help'], { cwd: dir, io: help.sink })).toBe(0);
    expect(help.io.out).toMatch(/^Usage: cdk8s-flux graph /);
    const top = capture();
    expect(launch(['--help'], { cwd: dir, io: top.sink })).toBe(0);
    expect(top.io.out).toContain('  init ');
    fs.writeFileSync(path.join(dir, 'cdk8s.yaml'), 'language: typescript\n');
    const noApp = capture();
    expect(launch([], { cwd: dir, io: noApp.sink })).toBe(2);
    expect(noApp.io.err).toBe(`${path.join(dir, 'cdk8s.yaml')} has no \`app\`: set it to the command that runs the fleet (e.g. app: npx tsx src/main.ts)\n`);
  });

  it('passes standard input through to the app (seal --from-stdin) and reports errors without a stack trace', () => {
    const r = spawnSync(TSX, ['src/cli/bin.ts', 'seal', '--env', 'nowhere', '-n', 'apps', '--name', 'db', '--from-stdin', 'password'], {
      cwd: PROJECT_ROOT, encoding: 'utf8', input: 'secret',
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--env is not an environment of this fleet: use development, staging, production (cdk8s-flux seal --help lists the options)\n');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout + r.stderr).not.toContain('secret');
  });
});

describe('this repository\'s npm scripts', () => {
  it('go through the CLI: npm run validate -- --help prints the command\'s help', () => {
    const r = spawnSync('npm', ['run', '--silent', 'validate', '--', '--help'], { cwd: PROJECT_ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Usage: cdk8s-flux validate /);
    const scripts = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')).scripts;
    // the fleet app's runCli is the CLI; the cdk8s-flux launcher would start that same app in a second process
    for (const command of ['synth', 'diff', 'seal', 'validate', 'graph']) expect(scripts[command]).toBe(`node -r ./src/cli/register-ts.js src/main.ts ${command}`);
  });
});

describe('where an unexpected error comes from', () => {
  it('points at the user\'s code only when it was thrown there; a library error says so instead of blaming the runCli line', () => {
    const library = new Error('ENOENT: no such file or directory, mkdir \'/repo/docs\'');
    library.stack = `Error: ${library.message}\n    at Object.mkdirSync (node:fs:1371:26)\n    at runGraph (${path.resolve(__dirname, '../src/cli/graph.ts')}:77:8)\n    at main (${path.resolve(__dirname, '../../fleet/src/main.ts')}:13:10)`;
    expect(describeFailure('graph', library, false)).toBe(`graph failed: ENOENT: no such file or directory, mkdir '/repo/docs'\nThis is an error of cdk8s-flux (or a package it uses), not of your fleet code: run with --verbose for the stack trace, and report it.\n`);
    const user = new TypeError('x is undefined');
    user.stack = `TypeError: x is undefined\n    at createFleet (/srv/fleet/src/fleet.ts:12:7)\n    at runCli (${path.resolve(__dirname, '../src/cli/run-cli.ts')}:1:1)`;
    expect(describeFailure('synth', user, false, '/srv/fleet')).toBe('synth failed: TypeError: x is undefined\n    at src/fleet.ts:12:7 (your code)\n(run with --verbose for the stack trace)\n');
  });
});

import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitRepository, HelmRelease, HelmRepository, HelmRepositoryType, ImagePolicy, ImagePolicyRule, ImageRepository, Kustomization, LayoutDirectory, ManifestFile, OCIRepository, ObjectPatch } from '../src';
import { runVerify } from '../src/cli/verify';
import { planChecks } from '../src/verify/plan';
import { PlannedCheck, VerifyTarget } from '../src/verify/target';
import { formatReport, gitLsRemote, verifyChecks } from '../src/verify/verify';
import { FleetTesting } from '../src/testing';
import { REGISTRY_PASSWORD, REGISTRY_USER, startVerifyServer, VerifyServer } from './support/verify-server';

let server: VerifyServer;
beforeAll(async () => {
  server = await startVerifyServer();
});
afterAll(() => server.close());

const NO_ENV = { HOME: '/nonexistent' };

function planned(target: VerifyTarget): PlannedCheck {
  return { target, origins: [{ object: 'Test x/y', location: 'test', clusters: ['dev'] }] };
}

async function check(target: VerifyTarget, options: { env?: Record<string, string>; timeoutMs?: number } = {}) {
  const [r] = await verifyChecks([planned(target)], { timeoutMs: options.timeoutMs ?? 5000, env: options.env ?? NO_ENV });
  return r.outcome;
}

describe('verify: a HelmRepository index.yaml', () => {
  it('finds the newest version a range selects, and an exact version', async () => {
    const url = `http://${server.host}/charts`;
    expect(await check({ kind: 'helm-chart', url, chart: 'external-dns', version: '>=8 <10', insecure: false })).toEqual({ status: 'ok', message: `external-dns 9.0.3 in ${url}` });
    expect(await check({ kind: 'helm-chart', url, chart: 'external-dns', version: '6.1.0', insecure: false })).toEqual({ status: 'ok', message: `external-dns 6.1.0 in ${url}` });
  });

  it('reports a range no version matches, naming the newest; and a chart the index does not have', async () => {
    const url = `http://${server.host}/charts`;
    expect(await check({ kind: 'helm-chart', url, chart: 'external-dns', version: '>=6.2.1 <7', insecure: false })).toEqual({
      status: 'missing', message: `no version of external-dns matches >=6.2.1 <7 in ${url} (newest 9.0.3)`,
    });
    expect(await check({ kind: 'helm-chart', url, chart: 'mariadb', version: '10.4.0', insecure: false })).toEqual({
      status: 'missing', message: `no version of mariadb matches 10.4.0 in ${url} (newest 21.0.0-rc.1)`,
    });
    expect(await check({ kind: 'helm-chart', url, chart: 'postgresql', version: '*', insecure: false })).toEqual({
      status: 'missing', message: `chart postgresql is not in ${url} (its index has 2 charts, e.g. external-dns, mariadb)`,
    });
  });

  it('times out on a server that never answers', async () => {
    const start = Date.now();
    const outcome = await check({ kind: 'helm-chart', url: `http://${server.host}/never`, chart: 'x', version: '*', insecure: false }, { timeoutMs: 300 });
    expect(outcome).toEqual({ status: 'unreachable', message: `could not be checked: http://${server.host}/never/index.yaml timed out after 300 ms` });
    expect(Date.now() - start).toBeLessThan(2000);
  });
});

describe('verify: OCI registries (distribution API)', () => {
  it('a HelmRepository of type oci: the chart\'s tags (Helm writes + as _)', async () => {
    const url = `oci://${server.host}/charts`;
    expect(await check({ kind: 'helm-chart', url, chart: 'podinfo', version: '>=6.5.0 <7', insecure: true })).toEqual({ status: 'ok', message: `podinfo 6.7.1+build.1 in ${url}` });
    expect(await check({ kind: 'helm-chart', url, chart: 'podinfo', version: '>=7', insecure: true })).toEqual({ status: 'missing', message: `no version of podinfo matches >=7 in ${url} (newest 6.7.1+build.1)` });
  });

  it('an OCIRepository behind a token: credentials from the environment or the docker config', async () => {
    const url = `oci://${server.host}/private/manifests`;
    const target: VerifyTarget = { kind: 'oci', url, ref: { semver: '>=1.0.0' }, insecure: true };
    const variable = `CDK8S_FLUX_AUTH_127_0_0_1_${server.port}`;
    expect(await check(target, { env: { ...NO_ENV, [variable]: `${REGISTRY_USER}:${REGISTRY_PASSWORD}` } })).toEqual({ status: 'ok', message: `${url}:v1.1.0` });
    const denied = await check(target);
    expect(denied.status).toBe('unreachable');
    expect(denied.message).toBe(`could not be checked: ${server.host}/private/manifests: the registry answered HTTP 401 (it needs credentials: set ${variable}=user:password, or log in with docker login ${server.host})`);
    const dockerConfig = FleetTesting.tempDir();
    fs.writeFileSync(path.join(dockerConfig, 'config.json'), JSON.stringify({ auths: { [server.host]: { auth: Buffer.from(`${REGISTRY_USER}:${REGISTRY_PASSWORD}`).toString('base64') } } }));
    expect(await check(target, { env: { DOCKER_CONFIG: dockerConfig } })).toEqual({ status: 'ok', message: `${url}:v1.1.0` });
  });

  it('an OCIRepository tag, digest and range that do not exist', async () => {
    const url = `oci://${server.host}/private/manifests`;
    const env = { ...NO_ENV, [`CDK8S_FLUX_AUTH_127_0_0_1_${server.port}`]: `${REGISTRY_USER}:${REGISTRY_PASSWORD}` };
    expect(await check({ kind: 'oci', url, ref: { tag: 'v9' }, insecure: true }, { env })).toEqual({ status: 'missing', message: `tag v9 of ${url} does not exist (3 tags, newest v1.1.0)` });
    expect(await check({ kind: 'oci', url, ref: { semver: '>=2' }, insecure: true }, { env })).toEqual({ status: 'missing', message: `no tag of ${url} matches >=2 (newest v1.1.0)` });
    expect(await check({ kind: 'oci', url, ref: { digest: `sha256:${'b'.repeat(64)}` }, insecure: true }, { env })).toEqual({ status: 'ok', message: `${url}@sha256:${'b'.repeat(64)} exists` });
    expect((await check({ kind: 'oci', url, ref: { digest: `sha256:${'0'.repeat(64)}` }, insecure: true }, { env })).status).toBe('missing');
    expect(await check({ kind: 'oci', url: `oci://${server.host}/nothing/here`, ref: {}, insecure: true })).toEqual({ status: 'unreachable', message: `could not be checked: ${server.host}/nothing/here does not exist in its registry (HTTP 404)` });
  });

  it('an ImagePolicy: paginated tags, filter and extract, a semver range with no match naming the newest', async () => {
    const image = `${server.host}/org/app`;
    server.requests.length = 0;
    expect(await check({ kind: 'image', image, insecure: true, policy: { semver: '>=1.1.0 <2' } })).toEqual({ status: 'ok', message: `${image}: 1.2.0` });
    expect(server.requests).toContain('GET /v2/org/app/tags/list?n=3&last=1.2.0');
    expect(await check({ kind: 'image', image, insecure: true, policy: { alphabetical: 'asc' }, filter: { pattern: '^main-(?P<sha>[a-f0-9]+)$', extract: '$sha' } })).toEqual({ status: 'ok', message: `${image}: 1 tags that pass filterTags ^main-(?P<sha>[a-f0-9]+)$` });
    expect(await check({ kind: 'image', image, insecure: true, policy: { semver: '>=3' } })).toEqual({ status: 'missing', message: `no tag of ${image} matches >=3 (6 tags; newest v2.0.0-rc.1)` });
    expect(await check({ kind: 'image', image, insecure: true, policy: { numerical: 'asc' }, filter: { pattern: '^build-(?P<n>[0-9]+)$', extract: '$n' } })).toEqual({ status: 'missing', message: `no tag of ${image} that pass filterTags ^build-(?P<n>[0-9]+)$ is a number (6 tags)` });
  });

  it('a registry that never answers times out', async () => {
    const outcome = await check({ kind: 'oci', url: `oci://${server.host}/never`, ref: { tag: 'x' }, insecure: true }, { timeoutMs: 250 });
    expect(outcome).toEqual({ status: 'unreachable', message: `could not be checked: http://${server.host}/v2/never/tags/list?n=1000 timed out after 250 ms` });
  });
});

describe('verify: git refs', () => {
  it('reads the smart-HTTP ref advertisement: branch, tag, semver', async () => {
    const url = `http://${server.host}/org/fleet.git`;
    expect(await check({ kind: 'git', url, ref: { branch: 'main' } })).toEqual({ status: 'ok', message: `${url} refs/heads/main` });
    expect(await check({ kind: 'git', url, ref: { tag: 'v1.2.0' } })).toEqual({ status: 'ok', message: `${url} refs/tags/v1.2.0` });
    expect(await check({ kind: 'git', url, ref: { semver: '>=1.3.0' } })).toEqual({ status: 'ok', message: `${url} tag v1.3.0` });
  });

  it('reports a branch or range that does not exist', async () => {
    const url = `http://${server.host}/org/fleet.git`;
    expect(await check({ kind: 'git', url, ref: { branch: 'gitops' } })).toEqual({ status: 'missing', message: `${url} has no refs/heads/gitops (branches: main, develop)` });
    expect(await check({ kind: 'git', url, ref: { semver: '>=2' } })).toEqual({ status: 'missing', message: `no tag of ${url} matches >=2 (newest v1.3.0)` });
    expect(await check({ kind: 'git', url: `http://${server.host}/org/gone.git`, ref: { branch: 'main' } })).toEqual({ status: 'unreachable', message: `could not be checked: http://${server.host}/org/gone.git/info/refs answered HTTP 404` });
  });

  it('ssh:// URLs go through git ls-remote (here a fake), which the real one serves from a local repository', async () => {
    const seen: string[] = [];
    const [r] = await verifyChecks([planned({ kind: 'git', url: 'ssh://git@example.invalid/org/fleet', ref: { branch: 'main' } })], {
      env: NO_ENV, lsRemote: async (url) => { seen.push(url); return [`${'a'.repeat(40)} refs/heads/main`]; },
    });
    expect(seen).toEqual(['ssh://git@example.invalid/org/fleet']);
    expect(r.outcome.status).toBe('ok');
    const dir = FleetTesting.tempDir();
    const git = (...args: string[]) => spawnSync('git', ['-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { encoding: 'utf8' });
    git('init', '-q', '-b', 'trunk');
    git('commit', '-q', '--allow-empty', '-m', 'first');
    expect(await gitLsRemote(dir, 5000)).toEqual([expect.stringMatching(/^[0-9a-f]{40} HEAD$/), expect.stringMatching(/^[0-9a-f]{40} refs\/heads\/trunk$/)]);
    await expect(gitLsRemote(path.join(dir, 'missing'), 5000)).rejects.toThrow(/^git ls-remote .*missing: /);
  });
});

describe('verify: bounded concurrency', () => {
  it('runs at most N checks at once', async () => {
    const checks = Array.from({ length: 6 }, (_, i) => planned({ kind: 'helm-chart', url: `http://${server.host}/never`, chart: `c${i}`, version: '*', insecure: false }));
    let start = Date.now();
    const results = await verifyChecks(checks, { timeoutMs: 200, concurrency: 2, env: NO_ENV });
    const bounded = Date.now() - start;
    expect(results.every(r => r.outcome.status === 'unreachable')).toBe(true);
    expect(bounded).toBeGreaterThanOrEqual(3 * 200 - 20); // three rounds of two
    start = Date.now();
    await verifyChecks(checks, { timeoutMs: 200, concurrency: 6, env: NO_ENV });
    expect(Date.now() - start).toBeLessThan(bounded);
  });
});

/** A fleet whose sources are all on the loopback server: one cluster, each source kind, one chart version that no longer exists. */
function loopbackFleet(host: string, externalDnsVersion: string) {
  const repo = FleetTesting.repo();
  const cluster = new LayoutDirectory(repo.clusters, 'dev');
  const sync = new ManifestFile(new LayoutDirectory(cluster, 'flux-system'), 'gotk-sync');
  const git = new GitRepository(sync, 'repo', { metadata: { name: 'flux-system', namespace: 'flux-system' }, url: `http://${host}/org/fleet.git`, ref: { branch: 'main' }, ignore: '/*\n!/clusters/\n!/infrastructure/\n' });
  new Kustomization(sync, 'sync', { metadata: { name: 'flux-system', namespace: 'flux-system' }, sourceRef: git, path: cluster });
  const infra = new LayoutDirectory(repo.infrastructure, 'base');
  new Kustomization(new ManifestFile(cluster, 'infrastructure'), 'infrastructure', { metadata: { name: 'infrastructure', namespace: 'flux-system' }, sourceRef: git, path: infra, wait: true });
  const sources = new ManifestFile(infra, 'sources');
  const charts = new HelmRepository(sources, 'charts', { metadata: { name: 'charts', namespace: 'flux-system' }, url: `http://${host}/charts` });
  const ociCharts = new HelmRepository(sources, 'oci', { metadata: { name: 'oci', namespace: 'flux-system' }, url: `oci://${host}/charts`, type: HelmRepositoryType.OCI });
  new ObjectPatch(infra, 'oci-insecure', { target: ociCharts, patch: { spec: { insecure: true } } });
  const manifests = new OCIRepository(sources, 'manifests', { metadata: { name: 'manifests', namespace: 'flux-system' }, url: `oci://${host}/charts/podinfo`, ref: { semver: '>=6.5.0' } });
  new ObjectPatch(infra, 'manifests-insecure', { target: manifests, patch: { spec: { insecure: true } } });
  const releases = new ManifestFile(infra, 'releases');
  new HelmRelease(releases, 'dns', { metadata: { name: 'external-dns', namespace: 'flux-system' }, chart: { repository: charts, name: 'external-dns', version: externalDnsVersion }, upgrade: { remediation: { retries: 3 } } });
  new HelmRelease(releases, 'podinfo', { metadata: { name: 'podinfo', namespace: 'flux-system' }, chart: { repository: ociCharts, name: 'podinfo', version: '6.5.4' }, upgrade: { remediation: { retries: 3 } } });
  const images = new ManifestFile(infra, 'images');
  const app = new ImageRepository(images, 'app', { metadata: { name: 'app', namespace: 'flux-system' }, image: `${host}/org/app`, insecure: true });
  new ImagePolicy(images, 'policy', { metadata: { name: 'app', namespace: 'flux-system' }, imageRepository: app, policy: ImagePolicyRule.semver('>=1.0.0 <2') });
  repo.addEnvironment({ name: 'development', cluster: 'dev' }, cluster);
  return repo;
}

describe('verify: the fleet', () => {
  it('plans one check per source the clusters apply, read from the model (patches included)', () => {
    const checks = planChecks(loopbackFleet(server.host, '>=6.2.1 <7').synthModel().model);
    expect(checks.map(c => c.target)).toEqual(expect.arrayContaining([
      { kind: 'git', url: `http://${server.host}/org/fleet.git`, ref: { branch: 'main' } },
      { kind: 'helm-chart', url: `http://${server.host}/charts`, chart: 'external-dns', version: '>=6.2.1 <7', insecure: false },
      { kind: 'helm-chart', url: `oci://${server.host}/charts`, chart: 'podinfo', version: '6.5.4', insecure: true },
      { kind: 'oci', url: `oci://${server.host}/charts/podinfo`, ref: { semver: '>=6.5.0' }, insecure: true },
      { kind: 'image', image: `${server.host}/org/app`, insecure: true, policy: { semver: '>=1.0.0 <2' } },
    ]));
    expect(checks).toHaveLength(5);
    expect(checks.find(c => c.target.kind === 'helm-chart' && c.target.chart === 'external-dns')!.origins).toEqual([
      { object: 'HelmRelease flux-system/external-dns', location: 'infrastructure/base/releases/dns', clusters: ['dev'] },
    ]);
  });

  it('the report names the object, its clusters and what is missing', () => {
    const results = [{ ...planned({ kind: 'helm-chart', url: 'https://charts.bitnami.com/bitnami', chart: 'external-dns', version: '>=6.2.1 <7', insecure: false }), outcome: { status: 'missing' as const, message: 'no version of external-dns matches >=6.2.1 <7 in https://charts.bitnami.com/bitnami (newest 9.0.3)' } }];
    expect(formatReport(results, 12).text).toBe('  [test] Test x/y (dev): missing: no version of external-dns matches >=6.2.1 <7 in https://charts.bitnami.com/bitnami (newest 9.0.3)\nVerified 1 sources in 12 ms: 0 found, 1 missing or unreachable.');
  });
});

describe('cdk8s-flux verify (the command, against a loopback server in another process)', () => {
  let child: ChildProcess;
  let host: string;
  beforeAll(async () => {
    const tsx = pathToFileURL(require.resolve('tsx')).href;
    child = spawn(process.execPath, ['--import', tsx, path.join(__dirname, 'support', 'verify-server.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
    const port = await new Promise<string>(resolve => child.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim())));
    host = `127.0.0.1:${port}`;
  });
  afterAll(() => {
    child.kill();
  });

  function run(repo: ReturnType<typeof loopbackFleet>, args: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = runVerify(repo, args, { out: t => out.push(t), err: t => err.push(t), env: NO_ENV });
    return { code, out: out.join(''), err: err.join('') };
  }

  it('shows its progress on a terminal only, and clears it before the report', () => {
    const err: string[] = [];
    const out: string[] = [];
    const code = runVerify(loopbackFleet(host, '>=8 <10'), ['--timeout', '3000'], { out: t => out.push(t), err: t => err.push(t), env: NO_ENV, errIsTerminal: () => true });
    expect(code).toBe(0);
    const steps = err.join('').split('\r\x1b[2K').filter(Boolean).map(x => x.trim().replace(/ \(\d+\.\d s\)$/, ''));
    expect(steps).toEqual(['synthesizing the fleet…', 'checking 5 sources online (timeout 3000 ms, 8 at once)…']);
    expect(err.join('').endsWith('\r\x1b[2K')).toBe(true);
    expect(out.join('')).toMatch(/^Verified 5 sources/);
  });

  it('exits 0 when every source exists', () => {
    const r = run(loopbackFleet(host, '>=8 <10'), ['--timeout', '3000']);
    expect(r.err).toBe('');
    expect(r.out).toMatch(/^Verified 5 sources in \d+ ms: 5 found, 0 missing or unreachable\.\n$/);
    expect(r.code).toBe(0);
  });

  it('exits 1 and names what is missing', () => {
    const r = run(loopbackFleet(host, '>=6.2.1 <7'), ['--timeout', '3000', '--concurrency', '2']);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`  [infrastructure/base/releases/dns] HelmRelease flux-system/external-dns (dev): missing: no version of external-dns matches >=6.2.1 <7 in http://${host}/charts (newest 9.0.3)\n`);
    expect(r.err).toMatch(/Verified 5 sources in \d+ ms: 4 found, 1 missing or unreachable\./);
  });

  it('exits 2 on a usage error', () => {
    expect(run(loopbackFleet(host, '1.0.0'), ['--timeout', 'soon'])).toEqual({ code: 2, out: '', err: 'verify: --timeout needs a positive whole number of milliseconds (e.g. --timeout 5000), not "soon" (cdk8s-flux verify --help lists the options)\n' });
    expect(run(loopbackFleet(host, '1.0.0'), ['--bogus']).code).toBe(2);
  });
});

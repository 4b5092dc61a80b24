import * as fs from 'node:fs';
import * as path from 'node:path';
import * as kplus from 'cdk8s-plus-27';
import { describe, expect, it } from 'vitest';
import { compareObjects, diffEnvironments, environmentObjects, follows, formatEnvironmentDiff, GitRepository, Kustomization, LayoutDirectory, ManifestFile, ObjectPatch, Promotion, runDiff } from '../src';
import { FleetTesting, kubectlAvailable, renderEquivalence } from '../src/testing';
import { createExampleFleet } from '../src/example-fleet';
import { problemsOf } from './helpers';

const HAS_KUBECTL = kubectlAvailable();
const SKIP_NOTE = HAS_KUBECTL ? '' : ' [SKIPPED: kubectl not found on PATH; install kubectl to compare overlays with kustomize]';
if (!HAS_KUBECTL) console.warn(`environments.test.ts:${SKIP_NOTE}`);

/** A two-environment fleet: a base with a Deployment and a ServiceAccount, and one overlay per environment. */
function deploymentFleet(options: { flatten?: boolean } = {}) {
  const repo = FleetTesting.repo();
  const base = new LayoutDirectory(options.flatten ? repo.templates : repo.apps, 'base');
  const app = new LayoutDirectory(base, 'web');
  const sa = new kplus.ServiceAccount(new ManifestFile(app, 'serviceaccount'), 'sa', { metadata: { name: 'web', namespace: 'web' } });
  const deployment = new kplus.Deployment(new ManifestFile(app, 'deployment'), 'deployment', {
    metadata: { name: 'web', namespace: 'web' },
    serviceAccount: sa,
    containers: [
      { name: 'web', image: 'ghcr.io/example/web:1.0.0', envVariables: { MODE: kplus.EnvValue.fromValue('base'), LOG: kplus.EnvValue.fromValue('info') }, securityContext: { ensureNonRoot: false } },
      { name: 'sidecar', image: 'ghcr.io/example/sidecar:1.0.0', securityContext: { ensureNonRoot: false } },
    ],
  });
  const overlays = new LayoutDirectory(repo.apps, 'overlays', { kustomize: false });
  for (const env of [{ name: 'dev', cluster: 'cluster-dev', mode: 'debug' }, { name: 'prod', cluster: 'cluster-prod', mode: 'production' }]) {
    const overlay = new LayoutDirectory(overlays, env.name, { flatten: options.flatten });
    overlay.addResource(base);
    new ObjectPatch(overlay, 'web-patch', {
      target: deployment,
      patch: {
        metadata: { annotations: { 'example.com/env': env.name } },
        spec: { template: { spec: { containers: [{ name: 'web', env: [{ name: 'MODE', value: env.mode }, { name: 'EXTRA', value: 'yes' }] }] } } },
      },
    });
    const cluster = new LayoutDirectory(repo.clusters, env.cluster);
    const sync = new ManifestFile(new LayoutDirectory(cluster, 'flux-system'), 'gotk-sync');
    const source = new GitRepository(sync, 'repo', { metadata: { name: 'flux-system', namespace: 'flux-system' }, url: 'https://github.com/org/fleet', ref: { branch: 'main' } });
    new Kustomization(sync, 'sync', { metadata: { name: 'flux-system', namespace: 'flux-system' }, sourceRef: source, path: cluster });
    new Kustomization(new ManifestFile(cluster, 'apps'), 'apps', { metadata: { name: 'apps', namespace: 'flux-system' }, sourceRef: source, path: overlay });
    repo.addEnvironment(env, cluster);
  }
  return { repo, deployment, sa };
}

describe('environments', () => {
  it('registers environments with their clusters and refuses unknown names', () => {
    const { repo } = deploymentFleet();
    expect(repo.environments.map(e => [e.env.name, e.cluster.repoPath])).toEqual([['dev', 'clusters/cluster-dev'], ['prod', 'clusters/cluster-prod']]);
    expect(() => repo.environment('staging')).toThrow('unknown environment "staging": the fleet defines "dev", "prod"');
  });

  it('reports environments registered with the wrong cluster directory, twice, or with a bad name', () => {
    const repo = FleetTesting.repo();
    const cluster = new LayoutDirectory(repo.clusters, 'cluster-a');
    const nested = new LayoutDirectory(cluster, 'inner');
    new kplus.ConfigMap(new ManifestFile(nested, 'cm'), 'cm', { metadata: { name: 'x', namespace: 'default' } });
    repo.addEnvironment({ name: 'a', cluster: 'cluster-b' }, cluster);
    repo.addEnvironment({ name: 'a', cluster: 'cluster-a' }, cluster);
    repo.addEnvironment({ name: 'Bad Name', cluster: 'inner' }, nested);
    expect(problemsOf(repo)).toEqual([
      '[] environment "Bad Name": its cluster directory "clusters/cluster-a/inner" is not directly under clusters/: pass the directory clusters/<cluster>/ that its Flux reconciles',
      '[] environment "a" declares cluster "cluster-b" but is registered with directory "clusters/cluster-a": name the directory after env.cluster',
      '[] environment "a" is registered twice: give each environment its own name',
      '[] environment name "Bad Name" is not a valid directory name: use lowercase letters, digits and \'-\' (e.g. "staging")',
      '[] environments "a" and "a" share the cluster directory clusters/cluster-a: give each environment its own cluster',
    ]);
  });

  it('computes each environment\'s effective objects: patches merged as kustomize merges them', () => {
    const { repo } = deploymentFleet();
    const { model } = repo.synthModel();
    const dev = environmentObjects(model, repo.environment('dev').cluster);
    const deployment = dev.get('Deployment.apps web/web')!.doc as any;
    expect(deployment.metadata.annotations).toEqual({ 'example.com/env': 'dev' });
    const containers = deployment.spec.template.spec.containers;
    // merged by name: the patched container keeps its image, its env merged by name; the sidecar stays
    expect(containers.map((c: any) => c.name)).toEqual(['web', 'sidecar']);
    expect(containers[0].image).toBe('ghcr.io/example/web:1.0.0');
    expect(containers[0].env).toEqual([{ name: 'MODE', value: 'debug' }, { name: 'EXTRA', value: 'yes' }, { name: 'LOG', value: 'info' }]);
  });

  it('refuses a patch item without the key kustomize merges its list by', () => {
    const { repo, deployment } = deploymentFleet();
    new ObjectPatch(new LayoutDirectory(repo.apps, 'other'), 'bad', {
      target: deployment,
      patch: { spec: { template: { spec: { containers: [{ image: 'x' }] } } } },
    });
    expect(problemsOf(repo)).toContain('[apps/other/bad] patch.spec.template.spec.containers[0] has no "name", the key kustomize merges this list by: add it');
  });
});

describe(`overlays render as the code says (kubectl kustomize)${SKIP_NOTE}`, () => {
  it.skipIf(!HAS_KUBECTL)('every directory of every example environment builds exactly to the library\'s effective objects', () => {
    const repo = createExampleFleet({ rootDir: FleetTesting.tempDir() });
    repo.write();
    const result = renderEquivalence(repo);
    expect(result.mismatches).toEqual([]);
    expect(new Set(result.checked.map(c => c.environment))).toEqual(new Set(['development', 'staging', 'production']));
    // per environment: the cluster directory, the infrastructure overlay (its secrets included), the Sealed Secrets controller, the tenants
    expect(result.checked.filter(c => c.environment === 'staging').map(c => c.directory).sort()).toEqual([
      'apps/overlays/staging', 'clusters/cluster-staging', 'infrastructure/base/sealed-secrets', 'infrastructure/overlays/staging',
    ]);
  });

  it.skipIf(!HAS_KUBECTL)('the fully rendered example builds to the same objects as the base-plus-patches example', () => {
    const patched = createExampleFleet({ rootDir: FleetTesting.tempDir() });
    const flattened = createExampleFleet({ rootDir: FleetTesting.tempDir(), flattenOverlays: true });
    flattened.write();
    expect(renderEquivalence(flattened).mismatches).toEqual([]);
    const a = patched.synthModel().model;
    const b = flattened.synthModel().model;
    for (const env of ['development', 'staging', 'production']) {
      const diff = compareObjects('patches', 'flattened', environmentObjects(a, patched.environment(env).cluster), environmentObjects(b, flattened.environment(env).cluster));
      // the only difference: where the shared Sealed Secrets controller directory lives
      expect(diff.differences.map(d => [d.id, d.fields.map(f => `${f.path}: ${String(f.from)} -> ${String(f.to)}`)])).toEqual([
        ['Kustomization.kustomize.toolkit.fluxcd.io flux-system/sealed-secrets', ['spec.path: ./infrastructure/base/sealed-secrets -> ./infrastructure/sealed-secrets']],
      ]);
    }
  });

  it.skipIf(!HAS_KUBECTL)('merges core lists by key exactly as kustomize does, in both modes', () => {
    for (const flatten of [false, true]) {
      const { repo } = deploymentFleet({ flatten });
      repo.write();
      const result = renderEquivalence(repo);
      expect(result.mismatches).toEqual([]);
      expect(result.checked.map(c => c.directory)).toContain('apps/overlays/prod');
    }
  });

  it.skipIf(!HAS_KUBECTL)('catches a patch that matches nothing: kustomize drops it without a word', () => {
    const { repo } = deploymentFleet();
    repo.write();
    // a mistargeted patch, as a hand edit or a copy-paste from another overlay would leave it
    const file = path.join(repo.rootDir, 'apps/overlays/prod/kustomization.yaml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('name: web\n', 'name: web-frontend\n'));
    const result = renderEquivalence(repo);
    expect(result.mismatches).toEqual([{
      environment: 'prod',
      directory: 'apps/overlays/prod',
      appliedBy: 'Kustomization flux-system/apps',
      problems: ['Deployment.apps web/web: differs: metadata.annotations: model {"example.com/env":"prod"}, kustomize undefined'],
    }]);
  });
});

describe('overlay layout', () => {
  it('writes the fully rendered mode without patches or base, each environment complete', () => {
    const { repo } = deploymentFleet({ flatten: true });
    const files = FleetTesting.synth(repo);
    expect(Object.keys(files).filter(f => f.startsWith('apps/'))).toEqual([
      'apps/overlays/dev/kustomization.yaml', 'apps/overlays/dev/web/deployment.yaml', 'apps/overlays/dev/web/serviceaccount.yaml',
      'apps/overlays/prod/kustomization.yaml', 'apps/overlays/prod/web/deployment.yaml', 'apps/overlays/prod/web/serviceaccount.yaml',
    ]);
    expect(files['apps/overlays/prod/kustomization.yaml']).toMatchSnapshot();
    expect(files['apps/overlays/prod/web/deployment.yaml']).toMatchSnapshot();
  });

  it('writes the patch mode as a base plus one precisely targeted patch per environment', () => {
    const { repo } = deploymentFleet();
    const files = FleetTesting.synth(repo);
    expect(files['apps/overlays/prod/kustomization.yaml']).toMatchSnapshot();
    expect(files['apps/overlays/prod/web-patch.yaml']).toMatchSnapshot();
  });

  it('refuses a virtual directory where kustomize or Flux would look for it', () => {
    const repo = FleetTesting.repo();
    const template = new LayoutDirectory(repo.templates, 'base');
    new kplus.ConfigMap(new ManifestFile(template, 'cm'), 'cm', { metadata: { name: 'x', namespace: 'default' } });
    const overlay = new LayoutDirectory(repo.apps, 'dev');
    overlay.addResource(template);
    const cluster = new LayoutDirectory(repo.clusters, 'dev');
    const sync = new ManifestFile(cluster, 'sync');
    const source = GitRepository.fromName(sync, 'repo', { name: 'flux-system', namespace: 'flux-system' });
    new Kustomization(sync, 'k', { metadata: { name: 'apps', namespace: 'flux-system' }, sourceRef: source, path: template });
    expect(problemsOf(repo)).toEqual([
      '[apps/dev] includes directory "templates/base", which is virtual (never written), so kustomize could not find it: set flatten: true on this directory, or include a directory that is written',
      '[clusters/dev/sync/k] spec.path is directory "templates/base", which is virtual (a template that is never written): point it at a directory that is written, such as a flattened overlay that builds it',
    ]);
  });
});

describe('promotion', () => {
  const stages = ['development', 'staging', 'production'] as const;

  it('resolves pinned, ranged and followed versions', () => {
    const p = new Promotion(FleetTesting.repo(), 'podinfo', {
      stages,
      versions: { development: '>=6.0.0 <7', staging: '6.5.3', production: follows('staging') },
    });
    expect(stages.map(s => p.version(s))).toEqual(['>=6.0.0 <7', '6.5.3', '6.5.3']);
    expect(stages.map(s => p.isPinned(s))).toEqual([false, true, true]);
    expect(p.decidedBy('production')).toBe('staging');
    expect(p.baseline).toBe('6.5.3');
    expect(stages.map(s => p.override(s))).toEqual(['>=6.0.0 <7', undefined, undefined]);
  });

  it('refuses versions that skip a stage, ranges after the first stage and backward follows', () => {
    const repo = FleetTesting.repo();
    new Promotion(repo, 'ahead', { stages, versions: { development: '1.4.0', staging: '1.4.0', production: '1.5.0' } });
    new Promotion(repo, 'outside', { stages, versions: { development: '~1.4', staging: '1.5.0', production: follows('staging') } });
    new Promotion(repo, 'range', { stages, versions: { development: '1.4.0', staging: '1.x', production: follows('development') } });
    new Promotion(repo, 'backward', { stages, versions: { development: follows('production'), staging: 'one', production: '1.0.0' } });
    new Promotion(repo, 'skip', { stages, versions: { development: '6.6.0', staging: '6.5.0', production: follows('development') } });
    new Promotion(repo, 'skip-range', { stages, versions: { development: '>=6.0.0 <7', staging: '6.5.4', production: follows('development') } });
    expect(problemsOf(repo)).toEqual([
      '[ahead] versions.production pins 1.5.0, newer than staging\'s 1.4.0: a version reaches production only after staging has run it; promote staging to 1.5.0 first, or pin production to 1.4.0 or older',
      '[backward] versions.development follows "production", which does not come before it in the promotion order (development → staging → production): a stage can only follow an earlier one',
      '[backward] versions.staging "one" is not a semantic version or range: use e.g. "6.5.3", or for the first stage ">=6.0.0 <7"',
      '[outside] versions.staging pins 1.5.0, outside development\'s range "~1.4", so development never ran it: pin a version that range takes',
      '[range] versions.staging is the range "1.x", but development runs "1.4.0": only the first stage (development) may take new versions by range, a later stage would run versions development never validated; pin an exact version or use follows(\'development\')',
      '[skip] versions.production follows development, which runs 6.6.0, newer than staging\'s 6.5.0: a version reaches production only after staging has run it; promote staging to 6.6.0 first, or pin production to 6.5.0 or older',
      '[skip-range] versions.production follows development, which runs the range ">=6.0.0 <7", but staging runs "6.5.4": only the first stage (development) may take new versions by range, a later stage would run versions staging never validated; pin an exact version or use follows(\'staging\')',
    ]);
  });

  it('promotes with a one-line change: the example\'s release train drives each overlay\'s chart version', () => {
    const files = FleetTesting.synthDocuments(createExampleFleet({ rootDir: FleetTesting.tempDir() }));
    const release = files['infrastructure/base/aws-load-balancer-controller/release.yaml'][0];
    expect(release.spec.chart.spec.version).toBe('3.4.3'); // the base carries production's version
    expect(files['infrastructure/overlays/development/aws-load-balancer-controller-patch.yaml'][0].spec.chart).toEqual({ spec: { version: '3.5.0' } });
    expect(files['infrastructure/overlays/staging/aws-load-balancer-controller-patch.yaml'][0].spec.chart).toBeUndefined();
  });
});

describe('env diff', () => {
  const io = () => {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, io: { out: (t: string) => { out.push(t); }, err: (t: string) => { err.push(t); }, env: {} } };
  };

  it('prints two environments\' differences grouped by object', () => {
    const repo = createExampleFleet({ rootDir: FleetTesting.tempDir() });
    const { out, io: streams } = io();
    expect(runDiff(repo, ['development', 'staging'], streams)).toBe(0);
    expect(out.join('')).toMatchSnapshot();
  });

  it('reports objects present in one environment only and sealed values without ciphertext', () => {
    const { repo } = deploymentFleet();
    new kplus.ConfigMap(new ManifestFile(repo.node.findChild('apps').node.findChild('overlays').node.findChild('prod') as LayoutDirectory, 'extra'), 'cm', {
      metadata: { name: 'only-prod', namespace: 'web' }, data: { a: 'b' },
    });
    const text = formatEnvironmentDiff(diffEnvironments(repo, 'dev', 'prod'));
    expect(text).toContain('+ ConfigMap web/only-prod  (only in prod)');
    expect(text).toContain('    metadata.annotations["example.com/env"]: "dev" → "prod"');
    expect(text).toContain('    spec.template.spec.containers[0].env[0].value: "debug" → "production"');
  });

  it('fails with one clear line for an unknown environment or missing arguments, and exits 1 with --exit-code', () => {
    const repo = createExampleFleet({ rootDir: FleetTesting.tempDir() });
    const a = io();
    expect(runDiff(repo, ['development', 'qa'], a.io)).toBe(2);
    expect(a.err.join('')).toBe('unknown environment "qa": the fleet defines "development", "staging", "production"\n');
    const b = io();
    expect(runDiff(repo, ['development'], b.io)).toBe(2);
    expect(b.err.join('')).toBe('diff needs --base <git-ref>, or two environments (the fleet defines: development, staging, production) (cdk8s-flux diff --help lists the options)\n');
    const c = io();
    expect(runDiff(repo, ['staging', 'production', '--exit-code'], c.io)).toBe(1);
    const d = io();
    expect(runDiff(repo, ['staging', 'staging', '--exit-code'], d.io)).toBe(0);
    expect(d.out.join('')).toBe('staging → staging: 0 changed, 0 only in staging, 0 only in staging, 33 identical\n');
  });
});


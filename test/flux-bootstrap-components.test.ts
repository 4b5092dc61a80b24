import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { FluxBootstrapComponents, GitOpsRepo, GitRepository, HelmRelease, HelmRepository, Kustomization, LayoutDirectory, ManifestFile } from '../src';
import { FleetTesting, kubectlAvailable, kustomizeBuild, renderEquivalence } from '../src/testing';
import { problemsOf, writeFile } from './helpers';

/** A stand-in for `flux install --export`: the controllers' Deployments, as the user's file. */
function gotkComponents(controllers: readonly string[]): string {
  return controllers.map(name => [
    'apiVersion: apps/v1', 'kind: Deployment', 'metadata:', `  name: ${name}`, '  namespace: flux-system', 'spec:',
    '  selector:', '    matchLabels:', `      app: ${name}`, '  template:', '    metadata:', '      labels:', `        app: ${name}`,
    '    spec:', `      serviceAccountName: ${name}`, '      containers:', '      - name: manager', `        image: ghcr.io/fluxcd/${name}:v1.9.4`,
    '        args:', '        - --watch-all-namespaces=true', '        - --log-level=info', '',
  ].join('\n')).join('---\n');
}

const CONTROLLERS = ['source-controller', 'kustomize-controller', 'helm-controller', 'notification-controller'];

/** `clusters/dev/flux-system/` as `flux bootstrap` leaves it, plus the sync the library writes. */
function bootstrapped(props: { lockdownComponents?: boolean; environmentLockdown?: boolean; controllers?: readonly string[] } = {}): GitOpsRepo {
  const repo = FleetTesting.repo();
  writeFile(repo.rootDir, 'clusters/dev/flux-system/gotk-components.yaml', gotkComponents(props.controllers ?? CONTROLLERS));
  const cluster = new LayoutDirectory(repo.clusters, 'dev');
  const fluxSystem = new LayoutDirectory(cluster, 'flux-system');
  new FluxBootstrapComponents(fluxSystem, 'components', { lockdown: props.lockdownComponents ? {} : undefined });
  const sync = new ManifestFile(fluxSystem, 'gotk-sync');
  const self = new GitRepository(sync, 'repo', { metadata: { name: 'flux-system', namespace: 'flux-system' }, url: 'https://github.com/org/fleet', ref: { branch: 'main' }, ignore: '/*\n!/clusters/\n!/apps/\n' });
  const account = props.environmentLockdown ? 'kustomize-controller' : undefined;
  new Kustomization(sync, 'sync', { metadata: { name: 'flux-system', namespace: 'flux-system' }, sourceRef: self, path: cluster, serviceAccountName: account });
  const apps = new LayoutDirectory(repo.apps, 'base');
  const charts = new HelmRepository(new ManifestFile(apps, 'sources'), 'podinfo', { metadata: { name: 'podinfo', namespace: 'flux-system' }, url: 'https://stefanprodan.github.io/podinfo' });
  new HelmRelease(new ManifestFile(apps, 'release'), 'podinfo', {
    metadata: { name: 'podinfo', namespace: 'flux-system' }, chart: { repository: charts, name: 'podinfo', version: '6.x' },
    serviceAccountName: props.environmentLockdown ? 'helm-controller' : undefined,
  });
  new Kustomization(new ManifestFile(cluster, 'apps'), 'apps', { metadata: { name: 'apps', namespace: 'flux-system' }, sourceRef: self, path: apps, serviceAccountName: account });
  repo.addEnvironment({ name: 'dev', cluster: 'dev', lockdown: props.environmentLockdown }, cluster);
  return repo;
}

describe('Flux installed by flux bootstrap, kept in the repository', () => {
  it('lists the user\'s gotk-components.yaml and patches the controllers for the lockdown, as flux2-multi-tenancy does', () => {
    const repo = bootstrapped({ lockdownComponents: true, environmentLockdown: true });
    expect(problemsOf(repo)).toEqual([]);
    const files = FleetTesting.synth(repo);
    expect(Object.keys(files).filter(f => f.startsWith('clusters/dev/flux-system/'))).toEqual(['clusters/dev/flux-system/gotk-sync.yaml', 'clusters/dev/flux-system/kustomization.yaml']);
    expect(parse(files['clusters/dev/flux-system/kustomization.yaml'])).toEqual({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: ['gotk-components.yaml', 'gotk-sync.yaml'],
      patches: [
        { patch: '- op: add\n  path: /spec/template/spec/containers/0/args/-\n  value: --no-cross-namespace-refs=true\n', target: { kind: 'Deployment', name: '(kustomize-controller|helm-controller|notification-controller|image-reflector-controller|image-automation-controller)' } },
        { patch: '- op: add\n  path: /spec/template/spec/containers/0/args/-\n  value: --no-remote-bases=true\n', target: { kind: 'Deployment', name: 'kustomize-controller' } },
        { patch: '- op: add\n  path: /spec/template/spec/containers/0/args/-\n  value: --default-service-account=default\n', target: { kind: 'Deployment', name: '(kustomize-controller|helm-controller)' } },
      ],
    });
    // the model applies the patches as kustomize will
    const cluster = repo.synthModel().model.clusters.find(c => c.name === 'dev')!;
    const args = (name: string) => cluster.applications.find(a => a.doc.kind === 'Deployment' && a.doc.metadata?.name === name)!.doc.spec.template.spec.containers[0].args;
    expect(args('kustomize-controller')).toEqual(['--watch-all-namespaces=true', '--log-level=info', '--no-cross-namespace-refs=true', '--no-remote-bases=true', '--default-service-account=default']);
    expect(args('helm-controller')).toEqual(['--watch-all-namespaces=true', '--log-level=info', '--no-cross-namespace-refs=true', '--default-service-account=default']);
    expect(args('source-controller')).toEqual(['--watch-all-namespaces=true', '--log-level=info']);
  });

  it.skipIf(!kubectlAvailable())('kubectl kustomize builds the flux-system directory exactly as the model does', () => {
    const repo = bootstrapped({ lockdownComponents: true, environmentLockdown: true });
    repo.write();
    const built = kustomizeBuild(path.join(repo.rootDir, 'clusters/dev/flux-system'));
    const kustomize = built.get('apps/Deployment/flux-system/kustomize-controller') ?? [...built.values()].find(d => (d.metadata as any)?.name === 'kustomize-controller')!;
    expect((kustomize as any).spec.template.spec.containers[0].args).toEqual(['--watch-all-namespaces=true', '--log-level=info', '--no-cross-namespace-refs=true', '--no-remote-bases=true', '--default-service-account=default']);
    expect(renderEquivalence(repo).mismatches).toEqual([]);
  });
  if (!kubectlAvailable()) console.warn('SKIPPED the kubectl kustomize comparison of the bootstrap lockdown patches: kubectl is not installed');

  it('checks the patched controllers against the environment\'s lockdown', () => {
    expect(problemsOf(bootstrapped({ lockdownComponents: false, environmentLockdown: true }))).toContain(
      '[clusters/dev/flux-system/components-file] Deployment flux-system/kustomize-controller (cluster "dev", environment "dev") runs without --no-cross-namespace-refs=true, but the environment has lockdown: true, so its Flux would not enforce the lockdown the synth checks assume: give its flux-system directory FluxBootstrapComponents with lockdown',
    );
    expect(problemsOf(bootstrapped({ lockdownComponents: true, environmentLockdown: false }))).toEqual([
      '[clusters/dev/flux-system/components-file] Deployment flux-system/kustomize-controller (cluster "dev", environment "dev") runs with the multi-tenancy lockdown, but the environment has no lockdown, so the synth does not check what the lockdown refuses: set lockdown: true on the environment, or remove the lockdown patches',
    ]);
    expect(problemsOf(bootstrapped({ lockdownComponents: false, environmentLockdown: false }))).toEqual([]);
  });

  it('refuses a lockdown patch that selects no controller, and an inline patch that selects everything', () => {
    const repo = bootstrapped({ lockdownComponents: true, environmentLockdown: true, controllers: ['source-controller', 'helm-controller'] });
    expect(problemsOf(repo)).toContain('[clusters/dev/flux-system] patches[1] targets {kind=Deployment, name=kustomize-controller}, which matches no object of the build of "clusters/dev/flux-system": kustomize would apply it to nothing without a word. Target an object the build has, or remove the patch');
    const open = bootstrapped();
    const dir = open.node.findAll().find((c): c is LayoutDirectory => c instanceof LayoutDirectory && c.repoPath === 'clusters/dev/flux-system')!;
    dir.addPatch({ target: {}, patch: { metadata: { labels: { x: 'y' } } } });
    expect(problemsOf(open)).toContain('[clusters/dev/flux-system] addPatch() #1 of directory "clusters/dev/flux-system": its target selects every object of the build; give at least a kind, a name or a label selector (e.g. { kind: \'Deployment\', name: \'kustomize-controller\' })');
  });
});

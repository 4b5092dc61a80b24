import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  DEFAULT_FLUX_COMPONENTS, FluxComponent, FluxInstance, FluxInstanceProps, HelmRelease, HelmRepository, ImagePolicy, ImagePolicyRule, ImageRepository,
  Kustomization, LayoutDirectory, ManifestFile,
} from '../src';
import { SchemaValidator } from '../src/validation/schema-validator';
import { FleetTesting } from '../src/testing';
import { problemsOf } from './helpers';

/**
 * A fleet whose Flux is a FluxInstance in `clusters/<c>/flux-system/`: the operator creates the
 * sync (GitRepository and Kustomization `flux-system`), so no sync file is written by hand.
 */
function operatorFleet(props: { instance?: (cluster: LayoutDirectory, other: LayoutDirectory) => FluxInstanceProps; lockdown?: boolean; images?: boolean } = {}) {
  const repo = FleetTesting.repo();
  const cluster = new LayoutDirectory(repo.clusters, 'dev');
  const other = new LayoutDirectory(repo.clusters, 'prod');
  const apps = new LayoutDirectory(repo.apps, 'base');
  const flux = new FluxInstance(new ManifestFile(new LayoutDirectory(cluster, 'flux-system'), 'flux-instance'), 'flux', props.instance?.(cluster, other) ?? {
    sync: { url: 'ssh://git@github.com/org/fleet', ref: 'refs/heads/main', path: cluster, pullSecret: 'flux-system' },
  });
  new Kustomization(new ManifestFile(cluster, 'apps'), 'apps', {
    metadata: { name: 'apps', namespace: 'flux-system' }, sourceRef: flux.syncSource, path: apps, serviceAccountName: props.lockdown ? 'kustomize-controller' : undefined,
  });
  const charts = new HelmRepository(new ManifestFile(apps, 'sources'), 'podinfo', { metadata: { name: 'podinfo', namespace: 'flux-system' }, url: 'https://stefanprodan.github.io/podinfo' });
  new HelmRelease(new ManifestFile(apps, 'release'), 'podinfo', {
    metadata: { name: 'podinfo', namespace: 'flux-system' }, chart: { repository: charts, name: 'podinfo', version: '6.x' },
    serviceAccountName: props.lockdown ? 'helm-controller' : undefined,
  });
  if (props.images) {
    const images = new ManifestFile(apps, 'images');
    const image = new ImageRepository(images, 'repo', { metadata: { name: 'podinfo', namespace: 'flux-system' }, image: 'ghcr.io/stefanprodan/podinfo' });
    new ImagePolicy(images, 'policy', { metadata: { name: 'podinfo', namespace: 'flux-system' }, imageRepository: image, policy: ImagePolicyRule.semver('>=6.0.0') });
  }
  repo.addEnvironment({ name: 'dev', cluster: 'dev', lockdown: props.lockdown }, cluster);
  return { repo, cluster, other, flux };
}

describe('FluxInstance', () => {
  it('writes Flux\'s installation and sync into the cluster\'s flux-system directory, valid against the operator\'s CRD', () => {
    const { repo } = operatorFleet({
      instance: cluster => ({
        multitenant: false,
        components: [...DEFAULT_FLUX_COMPONENTS, FluxComponent.IMAGE_REFLECTOR_CONTROLLER],
        size: 'medium',
        sync: { url: 'ssh://git@github.com/org/fleet', ref: 'refs/heads/main', path: cluster, pullSecret: 'flux-system' },
        patches: [
          { target: { kind: 'Deployment', name: '(kustomize-controller|helm-controller)' }, patch: [{ op: 'add', path: '/spec/template/spec/containers/0/args/-', value: '--concurrent=10' }] },
          { target: { kind: 'Deployment' }, patch: { spec: { template: { spec: { nodeSelector: { role: 'flux' } } } } } },
        ],
      }),
    });
    const files = FleetTesting.synth(repo);
    const doc = parse(files['clusters/dev/flux-system/flux-instance.yaml']);
    expect(doc).toEqual({
      apiVersion: 'fluxcd.controlplane.io/v1',
      kind: 'FluxInstance',
      metadata: { name: 'flux', namespace: 'flux-system' },
      spec: {
        cluster: { multitenant: false, networkPolicy: true, size: 'medium' },
        components: ['source-controller', 'kustomize-controller', 'helm-controller', 'notification-controller', 'image-reflector-controller'],
        distribution: { registry: 'ghcr.io/fluxcd', version: '2.9.x' },
        kustomize: {
          patches: [
            { patch: '- op: add\n  path: /spec/template/spec/containers/0/args/-\n  value: --concurrent=10\n', target: { kind: 'Deployment', name: '(kustomize-controller|helm-controller)' } },
            { patch: 'spec:\n  template:\n    spec:\n      nodeSelector:\n        role: flux\n', target: { kind: 'Deployment' } },
          ],
        },
        sync: { kind: 'GitRepository', path: 'clusters/dev', pullSecret: 'flux-system', ref: 'refs/heads/main', url: 'ssh://git@github.com/org/fleet' },
      },
    });
    // no hand-written sync: the Kustomization's source is the one the operator creates
    expect(Object.keys(files).filter(f => f.includes('gotk-sync'))).toEqual([]);
    expect(parse(files['clusters/dev/apps.yaml']).spec.sourceRef).toEqual({ kind: 'GitRepository', name: 'flux-system' });
    const validator = SchemaValidator.fromDirectory();
    expect(validator.covers('fluxcd.controlplane.io/v1', 'FluxInstance')).toBe(true);
    expect(validator.validate(doc)).toEqual([]);
    expect(validator.validate({ ...doc, spec: { ...doc.spec, cluster: { size: 'huge' } } })!.map(i => i.pointer)).toContain('/spec/cluster/size');
  });

  it('the lockdown: multitenant with the default tenant account, exactly when the environment has lockdown', () => {
    const locked = operatorFleet({
      lockdown: true,
      instance: cluster => ({ multitenant: true, sync: { url: 'ssh://git@github.com/org/fleet', ref: 'refs/heads/main', path: cluster } }),
    });
    expect(problemsOf(locked.repo)).toEqual([]);
    expect(parse(FleetTesting.synth(locked.repo)['clusters/dev/flux-system/flux-instance.yaml']).spec.cluster)
      .toEqual({ multitenant: true, networkPolicy: true, tenantDefaultServiceAccount: 'default' });

    expect(problemsOf(operatorFleet({ lockdown: true }).repo)).toEqual([
      '[clusters/dev/flux-system/flux-instance/flux] FluxInstance flux-system/flux spec.cluster.multitenant is off, but environment "dev" (cluster "dev") has lockdown: true, so its Flux would run without the multi-tenancy lockdown the synth checks assume: set multitenant: true',
    ]);
    const unlocked = operatorFleet({ instance: cluster => ({ multitenant: true, sync: { url: 'ssh://git@github.com/org/fleet', ref: 'refs/heads/main', path: cluster } }) });
    expect(problemsOf(unlocked.repo)).toEqual([
      '[clusters/dev/flux-system/flux-instance/flux] FluxInstance flux-system/flux spec.cluster.multitenant is on, but environment "dev" (cluster "dev") has no lockdown, so the synth does not check what the lockdown refuses (cross-namespace references, objects without a service account): set lockdown: true on the environment, or multitenant: false',
    ]);
  });

  it('refuses a cluster that applies kinds whose controller the instance does not install', () => {
    const { repo } = operatorFleet({ images: true });
    expect(problemsOf(repo)).toEqual([
      '[clusters/dev/flux-system/flux-instance/flux] FluxInstance flux-system/flux spec.components has no image-reflector-controller, but cluster "dev" applies ImageRepository flux-system/podinfo, ImagePolicy flux-system/podinfo, which nothing would reconcile: add FluxComponent.IMAGE_REFLECTOR_CONTROLLER',
    ]);
    const helmless = operatorFleet({
      instance: cluster => ({ components: [FluxComponent.SOURCE_CONTROLLER, FluxComponent.KUSTOMIZE_CONTROLLER], sync: { url: 'ssh://git@github.com/org/fleet', ref: 'refs/heads/main', path: cluster } }),
    });
    expect(problemsOf(helmless.repo)).toEqual([
      '[clusters/dev/flux-system/flux-instance/flux] FluxInstance flux-system/flux spec.components has no helm-controller, but cluster "dev" applies HelmRelease flux-system/podinfo, which nothing would reconcile: add FluxComponent.HELM_CONTROLLER',
    ]);
  });

  it('refuses a sync of another cluster\'s directory', () => {
    const f = operatorFleet({ instance: (_cluster, other) => ({ sync: { url: 'ssh://git@github.com/org/fleet', ref: 'refs/heads/main', path: other } }) });
    new ManifestFile(f.other, 'placeholder');
    expect(problemsOf(f.repo)).toContain(
      '[clusters/dev/flux-system/flux-instance/flux] FluxInstance flux-system/flux spec.sync.path is "clusters/prod", but it is applied by cluster "dev", whose directory is "clusters/dev": the cluster would sync another cluster\'s directory; use this cluster\'s directory',
    );
  });

  it('checks its own fields: the version range, the sync ref and URL, the components, the tenant account', () => {
    const bad = (props: (cluster: LayoutDirectory) => FluxInstanceProps) => problemsOf(operatorFleet({ instance: props }).repo).filter(p => p.startsWith('[clusters/dev/flux-system/flux-instance/flux] spec.'));
    const sync = (cluster: LayoutDirectory) => ({ url: 'ssh://git@github.com/org/fleet', ref: 'refs/heads/main', path: cluster });
    expect(bad(c => ({ version: '2.x', sync: sync(c) }))).toEqual([
      '[clusters/dev/flux-system/flux-instance/flux] spec.distribution.version "2.x" admits Flux 2.0.0, older than 2.9, whose controllers do not serve every API version this library writes: use a range within 2.9, e.g. "2.9.x"',
    ]);
    expect(bad(c => ({ version: '>=2.9.0', sync: sync(c) }))).toEqual([
      '[clusters/dev/flux-system/flux-instance/flux] spec.distribution.version ">=2.9.0" admits Flux 3, which may remove the APIs this fleet uses: upgrade the major version deliberately, e.g. "2.9.x" or ">=2.9.0 <3.0.0"',
    ]);
    expect(bad(c => ({ version: '>=2.9.0 <3.0.0', sync: sync(c) }))).toEqual([]);
    expect(bad(c => ({ sync: { ...sync(c), ref: 'main', url: 'github.com/org/fleet' } }))).toEqual([
      '[clusters/dev/flux-system/flux-instance/flux] spec.sync.ref "main" is not a Git ref the operator reads: use a full ref such as "refs/heads/main" or "refs/tags/v1.2.0"',
      '[clusters/dev/flux-system/flux-instance/flux] spec.sync.url "github.com/org/fleet" must start with "ssh://" or "https://" or "http://" (e.g. "ssh://git@github.com/org/fleet")',
    ]);
    expect(bad(c => ({ components: [FluxComponent.SOURCE_CONTROLLER, FluxComponent.SOURCE_CONTROLLER, FluxComponent.HELM_CONTROLLER], tenantDefaultServiceAccount: 'tenant', sync: sync(c) }))).toEqual([
      '[clusters/dev/flux-system/flux-instance/flux] spec.cluster.tenantDefaultServiceAccount is set without multitenant: it takes effect only under the multi-tenancy lockdown; set multitenant: true or remove it',
      '[clusters/dev/flux-system/flux-instance/flux] spec.components has no kustomize-controller, which the sync needs (its source and Kustomization): add FluxComponent.KUSTOMIZE_CONTROLLER',
      '[clusters/dev/flux-system/flux-instance/flux] spec.components lists source-controller more than once',
    ]);
  });
});

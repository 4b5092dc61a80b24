import { GitOpsRepo, GitRepository, HelmRelease, HelmRepository, HelmRepositoryType, Kustomization, LayoutDirectory, ManifestFile } from '../src';
import { FleetTesting } from '../src/testing';

/**
 * A small valid Flux fleet: cluster `dev` syncs this repository (`clusters/dev`) and reconciles
 * `apps/base` through the `apps` Kustomization, which holds a HelmRepository and a HelmRelease.
 */
export function fluxFleet(props: { allowCrossNamespaceReferences?: boolean } = {}) {
  const repo: GitOpsRepo = FleetTesting.repo({ allowCrossNamespaceReferences: props.allowCrossNamespaceReferences });
  const cluster = new LayoutDirectory(repo.clusters, 'dev');
  const apps = new LayoutDirectory(repo.apps, 'base');
  const sync = new ManifestFile(new LayoutDirectory(cluster, 'flux-system'), 'gotk-sync');
  const gitRepo = new GitRepository(sync, 'repo', {
    metadata: { name: 'flux-system', namespace: 'flux-system' },
    url: 'https://github.com/org/fleet',
    ref: { branch: 'main' },
  });
  const root = new Kustomization(sync, 'sync', { metadata: { name: 'flux-system', namespace: 'flux-system' }, sourceRef: gitRepo, path: cluster });
  const appsKustomization = new Kustomization(new ManifestFile(cluster, 'apps'), 'apps', {
    metadata: { name: 'apps', namespace: 'flux-system' }, sourceRef: gitRepo, path: apps,
  });
  const sources = new ManifestFile(apps, 'sources');
  const podinfo = new HelmRepository(sources, 'podinfo', {
    metadata: { name: 'podinfo', namespace: 'flux-system' },
    url: 'oci://ghcr.io/stefanprodan/charts',
    type: HelmRepositoryType.OCI,
  });
  const releases = new ManifestFile(apps, 'releases');
  const release = new HelmRelease(releases, 'podinfo', {
    metadata: { name: 'podinfo', namespace: 'flux-system' },
    chart: { repository: podinfo, name: 'podinfo', version: '6.x' },
    targetNamespace: 'podinfo',
    install: { createNamespace: true },
  });
  return { repo, cluster, apps, gitRepo, root, appsKustomization, sources, podinfo, releases, release };
}

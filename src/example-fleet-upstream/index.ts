import * as path from 'node:path';
import { LayoutDirectory } from '../core/layout-directory';
import { ManifestFile } from '../core/manifest-file';
import { GitOpsRepo } from '../fleet/gitops-repo';
import { DEFAULT_FLUX_COMPONENTS, FluxComponent } from '../flux/operator/flux-instance';
import { ArtifactGenerator } from '../flux/sources/artifact-generator';
import { certManagerReferences } from '../core/model/ecosystem-references';
import { Kustomization } from '../flux/kustomization';
import { Cluster, ClusterSync } from '../patterns/cluster';
import { EnvironmentOverlay } from '../patterns/environment-overlay';
import { Podinfo } from './apps/podinfo';
import { UPSTREAM_ENVIRONMENTS, UpstreamEnvironment } from './environments';
import { Configs } from './infrastructure/configs';
import { Controllers } from './infrastructure/controllers';

/** The repository the clusters sync, and what of it they download. */
const REPOSITORY = { url: 'https://github.com/example-org/fleet', ignore: '/*\n!/clusters/\n!/infrastructure/\n!/apps/\n' };

/**
 * The second example fleet, in the current upstream style (see README.md here): per cluster, Flux
 * from a FluxInstance with source-watcher, then infrastructure controllers (waited for), their
 * configs, and the apps from an ExternalArtifact of `apps/`.
 */
export function createUpstreamFleet(props: { rootDir?: string; environments?: readonly UpstreamEnvironment[] } = {}): GitOpsRepo {
  const repo = new GitOpsRepo({ rootDir: props.rootDir });
  repo.registerCrds(path.join(__dirname, 'crds', 'cert-manager.yaml'));
  certManagerReferences().forEach(entry => repo.registerReferences(entry));

  const controllersRoot = new LayoutDirectory(repo.infrastructure, 'controllers', { kustomize: false });
  const configsRoot = new LayoutDirectory(repo.infrastructure, 'configs', { kustomize: false });
  const controllers = new Controllers(controllersRoot);
  const configs = new Configs(configsRoot);
  const podinfo = new Podinfo(repo.apps);

  for (const env of props.environments ?? UPSTREAM_ENVIRONMENTS) {
    const overlay = (root: LayoutDirectory, component: Controllers | Configs | Podinfo) =>
      new EnvironmentOverlay<UpstreamEnvironment>(root, { environment: env, bases: [component.base], components: [component] });
    const cluster = new Cluster<UpstreamEnvironment>(repo, {
      environment: env,
      sync: ClusterSync.fluxInstance({
        version: '2.9.x',
        components: [...DEFAULT_FLUX_COMPONENTS, FluxComponent.SOURCE_WATCHER],
        sync: { url: REPOSITORY.url, ref: 'refs/heads/main', interval: '1m' },
        patches: [{ target: { kind: 'GitRepository', name: 'flux-system' }, patch: [{ op: 'add', path: '/spec/ignore', value: REPOSITORY.ignore }] }],
      }),
      stages: [
        { name: 'infra-controllers', path: overlay(controllersRoot, controllers), timeout: '10m' },
        { name: 'infra-configs', path: overlay(configsRoot, configs), wait: true },
      ],
    });
    // the apps come from an ExternalArtifact of apps/: they reconcile only when apps/ changes
    const file = new ManifestFile(cluster, 'apps');
    const generator = new ArtifactGenerator(file, 'artifacts', {
      metadata: { name: 'apps', namespace: 'flux-system' },
      sources: { fleet: cluster.repository },
      artifacts: [{ name: 'apps', revision: 'fleet', copy: [{ source: 'fleet', directory: repo.apps }] }],
    });
    new Kustomization(file, 'apps', {
      metadata: { name: 'apps', namespace: 'flux-system' }, sourceRef: generator.artifact('apps'), path: overlay(repo.apps, podinfo),
      interval: '10m', dependsOn: [cluster.stage('infra-configs')],
    });
  }
  return repo;
}

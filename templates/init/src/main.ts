// The fleet: `npm run synth` (cdk8s-flux synth) runs this file and writes clusters/ and
// infrastructure/ into the repository root; commit the result, and Flux reconciles it.
import * as path from 'node:path';
import {
  Cluster, ClusterSync, Environment, EnvironmentOverlay, GitOpsRepo, HelmRelease, HelmRepository, LayoutDirectory, ManifestFile, ObjectPatch, runCli,
} from 'cdk8s-flux';

/** An environment of this fleet. Add the fields that differ between environments (region, domain, …). */
export interface FleetEnvironment extends Environment {
  /** Replicas of podinfo in this environment. */
  readonly podinfoReplicas: number;
}

/** Every environment, in promotion order. */
export const ENVIRONMENTS: readonly FleetEnvironment[] = [
  { name: 'development', cluster: 'cluster-dev', podinfoReplicas: 1 },
];

/** The Git repository every cluster's Flux syncs from: this repository. */
export const FLEET_REPOSITORY = { url: 'ssh://git@github.com/my-org/my-fleet', branch: 'main' };

const FLUX_NAMESPACE = 'flux-system';

/** The values of the podinfo chart this fleet sets: a misspelt value fails to compile. */
interface PodinfoValues {
  readonly replicaCount: number;
}

/** Builds the fleet; `rootDir` is where synth writes the layout. */
export function createFleet(rootDir = path.resolve(__dirname, '..')): GitOpsRepo {
  const repo = new GitOpsRepo({ rootDir });

  // infrastructure/base/: shared by every environment
  const base = new LayoutDirectory(repo.infrastructure, 'base');
  const podinfo = new LayoutDirectory(base, 'podinfo');
  const charts = new HelmRepository(new ManifestFile(podinfo, 'repository'), 'repository', {
    metadata: { name: 'podinfo', namespace: FLUX_NAMESPACE },
    url: 'https://stefanprodan.github.io/podinfo',
  });
  const release = new HelmRelease<PodinfoValues>(new ManifestFile(podinfo, 'release'), 'release', {
    metadata: { name: 'podinfo', namespace: FLUX_NAMESPACE },
    chart: { repository: charts, name: 'podinfo', version: '6.x' },
    targetNamespace: 'podinfo',
    install: { createNamespace: true, remediation: { retries: 3 } },
    upgrade: { remediation: { retries: 3 } }, // roll back, then retry, after a failed upgrade
    values: { replicaCount: 1 },
  });

  // per environment: infrastructure/overlays/<env>/ and clusters/<cluster>/
  const overlays = new LayoutDirectory(repo.infrastructure, 'overlays', { kustomize: false });
  for (const env of ENVIRONMENTS) {
    const overlay = new EnvironmentOverlay(overlays, { environment: env, bases: [base] });
    new ObjectPatch(overlay, 'podinfo-patch', { target: release, patch: { spec: { values: { replicaCount: env.podinfoReplicas } } } });
    // clusters/<cluster>/: Flux's sync of this directory (flux-system/gotk-sync.yaml) and a Kustomization per stage
    new Cluster(repo, {
      environment: env,
      sync: ClusterSync.gitRepository({
        url: FLEET_REPOSITORY.url,
        ref: { branch: FLEET_REPOSITORY.branch }, // its deploy key: Secret flux-system, created when the cluster is bootstrapped
        ignore: '/*\n!/clusters/\n!/infrastructure/\n!/apps/\n', // the cluster downloads only the layout
      }),
      stages: [{ name: 'infrastructure', path: overlay }],
    });
  }
  return repo;
}

// synth (the default), diff, seal, validate, graph: `npx tsx src/main.ts --help` lists them
if (require.main === module) process.exitCode = runCli(() => createFleet(), process.argv.slice(2));

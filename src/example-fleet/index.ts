import * as path from 'node:path';
import { SealingEnvironment } from '../cli/seal';
import { GitOpsRepo } from '../fleet/gitops-repo';
import { SealingCertificate } from '../secrets/certificate';
import { SealedStore } from '../secrets/sealed-store';
import { LayoutDirectory } from '../core/layout-directory';
import { exampleCluster } from './cluster';
import { EnvironmentOverlay } from '../patterns/environment-overlay';
import { ENVIRONMENTS, FleetEnvironment } from './environments';
import { AwsLoadBalancerController } from './infrastructure/aws-load-balancer-controller';
import { FleetComponent } from './infrastructure/component';
import { ExternalDns } from './infrastructure/external-dns';
import { MariaDb } from './infrastructure/mariadb';
import { SealedSecretsController } from './infrastructure/sealed-secrets';
import { SlackNotifications } from './infrastructure/slack';
import { Sources } from './infrastructure/sources';
import { ReleaseTrain } from './versions';
import { ExampleTenants } from './apps/tenants';
import { Podinfo } from './apps/podinfo';

/** Where the fleet's inputs (certificates, sealed values) live: the repository root. */
const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/** Each environment's certificate and store, as absolute paths (for `npm run seal`). */
export function sealingEnvironments(): Record<string, SealingEnvironment> {
  return Object.fromEntries(ENVIRONMENTS.map(env => [env.name, {
    certificate: path.join(PROJECT_ROOT, env.sealing.certificate),
    store: path.join(PROJECT_ROOT, env.sealing.store),
  }]));
}

/** Props of the example fleet. */
export interface ExampleFleetProps {
  /**
   * Where the layout is written.
   * @default the current working directory
   */
  readonly rootDir?: string;

  /**
   * Write each environment fully rendered (`infrastructure/overlays/<env>/` holds every object,
   * patches applied) instead of a shared base plus patches.
   * @default false: the base plus per-environment patches, as seed 000 has it
   */
  readonly flattenOverlays?: boolean;

  /** The environments, in promotion order. @default ENVIRONMENTS (development, staging, production) */
  readonly environments?: readonly FleetEnvironment[];
}

/**
 * Seed 000's fleet (zxkane/eks-gitops) as typed code: three EKS clusters (development,
 * staging, production) that share the infrastructure components of `infrastructure/base/`,
 * each with an overlay carrying only its differences.
 */
export function createExampleFleet(props: ExampleFleetProps = {}): GitOpsRepo {
  // As in seed 000, the HelmReleases of kube-system and mariadb use the HelmRepositories of
  // flux-system: cross-namespace references, which Flux allows unless locked down.
  const repo = new GitOpsRepo({ rootDir: props.rootDir, allowCrossNamespaceReferences: true });

  const flatten = props.flattenOverlays ?? false;
  const base = new LayoutDirectory(flatten ? repo.templates : repo.infrastructure, 'base');
  const versions = new ReleaseTrain(repo);
  const sources = new Sources(base);
  const sealedSecrets = new SealedSecretsController(base, sources, versions.sealedSecrets, flatten ? repo.infrastructure : base);
  const components: FleetComponent[] = [
    new AwsLoadBalancerController(base, sources, versions.awsLoadBalancerController),
    new ExternalDns(base, sources, versions.externalDns),
    sealedSecrets,
    new MariaDb(base, versions.mariaDb),
    new SlackNotifications(base),
  ];

  const overlays = new LayoutDirectory(repo.infrastructure, 'overlays', { kustomize: false });
  const tenants = new ExampleTenants(repo.apps);
  const podinfo = new Podinfo(tenants, versions.podinfo);
  const appsOverlays = new LayoutDirectory(repo.apps, 'overlays', { kustomize: false });
  const sealing = sealingEnvironments();
  // the library reports two environments on one cluster too, but the cluster constructs below would clash first
  const environments = props.environments ?? ENVIRONMENTS;
  for (const [i, env] of environments.entries()) {
    const other = environments.slice(0, i).find(e => e.name === env.name || e.cluster === env.cluster);
    if (other) {
      throw new Error(other.name === env.name
        ? `environment "${env.name}" is listed twice: give each environment its own name`
        : `environments "${other.name}" and "${env.name}" share the cluster "${env.cluster}": give each environment its own cluster`);
    }
  }
  for (const env of environments) {
    // synth never seals, so it does not need the certificate to be valid today: only its fingerprint
    const certificate = SealingCertificate.fromFile(sealing[env.name].certificate, { checkValidity: false });
    const store = SealedStore.load(sealing[env.name].store, certificate, env.name);
    const infrastructure = new EnvironmentOverlay(overlays, { environment: env, bases: [base], components, store, flatten });
    const apps = new EnvironmentOverlay(appsOverlays, { environment: env, components: [podinfo, tenants], store });
    exampleCluster(repo, env, infrastructure, apps, sealedSecrets);
  }
  return repo;
}

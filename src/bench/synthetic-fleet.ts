import * as fs from 'node:fs';
import * as path from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import * as kplus from 'cdk8s-plus-27';
import { HelmRelease } from '../flux/helm-release';
import { Kustomization } from '../flux/kustomization';
import { GitRepository } from '../flux/sources/git-repository';
import { HelmRepository } from '../flux/sources/helm-repository';
import { GitOpsRepo } from '../fleet/gitops-repo';
import { LayoutDirectory } from '../core/layout-directory';
import { ManifestFile } from '../core/manifest-file';
import { ObjectPatch } from '../core/object-patch';
import { Alert } from '../notifications/alert';
import { Provider, ProviderType } from '../notifications/provider';
import { SealingCertificate } from '../secrets/certificate';
import { SealedSecret } from '../secrets/sealed-secret';
import { SealedStore } from '../secrets/sealed-store';
import { SecretDeclaration } from '../secrets/secret-declaration';
import { selfSignedCertificate } from './self-signed';

/** A change of one value of one environment: the replicas of one component in its overlay. */
export interface FleetEdit {
  readonly environment: number;
  readonly component: number;
  readonly replicas: number;
  /**
   * The component's SealedSecret in that environment also asks for a key its store has not
   * sealed: a problem the synth reports (the incremental test's edit that breaks the fleet).
   * @default false
   */
  readonly unsealedKey?: boolean;
}

/** Size of a synthetic fleet. */
export interface FleetSize {
  readonly environments: number;
  readonly components: number;
}

const NS = 'flux-system';

/**
 * Seals one value per (environment, component) into per-environment stores under `dir`, with
 * throwaway 2048-bit keys made here (the private keys never leave this process).
 */
export function prepareSecrets(dir: string, size: FleetSize): { certificate: string; store: string }[] {
  return Array.from({ length: size.environments }, (_, e) => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const certificate = path.join(dir, `env-${e}.pem`);
    fs.writeFileSync(certificate, selfSignedCertificate(publicKey, privateKey));
    const store = path.join(dir, `env-${e}.yaml`);
    const sealed = SealedStore.load(store, SealingCertificate.fromFile(certificate), `env-${e}`);
    for (let c = 0; c < size.components; c++) {
      sealed.seal({ namespace: `app-${c}`, name: `app-${c}-credentials`, values: { password: Buffer.from(`throwaway-${e}-${c}`) } });
    }
    sealed.seal({ namespace: NS, name: 'slack-url', values: { address: Buffer.from(`https://hooks.slack.com/services/T0/B${e}/throwaway`) } });
    sealed.save();
    return { certificate, store };
  });
}

/**
 * A fleet of `environments` × `components`: per component, a base directory with a
 * HelmRepository, a ServiceAccount and a HelmRelease; per environment, a cluster directory (sync
 * and infrastructure Kustomizations), an overlay with a values patch, a SealedSecret and an Alert
 * per component, and a Slack provider whose webhook is sealed too. About 3 objects per
 * (environment, component). `edits` change single values (a component's replicas in one environment).
 */
export function createSyntheticFleet(rootDir: string, size: FleetSize, secrets: { certificate: string; store: string }[], edits: readonly FleetEdit[] = []): GitOpsRepo {
  const repo = new GitOpsRepo({ rootDir });
  const base = new LayoutDirectory(repo.infrastructure, 'base');
  const components = Array.from({ length: size.components }, (_, c) => {
    const dir = new LayoutDirectory(base, `app-${c}`);
    const source = new HelmRepository(new ManifestFile(dir, 'source'), 'source', {
      metadata: { name: `app-${c}`, namespace: NS }, url: `https://charts.example.com/app-${c}`,
    });
    const sa = new kplus.ServiceAccount(new ManifestFile(dir, 'serviceaccount'), 'sa', {
      metadata: { name: `app-${c}`, namespace: NS }, automountToken: true,
    });
    // untyped values: the environments patch values the base does not set
    const release = new HelmRelease<Record<string, unknown>>(new ManifestFile(dir, 'release'), 'release', {
      metadata: { name: `app-${c}`, namespace: NS },
      chart: { repository: source, name: `app-${c}`, version: '>=1.0.0 <2.0.0' },
      targetNamespace: `app-${c}`,
      install: { createNamespace: true, remediation: { retries: 3 } },
      values: { replicaCount: 1, serviceAccount: { create: false, name: sa.name } },
    });
    return { release };
  });
  const webhook = new SecretDeclaration({ name: 'slack-url', namespace: NS, keys: ['address'] });
  const provider = new Provider(new ManifestFile(base, 'notifications'), 'slack', {
    metadata: { name: 'slack', namespace: NS }, type: ProviderType.SLACK, secretRef: webhook,
  });
  const overlays = new LayoutDirectory(repo.infrastructure, 'overlays', { kustomize: false });
  for (let e = 0; e < size.environments; e++) {
    const certificate = SealingCertificate.fromFile(secrets[e].certificate, { checkValidity: false });
    const store = SealedStore.load(secrets[e].store, certificate, `env-${e}`);
    const overlay = new LayoutDirectory(overlays, `env-${e}`);
    overlay.addResource(base);
    components.forEach((component, c) => {
      const edit = edits.find(x => x.environment === e && x.component === c);
      const replicaCount = edit?.replicas ?? 1 + (e % 3);
      new ObjectPatch(overlay, `app-${c}-patch`, { target: component.release, patch: { spec: { values: { replicaCount, env: `env-${e}` } } } });
      new SealedSecret(new ManifestFile(overlay, `app-${c}-secret`), 'secret', {
        metadata: { name: `app-${c}-credentials`, namespace: `app-${c}` }, store, keys: edit?.unsealedKey ? ['password', 'token'] : ['password'],
      });
      new Alert(new ManifestFile(overlay, `app-${c}-alert`), 'alert', {
        metadata: { name: `app-${c}`, namespace: NS }, provider, eventSources: [component.release],
      });
    });
    SealedSecret.forDeclaration(new ManifestFile(overlay, 'slack-url'), 'secret', webhook, { store });
    const cluster = new LayoutDirectory(repo.clusters, `cluster-${e}`);
    const sync = new ManifestFile(new LayoutDirectory(cluster, 'flux-system'), 'gotk-sync');
    const git = new GitRepository(sync, 'repo', { metadata: { name: 'flux-system', namespace: NS }, url: 'https://github.com/org/fleet', ref: { branch: 'main' } });
    new Kustomization(sync, 'sync', { metadata: { name: 'flux-system', namespace: NS }, sourceRef: git, path: cluster });
    new Kustomization(new ManifestFile(cluster, 'infrastructure'), 'infra', {
      metadata: { name: 'infrastructure', namespace: NS }, sourceRef: git, path: overlay,
    });
  }
  return repo;
}

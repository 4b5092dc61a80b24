import { App, Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { FLUX_OPERATOR_VERSION, FluxComponent, FluxInstance, FluxInstanceProps, FluxOperator, GitOpsRepo, HelmRelease, HelmRepository, Kustomization, LayoutDirectory, ManifestFile, SealingCertificate } from '../src';
import { FluxOperatorBootstrapStack } from '../src/bootstrap';
import { FleetTesting } from '../src/testing';
import { SchemaValidator } from '../src/validation/schema-validator';
import { problemsOf } from './helpers';
import { sealingKey } from './support/x509';

const key = sealingKey();
const certificate = SealingCertificate.fromPem(key.certificatePem, 'test certificate');

/** A cluster whose flux-system directory holds the FluxInstance and the operator's own release. */
function fleet(instance: (cluster: LayoutDirectory) => FluxInstanceProps, operator: { version?: string; values?: Record<string, unknown> } = {}): GitOpsRepo {
  const repo = FleetTesting.repo();
  const cluster = new LayoutDirectory(repo.clusters, 'cluster-dev');
  const fluxSystem = new LayoutDirectory(cluster, 'flux-system');
  const flux = new FluxInstance(new ManifestFile(fluxSystem, 'flux-instance'), 'flux', instance(cluster));
  new FluxOperator(new ManifestFile(fluxSystem, 'flux-operator'), 'operator', operator);
  const apps = new LayoutDirectory(repo.apps, 'base');
  const charts = new HelmRepository(new ManifestFile(apps, 'sources'), 'podinfo', { metadata: { name: 'podinfo', namespace: 'flux-system' }, url: 'https://stefanprodan.github.io/podinfo' });
  new HelmRelease(new ManifestFile(apps, 'release'), 'podinfo', { metadata: { name: 'podinfo', namespace: 'flux-system' }, chart: { repository: charts, name: 'podinfo', version: '6.x' } });
  new Kustomization(new ManifestFile(cluster, 'apps'), 'apps', { metadata: { name: 'apps', namespace: 'flux-system' }, sourceRef: flux.syncSource, path: apps });
  repo.addEnvironment({ name: 'development', cluster: 'cluster-dev' }, cluster);
  return repo;
}

const sync = (cluster: LayoutDirectory) => ({ url: 'ssh://git@github.com/org/fleet', ref: 'refs/heads/main', path: cluster, pullSecret: 'flux-system' });

function stackJson(repo: GitOpsRepo) {
  const files = repo.synthLayout();
  const stack = new FluxOperatorBootstrapStack(new App({ outdir: FleetTesting.tempDir() }), {
    name: 'development', clusterDirectory: 'clusters/cluster-dev', files, sealingCertificate: certificate,
  });
  return { files, json: JSON.parse(Testing.synth(stack)) as Record<string, any> };
}

describe('the one-apply bootstrap from the committed flux-system files', () => {
  it('the operator manages itself from git: its chart as an OCIRepository and a HelmRelease, in the cluster\'s flux-system', () => {
    const repo = fleet(c => ({ sync: sync(c) }), { values: { resources: { limits: { memory: '512Mi' } } } });
    expect(problemsOf(repo)).toEqual([]);
    const files = repo.synthLayout();
    const [chart, release] = files.get('clusters/cluster-dev/flux-system/flux-operator.yaml')!.split('\n---\n').map(d => parse(d));
    expect(chart).toMatchObject({
      apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'OCIRepository', metadata: { name: 'flux-operator', namespace: 'flux-system' },
      spec: { url: 'oci://ghcr.io/controlplaneio-fluxcd/charts/flux-operator', ref: { tag: FLUX_OPERATOR_VERSION } },
    });
    expect(release).toMatchObject({
      apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'flux-operator', namespace: 'flux-system' },
      spec: { chartRef: { kind: 'OCIRepository', name: 'flux-operator' }, serviceAccountName: 'helm-controller', values: { resources: { limits: { memory: '512Mi' } } } },
    });
    const validator = SchemaValidator.fromDirectory();
    expect(validator.validate(chart)).toEqual([]);
    expect(validator.validate(release)).toEqual([]);
  });

  it('installs the operator at the committed version and values, then the committed FluxInstance, in one stack', () => {
    const repo = fleet(c => ({ multitenant: false, components: [FluxComponent.SOURCE_CONTROLLER, FluxComponent.KUSTOMIZE_CONTROLLER, FluxComponent.HELM_CONTROLLER, FluxComponent.NOTIFICATION_CONTROLLER], sync: sync(c) }), { values: { logLevel: 'debug' } });
    const { json, files } = stackJson(repo);
    const releases = json.resource.helm_release;
    expect(releases['flux-operator']).toMatchObject({
      name: 'flux-operator', namespace: 'flux-system', chart: 'flux-operator', repository: 'oci://ghcr.io/controlplaneio-fluxcd/charts', version: FLUX_OPERATOR_VERSION,
      values: ['logLevel: debug\n'],
    });
    const instanceValues = parse(releases['flux-instance'].values[0]);
    expect(instanceValues).toEqual({ instance: parse(files.get('clusters/cluster-dev/flux-system/flux-instance.yaml')!).spec });
    expect(releases['flux-instance']).toMatchObject({ name: 'flux', chart: 'flux-instance', version: FLUX_OPERATOR_VERSION });
    expect(releases['flux-instance'].depends_on).toEqual(['helm_release.flux-operator', 'kubernetes_secret_v1.git-credentials', 'kubernetes_secret_v1.sealing-key']);
    // no kubernetes_manifest (which needs the CRDs at plan time): one apply
    expect(json.resource.kubernetes_manifest).toBeUndefined();
    expect(json.resource.kubernetes_secret_v1['git-credentials']).toMatchObject({
      metadata: { name: 'flux-system', namespace: 'flux-system' }, data: { identity: '${file(var.git_identity_path)}', known_hosts: '${file(var.git_known_hosts_path)}' },
    });
    expect(json.resource.kubernetes_secret_v1['sealing-key'].data['tls.crt']).toBe(certificate.pem);
    expect(Object.keys(json.variable).sort()).toEqual(['git_identity_path', 'git_known_hosts_path', 'kube_context', 'kubeconfig_path', 'sealing_key_path']);
    expect(JSON.stringify(json)).not.toMatch(/BEGIN [A-Z ]*PRIVATE KEY/);
  });

  it('follows the committed files: a change of the FluxInstance changes the stack', () => {
    const before = stackJson(fleet(c => ({ sync: sync(c) }))).json;
    const after = stackJson(fleet(c => ({ sync: sync(c), version: '2.9.4', size: 'large' }))).json;
    expect(parse(before.resource.helm_release['flux-instance'].values[0]).instance.distribution.version).toBe('2.9.x');
    expect(parse(after.resource.helm_release['flux-instance'].values[0]).instance).toMatchObject({ distribution: { version: '2.9.4' }, cluster: { size: 'large' } });
  });

  it('reads HTTPS credentials from variables too', () => {
    const { json } = stackJson(fleet(c => ({ sync: { ...sync(c), url: 'https://github.com/org/fleet' } })));
    expect(json.resource.kubernetes_secret_v1['git-credentials'].data).toEqual({ username: '${var.git_username}', password: '${var.git_password}' });
    expect(json.variable.git_password.sensitive).toBe(true);
  });

  it('says what is missing from the committed files', () => {
    const app = new App({ outdir: FleetTesting.tempDir() });
    const files = fleet(c => ({ sync: sync(c) }), { version: '>=0.58.0 <1.0.0' }).synthLayout();
    expect(() => new FluxOperatorBootstrapStack(app, { name: 'development', clusterDirectory: 'clusters/cluster-dev', files }))
      .toThrow('OCIRepository flux-operator has no exact tag ({"semver":">=0.58.0 <1.0.0"}): give FluxOperator an exact version such as "0.58.1"');
    expect(() => new FluxOperatorBootstrapStack(app, { name: 'staging', clusterDirectory: 'clusters/cluster-staging', files }))
      .toThrow('The bootstrap installs the FluxInstance of the files of clusters/cluster-staging/flux-system/ (environment staging), but they hold none: add one FluxInstance there');
  });
});

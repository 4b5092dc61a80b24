import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { SealingCertificate } from '../src';
import { launch } from '../src/cli/launcher';
import { importRepository, ImportResult, writeImport } from '../src/importer/import-repo';
import { ImportedAs } from '../src/importer/plan';
import { encryptionLabel, sealValue, SealingScope } from '../src/secrets/seal';
import { FleetTesting } from '../src/testing';
import { kubectlAvailable } from '../src/testing/render-equivalence';
import { captureCli } from './helpers';
import { sealingKey } from './support/x509';
import { typeCheck } from './support/type-check';

const PROJECT_ROOT = path.resolve(__dirname, '..');
const FIXTURES = path.join(__dirname, 'fixtures', 'import');
const KUBECTL = kubectlAvailable();
if (!KUBECTL) console.warn('kubectl is not on the PATH: the import tests compare with the model only (the kubectl kustomize comparison is skipped)');

/** How an imported object is written, by `file#index`. */
function writtenAs(result: ImportResult): Record<string, string> {
  return Object.fromEntries(result.plan.objects.map(o => [o.source, o.ways[o.level].as]));
}

/** A Flux repository with tenants (as fluxcd/flux2-multi-tenancy lays them out), sealed for a throwaway key of staging. */
function tenantsRepository(): { dir: string; ciphertext: string } {
  const dir = FleetTesting.tempDir();
  const key = sealingKey();
  const certificate = SealingCertificate.fromPem(key.certificatePem, 'staging.pem');
  const ciphertext = sealValue(certificate, Buffer.from('a token nobody commits'), encryptionLabel('apps', 'dev-team-token', SealingScope.STRICT));
  const files: Record<string, string> = {
    'certs/staging.pem': key.certificatePem,
    'tenants/base/dev-team/kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: apps\nresources:\n  - rbac.yaml\n  - sync.yaml\n',
    'tenants/base/dev-team/rbac.yaml': [
      'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: apps\n  labels:\n    toolkit.fluxcd.io/tenant: dev-team\n',
      'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: dev-team\n  namespace: apps\n  labels:\n    toolkit.fluxcd.io/tenant: dev-team\n',
      'apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: gotk-reconciler\n  namespace: apps\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: cluster-admin\nsubjects:\n  - kind: ServiceAccount\n    name: dev-team\n    namespace: apps\n',
    ].join('---\n'),
    'tenants/base/dev-team/sync.yaml': [
      'apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: dev-team\nspec:\n  interval: 1m\n  url: https://github.com/example/dev-team-apps\n  ref:\n    branch: main\n',
      'apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: dev-team\nspec:\n  serviceAccountName: dev-team\n  interval: 5m\n  sourceRef:\n    kind: GitRepository\n    name: dev-team\n  prune: true\n  path: ./\n',
    ].join('---\n'),
    'tenants/staging/kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ../base/dev-team\n  - token.yaml\npatches:\n  - path: dev-team-patch.yaml\n    target:\n      kind: Kustomization\n',
    'tenants/staging/dev-team-patch.yaml': 'apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: dev-team\n  namespace: apps\nspec:\n  path: ./staging\n',
    'tenants/staging/token.yaml': `apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n  creationTimestamp: null\n  name: dev-team-token\n  namespace: apps\nspec:\n  encryptedData:\n    token: ${ciphertext}\n  template:\n    metadata:\n      creationTimestamp: null\n      name: dev-team-token\n      namespace: apps\n`,
    'tenants/production/kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ../base/dev-team\npatches:\n  - patch: |-\n      - op: replace\n        path: /spec/path\n        value: ./production\n    target:\n      kind: Kustomization\n      name: dev-team\n',
  };
  for (const cluster of ['staging', 'production']) {
    files[`clusters/${cluster}/flux-system/gotk-sync.yaml`] = fs.readFileSync(path.join(FIXTURES, 'flat', 'staging', 'flux-system', 'gotk-sync.yaml'), 'utf8').replace('./staging', `./clusters/${cluster}`);
    files[`clusters/${cluster}/flux-system/kustomization.yaml`] = 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - gotk-sync.yaml\n';
    files[`clusters/${cluster}/tenants.yaml`] = `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: tenants\n  namespace: flux-system\nspec:\n  interval: 5m\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n  path: ./tenants/${cluster}\n  prune: true\n`;
  }
  for (const [p, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
    fs.writeFileSync(path.join(dir, p), content);
  }
  return { dir, ciphertext };
}


describe('cdk8s-flux import', () => {
  it('imports the seed repository (zxkane/eks-gitops at 90d8d35): every object applied per cluster, its configMapGenerator included; the kustomize configurations it does not carry reported', () => {
    const result = importRepository(path.join(FIXTURES, 'eks-gitops'));
    const c = result.comparison!;
    expect(c.clusters.map(k => k.cluster)).toEqual(['cluster-dev', 'cluster-product', 'cluster-staging']);
    for (const k of c.clusters) {
      expect(k.original).toBe(47); // with the ConfigMap the configMapGenerator makes (the model builds it, hash and all)
      expect(k.generated).toBe(47); // the generator is imported, its values file kept byte for byte: same data, same hash
      expect(k.upgraded).toBeGreaterThan(0); // v1beta2/v2beta1 sources and releases raised to Flux 2.9's versions
    }
    // the model finds every object equal, the generated ConfigMap (name hash and all) too; kubectl also applies the repository's
    // kustomize configurations (a nameReference that renames the HelmRelease's valuesFrom to the hashed name), which the layout does not write
    const listed = (ds: readonly { cluster: string; object: string }[]) => ds.map(d => `${d.cluster} ${d.object}`).sort();
    expect(c.differences.filter(d => d.by === 'model')).toEqual([]);
    if (KUBECTL) {
      expect(c.unconfirmed).toEqual([]);
      expect(listed(c.differences)).toEqual(['cluster-dev', 'cluster-product', 'cluster-staging'].map(k => `${k} HelmRelease.helm.toolkit.fluxcd.io mariadb/prestashop-mariadb`));
      expect(c.differences[0].message).toContain('spec.valuesFrom[0].name: "prestashop-values-b9f4k8cc87" → "prestashop-values"');
    }
    expect(result.report).toContain('kustomization field "configurations" is not imported');
    expect(result.report).not.toContain('"configMapGenerator" is not imported');
    // the generator through the layout, its values file a data file the team owns, byte for byte (a generated header would change the hash)
    const mariadb = result.files.get('src/components/infrastructure-base-mariadb.ts')!;
    expect(mariadb).toContain("new ExistingFile(layout.baseMariadb, 'prestashop-values.yaml', { fileName: 'prestashop-values.yaml', role: FileRole.DATA });");
    expect(mariadb).toContain("layout.baseMariadb.addConfigMapGenerator({ name: 'prestashop-values', files: [{ key: 'values.yaml', file: prestashopValuesFile }] });");
    expect(result.files.get('infrastructure/base/mariadb/prestashop-values.yaml')).toBe(fs.readFileSync(path.join(FIXTURES, 'eks-gitops/infrastructure/base/mariadb/prestashop-values.yaml'), 'utf8'));
    expect(parse(result.files.get('infrastructure/base/mariadb/kustomization.yaml')!).configMapGenerator).toEqual([{ name: 'prestashop-values', files: ['values.yaml=prestashop-values.yaml'] }]);
    // typed: every Flux kind through the library, the service accounts through cdk8s-plus unless their YAML holds a boolean annotation
    const as = writtenAs(result);
    expect(as['infrastructure/base/dns/release.yaml#0']).toBe(ImportedAs.LIBRARY);
    expect(as['infrastructure/base/sources/bitnami.yaml#0']).toBe(ImportedAs.LIBRARY);
    expect(as['clusters/cluster-dev/flux-system/infra.yaml#0']).toBe(ImportedAs.LIBRARY);
    expect(as['infrastructure/base/slack/slack.yaml#0']).toBe(ImportedAs.LIBRARY);
    expect(as['infrastructure/base/mariadb/namespace.yaml#0']).toBe(ImportedAs.PLUS);
    expect(as['infrastructure/base/dns/serviceaccount.yaml#0']).toBe(ImportedAs.API_OBJECT);
    expect(result.report).toMatch(/serviceaccount\.yaml#0` ServiceAccount external-dns → ApiObject: .*eks\.amazonaws\.com\/sts-regional-endpoints.* is true, not a string/);
    // no certificate in the repository: the SealedSecrets keep their ciphertext in the generated class, and the report says why
    expect(as['infrastructure/overlays/development/slack-sealed-secrets.yaml#0']).toBe(ImportedAs.GENERATED);
    expect(result.report).toContain('no certificate of the environment that applies it is in the repository');
    // the rule the seed breaks is suppressed with a reason to review; the alerts that select nothing are findings
    expect(result.report).toMatch(/HelmRelease sealed-secrets: sealed-secrets-key-renewal/);
    expect(result.findings.map(f => f.path)).toEqual(expect.arrayContaining(['infrastructure/base/slack/infra-alert.yaml/kube-system-alert']));
    // the overlays' patches are the environments' differences
    const overlay = result.files.get('src/components/infrastructure-overlays-development.ts')!;
    expect(overlay).toContain("layout.overlaysDevelopment.addPatch({");
    // what differs between the environments' overlays is a field of the environment, each overlay's patch reads it
    expect(overlay).toContain('txtOwnerId: env.externalDnsTxtOwnerId');
    expect(result.files.get('src/environments.ts')).toContain('readonly externalDnsTxtOwnerId: string;');
    expect(result.files.get('src/environments.ts')).toMatch(/name: 'cluster-product',[^}]*externalDnsTxtOwnerId: 'gitops-cluster-prod'/s);
    expect(result.plan.environmentFields.map(f => f.name)).toEqual([
      'awsLoadBalancerControllerClusterName', 'awsLoadBalancerControllerRoleArn', 'externalDnsTxtOwnerId', 'externalDnsDomainFilters0', 'externalDnsRoleArn', 'slackChannel',
    ]);
    expect(result.files.get('src/fleet.ts')).toContain("new InfrastructureOverlaysDevelopment(layout, environment('cluster-dev'));");
    // references by name become object references
    expect(result.files.get('src/components/infrastructure-base-dns.ts')).toContain('repository: deps.infrastructureBaseSources.bitnami');
    expect(result.files.get('src/components/clusters-cluster-dev-flux-system.ts')).toMatch(/sourceRef: this\.fluxSystemGitRepository,\n\s+path: layout\.overlaysDevelopment/);
    // Flux's installation is kept as the file it is
    expect(result.files.get('clusters/cluster-dev/flux-system/gotk-components.yaml')).toBe(fs.readFileSync(path.join(FIXTURES, 'eks-gitops/clusters/cluster-dev/flux-system/gotk-components.yaml'), 'utf8'));
  });

  it('moves the seed\'s SealedSecrets into each cluster\'s sealed store, ciphertext unchanged, given the clusters\' certificates; the code type-checks', () => {
    const certificates = Object.fromEntries(['cluster-dev', 'cluster-product', 'cluster-staging'].map(c => [c, sealingKey().certificatePem]));
    const result = importRepository(path.join(FIXTURES, 'eks-gitops'), { certificates, kubectl: false });
    expect(result.comparison!.differences).toEqual([]);
    expect(writtenAs(result)['infrastructure/overlays/development/slack-sealed-secrets.yaml#0']).toBe(ImportedAs.LIBRARY);
    const original = parse(fs.readFileSync(path.join(FIXTURES, 'eks-gitops/infrastructure/overlays/development/slack-sealed-secrets.yaml'), 'utf8'));
    const store = parse(result.files.get('sealed-secrets/cluster-dev.yaml')!);
    expect(store.secrets.find((s: { name: string }) => s.name === 'slack-url').data.address.ciphertext).toBe(original.spec.encryptedData.address);
    expect(result.files.get('sealed-secrets/certs/cluster-dev.pem')).toBe(certificates['cluster-dev']);
    const code = result.files.get('src/components/infrastructure-overlays-development.ts')!;
    expect(code).toContain('store: layout.clusterDevStore');
    expect(code).not.toContain(original.spec.encryptedData.address); // the ciphertext lives in the store, not in the code
    const out = FleetTesting.tempDir();
    writeImport(result, out);
    expect(typeCheck(out)).toEqual([]);
  }, 120_000);

  it('imports a repository with tenants: tenants/ moves under apps/, overlays keep their patches, the sealed value joins the store; the printed code synthesizes the same layout', () => {
    const { dir, ciphertext } = tenantsRepository();
    const result = importRepository(dir);
    const c = result.comparison!;
    expect(c.differences).toEqual([]);
    expect(result.findings).toEqual([]);
    expect(c.clusters.map(k => [k.cluster, k.original, k.equal])).toEqual([['production', 8, 8], ['staging', 9, 9]]);
    expect(result.plan.directoryMap.get('tenants/staging')).toBe('apps/tenants/staging');
    expect(result.files.get('clusters/staging/tenants.yaml')).toContain('path: ./apps/tenants/staging');
    const as = writtenAs(result);
    expect(as['tenants/staging/token.yaml#0']).toBe(ImportedAs.LIBRARY);
    expect(as['tenants/base/dev-team/sync.yaml#1']).toBe(ImportedAs.LIBRARY);
    expect(as['tenants/base/dev-team/rbac.yaml#2']).toBe(ImportedAs.API_OBJECT);
    expect(parse(result.files.get('sealed-secrets/staging.yaml')!).secrets[0].data.token.ciphertext).toBe(ciphertext);
    expect(result.files.get('src/components/apps-tenants-base-dev-team.ts')).toContain('sourceRef: this.devTeamGitRepository');
    const production = result.files.get('src/components/apps-tenants-production.ts')!;
    expect(production).toContain("patch: [{ op: 'replace', path: '/spec/path', value: './production' }]");

    // the printed code is the code proven: run by tsx, it finds the layout the import wrote up to date
    const out = FleetTesting.tempDir();
    writeImport(result, out);
    fs.writeFileSync(path.join(out, 'tsconfig.run.json'), JSON.stringify({
      extends: './tsconfig.json', compilerOptions: { baseUrl: '.', paths: { 'cdk8s-flux': [path.join(PROJECT_ROOT, 'src', 'index.ts')] } },
    }));
    const run = spawnSync(path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'), ['--tsconfig', 'tsconfig.run.json', 'src/main.ts', 'synth', '--check'], {
      cwd: out, encoding: 'utf8', env: { ...process.env, NODE_PATH: path.join(PROJECT_ROOT, 'node_modules') },
    });
    expect(`${run.stdout}${run.stderr}`).not.toMatch(/error|differ/i);
    expect(run.status).toBe(0);
  }, 120_000);

  it('imports a flat repository without clusters/ or overlays: each directory that syncs itself is a cluster', () => {
    const result = importRepository(path.join(FIXTURES, 'flat'));
    expect(result.plan.originalClusters).toEqual([{ name: 'production', directory: 'production' }, { name: 'staging', directory: 'staging' }]);
    expect(result.plan.directoryMap.get('staging/apps')).toBe('clusters/staging/apps');
    expect(result.comparison!.differences).toEqual([]);
    expect(result.comparison!.clusters.map(k => k.equal)).toEqual([7, 5]);
    expect(Object.values(writtenAs(result)).filter(a => a === ImportedAs.LIBRARY)).toHaveLength(10);
    expect(result.files.get('src/environments.ts')).toContain("readonly name: 'production' | 'staging';");
    // the sync's path follows its directory
    expect(result.files.get('clusters/staging/flux-system/gotk-sync.yaml')).toContain('path: ./clusters/staging');
  });

  it('imports kinds the library does not know as ApiObjects and lists each fallback in the report', () => {
    const result = importRepository(path.join(FIXTURES, 'unknown-kind'));
    expect(result.comparison!.differences).toEqual([]);
    const as = writtenAs(result);
    expect(result.comparison!.clusters[0].equal).toBe(9);
    expect(as['infrastructure/cert-manager/certificate.yaml#0']).toBe(ImportedAs.API_OBJECT);
    expect(as['infrastructure/cert-manager/deployment.yaml#0']).toBe(ImportedAs.API_OBJECT);
    expect(result.report).toContain('Certificate web → ApiObject: nothing typed has cert-manager.io/v1 Certificate (a custom resource whose CRD the repository does not carry: give it with --crd <file>');
    expect(result.report).toContain('Deployment web → ApiObject: no cdk8s-plus construct writes apps/v1 Deployment as it is');
    expect(result.report).toContain('- ApiObject: 3');
    // a custom kind whose CRD the repository carries is written with the class cdk8s import generates from it
    expect(as['infrastructure/widgets/widget.yaml#0']).toBe(ImportedAs.GENERATED);
    expect(result.files.get('src/imports/example-example.com.ts')).toContain('export class Widget extends ApiObject');
    expect(result.files.get('src/components/infrastructure-widgets.ts')).toContain("import { Widget } from '../imports/example-example.com';");
    expect(result.report).toContain('Widget blue → generated class (Widget of src/imports/example-example.com.ts, which cdk8s import generated from its CRD)');
    // and so is one whose CRD the user names (--crd)
    const certificateCrd = {
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'certificates.cert-manager.io' },
      spec: {
        group: 'cert-manager.io', scope: 'Namespaced', names: { kind: 'Certificate', plural: 'certificates', singular: 'certificate' },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: {
          secretName: { type: 'string' }, dnsNames: { type: 'array', items: { type: 'string' } },
          issuerRef: { type: 'object', properties: { kind: { type: 'string' }, name: { type: 'string' } } },
        } } } } } }],
      },
    };
    const named = importRepository(path.join(FIXTURES, 'unknown-kind'), { crds: [certificateCrd], kubectl: false });
    expect(named.comparison!.differences).toEqual([]);
    expect(writtenAs(named)['infrastructure/cert-manager/certificate.yaml#0']).toBe(ImportedAs.GENERATED);
    expect(named.files.get('src/components/infrastructure-cert-manager.ts')).toContain("import { Certificate } from '../imports/cert-manager-cert-manager.io';");
    // the directory's namespace: is written into its objects, as kustomize sets it (on a custom kind it does not know, too)
    expect(result.files.get('src/components/infrastructure-cert-manager.ts')).toMatch(/kind: 'Deployment',\s*metadata: \{ name: 'web', labels: \{ app: 'web' \}, namespace: 'web' \}/);
    expect(result.files.get('src/components/infrastructure-cert-manager.ts')).toMatch(/metadata: \{ name: 'letsencrypt', namespace: 'web' \}/);
  });

  it('imports this project\'s own layout into a fleet that applies the same objects in every cluster', () => {
    const copy = FleetTesting.tempDir();
    for (const d of ['clusters', 'infrastructure', 'apps', 'sealed-secrets']) fs.cpSync(path.join(PROJECT_ROOT, d), path.join(copy, d), { recursive: true });
    const result = importRepository(copy, { kubectl: false });
    const c = result.comparison!;
    expect(c.differences).toEqual([]);
    expect(c.clusters.map(k => k.cluster)).toEqual(['cluster-dev', 'cluster-prod', 'cluster-staging']);
    for (const k of c.clusters) {
      expect(k.original).toBeGreaterThan(20);
      expect(k.equal).toBe(k.original);
      expect(k.generated).toBe(k.original);
    }
    // the image automation markers live in comments, which the import does not carry: the report names each, its field and the setter to write
    expect(result.report).toContain('`apps/overlays/development/podinfo/release-patch.yaml:11`: image automation marker {"$imagepolicy": "flux-system:podinfo:tag"} on spec.values.image.tag (document 0) is not carried over (the value is): write the value in the code as the ImagePolicy flux-system/podinfo\'s tagSetter("6.5.4"), or image automation stops updating it');
  });

  it('runs from the cdk8s-flux launcher without a fleet, refuses a directory that is not empty, and fails --strict on a difference', () => {
    const out = FleetTesting.tempDir();
    const io = captureCli();
    expect(launch(['import', path.join(FIXTURES, 'flat'), '--out', out, '--strict', '--no-kubectl'], { io: io.sink, cwd: out })).toBe(0);
    expect(io.io.out).toContain('Every cluster applies the same objects.');
    expect(fs.readdirSync(out).sort()).toEqual(['IMPORT-REPORT.md', 'cdk8s.yaml', 'clusters', 'package.json', 'src', 'tsconfig.json']);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'package.json'), 'utf8')).scripts.test).toBe('tsc --noEmit && cdk8s-flux synth --check --strict');
    const again = captureCli();
    expect(launch(['import', path.join(FIXTURES, 'flat'), '--out', out], { io: again.sink, cwd: out })).toBe(2);
    expect(again.io.err).toContain('is not empty');
    const strict = captureCli();
    expect(launch(['import', path.join(FIXTURES, 'unknown-kind'), '--out', FleetTesting.tempDir(), '--strict', '--no-kubectl'], { io: strict.sink, cwd: out })).toBe(0);
    const eks = captureCli();
    expect(launch(['import', path.join(FIXTURES, 'eks-gitops'), '--out', FleetTesting.tempDir(), '--strict', '--no-kubectl'], { io: eks.sink, cwd: out })).toBe(1);
    expect(eks.io.out).toContain('finding(s) of the original');
    const usage = captureCli();
    expect(launch(['import', '--cert', 'nonsense', path.join(FIXTURES, 'flat')], { io: usage.sink, cwd: out })).toBe(2);
    expect(usage.io.err).toContain('is not CLUSTER=FILE');
  });
});

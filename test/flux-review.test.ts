import * as kplus from 'cdk8s-plus-27';
import { describe, expect, it } from 'vitest';
import { createExampleFleet } from '../src/example-fleet';
import { Bucket, GitRepository, HelmRelease, HelmRepository, Kustomization, LayoutDirectory, ManifestFile, ObjectPatch, OCIRepository } from '../src';
import { isMastermindsRange } from '../src/flux/field-checks';
import { FleetTesting } from '../src/testing';
import { fluxFleet } from './flux-fixture';
import { problemsOf as problemsOfRepo } from './helpers';
import { crdErrors } from './support/crd-schemas';

type Fleet = ReturnType<typeof fluxFleet>;

const problemsOf = (f: Fleet) => problemsOfRepo(f.repo);

/** A directory of its own, applied to cluster dev by a Kustomization with the given options. */
function appliedDir(f: Fleet, name: string, props: { targetNamespace?: string } = {}) {
  const dir = new LayoutDirectory(f.repo.apps, name);
  const k = new Kustomization(new ManifestFile(f.cluster, name), 'k', {
    metadata: { name, namespace: 'flux-system' }, sourceRef: f.gitRepo, path: dir, ...props,
  });
  return { dir, k };
}

describe('targetNamespace moves objects, and the checks follow them', () => {
  it('a release and its repository moved together still resolve (the reference names no namespace)', () => {
    const f = fluxFleet();
    const { dir } = appliedDir(f, 'tenant', { targetNamespace: 'tenant-a' });
    const file = new ManifestFile(dir, 'release');
    const repo = new HelmRepository(file, 'repo', { metadata: { name: 'charts', namespace: 'flux-system' }, url: 'https://charts.example.com' });
    new HelmRelease(file, 'release', { metadata: { name: 'app', namespace: 'flux-system' }, chart: { repository: repo, name: 'app' } });
    expect(problemsOf(f)).toEqual([]);
    expect(FleetTesting.synthDocuments(f.repo)['apps/tenant/release.yaml'][1].spec.chart.spec.sourceRef).toEqual({ kind: 'HelmRepository', name: 'charts' });
  });

  it('a release moved away from its repository is a broken reference', () => {
    const f = fluxFleet();
    const { dir } = appliedDir(f, 'tenant', { targetNamespace: 'tenant-a' });
    new HelmRelease(new ManifestFile(dir, 'release'), 'release', { metadata: { name: 'app', namespace: 'flux-system' }, chart: { repository: f.podinfo, name: 'podinfo' } });
    expect(problemsOf(f)).toEqual([
      '[apps/tenant/release/release] spec.chart.spec.sourceRef resolves HelmRepository podinfo in namespace "tenant-a" in cluster "dev" (as applied by Kustomization flux-system/tenant), but there it is in "flux-system" (a Kustomization\'s targetNamespace moves the objects it applies): apply both with the same targetNamespace, or neither',
    ]);
  });

  it('one directory deployed into two namespaces is fine; two objects moved onto one identity are not', () => {
    const f = fluxFleet();
    const shared = new LayoutDirectory(f.repo.apps, 'shared');
    new kplus.ConfigMap(new ManifestFile(shared, 'cm'), 'cm', { metadata: { name: 'settings', namespace: 'x' }, data: { a: '1' } });
    for (const team of ['team-a', 'team-b']) {
      new Kustomization(new ManifestFile(f.cluster, team), 'k', { metadata: { name: team, namespace: 'flux-system' }, sourceRef: f.gitRepo, path: shared, targetNamespace: team });
    }
    expect(problemsOf(f)).toEqual([]);

    const { dir } = appliedDir(f, 'other', { targetNamespace: 'team-a' });
    new kplus.ConfigMap(new ManifestFile(dir, 'cm'), 'cm', { metadata: { name: 'settings', namespace: 'y' }, data: { a: '2' } });
    expect(problemsOf(f)).toEqual([
      '[apps/shared/cm/cm/Resource] ConfigMap team-a/settings is defined twice in cluster "dev" (also by apps/other/cm/cm/Resource, in apps/other/cm.yaml); the two would overwrite each other: keep one, or give one another name or namespace',
    ]);
  });

  it('a health check names the object where targetNamespace puts it', () => {
    const f = fluxFleet();
    const dir = new LayoutDirectory(f.repo.apps, 'web');
    const deployment = new kplus.Deployment(new ManifestFile(dir, 'app'), 'app', { metadata: { name: 'web', namespace: 'default' }, containers: [{ image: 'nginx:1.27' }] });
    new Kustomization(new ManifestFile(f.cluster, 'web'), 'k', {
      metadata: { name: 'web', namespace: 'flux-system' }, sourceRef: f.gitRepo, path: dir, targetNamespace: 'web', healthChecks: [deployment],
    });
    expect(problemsOf(f)).toEqual([]);
    expect(FleetTesting.synthDocuments(f.repo)['clusters/dev/web.yaml'][0].spec.healthChecks).toEqual([{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'web' }]);
  });

  it('objects of different API groups with one kind and name are not duplicates', () => {
    const f = fluxFleet();
    const file = new ManifestFile(f.apps, 'certs');
    new kplus.ConfigMap(file, 'a', { metadata: { name: 'web', namespace: 'apps' } });
    new HelmRelease(file, 'b', { metadata: { name: 'web', namespace: 'apps' }, chart: { repository: HelmRepository.fromName(file, 'r', { name: 'r' }), name: 'x' } });
    expect(problemsOf(f)).toEqual([]);
  });
});

describe('the lockdown, as Flux enforces it', () => {
  it('does not restrict dependsOn across namespaces (only source references)', () => {
    const f = fluxFleet();
    const { dir } = appliedDir(f, 'team', {});
    new Kustomization(new ManifestFile(dir, 'k'), 'k', {
      metadata: { name: 'team', namespace: 'team-a' }, sourceRef: GitRepository.fromName(dir, 'g', { name: 'team', namespace: 'team-a' }),
      externalPath: './deploy', dependsOn: [f.appsKustomization],
    });
    expect(problemsOf(f)).toEqual([]);
  });
});

describe('post-build substitution as Flux reads it', () => {
  function templated(data: Record<string, string>, substitute: Record<string, string> = {}, extra?: (dir: LayoutDirectory, f: Fleet) => void) {
    const f = fluxFleet();
    const dir = new LayoutDirectory(f.repo.apps, 'templated');
    new kplus.ConfigMap(new ManifestFile(dir, 'cm'), 'cm', { metadata: { name: 'settings', namespace: 'apps' }, data });
    extra?.(dir, f);
    new Kustomization(new ManifestFile(f.cluster, 'templated'), 'k', {
      metadata: { name: 'templated', namespace: 'flux-system' }, sourceRef: f.gitRepo, path: dir, postBuild: { substitute: { defined: 'x', ...substitute } },
    });
    return problemsOf(f).map(p => /"\$\{(\w+)\}" is used/.exec(p)?.[1] ?? p);
  }

  it('finds variables in keys, in every envsubst form, and inside defaults', () => {
    expect(templated({ '${in_key}': 'v' })).toEqual(['in_key']);
    expect(templated({ a: '${upper^^}', b: '${#length}', c: '${sub:0:3}', d: '${rep/a/b}' })).toEqual(['length', 'rep', 'sub', 'upper']); // problems are sorted
    expect(templated({ a: '${has_default:=${nested}}' })).toEqual(['nested']);
    expect(templated({ a: '${defined} ${x:-y} ${z=w} $${escaped}' })).toEqual([]);
  });

  it('honours the substitute: disabled label or annotation, also when an overlay patch adds it', () => {
    expect(templated({ a: '${undefined_var}' }, {}, dir => {
      new kplus.ConfigMap(new ManifestFile(dir, 'labelled'), 'x', {
        metadata: { name: 'raw', namespace: 'apps', labels: { 'kustomize.toolkit.fluxcd.io/substitute': 'disabled' } }, data: { a: '${ignored}' },
      });
    })).toEqual(['undefined_var']);
    const f = fluxFleet();
    const base = new LayoutDirectory(f.repo.apps, 'base2');
    const cm = new kplus.ConfigMap(new ManifestFile(base, 'cm'), 'cm', { metadata: { name: 'raw', namespace: 'apps' }, data: { a: '${ignored}' } });
    const overlay = new LayoutDirectory(f.repo.apps, 'overlay');
    overlay.addResource(base);
    new ObjectPatch(overlay, 'no-subst', { target: cm, patch: { metadata: { annotations: { 'kustomize.toolkit.fluxcd.io/substitute': 'disabled' } } } });
    new Kustomization(new ManifestFile(f.cluster, 'overlay'), 'k', { metadata: { name: 'overlay', namespace: 'flux-system' }, sourceRef: f.gitRepo, path: overlay, postBuild: { substitute: { a: 'b' } } });
    expect(problemsOf(f)).toEqual([]);
  });

  it('does not count binaryData as variables, and rejects substituteFrom keys that are not variable names', () => {
    const f = fluxFleet();
    const dir = new LayoutDirectory(f.repo.apps, 'templated');
    new kplus.ConfigMap(new ManifestFile(dir, 'cm'), 'cm', { metadata: { name: 'settings', namespace: 'apps' }, data: { a: '${bin}' } });
    const vars = new kplus.ConfigMap(new ManifestFile(f.cluster, 'vars'), 'vars', { metadata: { name: 'vars', namespace: 'flux-system' }, data: { 'cluster-name': 'dev' }, binaryData: { bin: 'AA==' } });
    new Kustomization(new ManifestFile(f.cluster, 'templated'), 'k', {
      metadata: { name: 'templated', namespace: 'flux-system' }, sourceRef: f.gitRepo, path: dir, postBuild: { substituteFrom: [{ source: vars }] },
    });
    expect(problemsOf(f)).toEqual([
      '[clusters/dev/templated/k] spec.postBuild.substituteFrom[0]: ConfigMap vars has "cluster-name", which is not a variable name; Flux refuses the whole substitution: use letters, digits and \'_\' (e.g. "cluster_name")',
      '[clusters/dev/templated/k] spec.postBuild: "${bin}" is used in ConfigMap apps/settings (built from "apps/templated") but never defined, and Flux fails the reconcile on it: define bin in postBuild.substitute or a substituteFrom source, give it a default ("${bin:=value}"), or escape it as "$${bin}"',
    ]);
  });
});

describe('field rules as Flux applies them', () => {
  it('reads version ranges the way Masterminds semver does', () => {
    for (const ok of ['1.4.0', '>=6.2.1 <7', '>=6.0.0, !=6.5.0', '=>6.0.0', '=<2', '~1.2', '^1.2', '1.x', '*', '1.2 - 1.4', '>= 1.2, < 2.0', '1.0 || >=2.1']) {
      expect(isMastermindsRange(ok), ok).toBe(true);
    }
    for (const bad of ['latest', '6.0.0 ||', '1.0,', '|| 1.0', ',1.0', '>=1.0,,<2', 'v1..2']) {
      expect(isMastermindsRange(bad), bad).toBe(false);
    }
  });

  it('accepts what Flux accepts: any negative retries, a branch with a commit, GCS bucket names with "_"', () => {
    const f = fluxFleet();
    new HelmRelease(f.releases, 'forever', { metadata: { name: 'forever', namespace: 'flux-system' }, chart: { repository: f.podinfo, name: 'podinfo' }, install: { remediation: { retries: -5 } } });
    new GitRepository(f.sources, 'pinned', { metadata: { name: 'pinned', namespace: 'flux-system' }, url: 'https://github.com/org/app', ref: { branch: 'main', commit: '0123456789abcdef0123456789abcdef01234567' } });
    new Bucket(f.sources, 'gcs', { metadata: { name: 'gcs', namespace: 'flux-system' }, bucketName: 'fleet_manifests', endpoint: 'storage.googleapis.com' });
    expect(problemsOf(f)).toEqual([]);
  });

  it('reports each remaining field rule with its exact message', () => {
    const f = fluxFleet();
    new GitRepository(f.sources, 'git', { metadata: { name: 'git', namespace: 'flux-system' }, url: 'https://github.com/org/app', timeout: '1h' });
    new OCIRepository(f.sources, 'oci', { metadata: { name: 'oci', namespace: 'flux-system' }, url: 'oci://ghcr.io/org/app', timeout: '2h' });
    new Bucket(f.sources, 'bucket', { metadata: { name: 'bucket', namespace: 'flux-system' }, bucketName: 'B', endpoint: 's3.amazonaws.com' });
    const values = new kplus.ConfigMap(f.releases, 'values', { metadata: { name: 'values', namespace: 'flux-system' }, data: { 'values.yaml': 'a: 1' } });
    new HelmRelease(f.releases, 'x', {
      metadata: { name: 'a'.repeat(64), namespace: 'flux-system' },
      chart: { repository: f.podinfo, name: '-bad' },
      valuesFrom: [{ source: values, targetPath: 'a b' }, { source: values, valuesKey: 'a/b' }],
    });
    const other = new LayoutDirectory(f.repo.apps, 'other');
    const k = new Kustomization(new ManifestFile(f.cluster, 'k1'), 'k', {
      metadata: { name: 'k1', namespace: 'flux-system' }, sourceRef: f.gitRepo, path: other, externalPath: './x',
      wait: true, healthChecks: [new ManifestFile(f.cluster, 'not-an-object')],
    });
    k.addDependsOn(k);
    HelmRepository.fromName(f.releases, 'bad-import', { name: 'Bad_Name', namespace: 'Flux System' });
    new ObjectPatch(other, 'p', { target: new ManifestFile(f.cluster, 'nothing'), patch: {} });
    expect(problemsOf(f)).toEqual([
      '[apps/base/releases/bad-import] fromName name "Bad_Name" is not a valid Kubernetes name: use at most 253 lowercase letters, digits, \'-\' or \'.\', starting and ending with a letter or digit (e.g. "external-dns")',
      '[apps/base/releases/bad-import] fromName namespace "Flux System" is not a valid RFC 1123 label: use at most 63 lowercase letters, digits or \'-\', starting and ending with a letter or digit (e.g. "kube-system")',
      `[apps/base/releases/x] metadata.name "${'a'.repeat(64)}" is not a valid Kubernetes name: use at most 63 lowercase letters, digits, '-' or '.', starting and ending with a letter or digit (e.g. "external-dns")`,
      '[apps/base/releases/x] spec.chart.spec.chart "-bad" is not a chart name: use the chart\'s name in its repository (e.g. "external-dns")',
      '[apps/base/releases/x] spec.valuesFrom[0].targetPath "a b" is not a values path: use dot-separated keys with optional [index], e.g. "auth.rootPassword" or "hosts[0].name"',
      '[apps/base/releases/x] spec.valuesFrom[1].valuesKey "a/b" is not a valid key: use at most 253 letters, digits, \'-\', \'.\' or \'_\'',
      '[apps/base/sources/bucket] spec.bucketName "B" is not a valid bucket name: use lowercase letters, digits, \'.\', \'-\' or \'_\' (GCS), starting and ending with a letter or digit',
      '[apps/base/sources/git] spec.timeout "1h" is not valid here: use a Go duration in ms, s or m (no hours), e.g. "60s" or "2m"',
      '[apps/base/sources/oci] spec.timeout "2h" is not valid here: use a Go duration in ms, s or m (no hours), e.g. "60s" or "2m"',
      '[apps/other/p] target is not an API object nor a construct with one (e.g. a cdk8s-plus ServiceAccount or a Flux HelmRelease): pass the object to patch',
      '[clusters/dev/k1/k] spec.dependsOn forms a cycle: Kustomization flux-system/k1 -> Kustomization flux-system/k1; Flux would wait forever: remove one of these dependsOn',
      '[clusters/dev/k1/k] spec.healthChecks are ignored by Flux when spec.wait is true (every applied object is checked then): remove healthChecks or wait',
      '[clusters/dev/k1/k] spec.healthChecks[0] is clusters/dev/not-an-object without a single API object: pass the object to check (e.g. a cdk8s-plus Deployment) or an import with kind and name',
      '[clusters/dev/k1/k] spec.path is given twice (path: directory "apps/other" and externalPath: "./x"): use path for a directory of this repository, externalPath only for another source',
    ]);
  });
});

describe('synthesized objects are valid for the vendored Flux 2.9 CRD schemas', () => {
  it('the example fleet and the construct fixtures', () => {
    const fleets = [createExampleFleet(), fluxFleet().repo];
    let checked = 0;
    for (const repo of fleets) {
      for (const [file, docs] of Object.entries(FleetTesting.synthDocuments(repo))) {
        for (const doc of docs) {
          if (file.includes('/overlays/') && doc.kind !== 'SealedSecret' && doc.apiVersion !== 'kustomize.config.k8s.io/v1beta1') continue; // patches are partial
          const errors = crdErrors(doc);
          if (errors === undefined) continue;
          checked++;
          expect(errors, `${file} ${doc.kind}/${doc.metadata?.name}`).toEqual([]);
        }
      }
    }
    expect(checked).toBeGreaterThan(20);
  });
});

import * as kplus from 'cdk8s-plus-27';
import { describe, expect, it } from 'vitest';
import { Bucket, GitRepository, HelmRelease, HelmReleaseProps, HelmRepository, HelmRepositoryType, Kustomization, LayoutDirectory, ManifestFile, OCIRepository, runSynth } from '../src';
import { FleetTesting } from '../src/testing';
import { fluxFleet } from './flux-fixture';
import { readTree } from './helpers';

type Fleet = ReturnType<typeof fluxFleet>;

interface BadInput {
  /** What is wrong, for the test name. */
  readonly name: string;
  /** Breaks an otherwise valid fleet. */
  readonly breakIt: (f: Fleet) => void;
  /** The exact line the user sees, `[construct path] message`. */
  readonly expected: string;
  /** How many problems the fleet has in all (one per affected object). @default 1 */
  readonly count?: number;
}

/** A HelmRelease in the fixture's apps/base/releases.yaml. */
function release(f: Fleet, id: string, props: Partial<HelmReleaseProps> = {}) {
  return new HelmRelease(f.releases, id, {
    metadata: { name: id, namespace: 'flux-system' },
    chart: { repository: f.podinfo, name: 'podinfo' },
    ...props,
  });
}

const CORPUS: BadInput[] = [
  {
    name: 'an object name that is not DNS-1123',
    breakIt: f => release(f, 'x', { metadata: { name: 'Podinfo_App', namespace: 'flux-system' } }),
    expected: '[apps/base/releases/x] metadata.name "Podinfo_App" is not a valid Kubernetes name: use at most 63 lowercase letters, digits, \'-\' or \'.\', starting and ending with a letter or digit (e.g. "external-dns")',
  },
  {
    name: 'a namespace that is not an RFC 1123 label',
    breakIt: f => new HelmRepository(f.sources, 'x', { metadata: { name: 'x', namespace: 'flux.system' }, url: 'https://charts.example.com' }),
    expected: '[apps/base/sources/x] metadata.namespace "flux.system" is not a valid RFC 1123 label: use at most 63 lowercase letters, digits or \'-\', starting and ending with a letter or digit (e.g. "kube-system")',
  },
  {
    name: 'an interval that is not a Go duration',
    breakIt: f => release(f, 'x', { interval: '5 minutes' as never }),
    expected: '[apps/base/releases/x] spec.interval "5 minutes" is not a Go duration: use digits with units ms, s, m or h, e.g. "30s", "10m", "1h" or "1m30s"',
  },
  {
    name: 'a chart version that is not a semver range',
    breakIt: f => release(f, 'x', { chart: { repository: f.podinfo, name: 'podinfo', version: 'latest' } }),
    expected: '[apps/base/releases/x] spec.chart.spec.version "latest" is not a semantic version or range: use e.g. "1.4.0", ">=6.2.1 <7", "~1.2" or "1.x"',
  },
  {
    name: 'a GitRepository URL in scp form',
    breakIt: f => new GitRepository(f.sources, 'git', { metadata: { name: 'app', namespace: 'flux-system' }, url: 'git@github.com:org/app.git' }),
    expected: '[apps/base/sources/git] spec.url "git@github.com:org/app.git" must start with "https://" or "http://" or "ssh://" (e.g. "ssh://git@github.com/org/repo")',
  },
  {
    name: 'an OCI HelmRepository with an https URL',
    breakIt: f => new HelmRepository(f.sources, 'r', { metadata: { name: 'r', namespace: 'flux-system' }, type: HelmRepositoryType.OCI, url: 'https://ghcr.io/org/charts' }),
    expected: '[apps/base/sources/r] spec.url "https://ghcr.io/org/charts" must start with "oci://" (e.g. "oci://ghcr.io/stefanprodan/charts")',
  },
  {
    name: 'an HTTP HelmRepository with an oci URL',
    breakIt: f => new HelmRepository(f.sources, 'r', { metadata: { name: 'r', namespace: 'flux-system' }, url: 'oci://ghcr.io/org/charts' }),
    expected: '[apps/base/sources/r] spec.url "oci://ghcr.io/org/charts" must start with "https://" or "http://" (e.g. "https://charts.bitnami.com/bitnami")',
  },
  {
    name: 'an OCIRepository with an https URL',
    breakIt: f => new OCIRepository(f.sources, 'o', { metadata: { name: 'o', namespace: 'flux-system' }, url: 'https://ghcr.io/org/manifests' }),
    expected: '[apps/base/sources/o] spec.url "https://ghcr.io/org/manifests" must start with "oci://" (e.g. "oci://ghcr.io/stefanprodan/manifests/podinfo")',
  },
  {
    name: 'a Bucket endpoint with a scheme',
    breakIt: f => new Bucket(f.sources, 'b', { metadata: { name: 'b', namespace: 'flux-system' }, bucketName: 'fleet', endpoint: 'https://s3.amazonaws.com' }),
    expected: '[apps/base/sources/b] spec.endpoint "https://s3.amazonaws.com" must be a host with an optional port, without scheme or path (e.g. "s3.amazonaws.com" or "minio.example.com:9000"); use insecure: true for plain HTTP',
  },
  {
    name: 'a HelmRepository timeout in hours',
    breakIt: f => new HelmRepository(f.sources, 'r', { metadata: { name: 'r', namespace: 'flux-system' }, url: 'https://charts.example.com', timeout: '1h' }),
    expected: '[apps/base/sources/r] spec.timeout "1h" is not valid here: use a Go duration in ms, s or m (no hours), e.g. "60s" or "2m"',
  },
  {
    name: 'a HelmRelease with neither chart nor chartRef',
    breakIt: f => new HelmRelease(f.releases, 'x', { metadata: { name: 'x', namespace: 'flux-system' } }),
    expected: '[apps/base/releases/x] spec.chart and spec.chartRef are both missing: set exactly one (chart: { repository, name, version } or chartRef: an OCIRepository or HelmChart)',
  },
  {
    name: 'a HelmRelease with both chart and chartRef',
    breakIt: f => {
      const chart = new OCIRepository(f.sources, 'chart', { metadata: { name: 'chart', namespace: 'flux-system' }, url: 'oci://ghcr.io/org/chart' });
      release(f, 'x', { chartRef: chart });
    },
    expected: '[apps/base/releases/x] spec.chart and spec.chartRef are both set: set exactly one (chart: { repository, name, version } or chartRef: an OCIRepository or HelmChart)',
  },
  {
    name: 'a release name longer than Helm allows',
    breakIt: f => release(f, 'x', { releaseName: 'a'.repeat(54) }),
    expected: `[apps/base/releases/x] spec.releaseName "${'a'.repeat(54)}" is not a valid Helm release name: use at most 53 lowercase letters, digits, '-' or '.', starting and ending with a letter or digit`,
  },
  {
    name: 'a Git ref naming both a branch and a tag',
    breakIt: f => new GitRepository(f.sources, 'git', {
      metadata: { name: 'app', namespace: 'flux-system' }, url: 'https://github.com/org/app', ref: { branch: 'main', tag: 'v1' } as never,
    }),
    expected: '[apps/base/sources/git] spec.ref sets "branch", "tag": set exactly one of branch, tag, semver, commit or name (or a branch with a commit)',
  },
  {
    name: 'valuesFrom a key the ConfigMap does not have',
    breakIt: f => {
      const values = new kplus.ConfigMap(f.releases, 'values', { metadata: { name: 'values', namespace: 'flux-system' }, data: { 'values.yml': 'a: 1\n' } });
      release(f, 'x', { valuesFrom: [{ source: values }] });
    },
    expected: '[apps/base/releases/x] spec.valuesFrom[0].valuesKey "values.yaml" is not a key of ConfigMap values: it has "values.yml"',
  },
  {
    name: 'install retries that are not a whole number',
    breakIt: f => release(f, 'x', { install: { remediation: { retries: 1.5 } } }),
    expected: '[apps/base/releases/x] spec.install.remediation.retries 1.5 is not valid: use a whole number',
  },
  {
    name: 'a drift-detection ignore path that is not a JSON pointer',
    breakIt: f => release(f, 'x', { driftDetection: { mode: 'enabled' as never, ignore: [{ paths: ['spec.replicas'] }] } }),
    expected: '[apps/base/releases/x] spec.driftDetection.ignore paths "spec.replicas" is not a JSON pointer: start it with "/" (e.g. "/spec/replicas")',
  },
  {
    name: 'a Kustomization without a path',
    breakIt: f => new Kustomization(new ManifestFile(f.cluster, 'extra'), 'k', { metadata: { name: 'extra', namespace: 'flux-system' }, sourceRef: f.gitRepo }),
    expected: '[clusters/dev/extra/k] spec.path is missing: pass path (a LayoutDirectory of this repository) or, for another repository, externalPath (e.g. "./overlays/production")',
  },
  {
    name: 'an external path that climbs out of the source',
    breakIt: f => new Kustomization(new ManifestFile(f.cluster, 'extra'), 'k', {
      metadata: { name: 'extra', namespace: 'flux-system' },
      sourceRef: GitRepository.fromName(f.cluster, 'tenant', { name: 'tenant', namespace: 'flux-system' }),
      externalPath: '../other',
    }),
    expected: '[clusters/dev/extra/k] spec.path "../other" must be relative to the source root, start with "./" and not contain "..": e.g. "./overlays/production"',
  },
  {
    name: 'a substitution variable name with a dash',
    breakIt: f => {
      const dir = new LayoutDirectory(f.repo.apps, 'templated');
      new kplus.ConfigMap(new ManifestFile(dir, 'config'), 'cm', { metadata: { name: 'settings', namespace: 'apps' }, data: { a: 'b' } });
      new Kustomization(new ManifestFile(f.cluster, 'extra'), 'k', {
        metadata: { name: 'extra', namespace: 'flux-system' }, sourceRef: f.gitRepo, path: dir, postBuild: { substitute: { 'cluster-name': 'dev' } },
      });
    },
    expected: '[clusters/dev/extra/k] spec.postBuild.substitute key "cluster-name" is not a variable name: use letters, digits and \'_\', not starting with a digit (e.g. "cluster_env")',
  },
  {
    name: 'a source the cluster does not reconcile',
    breakIt: f => {
      const unsynced = new LayoutDirectory(f.repo.apps, 'unsynced');
      const repo = new HelmRepository(new ManifestFile(unsynced, 'repo'), 'r', { metadata: { name: 'stray', namespace: 'flux-system' }, url: 'https://charts.example.com' });
      new HelmRelease(f.releases, 'x', { metadata: { name: 'x', namespace: 'flux-system' }, chart: { repository: repo, name: 'app' } });
    },
    expected: '[apps/base/releases/x] spec.chart.spec.sourceRef points at HelmRepository flux-system/stray, which cluster "dev" does not reconcile although it reconciles this HelmRelease (the HelmRepository is in apps/unsynced/repo.yaml, which no Kustomization of that cluster builds): build its directory into the cluster, or import it with HelmRepository.fromName if it is defined outside the fleet',
  },
  {
    name: 'a cross-namespace source reference in a fleet that does not allow them',
    breakIt: f => release(f, 'x', { metadata: { name: 'x', namespace: 'apps' } }),
    expected: '[apps/base/releases/x] spec.chart.spec.sourceRef points at HelmRepository flux-system/podinfo in another namespace (this HelmRelease is in "apps"); Flux\'s multi-tenancy lockdown refuses cross-namespace references: move this HelmRelease to namespace "flux-system" and install into "apps" with targetNamespace, or allow them with new GitOpsRepo({ allowCrossNamespaceReferences: true })',
  },
  {
    name: 'valuesFrom a ConfigMap of another namespace',
    breakIt: f => {
      const values = new kplus.ConfigMap(f.releases, 'values', { metadata: { name: 'values', namespace: 'apps' }, data: { 'values.yaml': 'a: 1\n' } });
      release(f, 'x', { valuesFrom: [{ source: values }] });
    },
    expected: '[apps/base/releases/x] spec.valuesFrom[0] names ConfigMap values, but this field only resolves in the object\'s own namespace ("flux-system") and cluster "dev" has ConfigMap values only in "apps": define ConfigMap values in that namespace',
  },
  {
    name: 'the same object defined in two directories of one cluster',
    breakIt: f => {
      const other = new LayoutDirectory(f.repo.apps, 'other');
      new HelmRelease(new ManifestFile(other, 'releases'), 'podinfo', {
        metadata: { name: 'podinfo', namespace: 'flux-system' }, chart: { repository: f.podinfo, name: 'podinfo' },
      });
      new Kustomization(new ManifestFile(f.cluster, 'other'), 'k', { metadata: { name: 'other', namespace: 'flux-system' }, sourceRef: f.gitRepo, path: other });
    },
    expected: '[apps/other/releases/podinfo/Resource] HelmRelease.helm.toolkit.fluxcd.io flux-system/podinfo is defined twice in cluster "dev" (also by apps/base/releases/podinfo/Resource, in apps/base/releases.yaml); the two would overwrite each other: keep one, or give one another name or namespace',
  },
  {
    name: 'one directory applied by two Kustomizations of a cluster',
    breakIt: f => new Kustomization(new ManifestFile(f.cluster, 'again'), 'k', { metadata: { name: 'again', namespace: 'flux-system' }, sourceRef: f.gitRepo, path: f.apps }),
    expected: '[apps/base/releases/podinfo/Resource] HelmRelease.helm.toolkit.fluxcd.io flux-system/podinfo is applied twice in cluster "dev", by Kustomization flux-system/again and Kustomization flux-system/apps; the Kustomizations would fight over it (and pruning by one deletes it from the other): build its directory from only one of them, or give them different targetNamespaces',
    count: 2, // the HelmRepository of that directory too
  },
  {
    name: 'a dependsOn cycle',
    breakIt: f => {
      const a = release(f, 'a');
      const b = release(f, 'b', { dependsOn: [a] });
      a.addDependsOn(b);
    },
    expected: '[apps/base/releases/a] spec.dependsOn forms a cycle: HelmRelease flux-system/a -> HelmRelease flux-system/b -> HelmRelease flux-system/a; Flux would wait forever: remove one of these dependsOn',
  },
  {
    name: 'a substitution variable that is used but never defined',
    breakIt: f => {
      const dir = new LayoutDirectory(f.repo.apps, 'templated');
      new kplus.ConfigMap(new ManifestFile(dir, 'config'), 'cm', { metadata: { name: 'settings', namespace: 'apps' }, data: { domain: 'app.${cluster_domain}', region: '${region:=eu-west-1}', literal: '$${not_a_var}' } });
      new Kustomization(new ManifestFile(f.cluster, 'templated'), 'k', {
        metadata: { name: 'templated', namespace: 'flux-system' }, sourceRef: f.gitRepo, path: dir, postBuild: { substitute: { cluster_env: 'dev' } },
      });
    },
    expected: '[clusters/dev/templated/k] spec.postBuild: "${cluster_domain}" is used in ConfigMap apps/settings (built from "apps/templated") but never defined, and Flux fails the reconcile on it: define cluster_domain in postBuild.substitute or a substituteFrom source, give it a default ("${cluster_domain:=value}"), or escape it as "$${cluster_domain}"',
  },
  {
    name: 'a Git ref with an invalid semver range',
    breakIt: f => new GitRepository(f.sources, 'git', { metadata: { name: 'app', namespace: 'flux-system' }, url: 'https://github.com/org/app', ref: { semver: 'v1..2' } }),
    expected: '[apps/base/sources/git] spec.ref.semver "v1..2" is not a semantic version or range: use e.g. "1.4.0", ">=6.2.1 <7", "~1.2" or "1.x"',
  },
];

describe('bad inputs: each fails synth with a clear message and writes no file', () => {
  it('has at least 20 cases', () => expect(CORPUS.length).toBeGreaterThanOrEqual(20));

  for (const c of CORPUS) {
    it(c.name, () => {
      const f = fluxFleet();
      c.breakIt(f);
      const io = { out: '', err: '' };
      const code = runSynth(f.repo, [], { out: t => { io.out += t; }, err: t => { io.err += t; }, env: {} }); // env pinned: CI=true would add schema validation
      expect(io.err.split('\n')).toContain(`  ${c.expected}`);
      const count = c.count ?? 1;
      expect(io.err.startsWith(`The fleet has ${count === 1 ? '1 problem' : `${count} problems`}; nothing was written:\n`), io.err).toBe(true);
      expect(code).toBe(1); // an invalid fleet is a finding (exit-code table)
      expect(readTree(f.repo.rootDir)).toEqual({});
    });
  }
});

describe('references that are fine', () => {
  it('a cross-namespace reference passes once allowed, and passes once moved as the message says', () => {
    const allowed = fluxFleet({ allowCrossNamespaceReferences: true });
    release(allowed, 'x', { metadata: { name: 'x', namespace: 'apps' } });
    expect(() => allowed.repo.synthLayout()).not.toThrow();

    const fixed = fluxFleet();
    release(fixed, 'x', { metadata: { name: 'x', namespace: 'flux-system' }, targetNamespace: 'apps' });
    expect(() => fixed.repo.synthLayout()).not.toThrow();
  });

  it('objects imported by name are not required to be in the fleet', () => {
    const f = fluxFleet();
    const external = HelmRepository.fromName(f.releases, 'external', { name: 'shared-charts', namespace: 'flux-system' });
    release(f, 'x', { chart: { repository: external, name: 'app' }, dependsOn: [HelmRelease.fromName(f.releases, 'dep', { name: 'db', namespace: 'flux-system' })] });
    const docs = FleetTesting.synthDocuments(f.repo)['apps/base/releases.yaml'];
    // same namespace as the release: no namespace written, so it follows a targetNamespace move
    expect(docs[1].spec.chart.spec.sourceRef).toEqual({ kind: 'HelmRepository', name: 'shared-charts' });
  });

  it('a defined, defaulted or escaped variable passes the substitution check', () => {
    const f = fluxFleet();
    const dir = new LayoutDirectory(f.repo.apps, 'templated');
    const vars = new kplus.ConfigMap(new ManifestFile(f.cluster, 'vars'), 'vars', { metadata: { name: 'vars', namespace: 'flux-system' }, data: { cluster_domain: 'dev.example.com' } });
    new kplus.ConfigMap(new ManifestFile(dir, 'config'), 'cm', { metadata: { name: 'settings', namespace: 'apps' }, data: { domain: 'app.${cluster_domain}', env: '${cluster_env}', region: '${region:=eu-west-1}', literal: '$${x}' } });
    new Kustomization(new ManifestFile(f.cluster, 'templated'), 'k', {
      metadata: { name: 'templated', namespace: 'flux-system' }, sourceRef: f.gitRepo, path: dir,
      postBuild: { substitute: { cluster_env: 'dev' }, substituteFrom: [{ source: vars }] },
    });
    expect(() => f.repo.synthLayout()).not.toThrow();
  });

  it('reports every problem of a fleet together', () => {
    const f = fluxFleet();
    release(f, 'x', { interval: 'soon' as never, releaseName: 'Bad' });
    new GitRepository(f.sources, 'git', { metadata: { name: 'app', namespace: 'flux-system' }, url: 'ftp://example.com/repo' });
    expect(() => f.repo.synthLayout()).toThrowError(/^The fleet has 3 problems; nothing was written:/);
  });
});

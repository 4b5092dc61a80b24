// Defects an independent review of #19 found, each with the behaviour it now has.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as kplus from 'cdk8s-plus-27';
import { describe, expect, it } from 'vitest';
import { ArtifactGenerator, Bucket, ExternalArtifact, HelmChart, HelmRelease, HelmRepository, GitRepository, Kustomization, LayoutDirectory, ManifestFile } from '../src';
import { FleetTesting } from '../src/testing';
import { fluxFleet } from './flux-fixture';
import { problemsOf } from './helpers';

type Fleet = ReturnType<typeof fluxFleet>;

function configMap(dir: LayoutDirectory, name: string, data: Record<string, string>, metadata: Record<string, unknown> = {}) {
  new kplus.ConfigMap(new ManifestFile(dir, name), name, { metadata: { name, namespace: 'flux-system', ...metadata }, data });
}

function applied(f: Fleet, name: string) {
  return f.repo.synthModel().model.clusters[0].applications.find(a => a.doc.metadata?.name === name)?.doc;
}

describe('ExternalArtifact paths and components', () => {
  function generated(f: Fleet, copies: { source: string; directory?: LayoutDirectory; path?: string; to?: string }[]) {
    const file = new ManifestFile(f.cluster, 'web');
    const generator = new ArtifactGenerator(file, 'g', { metadata: { name: 'web', namespace: 'flux-system' }, sources: { fleet: f.gitRepo }, artifacts: [{ name: 'web', copy: copies }] });
    return { file, artifact: generator.artifact('web') };
  }

  it('writes a component\'s path inside the artifact, and refuses one the artifact does not hold', () => {
    const f = fluxFleet();
    const web = new LayoutDirectory(f.repo.apps, 'web');
    const prod = new LayoutDirectory(web, 'production');
    configMap(prod, 'web-settings', { replicas: '1' });
    const ha = new LayoutDirectory(f.repo.apps, 'ha', { component: true });
    ha.addPatch({ target: { kind: 'ConfigMap', name: 'web-settings' }, patch: [{ op: 'replace', path: '/data/replicas', value: '3' }] });
    const { file, artifact } = generated(f, [{ source: 'fleet', directory: web, to: 'deploy/' }, { source: 'fleet', directory: ha, to: 'c/ha/' }]);
    new Kustomization(file, 'k', { metadata: { name: 'web', namespace: 'flux-system' }, sourceRef: artifact, path: prod, components: [ha] });
    const k = FleetTesting.synthDocuments(f.repo)['clusters/dev/web.yaml'].find(d => d.kind === 'Kustomization')!;
    expect(k.spec.path).toBe('./deploy/production');
    expect(k.spec.components).toEqual(['../../c/ha']);
    expect(applied(f, 'web-settings')!.data.replicas).toBe('3');

    const g = fluxFleet();
    const gweb = new LayoutDirectory(g.repo.apps, 'web');
    configMap(gweb, 'web-settings', { replicas: '1' });
    const gha = new LayoutDirectory(g.repo.apps, 'ha', { component: true });
    const gen = generated(g, [{ source: 'fleet', directory: gweb }]);
    new Kustomization(gen.file, 'k', { metadata: { name: 'web', namespace: 'flux-system' }, sourceRef: gen.artifact, path: gweb, components: [gha] });
    expect(problemsOf(g.repo)).toContain('[clusters/dev/web/k] spec.components[0] is directory "apps/ha", which ExternalArtifact web does not hold (it holds "apps/web"): copy the component into the artifact too');
  });

  it('refuses a LayoutDirectory path on an ExternalArtifact made outside the fleet', () => {
    const f = fluxFleet();
    const web = new LayoutDirectory(f.repo.apps, 'web');
    configMap(web, 'web-settings', { a: 'b' });
    const file = new ManifestFile(f.cluster, 'web');
    new Kustomization(file, 'k', { metadata: { name: 'web', namespace: 'flux-system' }, sourceRef: ExternalArtifact.fromName(file, 'ea', { name: 'third-party' }), path: web });
    expect(problemsOf(f.repo)).toContain('[clusters/dev/web/k] spec.path is directory "apps/web", but ExternalArtifact third-party is made outside the fleet, so where that directory is inside it is unknown (paths are relative to the artifact): give externalPath, the path inside the artifact (e.g. "./"), or make the artifact with an ArtifactGenerator of the fleet');
  });

  it('follows glob copies that keep whole paths, and plain directory copies that land under their name', () => {
    for (const [copy, path] of [
      [{ source: 'fleet', path: 'apps/*/production/**', to: 'out/' }, './out/apps/web/production'],
      [{ source: 'fleet', path: 'apps/web/', to: 'deploy/' }, './deploy/web/production'],
    ] as const) {
      const f = fluxFleet();
      const prod = new LayoutDirectory(new LayoutDirectory(f.repo.apps, 'web'), 'production');
      configMap(prod, 'web-prod', { color: 'red' });
      const { file, artifact } = generated(f, [copy]);
      new Kustomization(file, 'k', { metadata: { name: 'web', namespace: 'flux-system' }, sourceRef: artifact, externalPath: path });
      expect(problemsOf(f.repo), copy.path).toEqual([]);
      expect(applied(f, 'web-prod'), copy.path).toBeDefined();
    }
  });

  it('a pathPattern template is not an artifact to refer to', () => {
    const f = fluxFleet();
    const g = new ArtifactGenerator(new ManifestFile(f.cluster, 'g'), 'g', {
      metadata: { name: 'apps', namespace: 'flux-system' }, sources: { fleet: f.gitRepo }, pathPattern: { source: 'fleet', pattern: 'apps/{app}' },
      artifacts: [{ name: '{app}', copy: [{ source: 'fleet', path: 'apps/{app}/**' }] }],
    });
    expect(() => g.artifact('{app}')).toThrow(/is a template of pathPattern, which makes one ExternalArtifact per matched directory: refer to one of them with ExternalArtifact.fromName/);
    expect(problemsOf(f.repo)).toEqual([]);
  });
});

describe('the model as kustomize-controller applies', () => {
  it('sets common metadata after post-build substitution, as kustomize-controller does when it applies', () => {
    const f = fluxFleet();
    const web = new LayoutDirectory(f.repo.apps, 'web');
    configMap(web, 'web-settings', { color: '${color:=blue}' });
    new Kustomization(new ManifestFile(f.cluster, 'web'), 'k', {
      metadata: { name: 'web', namespace: 'flux-system' }, sourceRef: f.gitRepo, path: web,
      postBuild: { substitute: { color: 'red' } },
      commonMetadata: { annotations: { 'kustomize.toolkit.fluxcd.io/substitute': 'disabled' }, labels: { team: 'web' } },
    });
    const doc = applied(f, 'web-settings')!;
    expect(doc.data.color).toBe('red'); // substituted: the annotation comes after
    expect(doc.metadata.labels.team).toBe('web');
  });

  it('rewrites images as kubectl kustomize does', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const old = `sha256:${'c'.repeat(64)}`;
    const cases: [Record<string, string>, string[]][] = [
      [{ newTag: '2.0' }, ['nginx:2.0', 'nginx:2.0', 'nginx:2.0']],
      [{ digest }, [`nginx@${digest}`, `nginx@${digest}`, `nginx@${digest}`]],
      [{ newTag: '2.0', digest }, [`nginx:2.0@${digest}`, `nginx:2.0@${digest}`, `nginx:2.0@${digest}`]],
      [{ newName: 'reg.example.com/nginx' }, ['reg.example.com/nginx:1.0', `reg.example.com/nginx:1.0@${old}`, 'reg.example.com/nginx']],
    ];
    for (const [rule, expected] of cases) {
      const f = fluxFleet();
      const web = new LayoutDirectory(f.repo.apps, 'web');
      new kplus.Deployment(new ManifestFile(web, 'd'), 'd', {
        metadata: { name: 'nginx-app', namespace: 'flux-system' },
        containers: ['nginx:1.0', `nginx:1.0@${old}`, 'nginx'].map((image, i) => ({ name: `c${i}`, image, securityContext: { ensureNonRoot: false } })),
      });
      new Kustomization(new ManifestFile(f.cluster, 'web'), 'k', { metadata: { name: 'web', namespace: 'flux-system' }, sourceRef: f.gitRepo, path: web, images: [{ name: 'nginx', ...rule }] });
      expect(applied(f, 'nginx-app')!.spec.template.spec.containers.map((c: { image: string }) => c.image), JSON.stringify(rule)).toEqual(expected);
    }
  });
});

describe('sources: what Flux accepts', () => {
  it('a chart from a GitRepository by path, never verified', () => {
    const f = fluxFleet();
    const file = new ManifestFile(f.apps, 'charts');
    const git = new GitRepository(file, 'git', { metadata: { name: 'charts', namespace: 'flux-system' }, url: 'https://github.com/org/charts', ref: { branch: 'main' } });
    const r = new HelmRelease(f.releases, 'from-git', { metadata: { name: 'from-git', namespace: 'flux-system' }, chart: { repository: git, name: './charts/podinfo' } });
    expect(problemsOf(f.repo)).toEqual([]);
    expect(r.apiObject.toJson().spec.chart.spec).toMatchObject({ chart: './charts/podinfo', sourceRef: { kind: 'GitRepository', name: 'charts' } });
    new HelmChart(file, 'verified', { metadata: { name: 'verified', namespace: 'flux-system' }, repository: git, chart: './charts/podinfo', verify: { secretRef: { name: 'cosign' } } });
    expect(problemsOf(f.repo)).toEqual(['[apps/base/charts/verified] spec.verify is set, but the chart comes from GitRepository charts, and Flux only verifies charts stored as OCI artifacts: remove verify']);
  });

  it('verification of a chart from an HTTP Helm repository is refused', () => {
    const f = fluxFleet();
    const http = new HelmRepository(new ManifestFile(f.apps, 'http'), 'http', { metadata: { name: 'http', namespace: 'flux-system' }, url: 'https://charts.example.com' });
    new HelmRelease(f.releases, 'x', { metadata: { name: 'x', namespace: 'flux-system' }, chart: { repository: http, name: 'app', verify: { secretRef: { name: 'cosign' } } } });
    expect(problemsOf(f.repo)).toEqual(['[apps/base/releases/x] spec.chart.spec.verify is set, but HelmRepository http is not an OCI repository, and Flux only verifies charts stored as OCI artifacts: remove verify, or use an oci:// repository']);
  });

  it('a Bucket takes static credentials or a workload identity, not both', () => {
    const f = fluxFleet();
    new Bucket(new ManifestFile(f.apps, 'bucket'), 'b', { metadata: { name: 'b', namespace: 'flux-system' }, bucketName: 'fleet', endpoint: 's3.amazonaws.com', provider: 'aws', secretRef: { name: 'keys' }, serviceAccountName: 'reader' });
    expect(problemsOf(f.repo)).toEqual(['[apps/base/bucket/b] spec.secretRef and spec.serviceAccountName are both set: Flux takes static credentials or a workload identity, not both; remove one']);
  });

  it('a GitRepository takes a workload identity with provider aws', () => {
    const f = fluxFleet();
    new GitRepository(new ManifestFile(f.apps, 'git'), 'g', { metadata: { name: 'g', namespace: 'flux-system' }, url: 'https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/fleet', provider: 'aws', serviceAccountName: 'reader' });
    expect(problemsOf(f.repo)).toEqual([]);
  });
});

describe('kustomize matches a strategic-merge patch by the object\'s original id too', () => {
  it('a patch without a namespace patches an object a base moved into one (as kubectl kustomize does)', () => {
    const f = fluxFleet();
    const root = f.repo.rootDir;
    const write = (p: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
      fs.writeFileSync(path.join(root, p), text);
    };
    write('apps/legacy/base/cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: legacy-settings\ndata:\n  a: b\n');
    write('apps/legacy/base/kustomization.yaml', 'namespace: web\nresources:\n- cm.yaml\n');
    write('apps/legacy/overlay/patch.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: legacy-settings\ndata:\n  c: d\n');
    write('apps/legacy/overlay/kustomization.yaml', 'resources:\n- ../base\npatches:\n- path: patch.yaml\n');
    new Kustomization(new ManifestFile(f.cluster, 'legacy'), 'legacy', {
      metadata: { name: 'legacy', namespace: 'flux-system' }, sourceRef: f.gitRepo, externalPath: './apps/legacy/overlay',
    });
    expect(problemsOf(f.repo)).toEqual([]);
    expect(applied(f, 'legacy-settings')).toMatchObject({ metadata: { namespace: 'web' }, data: { a: 'b', c: 'd' } });
  });
});

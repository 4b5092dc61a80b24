import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import * as kplus from 'cdk8s-plus-27';
import { ApiObject } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { LayoutDirectory, ManifestFile, ValuesFile } from '../src';
import { objectId } from '../src/core/model/identity';
import { configMapHash } from '../src/core/kustomize/config-map-generator';
import { fluxFleet } from './flux-fixture';
import { problemsOf, readme, readTree, runReadmeExample } from './helpers';

const HAS_KUBECTL = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;
const SKIP_NOTE = HAS_KUBECTL ? '' : ' [SKIPPED: kubectl not found on PATH; install kubectl (with kustomize) to compare the model with kubectl kustomize]';

/** What `kubectl kustomize` builds of a directory of the written repository, by object id. */
function kubectlBuild(root: string, dir: string): Map<string, Record<string, unknown>> {
  const result = spawnSync('kubectl', ['kustomize', path.join(root, dir)], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`kubectl kustomize ${dir} failed:\n${result.stderr}`);
  const docs = parseAllDocuments(result.stdout).map(d => d.toJS() as Record<string, unknown>).filter(d => d !== null);
  return new Map(docs.map(d => [objectId(d), d]));
}

/** What the model builds of a directory, by object id. */
function modelBuild(f: ReturnType<typeof fluxFleet>, dir: string): Map<string, Record<string, unknown>> {
  const { model } = f.repo.synthModel();
  const build = model.builder.build(dir);
  expect(build.problems).toEqual([]);
  return new Map(build.objects.map(o => [objectId(o.doc), JSON.parse(JSON.stringify(o.doc)) as Record<string, unknown>]));
}

/** Writes the fleet and expects the model's build of `dir` to be exactly kubectl kustomize's. */
function expectSameAsKubectl(f: ReturnType<typeof fluxFleet>, dir: string): Map<string, Record<string, unknown>> {
  f.repo.write();
  const built = modelBuild(f, dir);
  const kubectl = kubectlBuild(f.repo.rootDir, dir);
  expect([...built.keys()].sort()).toEqual([...kubectl.keys()].sort());
  for (const [id, doc] of kubectl) expect(built.get(id), id).toEqual(doc);
  return built;
}

/** A Deployment of `podinfo` that reads the ConfigMap `settings` as environment and as a volume. */
function podinfoDeployment(file: ManifestFile, namespace?: string) {
  new ApiObject(file, 'deployment', {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'podinfo', ...namespace ? { namespace } : {}, labels: { app: 'podinfo', tier: 'web' } },
    spec: {
      selector: { matchLabels: { app: 'podinfo' } },
      template: {
        metadata: { labels: { app: 'podinfo' } },
        spec: {
          containers: [{ name: 'podinfo', image: 'ghcr.io/stefanprodan/podinfo:6.9.0', envFrom: [{ configMapRef: { name: 'settings' } }] }],
          volumes: [{ name: 'config', configMap: { name: 'settings' } }],
        },
      },
    },
  });
}

describe('kustomize features in the layout', () => {
  describe('namespace:', () => {
    it('is written into the generated kustomization.yaml and moves the objects in the model', () => {
      const f = fluxFleet();
      const team = new LayoutDirectory(f.apps, 'team', { namespace: 'team-a' });
      new kplus.ConfigMap(new ManifestFile(team, 'config'), 'config', { metadata: { name: 'team-config', namespace: 'elsewhere' }, data: { a: '1' } });
      const { files, model } = f.repo.synthModel();
      expect(files.get('apps/base/team/kustomization.yaml')).toContain('\nnamespace: team-a\n');
      const applied = model.cluster('dev')!.find('ConfigMap', 'team-a', 'team-config');
      expect(applied).toHaveLength(1);
      expect(model.cluster('dev')!.find('ConfigMap', 'elsewhere', 'team-config')).toHaveLength(0);
    });

    it('refuses an invalid namespace, naming the directory and the value', () => {
      const f = fluxFleet();
      const team = new LayoutDirectory(f.apps, 'team', { namespace: 'Team_A' });
      new kplus.ConfigMap(new ManifestFile(team, 'config'), 'config', { metadata: { name: 'c' } });
      expect(problemsOf(f.repo)).toEqual([
        '[apps/base/team] namespace "Team_A" is not a valid namespace: use lowercase letters, digits and \'-\', starting and ending with a letter or digit, at most 63 characters (e.g. "team-a")',
      ]);
    });

    it.skipIf(!HAS_KUBECTL)(`builds as kubectl kustomize builds it${SKIP_NOTE}`, () => {
      const f = fluxFleet();
      const team = new LayoutDirectory(f.apps, 'team', { namespace: 'team-a' });
      podinfoDeployment(new ManifestFile(team, 'podinfo'), 'other');
      expectSameAsKubectl(f, 'apps/base/team');
    });
  });

  describe('configMapGenerator', () => {
    function generatorFleet(options: { disableNameSuffixHash?: boolean } = {}) {
      const f = fluxFleet();
      const team = new LayoutDirectory(f.apps, 'team', { namespace: 'team-a' });
      const values = new ValuesFile(team, 'podinfo-values', { values: { replicaCount: 2, ingress: { enabled: true, hosts: ['podinfo.example.com'] } } });
      team.addConfigMapGenerator({
        name: 'settings', files: [values, { key: 'values.yaml', file: values }], literals: { LOG_LEVEL: 'debug', COLOR: '<blue & green>' },
        labels: { 'reconcile.fluxcd.io/watch': 'Enabled' }, disableNameSuffixHash: options.disableNameSuffixHash,
      });
      podinfoDeployment(new ManifestFile(team, 'podinfo'));
      return { ...f, team, values };
    }

    it('writes the values file and the generator entry: files relative to the directory, literals sorted, options', () => {
      const f = generatorFleet({ disableNameSuffixHash: true });
      const files = f.repo.synthLayout();
      expect(files.get('apps/base/team/podinfo-values.yaml')).toContain('replicaCount: 2\n');
      const kustomization = parseAllDocuments(files.get('apps/base/team/kustomization.yaml')!)[0].toJS();
      expect(kustomization).toEqual({
        apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', namespace: 'team-a', resources: ['podinfo.yaml'],
        configMapGenerator: [{
          name: 'settings', files: ['podinfo-values.yaml', 'values.yaml=podinfo-values.yaml'], literals: ['COLOR=<blue & green>', 'LOG_LEVEL=debug'],
          options: { disableNameSuffixHash: true, labels: { 'reconcile.fluxcd.io/watch': 'Enabled' } },
        }],
      });
      // the values file is data, never listed as a resource nor read as an object by the checks
      expect(f.repo.synthModel().model.documents().some(d => d.source.file === 'apps/base/team/podinfo-values.yaml')).toBe(false);
    });

    it('the model makes the ConfigMap kustomize makes: the file content as written, the literals, the namespace', () => {
      const f = generatorFleet({ disableNameSuffixHash: true });
      const { files, model } = f.repo.synthModel();
      const [configMap] = model.cluster('dev')!.find('ConfigMap', 'team-a', 'settings');
      expect(configMap.doc.data).toEqual({
        'podinfo-values.yaml': files.get('apps/base/team/podinfo-values.yaml'), 'values.yaml': files.get('apps/base/team/podinfo-values.yaml'),
        'LOG_LEVEL': 'debug', 'COLOR': '<blue & green>',
      });
      expect(configMap.doc.metadata.labels).toEqual({ 'reconcile.fluxcd.io/watch': 'Enabled' });
    });

    it('appends the content hash to the name, and the workloads of the build follow the new name', () => {
      const f = generatorFleet();
      const { model } = f.repo.synthModel();
      const cluster = model.cluster('dev')!;
      const [configMap] = cluster.ofKind('ConfigMap', 'team-a');
      expect(configMap.doc.metadata.name).toBe(`settings-${configMapHash(configMap.doc)}`);
      expect(configMap.doc.metadata.name).toMatch(/^settings-[a-z0-9]{10}$/);
      const [deployment] = cluster.find('Deployment', 'team-a', 'podinfo');
      expect(deployment.doc.spec.template.spec.volumes[0].configMap.name).toBe(configMap.doc.metadata.name);
      expect(deployment.doc.spec.template.spec.containers[0].envFrom[0].configMapRef.name).toBe(configMap.doc.metadata.name);
    });

    it('the hash changes with the content, as a rollout needs', () => {
      const a = generatorFleet().repo.synthModel().model.cluster('dev')!.ofKind('ConfigMap', 'team-a')[0].doc.metadata.name;
      const f = fluxFleet();
      const team = new LayoutDirectory(f.apps, 'team', { namespace: 'team-a' });
      const values = new ValuesFile(team, 'podinfo-values', { values: { replicaCount: 3, ingress: { enabled: true, hosts: ['podinfo.example.com'] } } });
      team.addConfigMapGenerator({ name: 'settings', files: [values, { key: 'values.yaml', file: values }], literals: { LOG_LEVEL: 'debug', COLOR: '<blue & green>' }, labels: { 'reconcile.fluxcd.io/watch': 'Enabled' } });
      podinfoDeployment(new ManifestFile(team, 'podinfo'));
      const b = f.repo.synthModel().model.cluster('dev')!.ofKind('ConfigMap', 'team-a')[0].doc.metadata.name;
      expect(a).not.toBe(b);
    });

    it('a HelmRelease valuesFrom the generated ConfigMap resolves with disableNameSuffixHash, and is reported without it', () => {
      const withRelease = (disableNameSuffixHash: boolean) => {
        const f = generatorFleet({ disableNameSuffixHash });
        new ApiObject(new ManifestFile(f.team, 'release'), 'release', {
          apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'podinfo' },
          spec: { interval: '10m', chart: { spec: { chart: 'podinfo', sourceRef: { kind: 'HelmRepository', name: 'podinfo', namespace: 'flux-system' } } }, valuesFrom: [{ kind: 'ConfigMap', name: 'settings' }] },
        });
        return problemsOf(f.repo);
      };
      expect(withRelease(true).filter(p => p.includes('valuesFrom'))).toEqual([]);
      const problems = withRelease(false).filter(p => p.includes('valuesFrom'));
      expect(problems).toHaveLength(1);
      // kustomize renames workloads' references only: the release still names "settings"
      expect(problems[0]).toContain('ConfigMap team-a/settings');
    });

    it('refuses a generator file that is not a data file of the directory, duplicate keys and an empty generator', () => {
      const f = fluxFleet();
      const team = new LayoutDirectory(f.apps, 'team');
      const elsewhere = new ValuesFile(f.apps, 'shared-values', { values: { a: 1 } });
      const manifest = new ManifestFile(team, 'objects');
      new kplus.ConfigMap(manifest, 'c', { metadata: { name: 'c' } });
      team.addConfigMapGenerator({ name: 'outside', files: [elsewhere] });
      team.addConfigMapGenerator({ name: 'objects', files: [manifest] });
      team.addConfigMapGenerator({ name: 'twice', literals: { 'a.yaml': '1' }, files: [{ key: 'a.yaml', file: new ValuesFile(team, 'a', { values: {} }) }] });
      team.addConfigMapGenerator({ name: 'empty' });
      expect(problemsOf(f.repo)).toEqual([
        '[apps/base/team] addConfigMapGenerator() #1 ("outside"): file apps/base/shared-values is not in "apps/base/team" or below, and kustomize reads generator files only under the kustomization\'s directory: create the ValuesFile in this directory',
        '[apps/base/team] addConfigMapGenerator() #2 ("objects"): file apps/base/team/objects holds Kubernetes objects or a patch; a generator reads data files: use a ValuesFile',
        '[apps/base/team] addConfigMapGenerator() #3 ("twice"): key "a.yaml" is given twice; kustomize refuses that: give one of them another key ({ key, file })',
        '[apps/base/team] addConfigMapGenerator() #4 ("empty"): it has neither files nor literals, so the ConfigMap would be empty; give it a ValuesFile or literals',
      ]);
    });

    it.skipIf(!HAS_KUBECTL)(`the model's ConfigMap, its hashed name and the renamed references are kubectl kustomize's${SKIP_NOTE}`, () => {
      const built = expectSameAsKubectl(generatorFleet(), 'apps/base/team');
      expect([...built.keys()].some(id => /^ConfigMap team-a\/settings-[a-z0-9]{10}$/.test(id))).toBe(true);
    });

    it.skipIf(!HAS_KUBECTL)(`with disableNameSuffixHash too${SKIP_NOTE}`, () => {
      expectSameAsKubectl(generatorFleet({ disableNameSuffixHash: true }), 'apps/base/team');
    });

    it.skipIf(!HAS_KUBECTL)(`a generator of an included directory is hashed once, by the build that includes it${SKIP_NOTE}`, () => {
      const f = generatorFleet();
      // apps/base includes apps/base/team: kustomize hashes at the end of the apps/base build, over its namespace too
      const built = expectSameAsKubectl(f, 'apps/base');
      expect([...built.keys()].filter(id => id.startsWith('ConfigMap '))).toHaveLength(1);
    });
  });

  describe('components', () => {
    function componentFleet() {
      const f = fluxFleet();
      const components = new LayoutDirectory(f.repo.apps, 'components', { kustomize: false });
      const monitoring = new LayoutDirectory(components, 'monitoring', { component: true });
      new ApiObject(new ManifestFile(monitoring, 'service-monitor'), 'sm', {
        apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'monitoring-settings' }, data: { scrape: 'true' },
      });
      monitoring.addPatch({ target: { kind: 'Deployment', labelSelector: 'tier=web' }, patch: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'any', annotations: { 'prometheus.io/scrape': 'true' } } } });
      monitoring.addConfigMapGenerator({ name: 'dashboards', literals: { 'podinfo.json': '{}' }, disableNameSuffixHash: true });
      const team = new LayoutDirectory(f.apps, 'team', { namespace: 'team-a' });
      podinfoDeployment(new ManifestFile(team, 'podinfo'));
      team.addComponent(monitoring);
      return { ...f, team, monitoring };
    }

    it('writes a Component kustomization, lists it under components: and never as a resource', () => {
      const f = componentFleet();
      const files = f.repo.synthLayout();
      const component = parseAllDocuments(files.get('apps/components/monitoring/kustomization.yaml')!)[0].toJS();
      expect(component).toMatchObject({ apiVersion: 'kustomize.config.k8s.io/v1alpha1', kind: 'Component', resources: ['service-monitor.yaml'] });
      const team = parseAllDocuments(files.get('apps/base/team/kustomization.yaml')!)[0].toJS();
      expect(team).toMatchObject({ components: ['../../components/monitoring'], resources: ['podinfo.yaml'] });
    });

    it('the model applies the component: its resources and generators join the build, its patches apply to the consumer\'s objects', () => {
      const f = componentFleet();
      const cluster = f.repo.synthModel().model.cluster('dev')!;
      expect(cluster.find('ConfigMap', 'team-a', 'monitoring-settings')).toHaveLength(1);
      expect(cluster.find('ConfigMap', 'team-a', 'dashboards')).toHaveLength(1);
      const [deployment] = cluster.find('Deployment', 'team-a', 'podinfo');
      expect(deployment.doc.metadata.annotations).toEqual({ 'prometheus.io/scrape': 'true' });
    });

    it('refuses a directory that is not a component under addComponent, and a component under addResource', () => {
      const f = componentFleet();
      const plain = new LayoutDirectory(f.repo.apps, 'plain');
      new kplus.ConfigMap(new ManifestFile(plain, 'c'), 'c', { metadata: { name: 'c' } });
      f.team.addComponent(plain);
      const other = new LayoutDirectory(f.apps, 'other');
      new kplus.ConfigMap(new ManifestFile(other, 'c'), 'c', { metadata: { name: 'other' } });
      other.addResource(f.monitoring);
      expect(problemsOf(f.repo)).toEqual([
        '[apps/base/other] addResource("apps/components/monitoring"): the directory is a kustomize Component, which kustomize refuses as a resource; list it with addComponent()',
        '[apps/base/team] addComponent("apps/plain"): the directory is not a kustomize Component; create it with component: true, or include it with addResource()',
      ]);
    });

    it.skipIf(!HAS_KUBECTL)(`builds as kubectl kustomize builds it${SKIP_NOTE}`, () => {
      expectSameAsKubectl(componentFleet(), 'apps/base/team');
    });

    it('a component patch that selects nothing in the build that lists it is reported against that build', () => {
      const f = componentFleet();
      f.monitoring.addPatch({ target: { kind: 'StatefulSet' }, patch: [{ op: 'add', path: '/spec/replicas', value: 1 }] });
      expect(problemsOf(f.repo)).toEqual([
        '[apps/components/monitoring] patches[1] targets {kind=StatefulSet}, which matches no object of the build of "apps/base/team" (through the component "apps/components/monitoring"): kustomize would apply it to nothing without a word. Target an object the build has, or remove the patch',
      ]);
    });
  });

  describe('patches in overlays: JSON 6902 and selector targets', () => {
    function overlayFleet() {
      const f = fluxFleet();
      const base = new LayoutDirectory(f.repo.apps, 'shared');
      const file = new ManifestFile(base, 'workloads');
      podinfoDeployment(file);
      new ApiObject(file, 'worker', {
        apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'podinfo-worker', labels: { app: 'podinfo', tier: 'worker' }, annotations: { 'example.com/scale': 'yes' } },
        spec: { selector: { matchLabels: { app: 'worker' } }, template: { metadata: { labels: { app: 'worker' } }, spec: { containers: [{ name: 'worker', image: 'ghcr.io/stefanprodan/podinfo:6.9.0' }] } } },
      });
      const overlay = new LayoutDirectory(f.apps, 'production', { namespace: 'prod' });
      overlay.addResource(base);
      // JSON 6902 on every Deployment labelled tier=web
      overlay.addPatch({ target: { kind: 'Deployment', labelSelector: 'tier=web' }, patch: [{ op: 'add', path: '/spec/replicas', value: 3 }] });
      // a strategic merge on the Deployments an annotation selects
      overlay.addPatch({ target: { kind: 'Deployment', annotationSelector: 'example.com/scale=yes' }, patch: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'any' }, spec: { replicas: 5 } } });
      // JSON 6902 on every name matching a regular expression
      overlay.addPatch({ target: { kind: 'Deployment', name: 'podinfo.*' }, patch: [{ op: 'add', path: '/metadata/labels/env', value: 'production' }] });
      return { ...f, overlay };
    }

    it('the model applies each patch to what its selector selects, in order', () => {
      const f = overlayFleet();
      const cluster = f.repo.synthModel().model.cluster('dev')!;
      const [web] = cluster.find('Deployment', 'prod', 'podinfo');
      const [worker] = cluster.find('Deployment', 'prod', 'podinfo-worker');
      expect(web.doc.spec.replicas).toBe(3);
      expect(worker.doc.spec.replicas).toBe(5);
      expect([web.doc.metadata.labels.env, worker.doc.metadata.labels.env]).toEqual(['production', 'production']);
      expect(web.built.patches.map(p => p.field)).toEqual(['patches[0]', 'patches[2]']);
    });

    it.skipIf(!HAS_KUBECTL)(`builds as kubectl kustomize builds it${SKIP_NOTE}`, () => {
      expectSameAsKubectl(overlayFleet(), 'apps/base/production');
    });

    it('refuses a strategic-merge patch without kind and metadata.name, as kustomize does', () => {
      const f = overlayFleet();
      f.overlay.addPatch({ target: { kind: 'Deployment', name: 'podinfo' }, patch: { spec: { paused: true } } });
      expect(problemsOf(f.repo)).toEqual([
        '[apps/base/production] addPatch() #4 of directory "apps/base/production": a strategic-merge patch needs kind and metadata.name, which kustomize requires although the target selects the objects (any name will do, e.g. { apiVersion: \'apps/v1\', kind: \'Deployment\', metadata: { name: \'not-used\' }, spec: { … } }); or give JSON 6902 operations',
      ]);
    });
  });

  it('refuses these features where the layout renders the directory itself (flatten)', () => {
    const f = fluxFleet();
    const flat = new LayoutDirectory(f.apps, 'flat', { flatten: true, namespace: 'team-a' });
    new kplus.ConfigMap(new ManifestFile(flat, 'c'), 'c', { metadata: { name: 'c' } });
    expect(problemsOf(f.repo)).toEqual([
      '[apps/base/flat] namespace: a flattened directory is rendered by the layout, which does not model these kustomize features there; use them in a directory that is not flattened (kustomize builds it)',
    ]);
  });
});

describe('README: kustomize features in the layout', () => {
  it('its example runs and writes what it says', () => {
    const text = readme();
    const { root, status, output } = runReadmeExample(text.slice(text.indexOf('## Kustomize features in the layout')));
    expect(status, output).toBe(0);
    const tree = readTree(root);
    const kustomization = parseAllDocuments(tree['apps/team-a/kustomization.yaml'])[0].toJS();
    expect(kustomization).toMatchObject({
      namespace: 'team-a', components: ['../components/monitoring'],
      configMapGenerator: [{ name: 'settings', files: ['values.yaml=podinfo-values.yaml'], literals: ['LOG_LEVEL=info'] }, { name: 'podinfo-values', options: { disableNameSuffixHash: true } }],
    });
    expect(tree['apps/components/monitoring/kustomization.yaml']).toContain('kind: Component');
    expect(tree['apps/team-a/podinfo-values.yaml']).toContain('replicaCount: 2');
    if (!HAS_KUBECTL) return; // the comparison with kubectl kustomize needs kubectl (see the skipped tests above)
    const built = kubectlBuild(root, 'apps/team-a');
    const settings = [...built.keys()].find(id => id.startsWith('ConfigMap team-a/settings-'))!;
    expect(settings).toMatch(/^ConfigMap team-a\/settings-[a-z0-9]{10}$/);
    const deployment = built.get('Deployment.apps team-a/podinfo') as any;
    expect(deployment.spec.template.spec.containers[0].envFrom[0].configMapRef.name).toBe(settings.slice('ConfigMap team-a/'.length));
    expect(deployment.metadata.annotations).toEqual({ 'prometheus.io/scrape': 'true' });
    expect(deployment.spec.revisionHistoryLimit).toBe(3);
  });
});

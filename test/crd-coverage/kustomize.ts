// Coverage fixtures of the Kustomization kind: every typed prop set (see ../crd-coverage.test.ts).
import * as kplus from 'cdk8s-plus-27';
import { DeletionPolicy, Kustomization, LayoutDirectory, ManifestFile, SubstituteStrategy } from '../../src';
import { CoverageFixture, CoverageFleet, LeftOut } from './coverage';

/** A directory of plain objects for a Kustomization to build. */
function workload(f: CoverageFleet) {
  const dir = new LayoutDirectory(f.repo.apps, 'web');
  new kplus.ConfigMap(new ManifestFile(dir, 'settings'), 'cm', { metadata: { name: 'settings', namespace: 'web', labels: { a: 'b' }, annotations: { c: 'd' } }, data: { a: 'b' } });
  const namespace = new kplus.Namespace(new ManifestFile(dir, 'namespace'), 'ns', { metadata: { name: 'web' } });
  return Object.assign(dir, { namespace });
}

/** A kustomize Component that patches the web ConfigMap. */
function ha(f: CoverageFleet) {
  const components = new LayoutDirectory(f.repo.apps, 'components', { kustomize: false });
  const component = new LayoutDirectory(components, 'ha', { component: true });
  component.addPatch({ target: { kind: 'ConfigMap', name: 'settings' }, patch: [{ op: 'add', path: '/data/replicas', value: '3' }] });
  return component;
}

export const fixtures: CoverageFixture[] = [
  {
    kind: 'Kustomization', name: 'every field but a remote cluster',
    build: f => {
      const dir = workload(f);
      new Kustomization(new ManifestFile(f.cluster, 'web'), 'web', {
        metadata: { name: 'web', namespace: 'flux-system' }, sourceRef: f.gitRepo, path: dir, interval: '10m', retryInterval: '1m', timeout: '5m', prune: true, wait: false,
        dependsOn: [{ kustomization: f.appsKustomization, readyExpr: 'dep.status.lastAppliedRevision == self.status.lastAppliedRevision' }],
        targetNamespace: dir.namespace, serviceAccountName: 'web-reconciler', suspend: false,
        postBuild: { substitute: { cluster: 'dev' }, substituteFrom: [{ source: new kplus.ConfigMap(new ManifestFile(f.cluster, 'vars'), 'vars', { metadata: { name: 'vars', namespace: 'flux-system' }, data: { cluster: 'dev' } }), optional: true }], substituteStrategy: SubstituteStrategy.ALWAYS },
        decryption: { provider: 'sops', secretRef: { name: 'sops-age' }, serviceAccountName: 'sops' },
        patches: [
          { patch: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'web' }, data: { c: 'd' } } },
          { patch: [{ op: 'add', path: '/data/e', value: 'f' }], target: { group: '', version: 'v1', kind: 'ConfigMap', name: 'settings', namespace: 'web', labelSelector: 'a=b', annotationSelector: 'c=d' } },
        ],
        images: [{ name: 'ghcr.io/org/web', newName: 'registry.example.com/web', newTag: '1.2.3' }, { name: 'busybox', digest: `sha256:${'b'.repeat(64)}` }],
        commonMetadata: { labels: { team: 'web' }, annotations: { owner: 'web-team' } },
        components: [ha(f), '../components/optional-monitoring'], ignoreMissingComponents: true, force: false, deletionPolicy: DeletionPolicy.MIRROR_PRUNE,
        healthCheckExprs: [{ apiVersion: 'cert-manager.io/v1', kind: 'Certificate', current: 'status.conditions.all(c, c.type != "Ready" || c.status == "True")', failed: 'false', inProgress: 'false' }],
        ignore: [{ paths: ['/spec/replicas'], target: { group: 'apps', version: 'v1', kind: 'Deployment', name: 'web', namespace: 'web', labelSelector: 'a=b', annotationSelector: 'c=d' } }],
      });
    },
  },
  ...(['secret', 'configMap'] as const).map((key): CoverageFixture => ({
    kind: 'Kustomization', name: `a remote cluster by ${key}, a cross-namespace source`, fleet: { allowCrossNamespaceReferences: true },
    build: f => {
      const dir = workload(f);
      new Kustomization(new ManifestFile(f.cluster, 'remote'), 'remote', {
        metadata: { name: 'remote', namespace: 'web' }, sourceRef: f.gitRepo, path: dir, dependsOn: [f.appsKustomization], healthChecks: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'web' }],
        kubeConfig: key === 'secret' ? { secret: { name: 'prod-kubeconfig' }, key: 'value.yaml' } : { configMap: { name: 'prod-cluster' } },
      });
    },
  })),
];

export const leftOut: LeftOut = {
  Kustomization: {
    'spec.sourceRef.apiVersion': 'optional: Flux resolves the kind\'s served version, and the library only emits served versions, so writing it adds nothing',
    'spec.namePrefix': 'renames every applied object, and kustomize rewrites the references to them by its own tables, which the checks cannot follow: name the objects in the fleet code instead',
    'spec.nameSuffix': 'renames every applied object, and kustomize rewrites the references to them by its own tables, which the checks cannot follow: name the objects in the fleet code instead',
    'spec.buildMetadata': 'a debugging aid that annotates every object with the file and transformer it came from; the fleet code knows both, and the model would not reproduce the annotations',
  },
};

import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { importRepository, ImportResult, writeImport } from '../src/importer/import-repo';
import { ImportedAs } from '../src/importer/plan';
import { FleetTesting } from '../src/testing';
import { typeCheck } from './support/type-check';

const SYNC = `apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: flux-system
  namespace: flux-system
spec:
  interval: 1m0s
  ref:
    branch: main
  secretRef:
    name: flux-system
  url: ssh://git@github.com/example/kinds
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: flux-system
  namespace: flux-system
spec:
  interval: 10m0s
  path: ./clusters/production
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
`;

/** Every Flux kind the library has a construct for that the other fixtures do not hold, as a team writes them. */
const KINDS = `apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata:
  name: podinfo
  namespace: flux-system
spec:
  interval: 10m
  url: oci://ghcr.io/stefanprodan/charts/podinfo
  ref:
    semver: ">=6.0.0"
  layerSelector:
    mediaType: application/vnd.cncf.helm.chart.content.v1.tar+gzip
    operation: copy
  verify:
    provider: cosign
    matchOIDCIdentity:
      - issuer: ^https://token.actions.githubusercontent.com$
        subject: ^https://github.com/stefanprodan/podinfo.*$
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: Bucket
metadata:
  name: manifests
  namespace: flux-system
spec:
  interval: 5m
  provider: aws
  bucketName: fleet-manifests
  endpoint: s3.amazonaws.com
  region: eu-west-1
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata:
  name: bitnami
  namespace: flux-system
spec:
  interval: 1h
  url: https://charts.bitnami.com/bitnami
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmChart
metadata:
  name: redis
  namespace: flux-system
spec:
  interval: 1h
  chart: redis
  version: 20.x
  sourceRef:
    kind: HelmRepository
    name: bitnami
  valuesFiles:
    - values.yaml
    - values-production.yaml
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: podinfo
  namespace: flux-system
spec:
  interval: 30m
  chartRef:
    apiVersion: source.toolkit.fluxcd.io/v1
    kind: OCIRepository
    name: podinfo
  targetNamespace: podinfo
  values:
    replicaCount: 2
    image:
      tag: 6.7.0 # {"$imagepolicy": "flux-system:podinfo:tag"}
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: redis
  namespace: flux-system
spec:
  interval: 30m
  chartRef:
    kind: HelmChart
    name: redis
  dependsOn:
    - name: podinfo
---
apiVersion: notification.toolkit.fluxcd.io/v1
kind: Receiver
metadata:
  name: github
  namespace: flux-system
spec:
  type: github
  events:
    - ping
    - push
  secretRef:
    name: webhook-token
  resources:
    - apiVersion: source.toolkit.fluxcd.io/v1
      kind: GitRepository
      name: flux-system
---
apiVersion: image.toolkit.fluxcd.io/v1
kind: ImageRepository
metadata:
  name: podinfo
  namespace: flux-system
spec:
  image: ghcr.io/stefanprodan/podinfo
  interval: 5m
  exclusionList:
    - ^.*\\.sig$
---
apiVersion: image.toolkit.fluxcd.io/v1
kind: ImagePolicy
metadata:
  name: podinfo
  namespace: flux-system
spec:
  imageRepositoryRef:
    name: podinfo
  policy:
    semver:
      range: 6.x
---
apiVersion: image.toolkit.fluxcd.io/v1
kind: ImageUpdateAutomation
metadata:
  name: fleet
  namespace: flux-system
spec:
  interval: 30m
  sourceRef:
    kind: GitRepository
    name: flux-system
  git:
    checkout:
      ref:
        branch: main
    commit:
      author:
        email: fluxcdbot@users.noreply.github.com
        name: fluxcdbot
      messageTemplate: "{{range .Changed.Changes}}{{print .OldValue}} -> {{println .NewValue}}{{end}}"
    push:
      branch: main
  update:
    path: ./clusters/production
    strategy: Setters
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: podinfo-manifests
  namespace: flux-system
spec:
  interval: 10m
  prune: true
  sourceRef:
    kind: OCIRepository
    name: podinfo
  path: ./kustomize
  targetNamespace: podinfo
  commonMetadata:
    labels:
      team: web
  images:
    - name: ghcr.io/stefanprodan/podinfo
      newTag: 6.7.0
  patches:
    - patch: |
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: podinfo
        spec:
          replicas: 2
      target:
        kind: Deployment
    - patch: |
        - op: replace
          path: /spec/minReplicas
          value: 2
      target:
        kind: HorizontalPodAutoscaler
        name: podinfo
  components:
    - ../components/ha
---
apiVersion: source.extensions.fluxcd.io/v1beta1
kind: ArtifactGenerator
metadata:
  name: podinfo
  namespace: flux-system
spec:
  sources:
    - alias: fleet
      kind: GitRepository
      name: flux-system
    - alias: chart
      kind: OCIRepository
      name: podinfo
  artifacts:
    - name: podinfo-composite
      originRevision: "@fleet"
      copy:
        - from: "@chart/**"
          to: "@artifact/"
        - from: "@fleet/deploy/podinfo/values.yaml"
          to: "@artifact/podinfo/values-prod.yaml"
          strategy: Merge
`;

function kindsRepository(extra: Record<string, string> = {}): string {
  const dir = FleetTesting.tempDir();
  const files: Record<string, string> = {
    ...extra,
    'clusters/production/flux-system/gotk-sync.yaml': SYNC,
    'clusters/production/flux-system/kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - gotk-sync.yaml\n',
    'clusters/production/kinds.yaml': KINDS,
  };
  for (const [p, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
    fs.writeFileSync(path.join(dir, p), content);
  }
  return dir;
}



function writtenAs(result: ImportResult): Record<string, string> {
  return Object.fromEntries(result.plan.objects.map(o => [`${String(o.doc.kind)} ${String(o.doc.metadata?.name)}`, o.ways[o.level].as]));
}

export { kindsRepository };
describe('cdk8s-flux import: every Flux kind through its construct', () => {
  it('writes sources, chartRef releases, receivers and the image kinds with the library constructs, references as objects, and the cluster applies the same objects', () => {
    const result = importRepository(kindsRepository());
    const c = result.comparison!;
    expect(c.differences).toEqual([]);
    expect(c.clusters.map(k => [k.cluster, k.original, k.equal])).toEqual([['production', 14, 14]]);
    const as = writtenAs(result);
    // a chartRef without apiVersion: the construct always writes it (the CRD has no default), so the object would differ; the generated class keeps it as written, and the report says why
    expect(as['HelmRelease redis']).toBe(ImportedAs.GENERATED);
    expect(result.report).toContain('HelmRelease redis → generated class: library construct: renders differently (spec.chartRef.apiVersion: undefined → "source.toolkit.fluxcd.io/v1")');
    for (const kind of ['OCIRepository podinfo', 'Bucket manifests', 'HelmChart redis', 'HelmRelease podinfo', 'Receiver github', 'ImageRepository podinfo', 'ImagePolicy podinfo', 'ImageUpdateAutomation fleet', 'Kustomization podinfo-manifests', 'ArtifactGenerator podinfo']) {
      expect([kind, as[kind]]).toEqual([kind, ImportedAs.LIBRARY]);
    }
    const code = [...result.files.entries()].filter(([f]) => f.startsWith('src/components/')).map(([, t]) => t).join('\n');
    expect(code).toMatch(/new OCIRepository\(/);
    expect(code).toMatch(/matchOidcIdentity: \[/);
    expect(code).toMatch(/new Bucket\(/);
    expect(code).toMatch(/new HelmChart\([^;]*repository: this\.bitnami/s);
    expect(code).toMatch(/new HelmRelease\([^;]*chartRef: this\.podinfoOcirepository/s);
    // a marker in a release's values: the fleet's ImagePolicy's tagSetter (the policy is created first), the comment written back
    expect(code).toContain("values: { replicaCount: 2, image: { tag: this.podinfoImagePolicy.tagSetter('6.7.0') } },");
    expect(result.files.get('clusters/production/kinds.yaml')).toContain('tag: 6.7.0 # {"$imagepolicy": "flux-system:podinfo:tag"}');
    expect(code).toMatch(/new Receiver\([^;]*resources: \[deps\.\w+\.fluxSystemGitRepository\]/s);
    expect(code).toMatch(/new ImagePolicy\([^;]*imageRepository: this\.podinfoImageRepository,\s*policy: ImagePolicyRule\.semver\('6\.x'\)/s);
    expect(code).toMatch(/new ImageUpdateAutomation\([^;]*sourceRef: deps\.\w+\.fluxSystemGitRepository[^;]*path: layout\.production,/s);
    // a Flux Kustomization's kustomize fields are its typed props: patches as objects and operations, images, commonMetadata, components
    expect(code).toMatch(/new Kustomization\([^;]*sourceRef: this\.podinfoOcirepository,\s*externalPath: '\.\/kustomize'/s);
    expect(code).toContain("patches: [\n        {\n          patch: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'podinfo' }, spec: { replicas: 2 } },");
    expect(code).toContain("patch: [{ op: 'replace', path: '/spec/minReplicas', value: 2 }]");
    expect(code).toContain("images: [{ name: 'ghcr.io/stefanprodan/podinfo', newTag: '6.7.0' }]");
    expect(code).toContain("commonMetadata: { labels: { team: 'web' } }");
    expect(code).toContain("components: ['../components/ha']");
    expect(code).toMatch(/new ArtifactGenerator\([^;]*sources: \{ fleet: deps\.\w+\.fluxSystemGitRepository, chart: this\.podinfoOcirepository \}/s);
    expect(code).toContain("{ source: 'fleet', path: 'deploy/podinfo/values.yaml', to: 'podinfo/values-prod.yaml', strategy: 'Merge' }");
    expect(result.report).not.toContain('the library has no construct for');
    const out = FleetTesting.tempDir();
    writeImport(result, out);
    expect(typeCheck(out)).toEqual([]);
  }, 120_000);

  it('keeps a kustomization\'s namespace: on its directory, so that kustomize moves the objects of the directories it builds too', () => {
    const dir = kindsRepository({
      'clusters/production/apps.yaml': 'apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\n  namespace: flux-system\nspec:\n  interval: 10m\n  prune: true\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n  path: ./web\n',
      'web/kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: web\nresources:\n  - podinfo\n  - namespace.yaml\n',
      'web/namespace.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: web\n',
      'web/podinfo/kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - config.yaml\n  - deployment.yaml\n',
      'web/podinfo/deployment.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: podinfo\nspec:\n  selector:\n    matchLabels:\n      app: podinfo\n  template:\n    metadata:\n      labels:\n        app: podinfo\n    spec:\n      containers:\n        - name: sidecar\n          image: busybox:1.36\n        - name: podinfo\n          image: ghcr.io/stefanprodan/podinfo:6.7.0 # {"$imagepolicy": "flux-system:podinfo"}\n',
      'web/podinfo/config.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: podinfo\ndata:\n  color: blue\n',
    });
    const result = importRepository(dir);
    expect(result.comparison!.differences).toEqual([]);
    expect(result.comparison!.clusters.map(k => [k.original, k.equal])).toEqual([[18, 18]]);
    expect(result.plan.directoryMap.get('web')).toBe('apps/web');
    expect(result.files.get('src/layout.ts')).toMatch(/new LayoutDirectory\([^;]*'web', \{ namespace: 'web' \}\)/);
    expect(parse(result.files.get('apps/web/kustomization.yaml')!).namespace).toBe('web');
    // the ConfigMap of the sub-directory is written as it is; the directory's namespace: moves it, as in the original
    expect(result.files.get('src/components/apps-web-podinfo.ts')).toContain("metadata: { name: 'podinfo' }");
    expect(result.report).not.toContain('namespace: web is applied');
    // the image automation marker is carried: the value is the ImagePolicy's setter call, and the written file has the marker on that line
    expect(result.files.get('src/components/apps-web-podinfo.ts')).toMatch(/image: deps\.\w+\.podinfoImagePolicy\.setter\('ghcr\.io\/stefanprodan\/podinfo:6\.7\.0'\)/);
    expect(result.files.get('apps/web/podinfo/deployment.yaml')).toContain('image: ghcr.io/stefanprodan/podinfo:6.7.0 # {"$imagepolicy": "flux-system:podinfo"}');
    expect(result.report).not.toContain('web/podinfo/deployment.yaml:18');
    const out = FleetTesting.tempDir();
    writeImport(result, out);
    expect(typeCheck(out)).toEqual([]);
  }, 120_000);

  it('keeps kustomize Components: the directory a component (component: true), the kustomizations that list it addComponent', () => {
    const dir = kindsRepository({
      'clusters/production/apps.yaml': 'apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\n  namespace: flux-system\nspec:\n  interval: 10m\n  prune: true\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n  path: ./web/production\n',
      'web/base/kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - config.yaml\n',
      'web/base/config.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: podinfo\n  namespace: web\ndata:\n  color: blue\n',
      'web/components/red/kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\npatches:\n  - patch: |\n      apiVersion: v1\n      kind: ConfigMap\n      metadata:\n        name: podinfo\n        namespace: web\n      data:\n        color: red\n',
      'web/production/kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ../base\ncomponents:\n  - ../components/red\n',
    });
    const result = importRepository(dir);
    expect(result.comparison!.differences).toEqual([]);
    expect(result.comparison!.clusters.map(k => [k.original, k.equal])).toEqual([[16, 16]]);
    expect(result.plan.directoryMap.get('web/components/red')).toBe('apps/web/components/red');
    const layout = result.files.get('src/layout.ts')!;
    expect(layout).toMatch(/new LayoutDirectory\([^;]*'red', \{[^}]*component: true[^}]*\}\)/);
    expect(layout).toMatch(/layout\.\w*[Pp]roduction\w*\.addComponent\(layout\.\w*[Rr]ed\w*\)|\w*[Pp]roduction\w*\.addComponent\(\w*[Rr]ed\w*\)/);
    expect(parse(result.files.get('apps/web/production/kustomization.yaml')!).components).toEqual(['../components/red']);
    expect(parse(result.files.get('apps/web/components/red/kustomization.yaml')!).kind).toBe('Component');
    expect(result.report).not.toContain('"components" is not imported');
  });

  it('writes a FluxInstance with the library construct, its sync path the cluster\'s directory; one the construct cannot say falls back, the report says why', () => {
    const instance = (extra: string) => `apiVersion: fluxcd.controlplane.io/v1\nkind: FluxInstance\nmetadata:\n  name: flux\n  namespace: flux-system\nspec:\n  distribution:\n    version: 2.9.x\n    registry: ghcr.io/fluxcd\n  components:\n    - source-controller\n    - kustomize-controller\n    - helm-controller\n    - notification-controller\n  cluster:\n    type: kubernetes\n    multitenant: false\n    networkPolicy: true\n  sync:\n    kind: GitRepository\n    url: https://github.com/example/kinds.git\n    ref: refs/heads/main\n    path: clusters/production\n${extra}`;
    const result = importRepository(kindsRepository({ 'clusters/production/flux-instance.yaml': instance('') }));
    expect(result.comparison!.differences).toEqual([]);
    expect(writtenAs(result)['FluxInstance flux']).toBe(ImportedAs.LIBRARY);
    const code = [...result.files.entries()].filter(([f]) => f.startsWith('src/components/')).map(([, t]) => t).join('\n');
    expect(code).toMatch(/new FluxInstance\([^;]*version: '2\.9\.x'[^;]*clusterType: 'kubernetes',\s*sync: \{\s*kind: 'GitRepository',\s*url: 'https:\/\/github\.com\/example\/kinds\.git',\s*ref: 'refs\/heads\/main',\s*path: layout\.production,\s*\}/s);
    // a field the construct does not write: the object as it is, and why
    const other = importRepository(kindsRepository({ 'clusters/production/flux-instance.yaml': instance('  storage:\n    class: standard\n    size: 10Gi\n') }), { kubectl: false });
    expect(other.comparison!.differences).toEqual([]);
    expect(writtenAs(other)['FluxInstance flux']).toBe(ImportedAs.API_OBJECT);
    expect(other.report).toContain('FluxInstance flux → ApiObject: FluxInstance: the construct has no spec.storage');
  });
});

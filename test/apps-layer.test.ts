import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { environmentObjects, GENERATED_MARKER } from '../src';
import { FleetTesting, kubectlAvailable, renderEquivalence, simulateImageUpdate } from '../src/testing';
import { CommittedMarkedValues } from '../src/core/automated-values';
import { createExampleFleet } from '../src/example-fleet';

const PATCH = 'apps/overlays/development/podinfo/release-patch.yaml';

describe('apps/ layer of the example fleet (podinfo, seed 004)', () => {
  it('matches the snapshot of every apps/ file', () => {
    const files = FleetTesting.synth(createExampleFleet({ rootDir: FleetTesting.tempDir() }));
    expect(Object.fromEntries(Object.entries(files).filter(([p]) => p.startsWith('apps/')))).toMatchSnapshot();
  });

  it('development follows a semver range through image automation; staging pins and production follows', () => {
    const docs = FleetTesting.synthDocuments(createExampleFleet({ rootDir: FleetTesting.tempDir() }));
    const base = docs['apps/base/podinfo/release.yaml'][0];
    expect(base.spec.chartRef).toEqual({ apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'OCIRepository', name: 'podinfo' });
    expect(docs['apps/base/podinfo/source.yaml'][0].spec.ref).toEqual({ semver: '6.5.4' });
    expect(base.spec.values.image).toEqual({ repository: 'ghcr.io/stefanprodan/podinfo', tag: '6.5.4' });
    expect(docs['apps/overlays/development/podinfo/source-patch.yaml'][0].spec.ref).toEqual({ semver: '>=6.5.0 <7.0.0' });
    const automation = docs['apps/overlays/development/podinfo/image-automation.yaml'];
    expect(automation.map(d => d.kind)).toEqual(['ImageRepository', 'ImagePolicy', 'ImageUpdateAutomation']);
    expect(automation[1].spec.policy).toEqual({ semver: { range: '>=6.5.0 <7.0.0' } });
    expect(automation[2].spec.update).toEqual({ path: './apps/overlays/development/podinfo', strategy: 'Setters' });
    for (const env of ['staging', 'production']) {
      expect(Object.keys(docs).filter(p => p.startsWith(`apps/overlays/${env}/podinfo/`))).toEqual([`apps/overlays/${env}/podinfo/kustomization.yaml`]);
    }
    // clusters/<cluster>/apps.yaml reconciles apps/overlays/<env> after the infrastructure
    const apps = docs['clusters/cluster-staging/apps.yaml'][0];
    expect(apps.spec.path).toBe('./apps/overlays/staging');
    expect(apps.spec.dependsOn).toEqual([{ name: 'infrastructure' }]);
  });

  it('writes the setter marker on exactly the tag line', () => {
    const files = FleetTesting.synth(createExampleFleet({ rootDir: FleetTesting.tempDir() }));
    const lines = files[PATCH].split('\n');
    const marked = lines.filter(l => l.includes('$imagepolicy'));
    expect(marked).toEqual(['      tag: 6.5.4 # {"$imagepolicy": "flux-system:podinfo:tag"}']);
    // parsed with comments: the comment belongs to the tag scalar
    const doc = parseDocument(files[PATCH]);
    const tag = doc.getIn(['spec', 'values', 'image', 'tag'], true) as { comment?: string };
    expect(tag.comment).toBe(' {"$imagepolicy": "flux-system:podinfo:tag"}');
    const markedFiles = Object.entries(files).filter(([, c]) => c.includes('$imagepolicy')).map(([p]) => p);
    expect(markedFiles).toEqual([PATCH]);
  });

  it('the controller\'s substitution changes the marked value only, and the next synth keeps it', () => {
    const repo = createExampleFleet({ rootDir: FleetTesting.tempDir() });
    repo.write();
    const layout = repo.synthLayout();
    const { files, changes } = simulateImageUpdate(layout, {
      path: 'apps/overlays/development/podinfo',
      policies: { 'flux-system:podinfo': { name: 'ghcr.io/stefanprodan/podinfo', tag: '6.7.1' } },
    });
    expect(changes).toEqual([{ file: PATCH, setter: 'flux-system:podinfo:tag', oldValue: '6.5.4', newValue: '6.7.1' }]);
    for (const [p, content] of layout) {
      if (p !== PATCH) expect(files.get(p), p).toBe(content);
    }
    const before = layout.get(PATCH)!.split('\n');
    const after = files.get(PATCH)!.split('\n');
    expect(after.filter((l, i) => l !== before[i])).toEqual(['      tag: 6.7.1 # {"$imagepolicy": "flux-system:podinfo:tag"}']);

    // the automation commits; the generated file now holds its value, which synth keeps
    fs.writeFileSync(path.join(repo.rootDir, PATCH), files.get(PATCH)!);
    const again = createExampleFleet({ rootDir: repo.rootDir });
    expect(again.check().clean).toBe(true);
    again.write();
    expect(fs.readFileSync(path.join(repo.rootDir, PATCH), 'utf8')).toBe(files.get(PATCH));
    // and the model sees what the cluster gets: diff, checks and the kustomize equivalence agree
    const dev = environmentObjects(again.synthModel().model, again.environment('development').cluster);
    expect((dev.get('HelmRelease.helm.toolkit.fluxcd.io podinfo/podinfo')!.doc as any).spec.values.image.tag).toBe('6.7.1');
    if (kubectlAvailable()) expect(renderEquivalence(again).mismatches).toEqual([]);
    // deleting the file hands the line back to the code
    fs.rmSync(path.join(repo.rootDir, PATCH));
    createExampleFleet({ rootDir: repo.rootDir }).write();
    expect(fs.readFileSync(path.join(repo.rootDir, PATCH), 'utf8')).toBe(layout.get(PATCH));
  });
});

describe('CommittedMarkedValues', () => {
  const write = (dir: string, content: string) => {
    fs.mkdirSync(path.join(dir, 'apps'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'apps/app.yaml'), `${GENERATED_MARKER}\n${content}`);
  };
  const marker = ' {"$imagepolicy": "flux-system:web"}';
  const object = (image: string) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'web' }, spec: { template: { spec: { containers: [{ name: 'web', image }] } } } });
  const at = [{ path: ['spec', 'template', 'spec', 'containers', 0, 'image'], comment: marker.trim() }];

  it('takes the committed value of the same object and field, wherever it sits in the file', () => {
    const dir = FleetTesting.tempDir();
    // another document first, other indentation: matched by object identity and path, not by line
    write(dir, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n    name: web\n    namespace: web\nspec:\n    template:\n        spec:\n            containers:\n                - name: web\n                  image: ghcr.io/example/web:1.4.0 #' + marker + '\n');
    const doc = object('ghcr.io/example/web:1.0.0');
    new CommittedMarkedValues(dir).apply('apps/app.yaml', doc, at);
    expect(doc.spec.template.spec.containers[0].image).toBe('ghcr.io/example/web:1.4.0');
  });

  it('lets the code win when it names another image, the marker changed, or the file is not generated', () => {
    const dir = FleetTesting.tempDir();
    write(dir, 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: web}\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: ghcr.io/old/web:1.4.0 #' + marker + '\n');
    const moved = object('registry.example.com/new/web:2.0.0');
    new CommittedMarkedValues(dir).apply('apps/app.yaml', moved, at);
    expect(moved.spec.template.spec.containers[0].image).toBe('registry.example.com/new/web:2.0.0');
    const other = object('ghcr.io/old/web:1.0.0');
    new CommittedMarkedValues(dir).apply('apps/app.yaml', other, [{ ...at[0], comment: '{"$imagepolicy": "flux-system:other"}' }]);
    expect(other.spec.template.spec.containers[0].image).toBe('ghcr.io/old/web:1.0.0');
  });
});

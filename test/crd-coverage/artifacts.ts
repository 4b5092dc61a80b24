// Coverage fixtures of ExternalArtifact and source-watcher's ArtifactGenerator (see ../crd-coverage.test.ts).
import * as kplus from 'cdk8s-plus-27';
import { ArtifactGenerator, CopyStrategy, LayoutDirectory, ManifestFile, OCIRepository } from '../../src';
import { CoverageFixture, LeftOut } from './coverage';

export const fixtures: CoverageFixture[] = [
  {
    kind: 'ArtifactGenerator', name: 'a directory of this repository and a chart\'s values, with every field',
    build: f => {
      const dir = new LayoutDirectory(f.repo.apps, 'web');
      new kplus.ConfigMap(new ManifestFile(dir, 'settings'), 'cm', { metadata: { name: 'settings', namespace: 'flux-system' }, data: { a: 'b' } });
      const file = new ManifestFile(f.cluster, 'artifacts');
      const charts = new OCIRepository(file, 'charts', { metadata: { name: 'charts', namespace: 'flux-system' }, url: 'oci://ghcr.io/org/charts', ref: { tag: '1.0.0' } });
      new ArtifactGenerator(file, 'generator', {
        metadata: { name: 'web', namespace: 'flux-system' },
        sources: { repo: f.gitRepo, charts },
        artifacts: [{
          name: 'web', revision: 'repo', originRevision: 'repo',
          copy: [
            { source: 'repo', directory: dir, to: 'manifests/' },
            { source: 'charts', path: 'values/*.yaml', to: 'values/', exclude: ['values/test-*.yaml'], strategy: CopyStrategy.MERGE },
          ],
        }],
        commonMetadata: { labels: { team: 'web' }, annotations: { owner: 'web-team' } },
      });
    },
  },
  {
    kind: 'ArtifactGenerator', name: 'one artifact per directory of a pattern, from another namespace', fleet: { allowCrossNamespaceReferences: true },
    build: f => {
      new ArtifactGenerator(new ManifestFile(f.cluster, 'artifacts'), 'generator', {
        metadata: { name: 'apps', namespace: 'web' },
        sources: { repo: f.gitRepo },
        pathPattern: { source: 'repo', pattern: 'apps/{app}' },
        artifacts: [{ name: '{app}', copy: [{ source: 'repo', path: 'apps/{app}/**' }] }],
      });
    },
  },
];

export const leftOut: LeftOut = {
  ExternalArtifact: {
    'spec.sourceRef': 'written by the controller that makes the artifact (source-watcher, for an ArtifactGenerator); a fleet refers to ExternalArtifacts (ArtifactGenerator.artifact(name), ExternalArtifact.fromName) but never writes one',
  },
};

// Coverage fixtures of ExternalArtifact and source-watcher's ArtifactGenerator (see ../crd-coverage.test.ts).
import { CoverageFixture, LeftOut } from './coverage';

export const fixtures: CoverageFixture[] = [];

export const leftOut: LeftOut = {
  ExternalArtifact: {
    'spec.sourceRef.apiVersion': 'TODO(#19): not typed yet',
    'spec.sourceRef.kind': 'TODO(#19): not typed yet',
    'spec.sourceRef.name': 'TODO(#19): not typed yet',
    'spec.sourceRef.namespace': 'TODO(#19): not typed yet',
  },
  ArtifactGenerator: {
    'spec.artifacts[].copy[].exclude': 'TODO(#19): not typed yet',
    'spec.artifacts[].copy[].from': 'TODO(#19): not typed yet',
    'spec.artifacts[].copy[].strategy': 'TODO(#19): not typed yet',
    'spec.artifacts[].copy[].to': 'TODO(#19): not typed yet',
    'spec.artifacts[].name': 'TODO(#19): not typed yet',
    'spec.artifacts[].originRevision': 'TODO(#19): not typed yet',
    'spec.artifacts[].revision': 'TODO(#19): not typed yet',
    'spec.commonMetadata.annotations': 'TODO(#19): not typed yet',
    'spec.commonMetadata.labels': 'TODO(#19): not typed yet',
    'spec.pathPattern': 'TODO(#19): not typed yet',
    'spec.sources[].alias': 'TODO(#19): not typed yet',
    'spec.sources[].kind': 'TODO(#19): not typed yet',
    'spec.sources[].name': 'TODO(#19): not typed yet',
    'spec.sources[].namespace': 'TODO(#19): not typed yet',
  },
};

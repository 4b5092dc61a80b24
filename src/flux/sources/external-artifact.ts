import { Construct } from 'constructs';
import * as l1 from '../../imports/source-source.toolkit.fluxcd.io';
import { derivedReference, ImportedObject, ImportedObjectProps } from '../flux-object';
import { IArtifactLayout, IChartRefSource, IKustomizationSource } from './source';

/** An ExternalArtifact (source.toolkit.fluxcd.io/v1): an artifact another controller produces, usable as a Kustomization or HelmRelease source. */
export interface IExternalArtifact extends IKustomizationSource, IChartRefSource {
  /** Brand: only ExternalArtifacts implement it. */
  readonly isExternalArtifact: true;
}

/**
 * References to ExternalArtifacts. The fleet never writes an ExternalArtifact: a controller
 * (source-watcher's `ArtifactGenerator`, or a third party's) creates it. Use
 * `ArtifactGenerator.artifact(name)` for one a generator of the fleet makes, `fromName` for any other.
 */
export class ExternalArtifact {
  /** References an ExternalArtifact made by a controller outside the fleet. */
  public static fromName(scope: Construct, id: string, props: ImportedObjectProps): IExternalArtifact {
    return Object.assign(new ImportedObject(scope, id, l1.ExternalArtifact.GVK, props), {
      isKustomizationSource: true as const, isChartRefSource: true as const, isExternalArtifact: true as const,
    });
  }

  /** @internal The artifact a generator of the fleet makes (it exists because the generator does). */
  public static generated(generator: Construct, name: string, namespace: string | undefined, artifactLayout: IArtifactLayout): IExternalArtifact {
    return derivedReference({
      apiVersion: l1.ExternalArtifact.GVK.apiVersion,
      kind: l1.ExternalArtifact.GVK.kind,
      name,
      namespace,
      isKustomizationSource: true,
      isChartRefSource: true,
      isExternalArtifact: true,
      artifactLayout,
      toString: () => `ExternalArtifact ${name} of ${generator.node.path}`,
    } satisfies IExternalArtifact & { toString(): string });
  }

  private constructor() {}
}

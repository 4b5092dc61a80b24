import { HelmReleaseSpecChartSpecSourceRef, HelmReleaseSpecChartSpecSourceRefKind } from '../../imports/helm-helm.toolkit.fluxcd.io';
import { HelmRepository } from '../../imports/source-source.toolkit.fluxcd.io';

/** A HelmRelease chart source reference taken from the repository object itself, never typed by hand. */
export function helmRepositoryRef(repository: HelmRepository): HelmReleaseSpecChartSpecSourceRef {
  return {
    kind: HelmReleaseSpecChartSpecSourceRefKind.HELM_REPOSITORY,
    name: repository.name,
    namespace: repository.metadata.namespace,
  };
}

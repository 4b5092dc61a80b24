import { FleetModule } from '../../core/model/fleet-model';
import { isMap } from '../../core/json-values';
import { FLUX_REFERENCES } from './flux-references';
import { KustomizationApplier } from './kustomization-applier';
import { ruleCheck } from '../../core/model/rules';
import { fluxRules } from './flux-rules';
import { crossNamespaceCheck, dependencyCycleCheck, duplicateCheck, FluxPolicy, referenceCheck, substitutionCheck, urlCredentialsCheck } from './flux-checks';

/**
 * The Flux module: the reference fields of every Flux kind, Flux's Kustomization as an applier of
 * directories, the HelmChart helm-controller creates for each HelmRelease, and the checks of
 * references, namespaces, duplicates, `dependsOn` cycles and post-build substitution.
 */
export function fluxModule(policy: FluxPolicy): FleetModule {
  return {
    name: 'flux',
    register: registry => {
      FLUX_REFERENCES.forEach(entry => registry.registerReferences(entry));
      registry.registerApplier(new KustomizationApplier());
      registry.registerDerived({
        group: 'helm.toolkit.fluxcd.io',
        kind: 'HelmRelease',
        // helm-controller creates a HelmChart <namespace>-<name> in the namespace of the chart's source
        derive: (doc, namespace) => {
          const ref = doc.spec?.chart?.spec?.sourceRef;
          if (!isMap(ref)) return [];
          return [{ kind: 'HelmChart', name: `${namespace}-${String(doc.metadata?.name)}`, namespace: typeof ref.namespace === 'string' ? ref.namespace : namespace }];
        },
      });
      registry.registerDerived({
        group: 'source.extensions.fluxcd.io',
        kind: 'ArtifactGenerator',
        // source-watcher creates an ExternalArtifact per artifact, in the generator's namespace
        // (the names a pathPattern generator renders from {placeholders} are only known in the cluster)
        derive: (doc, namespace) => (Array.isArray(doc.spec?.artifacts) ? doc.spec.artifacts : [])
          .filter((a: unknown) => isMap(a) && typeof a.name === 'string' && !/\{[^{}]+\}/.test(a.name))
          .map((a: { name: string }) => ({ kind: 'ExternalArtifact', name: a.name, namespace })),
      });
      registry.registerCheck(referenceCheck());
      registry.registerCheck(crossNamespaceCheck(policy));
      registry.registerCheck(duplicateCheck());
      registry.registerCheck(dependencyCycleCheck());
      registry.registerCheck(substitutionCheck());
      registry.registerCheck(urlCredentialsCheck());
      fluxRules().forEach(rule => registry.registerCheck(ruleCheck(rule)));
    },
  };
}

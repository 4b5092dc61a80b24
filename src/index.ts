// Public API of cdk8s-flux.
export * from './core/errors';
export * from './core/layout-file';
export * from './core/layout-directory';
export * from './core/manifest-file';
export * from './core/object-patch';
export { GENERATED_MARKER, LineComment, orderDocument, toYaml } from './core/render';
export { fieldName, MarkedValue, MarkedValueResolver, markedValueCheck, markersOf, markValue, PlacedMarker } from './core/setter-markers';
export { BuildEntry, EffectiveEntry, FleetCheck, LayoutAnalysis, LayoutFiles, LayoutModel, RenderedLayoutFile, objectId } from './core/layout-model';
export { strategicMerge, strategicMergeProblems, StrategicMergeError } from './core/strategic-merge';
export { deepEqual } from './core/json-values';
export * from './fleet';
export { LayoutPlan, TRANSACTION_DIR, WriteHooks, diffPlan, planLayout, recoverTransaction } from './core/tree-writer';
export * from './flux';
export * from './secrets';
export * from './notifications';
export * from './tenancy';
export * from './image';
export * from './validation';
export * from './bootstrap';
export * from './testing/fleet-testing';
export * from './testing/render-equivalence';
export * from './testing/image-automation';
export * from './cli/synth';
export * from './cli/seal';
export * from './cli/validate';
export * from './cli/diff';
export * from './cli/graph';
export * from './cli/run-cli';
export * from './graph';

// Generated L1 classes of the vendored CRDs, one namespace per API group (names overlap across groups).
export * as source from './imports/source-source.toolkit.fluxcd.io';
export * as helm from './imports/helm-helm.toolkit.fluxcd.io';
export * as kustomize from './imports/kustomize-kustomize.toolkit.fluxcd.io';
export * as notification from './imports/notification-notification.toolkit.fluxcd.io';
export * as imageReflector from './imports/image-reflector-image.toolkit.fluxcd.io';
export * as imageAutomation from './imports/image-automation-image.toolkit.fluxcd.io';
export * as sealedSecrets from './imports/sealed-secrets-bitnami.com';

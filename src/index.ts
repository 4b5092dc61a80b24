// Public API of cdk8s-flux.
export * from './layout/errors';
export * from './layout/layout-file';
export * from './layout/layout-directory';
export * from './layout/manifest-file';
export * from './layout/object-patch';
export * from './layout/gitops-repo';
export { GENERATED_MARKER, LineComment, orderDocument, toYaml } from './layout/render';
export { fieldName, MarkedValue, MarkedValueResolver, markedValueCheck, markersOf, markValue, PlacedMarker } from './layout/setter-markers';
export { BuildEntry, EffectiveEntry, FleetCheck, LayoutAnalysis, LayoutFiles, LayoutModel, RenderedLayoutFile, objectId } from './layout/layout-model';
export { deepEqual, strategicMerge, strategicMergeProblems, StrategicMergeError } from './layout/strategic-merge';
export * from './environments';
export { LayoutPlan, TRANSACTION_DIR, WriteHooks, diffPlan, planLayout, recoverTransaction } from './layout/tree-writer';
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

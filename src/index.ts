// Public API of cdk8s-flux.
export * from './layout/errors';
export * from './layout/layout-file';
export * from './layout/layout-directory';
export * from './layout/manifest-file';
export * from './layout/object-patch';
export * from './layout/gitops-repo';
export { GENERATED_MARKER, orderDocument, toYaml } from './layout/render';
export { LayoutFiles } from './layout/layout-model';
export { LayoutPlan, TRANSACTION_DIR, diffPlan, planLayout, recoverTransaction } from './layout/tree-writer';
export * from './testing/fleet-testing';
export * from './cli/synth';

export * from './bootstrap-target';
export * from './flux-bootstrap-stack';
export * from './flux-sync-stack';

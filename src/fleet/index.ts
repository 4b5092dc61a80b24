export * from './gitops-repo';
export * from './environment';
export * from './environment-objects';
export * from './environment-diff';
export * from './promotion';

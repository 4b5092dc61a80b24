export * from './tenant';
export * from './tenant-role';
export * from './tenancy-checks';

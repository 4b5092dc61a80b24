export * from './provider';
export * from './alert';
export * from './receiver';

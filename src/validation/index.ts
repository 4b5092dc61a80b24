export * from './strict-schema';
export * from './schema-validator';
export * from './merge-patch';
export * from './schema-check';

export * from './strict-schema';
export * from './schema-validator';
export * from './schema-check';

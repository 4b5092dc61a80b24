export * from './certificate';
export * from './seal';
export * from './sealed-store';
export * from './sealed-secret';
export * from './plaintext-guard';
export * from './secret-declaration';

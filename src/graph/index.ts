export * from './fleet-graph';
export * from './mermaid';

// Node-only code (node:crypto, node:stream), for the coordinator, the agent and the CLI; the panel imports '.' only.
export * from './bundle/bundle-keys-node.js';
export * from './bundle/bundle-manifest-node.js';
export * from './bundle/sealed-stream-node.js';

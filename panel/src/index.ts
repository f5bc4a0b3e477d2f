// The artist's side: the project collector, the bundler and the uploader, shared by the AE panel and the `cloudexport` CLI.
export * from './api/coordinator-client.js';
export * from './bundle/asset-role.js';
export * from './bundle/bundle-paths.js';
export * from './bundle/collect.js';
export * from './bundle/effect-origin.js';
export * from './bundle/export-bundle.js';
export * from './bundle/locate-footage.js';
export * from './bundle/original-path.js';
export * from './bundle/pack.js';
export * from './bundle/signed-put.js';
export * from './bundle/upload.js';

export * from './app.js';
export * from './config.js';
export * from './clock.js';
export * from './start-coordinator.js';
export * from './db/open-database.js';
export * from './db/embedded-postgres.js';

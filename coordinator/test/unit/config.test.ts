import test from 'ava';
import { compileConfig, ConfigError } from '../../src/config.js';
import { optionsFromEnv } from '../../src/start-coordinator.js';

test('defaults: port 8080, embedded database in ./.cloudexport, 7 days retention', (t) => {
  const c = compileConfig();
  t.is(c.port, 8080);
  t.is(c.databaseUrl, null);
  t.true(c.dataDir.endsWith('.cloudexport'));
  t.is(c.retentionDays, 7);
  t.is(c.adminKey, null);
});

test('environment maps to options', (t) => {
  const o = optionsFromEnv({ PORT: '9000', DATABASE_URL: 'postgres://x/y', CLOUDEXPORT_DATA_DIR: '/tmp/d', CLOUDEXPORT_ADMIN_KEY: 'k'.repeat(20), CLOUDEXPORT_RETENTION_DAYS: '3' });
  const c = compileConfig(o);
  t.is(c.port, 9000);
  t.is(c.databaseUrl, 'postgres://x/y');
  t.is(c.dataDir, '/tmp/d');
  t.is(c.retentionDays, 3);
  t.is(compileConfig(optionsFromEnv({ PORT: '', DATABASE_URL: '' })).databaseUrl, null);
});

test('bad settings are refused with a message naming the variable', (t) => {
  t.throws(() => compileConfig({ port: 70_000 }), { instanceOf: ConfigError, message: /PORT/ });
  t.throws(() => compileConfig(optionsFromEnv({ PORT: 'eighty' })), { instanceOf: ConfigError, message: /PORT/ });
  t.throws(() => compileConfig({ databaseUrl: 'mysql://x' }), { instanceOf: ConfigError, message: /DATABASE_URL/ });
  t.throws(() => compileConfig({ adminKey: 'short' }), { instanceOf: ConfigError, message: /CLOUDEXPORT_ADMIN_KEY/ });
  t.throws(() => compileConfig({ retentionDays: 0 }), { instanceOf: ConfigError, message: /RETENTION/ });
});

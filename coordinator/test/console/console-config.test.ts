import { resolve } from 'node:path';
import test from 'ava';
import { compileConfig, ConfigError } from '../../src/config.js';
import { optionsFromEnv } from '../../src/start-coordinator.js';

test('CLOUDEXPORT_CONSOLE_DIR names the built console, resolved; unset or blank, there is none', (t) => {
  t.is(compileConfig(optionsFromEnv({ CLOUDEXPORT_CONSOLE_DIR: 'web/dist' })).consoleDir, resolve('web/dist'));
  t.is(compileConfig(optionsFromEnv({ CLOUDEXPORT_CONSOLE_DIR: '' })).consoleDir, null);
  t.is(compileConfig(optionsFromEnv({})).consoleDir, null);
  t.is(compileConfig({ consoleDir: null }).consoleDir, null);
});

test('the fleet is sampled once a minute unless told otherwise; nonsense periods are refused', (t) => {
  t.is(compileConfig().metricsSampleMs, 60_000);
  t.is(compileConfig({ metricsSampleMs: 250 }).metricsSampleMs, 250);
  for (const metricsSampleMs of [0, -1, 1.5, 5, 24 * 3600_000]) {
    t.throws(() => compileConfig({ metricsSampleMs }), { instanceOf: ConfigError, message: /metrics sample period/ });
  }
});

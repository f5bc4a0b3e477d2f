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
  t.is(c.adminPassword, null);
});

test('environment maps to options', (t) => {
  const o = optionsFromEnv({ PORT: '9000', DATABASE_URL: 'postgres://x/y', CLOUDEXPORT_DATA_DIR: '/tmp/d', CLOUDEXPORT_ADMIN_KEY: 'k'.repeat(20), CLOUDEXPORT_RETENTION_DAYS: '3' });
  const c = compileConfig(o);
  t.is(c.port, 9000);
  t.is(c.databaseUrl, 'postgres://x/y');
  t.is(c.dataDir, '/tmp/d');
  t.is(c.retentionDays, 3);
  t.is(compileConfig(optionsFromEnv({ PORT: '', DATABASE_URL: '' })).databaseUrl, null);
  t.is(compileConfig(optionsFromEnv({ CLOUDEXPORT_ADMIN_PASSWORD: ' a long admin password\n' })).adminPassword, 'a long admin password');
});

test('bad settings are refused with a message naming the variable', (t) => {
  t.throws(() => compileConfig({ port: 70_000 }), { instanceOf: ConfigError, message: /PORT/ });
  t.throws(() => compileConfig(optionsFromEnv({ PORT: 'eighty' })), { instanceOf: ConfigError, message: /PORT/ });
  t.throws(() => compileConfig({ databaseUrl: 'mysql://x' }), { instanceOf: ConfigError, message: /DATABASE_URL/ });
  t.throws(() => compileConfig({ adminKey: 'short' }), { instanceOf: ConfigError, message: /CLOUDEXPORT_ADMIN_KEY/ });
  t.throws(() => compileConfig({ adminPassword: 'too short' }), { instanceOf: ConfigError, message: /CLOUDEXPORT_ADMIN_PASSWORD/ });
  t.throws(() => compileConfig({ retentionDays: 0 }), { instanceOf: ConfigError, message: /RETENTION/ });
});

test('storage: local under the data folder by default; S3 from the environment, path style with an endpoint', (t) => {
  const local = compileConfig({ dataDir: '/tmp/ce' });
  t.deepEqual(local.storage, { kind: 'local', root: '/tmp/ce/storage' });
  t.is(local.masterKey, null);
  t.is(local.publicUrl, null);
  const s3 = compileConfig(
    optionsFromEnv({
      CLOUDEXPORT_S3_BUCKET: 'renders',
      CLOUDEXPORT_S3_ENDPOINT: 'http://minio:9000',
      CLOUDEXPORT_S3_REGION: 'eu-west-1',
      CLOUDEXPORT_S3_ACCESS_KEY_ID: 'id',
      CLOUDEXPORT_S3_SECRET_ACCESS_KEY: 'secret',
      CLOUDEXPORT_PUBLIC_URL: 'https://render.example.com/',
    }),
  );
  t.deepEqual(s3.storage, { kind: 's3', bucket: 'renders', region: 'eu-west-1', endpoint: 'http://minio:9000', forcePathStyle: true, credentials: { accessKeyId: 'id', secretAccessKey: 'secret' } });
  t.is(s3.publicUrl, 'https://render.example.com');
  const aws = compileConfig(optionsFromEnv({ CLOUDEXPORT_STORAGE: 's3', CLOUDEXPORT_S3_BUCKET: 'renders', CLOUDEXPORT_S3_PATH_STYLE: 'false' }));
  t.like(aws.storage, { kind: 's3', endpoint: null, forcePathStyle: false, credentials: null, region: 'us-east-1' });
  const key = Buffer.alloc(32, 7);
  t.deepEqual(compileConfig(optionsFromEnv({ CLOUDEXPORT_MASTER_KEY: key.toString('base64') })).masterKey, key);
});

test('bad storage and key settings are refused with a message naming the variable', (t) => {
  t.throws(() => compileConfig(optionsFromEnv({ CLOUDEXPORT_STORAGE: 's3' })), { instanceOf: ConfigError, message: /CLOUDEXPORT_S3_BUCKET/ });
  t.throws(() => compileConfig(optionsFromEnv({ CLOUDEXPORT_STORAGE: 'ftp' })), { instanceOf: ConfigError, message: /CLOUDEXPORT_STORAGE/ });
  t.throws(() => compileConfig(optionsFromEnv({ CLOUDEXPORT_S3_BUCKET: 'b', CLOUDEXPORT_S3_ACCESS_KEY_ID: 'id' })), { instanceOf: ConfigError, message: /SECRET_ACCESS_KEY/ });
  t.throws(() => compileConfig(optionsFromEnv({ CLOUDEXPORT_S3_BUCKET: 'b', CLOUDEXPORT_S3_ENDPOINT: 'minio:9000' })), { instanceOf: ConfigError, message: /CLOUDEXPORT_S3_ENDPOINT/ });
  t.throws(() => compileConfig({ masterKey: Buffer.alloc(16).toString('base64') }), { instanceOf: ConfigError, message: /CLOUDEXPORT_MASTER_KEY/ });
  t.throws(() => compileConfig({ publicUrl: 'render.example.com' }), { instanceOf: ConfigError, message: /CLOUDEXPORT_PUBLIC_URL/ });
});

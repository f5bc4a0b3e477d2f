import test from 'ava';
import { startTestCoordinator, type TestCoordinator } from '../helpers/test-coordinator.js';

let c: TestCoordinator;
test.before(async () => {
  c = await startTestCoordinator();
});
test.after.always(async () => c?.stop());

test('a key is shown once, stored hashed, and recognisable by its prefix', async (t) => {
  const user = await c.user('artist');
  const created = await c.call('POST', '/api/v1/api-keys', { key: user.key, body: { name: 'laptop' } });
  t.is(created.status, 201);
  const { key, apiKey } = created.body;
  t.regex(key, /^ce_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/);
  t.true(key.startsWith(apiKey.prefix));
  t.is((await c.call('GET', '/api/v1/me', { key })).body.id, user.id);
  const listed = (await c.call('GET', '/api/v1/api-keys', { key })).body.items;
  t.false(JSON.stringify(listed).includes(key), 'the secret is never listed');
  const [row] = await c.db.orm.em.getConnection().execute<{ hash: string }[]>('select hash from api_keys where id = ?', [apiKey.id]);
  t.not(row!.hash, key);
  t.regex(row!.hash, /^[0-9a-f]{64}$/);
  t.false(JSON.stringify(await c.db.orm.em.getConnection().execute('select * from api_keys')).includes(key), 'the database never holds the secret');
});

test('a revoked key stops working at once; other keys of the user keep working', async (t) => {
  const user = await c.user('artist');
  const second = (await c.call('POST', '/api/v1/api-keys', { key: user.key, body: { name: 'second' } })).body;
  const revoked = await c.call('DELETE', `/api/v1/api-keys/${second.apiKey.id}`, { key: user.key });
  t.is(revoked.status, 200);
  t.truthy(revoked.body.revokedAt);
  const refused = await c.call('GET', '/api/v1/me', { key: second.key });
  t.is(refused.status, 401);
  t.regex(refused.body.error.message, /revoked/);
  t.is((await c.call('GET', '/api/v1/me', { key: user.key })).status, 200);
});

test('a disabled user is refused; re-enabled, the same key works again', async (t) => {
  const user = await c.user('provider');
  t.is((await c.call('PATCH', `/api/v1/users/${user.id}`, { key: c.admin.key, body: { disabled: true } })).status, 200);
  const refused = await c.call('GET', '/api/v1/me', { key: user.key });
  t.is(refused.status, 401);
  t.regex(refused.body.error.message, /disabled/);
  await c.call('PATCH', `/api/v1/users/${user.id}`, { key: c.admin.key, body: { disabled: false } });
  t.is((await c.call('GET', '/api/v1/me', { key: user.key })).status, 200);
});

test('a role change takes effect on the next request', async (t) => {
  const user = await c.user('artist');
  t.is((await c.call('GET', '/api/v1/nodes', { key: user.key })).status, 403);
  await c.call('PATCH', `/api/v1/users/${user.id}`, { key: c.admin.key, body: { role: 'provider' } });
  t.is((await c.call('GET', '/api/v1/nodes', { key: user.key })).status, 200);
});

test('an admin cannot lock themselves out', async (t) => {
  const res = await c.call('PATCH', `/api/v1/users/${c.admin.id}`, { key: c.admin.key, body: { role: 'artist' } });
  t.is(res.status, 409);
  t.is((await c.call('GET', '/api/v1/users', { key: c.admin.key })).status, 200);
});

test('emails are unique, case-insensitively', async (t) => {
  const body = { email: 'Dup@Example.test', name: 'Dup', role: 'artist' };
  t.is((await c.call('POST', '/api/v1/users', { key: c.admin.key, body })).status, 201);
  const again = await c.call('POST', '/api/v1/users', { key: c.admin.key, body: { ...body, email: 'dup@example.test' } });
  t.is(again.status, 409);
  t.is(again.body.error.code, 'conflict');
});

test('every write is in the audit log with who did it', async (t) => {
  const user = await c.user('artist');
  const audit = (await c.call('GET', `/api/v1/audit?actorId=${c.admin.id}&limit=200`, { key: c.admin.key })).body.items;
  t.true(audit.some((a: { action: string; targetId: string }) => a.action === 'user.create' && a.targetId === user.id));
  t.true(audit.some((a: { action: string; details: { userId?: string } }) => a.action === 'apikey.create' && a.details.userId === user.id));
  t.true(audit.every((a: { actorKind: string; ip: string | null }) => a.actorKind === 'user' && a.ip !== null));
  const filtered = (await c.call('GET', `/api/v1/audit?action=apikey.`, { key: c.admin.key })).body.items;
  t.true(filtered.length > 0 && filtered.every((a: { action: string }) => a.action.startsWith('apikey.')));
  const future = (await c.call('GET', `/api/v1/audit?since=${encodeURIComponent(new Date(Date.now() + 3600_000).toISOString())}`, { key: c.admin.key })).body.items;
  t.is(future.length, 0);
});

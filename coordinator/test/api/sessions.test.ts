import { createHash } from 'node:crypto';
import test from 'ava';
import { LIVE_NAMESPACE } from '@cloudexport/shared';
import { io, type Socket } from 'socket.io-client';
import { ADMIN_EMAIL } from '../../src/auth/bootstrap-admin.js';
import { manualClock, sampleJob, startTestCoordinator, type Identity, type TestCoordinator } from '../helpers/test-coordinator.js';

// The web console's sign-in: real HTTP with the cookie as a browser sends it, beside API keys.

const ADMIN_PASSWORD = 'the admin’s own password';

let c: TestCoordinator;
test.before(async () => {
  c = await startTestCoordinator({ config: { adminPassword: ADMIN_PASSWORD } });
});
test.after.always(async () => c?.stop());

interface Reply {
  status: number;
  body: any;
  /** The `Set-Cookie` headers, as sent. */
  setCookies: string[];
  headers: Headers;
}

/** A request as the console makes it: the cookie (when given) and, for writes, the CSRF header. */
async function http(target: TestCoordinator, method: string, path: string, o: { cookie?: string; csrf?: string; key?: string; body?: unknown } = {}): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (o.cookie) headers.cookie = o.cookie;
  if (o.csrf) headers['x-csrf-token'] = o.csrf;
  if (o.key) headers.authorization = `Bearer ${o.key}`;
  if (o.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${target.url}${path}`, { method, headers, ...(o.body !== undefined ? { body: JSON.stringify(o.body) } : {}) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, setCookies: res.headers.getSetCookie(), headers: res.headers };
}

interface Browser {
  cookie: string;
  token: string;
  csrf: string;
  reply: Reply;
}

/** Signs in and keeps what a browser keeps: the cookie, and the CSRF token from the answer. */
async function signIn(target: TestCoordinator, email: string, password: string): Promise<Browser> {
  const reply = await http(target, 'POST', '/api/v1/sessions', { body: { email, password } });
  if (reply.status !== 201) throw new Error(`sign-in failed: ${reply.status} ${JSON.stringify(reply.body)}`);
  const token = /^ce_session=([^;]*)/.exec(reply.setCookies[0] ?? '')?.[1] ?? '';
  return { cookie: `ce_session=${token}`, token, csrf: reply.body.csrfToken, reply };
}

/** A user of `role` with an API key and a password an admin set. */
async function userWithPassword(target: TestCoordinator, role: Identity['role'], password = `password of a ${role} 123`): Promise<Identity & { password: string }> {
  const user = await target.user(role);
  const set = await target.call('POST', `/api/v1/users/${user.id}/password`, { key: target.admin.key, body: { password } });
  if (set.status !== 200) throw new Error(`set password: ${JSON.stringify(set.body)}`);
  return { ...user, password };
}

const sql = <T>(target: TestCoordinator, query: string, params: unknown[] = []) => target.db.orm.em.getConnection().execute<T[]>(query, params);
const auditOf = (target: TestCoordinator, action: string, targetId: string) =>
  sql<{ actor_id: string | null; details: Record<string, unknown> }>(target, 'select actor_id, details from audit_log where action = ? and target_id = ?', [action, targetId]);

test('signing in sets an httpOnly, SameSite=Strict cookie that alone is enough to read', async (t) => {
  const artist = await userWithPassword(c, 'artist');
  const b = await signIn(c, artist.email.toUpperCase(), artist.password);
  t.is(b.reply.setCookies.length, 1);
  t.regex(b.reply.setCookies[0]!, /^ce_session=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=43200; HttpOnly; SameSite=Strict$/, 'no Secure on plain http with an http public URL');
  t.is(b.reply.body.user.id, artist.id);
  t.is(b.reply.body.user.role, 'artist');
  t.regex(b.csrf, /^[A-Za-z0-9_-]{43}$/);
  t.not(b.csrf, b.token);
  t.false(JSON.stringify(b.reply.body).includes(b.token), 'the cookie’s token is never in a body');
  t.is(b.reply.headers.get('cache-control'), 'no-store');

  const me = await http(c, 'GET', '/api/v1/me', { cookie: b.cookie });
  t.is(me.status, 200);
  t.is(me.body.id, artist.id);
  const current = await http(c, 'GET', '/api/v1/sessions/current', { cookie: b.cookie });
  t.is(current.status, 200);
  t.is(current.body.csrfToken, b.csrf, 'the console can fetch the CSRF token again after a reload');
  t.is(current.body.user.email, artist.email);
  t.is((await http(c, 'GET', '/api/v1/sessions/current')).status, 401);

  // the database keeps the token's sha256 only, with who and from where
  const [row] = await sql<{ user_id: string; ip: string; user_agent: string; expires_at: Date; created_at: Date }>(c, 'select * from sessions where id = ?', [createHash('sha256').update(b.token).digest('hex')]);
  t.is(row?.user_id, artist.id);
  t.truthy(row?.ip);
  t.is(new Date(row!.expires_at).getTime() - new Date(row!.created_at).getTime(), 12 * 3600_000);
  t.false(JSON.stringify(await sql(c, 'select * from sessions')).includes(b.token), 'the database never holds the token');
  t.is((await auditOf(c, 'session.create', createHash('sha256').update(b.token).digest('hex')))[0]?.actor_id, artist.id);
});

test('with the cookie, a write without the session’s X-CSRF-Token is 403 csrf and changes nothing', async (t) => {
  const artist = await userWithPassword(c, 'artist');
  const b = await signIn(c, artist.email, artist.password);
  const other = await signIn(c, artist.email, artist.password); // a second session of the same user
  const keysNow = async () => (await http(c, 'GET', '/api/v1/api-keys', { cookie: b.cookie })).body.items.length as number;
  const before = await keysNow();

  const bare = await http(c, 'POST', '/api/v1/api-keys', { cookie: b.cookie, body: { name: 'from the console' } });
  t.is(bare.status, 403);
  t.is(bare.body.error.code, 'csrf');
  t.regex(bare.body.error.message, /X-CSRF-Token/);
  for (const csrf of ['nope', other.csrf, b.csrf.slice(0, -1)]) {
    const wrong = await http(c, 'POST', '/api/v1/api-keys', { cookie: b.cookie, csrf, body: { name: 'from the console' } });
    t.is(wrong.status, 403, `csrf ${csrf}: another session’s token does not fit this one`);
    t.is(wrong.body.error.code, 'csrf');
  }
  t.is(await keysNow(), before, 'nothing was created');

  const made = await http(c, 'POST', '/api/v1/api-keys', { cookie: b.cookie, csrf: b.csrf, body: { name: 'from the console' } });
  t.is(made.status, 201);
  t.is(await keysNow(), before + 1);
  t.is((await http(c, 'DELETE', `/api/v1/api-keys/${made.body.apiKey.id}`, { cookie: b.cookie })).status, 403);
  t.is((await c.call('GET', '/api/v1/me', { key: made.body.key })).status, 200, 'the refused DELETE revoked nothing');
  const revoked = await http(c, 'DELETE', `/api/v1/api-keys/${made.body.apiKey.id}`, { cookie: b.cookie, csrf: b.csrf });
  t.is(revoked.status, 200);
  t.truthy(revoked.body.revokedAt);
  // written by the user, in the audit log like any key's write
  t.is((await auditOf(c, 'apikey.create', made.body.apiKey.id))[0]?.actor_id, artist.id);
});

test('signing out deletes the session and clears the cookie; the old cookie is refused', async (t) => {
  const artist = await userWithPassword(c, 'artist');
  const b = await signIn(c, artist.email, artist.password);
  const id = createHash('sha256').update(b.token).digest('hex');
  t.is((await http(c, 'DELETE', '/api/v1/sessions/current', { cookie: b.cookie })).status, 403, 'sign-out is a write: it needs the CSRF token too');
  const out = await http(c, 'DELETE', '/api/v1/sessions/current', { cookie: b.cookie, csrf: b.csrf });
  t.is(out.status, 200);
  t.deepEqual(out.body, { signedOut: true });
  t.true(out.setCookies.some((h) => /^ce_session=; Path=\/; Max-Age=0; HttpOnly; SameSite=Strict/.test(h)));
  t.deepEqual(await sql(c, 'select id from sessions where id = ?', [id]), []);
  const after = await http(c, 'GET', '/api/v1/me', { cookie: b.cookie });
  t.is(after.status, 401);
  t.regex(after.body.error.message, /session has ended/);
  t.true(after.setCookies.some((h) => h.startsWith('ce_session=;')), 'a dead cookie is cleared');
  t.is((await http(c, 'GET', '/api/v1/sessions/current', { cookie: b.cookie })).status, 401);
  t.is((await auditOf(c, 'session.delete', id))[0]?.actor_id, artist.id);
});

// serial: timed alone, not beside the file's other scrypt-heavy tests
test.serial('a wrong password, an unknown email and a user without a password get the same 401, in about the same time', async (t) => {
  const artist = await userWithPassword(c, 'artist');
  const keyOnly = await c.user('artist'); // has API keys, never a password
  const attempt = async (email: string, password: string) => {
    const started = performance.now();
    const res = await http(c, 'POST', '/api/v1/sessions', { body: { email, password } });
    return { res, ms: performance.now() - started };
  };
  const answers = [await attempt(artist.email, 'not the password at all'), await attempt(`nobody-${Date.now()}@example.test`, artist.password), await attempt(keyOnly.email, 'anything at all')];
  for (const { res } of answers) {
    t.is(res.status, 401);
    t.is(res.body.error.code, 'unauthorized');
    t.is(res.setCookies.length, 0);
  }
  t.is(new Set(answers.map(({ res }) => res.body.error.message)).size, 1, 'one message for all three');
  t.regex(answers[0]!.res.body.error.message, /Wrong email or password/);

  // an unknown email pays a full scrypt too: without it, it would answer in a few ms instead of ~100
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const wrong: number[] = [];
  const unknown: number[] = [];
  for (let i = 0; i < 3; i++) {
    unknown.push((await attempt(`nobody-${i}-${Date.now()}@example.test`, 'whatever it is')).ms);
    wrong.push((await attempt(artist.email, `wrong ${i}`)).ms);
  }
  t.true(median(unknown) > median(wrong) * 0.5, `unknown email ${median(unknown).toFixed(0)} ms vs wrong password ${median(wrong).toFixed(0)} ms`);
});

test('the password is stored as a salted scrypt hash, never as itself', async (t) => {
  const password = 'the same password for two';
  const one = await userWithPassword(c, 'artist', password);
  const two = await userWithPassword(c, 'provider', password);
  const rows = await sql<{ id: string; password_hash: string }>(c, 'select id, password_hash from users where id in (?, ?)', [one.id, two.id]);
  t.is(rows.length, 2);
  for (const row of rows) t.regex(row.password_hash, /^scrypt\$32768\$8\$1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
  t.not(rows[0]!.password_hash, rows[1]!.password_hash, 'a salt of its own per user');
  t.false(JSON.stringify(await sql(c, 'select * from users')).includes(password));
  t.false(JSON.stringify(await sql(c, 'select * from audit_log')).includes(password), 'nor in the audit log');
  const me = await http(c, 'GET', '/api/v1/me', { cookie: (await signIn(c, one.email, password)).cookie });
  t.false('passwordHash' in me.body, 'never on the wire');
  t.is((await auditOf(c, 'user.password', one.id))[0]?.actor_id, c.admin.id);
});

test('an artist’s cookie on an admin endpoint is 403; the bootstrap admin signs in with CLOUDEXPORT_ADMIN_PASSWORD', async (t) => {
  const artist = await userWithPassword(c, 'artist');
  const b = await signIn(c, artist.email, artist.password);
  for (const [method, path, body] of [
    ['GET', '/api/v1/users', undefined],
    ['GET', '/api/v1/audit', undefined],
    ['POST', '/api/v1/invites', { email: 'x@example.test', role: 'admin' }],
    ['PATCH', `/api/v1/users/${artist.id}`, { role: 'admin' }],
  ] as const) {
    const res = await http(c, method, path, { cookie: b.cookie, csrf: b.csrf, ...(body ? { body } : {}) });
    t.is(res.status, 403, `${method} ${path}`);
    t.is(res.body.error.code, 'forbidden');
    t.regex(res.body.error.message, /you are signed in as an artist/);
  }
  t.is((await http(c, 'GET', '/api/v1/me', { cookie: b.cookie })).body.role, 'artist', 'the PATCH did not go through');

  const admin = await signIn(c, ADMIN_EMAIL, ADMIN_PASSWORD);
  t.is(admin.reply.body.user.id, c.admin.id);
  t.is((await http(c, 'GET', '/api/v1/users', { cookie: admin.cookie })).status, 200);
  const [row] = await sql<{ password_hash: string }>(c, 'select password_hash from users where id = ?', [c.admin.id]);
  t.regex(row!.password_hash, /^scrypt\$/);
});

test('invite → accept: the user exists with the invited role, is signed in, and the token works once', async (t) => {
  const email = `Invited-${Date.now()}@Example.test`;
  const created = await c.call('POST', '/api/v1/invites', { key: c.admin.key, body: { email, role: 'provider' } });
  t.is(created.status, 201);
  const { token, invite } = created.body;
  t.regex(token, /^cei_[A-Za-z0-9_-]{43}$/);
  t.is(invite.email, email.toLowerCase());
  t.is(new Date(invite.expiresAt).getTime() - new Date(invite.createdAt).getTime(), 7 * 24 * 3600_000);
  t.false(JSON.stringify(await sql(c, 'select * from invites')).includes(token), 'stored hashed');

  t.is((await http(c, 'POST', '/api/v1/invites/accept', { body: { token, name: 'New Provider', password: 'too short' } })).status, 400, 'passwords have at least 12 characters');
  const accepted = await http(c, 'POST', '/api/v1/invites/accept', { body: { token, name: 'New Provider', password: 'a provider’s password' } });
  t.is(accepted.status, 201);
  t.is(accepted.body.user.role, 'provider');
  t.is(accepted.body.user.email, email.toLowerCase());
  t.is(accepted.body.user.name, 'New Provider');
  const cookie = `ce_session=${/^ce_session=([^;]*)/.exec(accepted.setCookies[0] ?? '')?.[1]}`;
  t.is((await http(c, 'GET', '/api/v1/me', { cookie })).body.role, 'provider');
  t.is((await http(c, 'GET', '/api/v1/nodes', { cookie })).status, 200, 'a provider’s route');
  t.is((await http(c, 'GET', '/api/v1/jobs', { cookie })).status, 403, 'an artist’s route');
  t.is((await http(c, 'POST', '/api/v1/enrollment-tokens', { cookie, csrf: accepted.body.csrfToken, body: {} })).status, 201);

  const again = await http(c, 'POST', '/api/v1/invites/accept', { body: { token, name: 'Someone Else', password: 'another password here' } });
  t.is(again.status, 409);
  t.regex(again.body.error.message, /already used/);
  t.is(again.setCookies.length, 0);
  t.is((await sql(c, 'select id from users where email = ?', [email.toLowerCase()])).length, 1);
  t.is((await signIn(c, email, 'a provider’s password')).reply.body.user.id, accepted.body.user.id, 'the invite’s password signs in later');
  t.is((await auditOf(c, 'invite.create', invite.id))[0]?.actor_id, c.admin.id);
  t.is((await auditOf(c, 'invite.accept', invite.id))[0]?.actor_id, accepted.body.user.id);
  t.is((await http(c, 'POST', '/api/v1/invites/accept', { body: { token: 'cei_not-a-token', name: 'X', password: 'long enough password' } })).status, 401);
});

test('an invite gives an existing user without a password one; it never changes a role or overrides a password', async (t) => {
  const keyOnly = await c.user('artist');
  t.is((await c.call('POST', '/api/v1/invites', { key: c.admin.key, body: { email: keyOnly.email, role: 'admin' } })).status, 409, 'not a way to change a role');
  const { token } = (await c.call('POST', '/api/v1/invites', { key: c.admin.key, body: { email: keyOnly.email, role: 'artist' } })).body;
  const accepted = await http(c, 'POST', '/api/v1/invites/accept', { body: { token, name: 'Renamed', password: 'now with a password' } });
  t.is(accepted.status, 201);
  t.is(accepted.body.user.id, keyOnly.id);
  t.is((await c.call('GET', '/api/v1/me', { key: keyOnly.key })).body.name, 'Renamed', 'the API key keeps working');
  const withPassword = await userWithPassword(c, 'artist');
  t.is((await c.call('POST', '/api/v1/invites', { key: c.admin.key, body: { email: withPassword.email, role: 'artist' } })).status, 409);
});

test('a password change needs the current one for yourself, and ends your other sessions; admins set anyone’s', async (t) => {
  const artist = await userWithPassword(c, 'artist', 'first password 1');
  const mine = await signIn(c, artist.email, 'first password 1');
  const elsewhere = await signIn(c, artist.email, 'first password 1');
  const path = `/api/v1/users/${artist.id}/password`;
  const missing = await http(c, 'POST', path, { cookie: mine.cookie, csrf: mine.csrf, body: { password: 'second password 2' } });
  t.is(missing.status, 400);
  t.is(missing.body.error.details.issues[0].path, 'currentPassword');
  t.is((await http(c, 'POST', path, { cookie: mine.cookie, csrf: mine.csrf, body: { password: 'second password 2', currentPassword: 'wrong one' } })).status, 403);
  t.is((await http(c, 'POST', path, { cookie: mine.cookie, csrf: mine.csrf, body: { password: 'short', currentPassword: 'first password 1' } })).status, 400);
  const changed = await http(c, 'POST', path, { cookie: mine.cookie, csrf: mine.csrf, body: { password: 'second password 2', currentPassword: 'first password 1' } });
  t.is(changed.status, 200);
  t.is((await http(c, 'GET', '/api/v1/me', { cookie: mine.cookie })).status, 200, 'this session stays');
  t.is((await http(c, 'GET', '/api/v1/me', { cookie: elsewhere.cookie })).status, 401, 'the other one ended');
  t.is((await http(c, 'POST', '/api/v1/sessions', { body: { email: artist.email, password: 'first password 1' } })).status, 401);
  await signIn(c, artist.email, 'second password 2');

  const stranger = await userWithPassword(c, 'artist');
  const s = await signIn(c, stranger.email, stranger.password);
  t.is((await http(c, 'POST', path, { cookie: s.cookie, csrf: s.csrf, body: { password: 'taken over now' } })).status, 403, 'not someone else’s');
  const byAdmin = await c.call('POST', path, { key: c.admin.key, body: { password: 'set by the admin' } });
  t.is(byAdmin.status, 200);
  t.is((await http(c, 'GET', '/api/v1/me', { cookie: mine.cookie })).status, 401, 'an admin’s reset ends every session of the user');
  const audit = await auditOf(c, 'user.password', artist.id);
  t.deepEqual(audit.map((a) => a.details.by).sort(), ['admin', 'admin', 'self']);
});

test('API keys work as before: no CSRF token, and a key wins over a cookie', async (t) => {
  const artist = await userWithPassword(c, 'artist');
  const other = await userWithPassword(c, 'artist');
  const b = await signIn(c, other.email, other.password);
  t.is((await c.call('POST', '/api/v1/api-keys', { key: artist.key, body: { name: 'cli' } })).status, 201);
  const both = await http(c, 'GET', '/api/v1/me', { key: artist.key, cookie: b.cookie });
  t.is(both.body.id, artist.id);
  const keyWrite = await http(c, 'POST', '/api/v1/jobs', { key: artist.key, cookie: b.cookie, body: sampleJob });
  t.is(keyWrite.status, 201, 'the key’s request needs no CSRF token, cookie or not');
  t.is(keyWrite.body.ownerId, artist.id);
  const wrongKey = await http(c, 'GET', '/api/v1/me', { key: 'ce_00000000_nope', cookie: b.cookie });
  t.is(wrongKey.status, 401, 'a bad key is not rescued by the cookie');
  t.regex(wrongKey.body.error.message, /Invalid or revoked API key/);
});

function live(target: TestCoordinator, o: { key?: string; cookie?: string; origin?: string }): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    if (o.cookie) headers.cookie = o.cookie;
    if (o.origin) headers.origin = o.origin;
    const s = io(`${target.url}${LIVE_NAMESPACE}`, { ...(o.key ? { auth: { key: o.key } } : {}), extraHeaders: headers, transports: ['websocket'], reconnection: false, forceNew: true });
    s.once('connect', () => resolve(s));
    s.once('connect_error', (err) => {
      s.close();
      reject(err);
    });
  });
}

test('the live namespace takes a session cookie (same origin only) and refuses a bad one; keys still work', async (t) => {
  const artist = await userWithPassword(c, 'artist');
  const b = await signIn(c, artist.email, artist.password);
  const job = await http(c, 'POST', '/api/v1/jobs', { cookie: b.cookie, csrf: b.csrf, body: sampleJob });
  t.is(job.status, 201);

  const watcher = await live(c, { cookie: b.cookie, origin: c.url });
  t.deepEqual(await watcher.emitWithAck('subscribe', { jobId: job.body.id }), { ok: true });
  t.false((await watcher.emitWithAck('subscribe', { fleet: true })).ok, 'still an artist: no fleet');
  watcher.close();
  (await live(c, { cookie: b.cookie })).close(); // no Origin: not a browser page

  await t.throwsAsync(live(c, { cookie: 'ce_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }), { message: /session has ended/ });
  await t.throwsAsync(live(c, { cookie: b.cookie, origin: 'https://evil.example' }), { message: /Origin/ });
  await t.throwsAsync(live(c, {}), { message: /API key/ });
  (await live(c, { key: artist.key })).close();

  t.is((await http(c, 'DELETE', '/api/v1/sessions/current', { cookie: b.cookie, csrf: b.csrf })).status, 200);
  await t.throwsAsync(live(c, { cookie: b.cookie }), { message: /session has ended/ });
});

test('five failures from one address lock that email out for 15 minutes; sessions end after 12 idle hours, sliding', async (t) => {
  const clock = manualClock(new Date());
  const h = await startTestCoordinator({ clock, config: { publicUrl: 'https://console.example' } });
  try {
    const artist = await userWithPassword(h, 'artist', 'the right password');
    for (let i = 0; i < 5; i++) {
      t.is((await http(h, 'POST', '/api/v1/sessions', { body: { email: artist.email, password: `guess ${i}` } })).status, 401, `guess ${i}`);
    }
    const locked = await http(h, 'POST', '/api/v1/sessions', { body: { email: artist.email, password: 'the right password' } });
    t.is(locked.status, 429, 'even the right password, once locked');
    t.is(locked.body.error.code, 'rate_limited');
    t.is(locked.headers.get('retry-after'), '900');
    const bystander = await userWithPassword(h, 'artist');
    await signIn(h, bystander.email, bystander.password); // other emails are not locked

    clock.advance(15 * 60_000);
    const b = await signIn(h, artist.email, 'the right password');
    t.regex(b.reply.setCookies[0]!, /; Secure$/, 'Secure when the public URL is https');

    // each use moves the end 12 h ahead; 12 h without one ends it
    clock.advance(11 * 3600_000);
    const used = await http(h, 'GET', '/api/v1/me', { cookie: b.cookie });
    t.is(used.status, 200);
    t.regex(used.setCookies[0] ?? '', /^ce_session=[^;]+; Path=\/; Max-Age=43200;/, 'the cookie slides with it');
    clock.advance(11 * 3600_000);
    const current = await http(h, 'GET', '/api/v1/sessions/current', { cookie: b.cookie });
    t.is(current.status, 200, '22 h after sign-in, 11 h after its last use');
    t.is(new Date(current.body.expiresAt).getTime(), clock.now().getTime() + 12 * 3600_000);
    clock.advance(12 * 3600_000 + 1);
    t.is((await http(h, 'GET', '/api/v1/me', { cookie: b.cookie })).status, 401);
    t.deepEqual(await sql(h, 'select id from sessions where id = ?', [createHash('sha256').update(b.token).digest('hex')]), [], 'the expired row is gone');
  } finally {
    await h.stop();
  }
});

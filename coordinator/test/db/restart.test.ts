import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { startCoordinator } from '../../src/start-coordinator.js';
import type { CoordinatorOptions } from '../../src/config.js';
import { sampleJob } from '../helpers/test-coordinator.js';
import { createScratchDatabase, serverUrl } from '../helpers/test-database.js';

// What `npm start` does, twice on the same data: nothing written is lost, the admin key is
// generated once, kept owner-only, and never printed again.

async function call(url: string, method: string, path: string, key: string | null, body?: unknown) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as any };
}

test('jobs, users and keys survive a restart on the same data', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'ce-restart-'));
  const scratch = serverUrl ? await createScratchDatabase(serverUrl) : null;
  const options: CoordinatorOptions = { port: 0, host: '127.0.0.1', dataDir, logLevel: 'silent', ...(scratch ? { databaseUrl: scratch.url } : {}) };
  try {
    const firstOut: string[] = [];
    const first = await startCoordinator(options, (l) => firstOut.push(l));
    const keyFile = join(dataDir, 'admin-key');
    const adminKey = (await readFile(keyFile, 'utf8')).trim();
    t.is((await stat(keyFile)).mode & 0o777, 0o600, 'the key file is readable by its owner only');
    t.true(firstOut.some((l) => l.includes(adminKey)), 'the generated key is printed on first start');
    // …and a console password, so `npm start` on a fresh clone can be signed in to
    const passwordFile = join(dataDir, 'admin-password');
    const password = (await readFile(passwordFile, 'utf8')).trim();
    t.is((await stat(passwordFile)).mode & 0o777, 0o600, 'the password file is readable by its owner only');
    t.true(firstOut.some((l) => l.includes(password)), 'the generated password is printed on first start');
    const signIn = await fetch(`${first.url}/api/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'admin@cloudexport.local', password }) });
    t.is(signIn.status, 201, 'the admin signs in to the console with it');
    t.is((await call(first.url, 'GET', '/healthz', null)).status, 200);

    const artist = await call(first.url, 'POST', '/api/v1/users', adminKey, { email: 'keep@example.test', name: 'Keep', role: 'artist' });
    const artistKey = (await call(first.url, 'POST', '/api/v1/api-keys', adminKey, { name: 'k', userId: artist.body.id })).body.key;
    const job = (await call(first.url, 'POST', '/api/v1/jobs', artistKey, sampleJob)).body;
    await first.stop();

    const secondOut: string[] = [];
    const second = await startCoordinator(options, (l) => secondOut.push(l));
    try {
      t.false(secondOut.join('\n').includes(adminKey), 'the key is never printed again');
      t.false(secondOut.join('\n').includes(password), 'nor the password');
      t.is((await call(second.url, 'GET', '/api/v1/tiers', adminKey)).status, 200);
      const again = await call(second.url, 'GET', `/api/v1/jobs/${job.id}`, artistKey);
      t.is(again.status, 200);
      t.deepEqual(again.body, job);
      t.is((await call(second.url, 'GET', `/api/v1/jobs/${job.id}/chunks`, artistKey)).body.items.length, job.chunkCount);
    } finally {
      await second.stop();
    }

    // an operator-chosen key works from the next start, beside the generated one
    const chosen = 'chosen-admin-key-0123456789';
    const third = await startCoordinator({ ...options, adminKey: chosen }, () => {});
    try {
      t.is((await call(third.url, 'GET', '/api/v1/tiers', chosen)).status, 200);
      t.is((await call(third.url, 'GET', '/api/v1/tiers', null)).status, 401);
      t.is((await call(third.url, 'GET', '/api/v1/tiers', adminKey)).status, 200);
    } finally {
      await third.stop();
    }
  } finally {
    await scratch?.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
});

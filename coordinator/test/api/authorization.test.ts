import test from 'ava';
import { apiRoutes, type RouteName } from '@cloudexport/shared';
import { sampleJob, startTestCoordinator, type Identity, type TestCoordinator } from '../helpers/test-coordinator.js';
import { enrollBody, seedNode } from '../helpers/seed-node.js';
import { manifestOf, sealFile, sendSigned, startBody, uploadBlob, uploadBundle } from '../helpers/bundle-client.js';

// Every endpoint × every kind of caller. The expected statuses are written out here, not derived
// from the route table, so a route whose roles drift fails this test.

type Who = 'none' | 'wrongKey' | 'artistA' | 'artistB' | 'provider' | 'admin';
const WHO: Who[] = ['none', 'wrongKey', 'artistA', 'artistB', 'provider', 'admin'];
const ALL_ROLES = { none: 401, wrongKey: 401 } as const;
const anyone = (ok: number) => ({ ...ALL_ROLES, artistA: ok, artistB: ok, provider: ok, admin: ok });
const adminOnly = (ok: number) => ({ ...ALL_ROLES, artistA: 403, artistB: 403, provider: 403, admin: ok });
/** artistA owns the resource: B sees 404 (not 403, so ids do not leak existence). */
const artistOwned = (ok: number) => ({ ...ALL_ROLES, artistA: ok, artistB: 404, provider: 403, admin: ok });

const EXPECTED: Record<RouteName, Record<Who, number>> = {
  getMe: anyone(200),
  listUsers: adminOnly(200),
  createUser: adminOnly(201),
  getUser: adminOnly(200),
  updateUser: adminOnly(200),
  // your own (artistA has no password yet, so none is asked for), or anyone's as an admin
  setUserPassword: { ...ALL_ROLES, artistA: 200, artistB: 403, provider: 403, admin: 200 },
  // public: the password in the body is the credential, whatever the header says
  createSession: { none: 201, wrongKey: 201, artistA: 201, artistB: 201, provider: 201, admin: 201 },
  // about the browser's own session: an API key is not one
  getCurrentSession: { none: 401, wrongKey: 401, artistA: 401, artistB: 401, provider: 401, admin: 401 },
  deleteCurrentSession: { none: 401, wrongKey: 401, artistA: 401, artistB: 401, provider: 401, admin: 401 },
  createInvite: adminOnly(201),
  // public: the invite token in the body is the credential
  acceptInvite: { none: 201, wrongKey: 201, artistA: 201, artistB: 201, provider: 201, admin: 201 },
  listApiKeys: anyone(200),
  createApiKey: anyone(201),
  revokeApiKey: { ...ALL_ROLES, artistA: 200, artistB: 404, provider: 404, admin: 200 },
  createEstimate: anyone(200),
  listTiers: anyone(200),
  updateTier: adminOnly(200),
  createJob: { ...ALL_ROLES, artistA: 201, artistB: 201, provider: 403, admin: 201 },
  listJobs: { ...ALL_ROLES, artistA: 200, artistB: 200, provider: 403, admin: 200 },
  getJob: artistOwned(200),
  listJobChunks: artistOwned(200),
  cancelJob: artistOwned(200),
  // artistA's cancelled job, run again
  retryJob: artistOwned(200),
  listJobAttempts: artistOwned(200),
  listJobOutputs: artistOwned(200),
  missingBlobs: { ...ALL_ROLES, artistA: 200, artistB: 200, provider: 403, admin: 200 },
  startBlobUpload: { ...ALL_ROLES, artistA: 200, artistB: 200, provider: 403, admin: 200 },
  // files are per owner: not even an admin completes another user's upload
  completeBlobUpload: { ...ALL_ROLES, artistA: 200, artistB: 404, provider: 403, admin: 404 },
  createBundle: { ...ALL_ROLES, artistA: 201, artistB: 201, provider: 403, admin: 201 },
  getBundle: artistOwned(200),
  listNodes: { ...ALL_ROLES, artistA: 403, artistB: 403, provider: 200, admin: 200 },
  getNode: { ...ALL_ROLES, artistA: 403, artistB: 403, provider: 200, admin: 200 },
  drainNode: { ...ALL_ROLES, artistA: 403, artistB: 403, provider: 200, admin: 200 },
  disableNode: adminOnly(200),
  enableNode: { ...ALL_ROLES, artistA: 403, artistB: 403, provider: 200, admin: 200 },
  revokeNode: { ...ALL_ROLES, artistA: 403, artistB: 403, provider: 200, admin: 200 },
  listNodeAttempts: { ...ALL_ROLES, artistA: 403, artistB: 403, provider: 200, admin: 200 },
  listNodeBlocks: { ...ALL_ROLES, artistA: 403, artistB: 403, provider: 200, admin: 200 },
  // one's own figures (an admin may ask for anyone's)
  getSpending: { ...ALL_ROLES, artistA: 200, artistB: 200, provider: 403, admin: 200 },
  getEarnings: { ...ALL_ROLES, artistA: 403, artistB: 403, provider: 200, admin: 200 },
  createEnrollmentToken: { ...ALL_ROLES, artistA: 403, artistB: 403, provider: 201, admin: 201 },
  // public: the enrollment token in the body is the credential, whatever the header says
  enrollNode: { none: 201, wrongKey: 201, artistA: 201, artistB: 201, provider: 201, admin: 201 },
  listAudit: adminOnly(200),
  getMetricsHistory: adminOnly(200),
};

interface World {
  t: TestCoordinator;
  ids: Record<Exclude<Who, 'none' | 'wrongKey'>, Identity>;
  providerNode: string;
  adminNode: string;
  /** A user (not artistA) who signs in with a password. */
  signer: { email: string; password: string };
}

/** A request for `route` as `who`, on resources artistA owns (fresh ones where the call changes them). */
async function requestFor(w: World, route: RouteName, who: Who): Promise<{ path: string; body?: unknown }> {
  const a = w.ids.artistA;
  const newJob = async () => (await w.t.call('POST', '/api/v1/jobs', { key: a.key, body: sampleJob })).body.id as string;
  switch (route) {
    case 'getUser':
    case 'updateUser':
      return { path: `/api/v1/users/${a.id}`, ...(route === 'updateUser' ? { body: { name: `renamed by ${who}` } } : {}) };
    case 'createUser':
      return { path: '/api/v1/users', body: { email: `new-${who}-${Math.random().toString(36).slice(2)}@example.test`, name: 'New', role: 'artist' } };
    case 'setUserPassword':
      return { path: `/api/v1/users/${a.id}/password`, body: { password: `password set by ${who}` } };
    case 'createSession':
      return { path: '/api/v1/sessions', body: w.signer };
    case 'createInvite':
      return { path: '/api/v1/invites', body: { email: `invited-${who}-${Math.random().toString(36).slice(2)}@example.test`, role: 'artist' } };
    case 'acceptInvite': {
      const email = `accepts-${who}-${Math.random().toString(36).slice(2)}@example.test`;
      const invite = await w.t.call('POST', '/api/v1/invites', { key: w.ids.admin.key, body: { email, role: 'provider' } });
      return { path: '/api/v1/invites/accept', body: { token: invite.body.token, name: 'Invited', password: 'a long enough password' } };
    }
    case 'createApiKey':
      return { path: '/api/v1/api-keys', body: { name: `key of ${who}` } };
    case 'revokeApiKey': {
      const k = await w.t.call('POST', '/api/v1/api-keys', { key: a.key, body: { name: 'to revoke' } });
      return { path: `/api/v1/api-keys/${k.body.apiKey.id}` };
    }
    case 'createEstimate':
      return { path: '/api/v1/estimates', body: { durationSeconds: 10, fps: 25, preset: 'web' } };
    case 'updateTier':
      return { path: '/api/v1/tiers/entry', body: { name: 'Entry' } };
    case 'createJob':
      return { path: '/api/v1/jobs', body: sampleJob };
    case 'getJob':
    case 'listJobChunks':
    case 'listJobOutputs':
    case 'listJobAttempts':
    case 'cancelJob': {
      const id = await newJob();
      const suffix = { getJob: '', listJobChunks: '/chunks', listJobOutputs: '/outputs', listJobAttempts: '/attempts', cancelJob: '/cancel' }[route];
      return { path: `/api/v1/jobs/${id}${suffix}` };
    }
    case 'retryJob': {
      // only a failed or cancelled job may run again
      const id = await newJob();
      await w.t.call('POST', `/api/v1/jobs/${id}/cancel`, { key: a.key });
      return { path: `/api/v1/jobs/${id}/retry` };
    }
    case 'listNodeAttempts':
    case 'listNodeBlocks':
      return { path: `/api/v1/nodes/${w.providerNode}/${route === 'listNodeAttempts' ? 'attempts' : 'blocks'}` };
    case 'missingBlobs':
      return { path: '/api/v1/blobs/missing', body: { blobs: [{ sha256: sealFile().sha256, size: 1 }] } };
    case 'startBlobUpload':
      return { path: '/api/v1/blobs', body: startBody(sealFile()) };
    case 'completeBlobUpload': {
      // artistA's upload, sent but not yet completed
      const f = sealFile();
      const start = await w.t.call('POST', '/api/v1/blobs', { key: a.key, body: startBody(f) });
      await sendSigned(start.body.request, f.sealed);
      return { path: `/api/v1/blobs/${f.sha256}/complete` };
    }
    case 'createBundle': {
      const f = sealFile();
      if (who === 'artistA' || who === 'artistB' || who === 'admin') await uploadBlob(w.t, w.ids[who].key, f);
      return { path: '/api/v1/bundles', body: { manifest: manifestOf([{ path: 'project.aep', file: f }]) } };
    }
    case 'getBundle':
      return { path: `/api/v1/bundles/${(await uploadBundle(w.t, a.key, [{ path: 'project.aep', file: sealFile() }])).id}` };
    case 'getNode':
      return { path: `/api/v1/nodes/${w.providerNode}` };
    case 'drainNode':
    case 'disableNode':
    case 'enableNode':
    case 'revokeNode': {
      // a fresh node of the provider's each time: these change it, and tests run concurrently
      const id = await seedNode(w.t.db, w.ids.provider.id, { name: `for ${route} by ${who}` });
      const suffix = { drainNode: '/drain', disableNode: '/disable', enableNode: '/enable', revokeNode: '' }[route];
      return { path: `/api/v1/nodes/${id}${suffix}` };
    }
    case 'createEnrollmentToken':
      return { path: '/api/v1/enrollment-tokens', body: {} };
    case 'enrollNode': {
      const token = (await w.t.call('POST', '/api/v1/enrollment-tokens', { key: w.ids.provider.key, body: {} })).body.token;
      return { path: '/api/v1/nodes/enroll', body: enrollBody(token) };
    }
    default: {
      const def = apiRoutes[route];
      return { path: `/api/v1${def.path}` };
    }
  }
}

let world: World;

test.before(async () => {
  const t = await startTestCoordinator();
  const ids = {
    artistA: await t.user('artist', 'Artist A'),
    artistB: await t.user('artist', 'Artist B'),
    provider: await t.user('provider'),
    admin: t.admin,
  };
  const providerNode = await seedNode(t.db, ids.provider.id, { name: 'provider-node' });
  const adminNode = await seedNode(t.db, t.admin.id, { name: 'admin-node' });
  // something of artistA's that no one else may ever see
  await t.call('POST', '/api/v1/jobs', { key: ids.artistA.key, body: sampleJob });
  const signerUser = await t.user('artist', 'Signer');
  const signer = { email: signerUser.email, password: 'the signer’s password' };
  await t.call('POST', `/api/v1/users/${signerUser.id}/password`, { key: t.admin.key, body: { password: signer.password } });
  world = { t, ids, providerNode, adminNode, signer };
});

test.after.always(async () => {
  await world?.t.stop();
});

test('the table covers every route', (t) => {
  t.deepEqual(Object.keys(EXPECTED).sort(), Object.keys(apiRoutes).sort());
});

for (const route of Object.keys(apiRoutes) as RouteName[]) {
  test(`${apiRoutes[route].method.toUpperCase()} ${apiRoutes[route].path}: who may call it`, async (t) => {
    const w = world;
    const a = w.ids.artistA;
    for (const who of WHO) {
      const { path, body } = await requestFor(w, route, who);
      const key = who === 'none' ? null : who === 'wrongKey' ? 'ce_00000000_not-a-real-key-at-all' : w.ids[who].key;
      const res = await w.t.call(apiRoutes[route].method.toUpperCase(), path, { key, ...(body !== undefined ? { body } : {}) });
      t.is(res.status, EXPECTED[route][who], `${who}: ${JSON.stringify(res.body)}`);
      if (res.status >= 400) {
        t.truthy(res.body?.error?.code, `${who}: error body has a code`);
        t.truthy(res.body?.error?.message, `${who}: error body has a message`);
      }
      if (res.status < 300 && who !== 'admin' && who !== 'artistA' && route !== 'createUser') {
        // nothing of artistA's reaches anyone else
        const text = JSON.stringify(res.body);
        t.false(text.includes(a.id), `${who} saw artistA's id in ${route}`);
        t.false(text.includes(a.email), `${who} saw artistA's email in ${route}`);
      }
      if (res.status < 300 && who === 'provider') {
        t.false(JSON.stringify(res.body).includes(w.adminNode), 'a provider never sees another owner’s node');
      }
    }
  });
}

test('lists are scoped to the caller', async (t) => {
  const { t: c, ids } = world;
  const jobsB = await c.call('GET', '/api/v1/jobs', { key: ids.artistB.key });
  t.true(jobsB.body.items.every((j: { ownerId: string }) => j.ownerId === ids.artistB.id));
  const jobsAll = await c.call('GET', '/api/v1/jobs', { key: ids.admin.key });
  t.true(jobsAll.body.items.some((j: { ownerId: string }) => j.ownerId === ids.artistA.id), 'admins see every job');
  const nodes = await c.call('GET', '/api/v1/nodes?limit=200', { key: ids.provider.key });
  t.true(nodes.body.items.some((n: { id: string }) => n.id === world.providerNode));
  t.true(nodes.body.items.every((n: { ownerId: string }) => n.ownerId === ids.provider.id));
  const keys = await c.call('GET', '/api/v1/api-keys', { key: ids.artistB.key });
  t.true(keys.body.items.every((k: { userId: string }) => k.userId === ids.artistB.id));
  t.is((await c.call('GET', `/api/v1/jobs?ownerId=${ids.artistA.id}`, { key: ids.artistB.key })).status, 403);
  t.is((await c.call('GET', `/api/v1/api-keys?userId=${ids.artistA.id}`, { key: ids.artistB.key })).status, 403);
  t.is((await c.call('POST', '/api/v1/api-keys', { key: ids.artistB.key, body: { name: 'x', userId: ids.artistA.id } })).status, 403);
});

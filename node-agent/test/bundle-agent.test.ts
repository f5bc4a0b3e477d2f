// The daemon's wiring for bundles: the real Agent over a real Socket.IO connection to a stand-in
// for the coordinator's /agents namespace (the coordinator side of bundle:open and output:begin is
// being built beside this; the lead's end-to-end test replaces this stand-in with it). The stand-in
// validates every payload with the shared schemas, so the agent is held to the protocol.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test, { type ExecutionContext } from 'ava';
import {
  AGENT_NAMESPACE,
  bundleOpenSchema,
  chunkDoneSchema,
  chunkFailedSchema,
  chunkProgressSchema,
  helloSchema,
  outputBeginSchema,
  type BundleTicket,
  type ChunkAssignment,
  type ChunkDone,
  type ChunkFailed,
  type Hello,
  type MachineReport,
  type OutputBegin,
} from '@cloudexport/shared';
import { openBuffer } from '@cloudexport/shared/node';
import { Server, type Socket } from 'socket.io';
import { BlobCache } from '../src/bundle/blob-cache.js';
import { BundleProjects } from '../src/bundle/bundle-projects.js';
import { Agent } from '../src/daemon/agent.js';
import { AerenderRenderEngine } from '../src/engine/aerender-render-engine.js';
import { generateKeyPairs, type NodeIdentity } from '../src/identity/node-identity.js';
import { makeTicket, silentLog, storageDouble, tempDir, type StorageDouble } from './bundle-fixtures.js';

const DOUBLE = fileURLToPath(new URL('./aerender-double/aerender-double.sh', import.meta.url));

const machine: MachineReport = {
  gpus: [{ model: 'NVIDIA GeForce RTX 4090', vendor: 'NVIDIA', vramMb: 24_564, driver: '550.54' }],
  cpu: { model: 'test', cores: 8 },
  ramMb: 65_536,
  freeDiskMb: 500_000,
  os: { platform: 'linux', release: '6', arch: 'x64', hostname: 'test' },
  aeInstalls: [{ version: '24.1', major: 24, path: DOUBLE }],
  ffmpeg: null,
  agentVersion: '0.1.0',
};

interface StandIn {
  url: string;
  hellos: Hello[];
  opens: number;
  begins: OutputBegin[];
  done: ChunkDone[];
  failed: ChunkFailed[];
  progress: string[];
  sockets: Socket[];
  assign(a: ChunkAssignment): Promise<unknown>;
}

/** The coordinator's side of the agent protocol, as far as one chunk needs it. */
async function standIn(t: ExecutionContext, storage: StorageDouble, bundleOpen: () => unknown): Promise<StandIn> {
  const http = createServer();
  const io = new Server(http);
  t.teardown(() => new Promise<void>((resolve) => void io.close(() => resolve())));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const s: StandIn = {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    hellos: [],
    opens: 0,
    begins: [],
    done: [],
    failed: [],
    progress: [],
    sockets: [],
    assign: (a) => s.sockets.at(-1)!.timeout(5_000).emitWithAck('chunk:assign', a),
  };
  io.of(AGENT_NAMESPACE).on('connection', (socket) => {
    s.sockets.push(socket);
    socket.on('hello', (payload, ack) => {
      s.hellos.push(helloSchema.parse(payload));
      ack({ nodeId: 'n', state: 'online', tierId: 'rtx-4090', heartbeatIntervalMs: 1_000, leaseMs: 30_000, cancel: [] });
    });
    socket.on('heartbeat', (_payload, ack) => ack({ cancel: [] }));
    socket.on('chunk:progress', (payload, ack) => {
      const p = chunkProgressSchema.parse(payload);
      if (s.progress.at(-1) !== p.state) s.progress.push(p.state);
      ack({ ok: true });
    });
    socket.on('chunk:warning', (_payload, ack) => ack({ ok: true }));
    socket.on('bundle:open', (payload, ack) => {
      bundleOpenSchema.parse(payload);
      s.opens += 1;
      ack(bundleOpen());
    });
    socket.on('output:begin', (payload, ack) => {
      const begin = outputBeginSchema.parse(payload);
      s.begins.push(begin);
      ack({ ok: true, uploads: begin.files.map((f) => ({ name: f.name, request: storage.request(`/outputs/${begin.chunkId}/${f.name}`, 'PUT') })) });
    });
    socket.on('chunk:done', (payload, ack) => {
      s.done.push(chunkDoneSchema.parse(payload));
      ack({ ok: true });
    });
    socket.on('chunk:failed', (payload, ack) => {
      s.failed.push(chunkFailedSchema.parse(payload));
      ack({ ok: true });
    });
  });
  return s;
}

async function until(t: ExecutionContext, what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return void t.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function setup(t: ExecutionContext, answer: (ticket: BundleTicket) => unknown) {
  const storage = await storageDouble(t);
  const home = await tempDir(t, 'agent-home-');
  const keys = generateKeyPairs();
  const ticket = makeTicket(storage, new Uint8Array(Buffer.from(keys.box.publicKey, 'base64')), [
    { path: 'project.aep', data: Buffer.from('RIFX…'), role: 'project' },
    { path: 'footage/plate.mov', data: randomBytes(200_000) },
  ]);
  const coordinator = await standIn(t, storage, () => answer(ticket));
  const identity: NodeIdentity = { nodeId: crypto.randomUUID(), coordinatorUrl: coordinator.url, name: 'test', ...keys };
  const workDir = join(home, 'work');
  // leftovers of a crashed run, which start() clears
  await mkdir(join(workDir, 'old-chunk'), { recursive: true });
  await writeFile(join(workDir, 'old-chunk', 'frame_00001.tif'), 'stale');
  const cache = await BlobCache.open({ dir: join(home, 'cache') });
  const agent = new Agent({
    identity,
    machine: async () => machine,
    engine: new AerenderRenderEngine({ aerenderPath: () => DOUBLE, aeMajor: 24, quietTimeoutMs: 30_000 }),
    projects: new BundleProjects({ cache, boxSecretKey: new Uint8Array(Buffer.from(keys.box.secretKey, 'base64')) }),
    cachedBundles: () => cache.cachedBundles(),
    workDir,
    log: silentLog,
    reconnectDelayMs: 50,
    reconnectDelayMaxMs: 200,
    requestPatienceMs: 2_000,
  });
  t.teardown(() => agent.stop());
  await agent.start();
  await until(t, 'hello', () => coordinator.hellos.length === 1);
  const a: ChunkAssignment = { chunkId: crypto.randomUUID(), epoch: 2, jobId: crypto.randomUUID(), index: 0, comp: 'Main', fps: 25, frameStart: 0, frameEnd: 3, bundle: ticket.bundleId, leaseMs: 30_000, kind: 'frames', frameDepth: 8, deliverable: null };
  return { storage, coordinator, agent, ticket, workDir, a, cache };
}

test.serial('assign → bundle:open → download → render → output:begin → PUT → chunk:done; work folder gone, bundle reported cached', async (t) => {
  const s = await setup(t, (ticket) => ({ ok: true, ticket }));
  t.deepEqual(s.coordinator.hellos[0]!.cachedBundles, []);
  t.deepEqual(await readdir(s.workDir), [], 'leftovers of an earlier run cleared at start');
  t.deepEqual(await s.coordinator.assign(s.a), { accepted: true });
  await until(t, 'chunk:done', () => s.coordinator.done.length === 1);
  await s.agent.idle();
  t.deepEqual(s.coordinator.done[0], { chunkId: s.a.chunkId, epoch: 2, frames: 4 });
  t.deepEqual(s.coordinator.failed, []);
  t.is(s.coordinator.opens, 1);
  t.deepEqual(s.coordinator.progress, ['DOWNLOADING', 'RENDERING', 'UPLOADING']);
  const begin = s.coordinator.begins[0]!;
  t.like(begin, { chunkId: s.a.chunkId, epoch: 2 });
  const key = new Uint8Array(Buffer.from(begin.key, 'base64'));
  for (const file of begin.files) {
    const stored = s.storage.received.get(`/outputs/${s.a.chunkId}/${file.name}`);
    t.truthy(stored, `${file.name} uploaded`);
    t.is(openBuffer(key, stored!.body).length, file.size);
  }
  t.false(existsSync(join(s.workDir, s.a.chunkId)), 'the chunk work folder is removed');
  t.true(s.cache.has(s.ticket.manifest.files[1]!.sha256), 'the cache stays');

  // the next connection reports the bundle as cached
  s.coordinator.sockets.at(-1)!.disconnect();
  await until(t, 'a second hello', () => s.coordinator.hellos.length === 2);
  t.deepEqual(s.coordinator.hellos[1]!.cachedBundles, [s.ticket.bundleId]);

  // a second chunk of the same job downloads nothing
  const requests = s.storage.totalRequests();
  await s.coordinator.assign({ ...s.a, chunkId: crypto.randomUUID(), frameStart: 4, frameEnd: 5 });
  await until(t, 'second chunk:done', () => s.coordinator.done.length === 2);
  t.is(s.storage.totalRequests() - requests, 2, 'only the two frame uploads: no bundle download');
});

test.serial('bundle:open refused: chunk:failed with reason "bundle" and the coordinator’s message; work folder removed', async (t) => {
  const s = await setup(t, () => ({ ok: false, code: 'not_yours', message: 'This chunk is not assigned to you.' }));
  await s.coordinator.assign(s.a);
  await until(t, 'chunk:failed', () => s.coordinator.failed.length === 1);
  await s.agent.idle();
  t.like(s.coordinator.failed[0], { chunkId: s.a.chunkId, epoch: 2, reason: 'bundle', message: 'The coordinator would not open the bundle: This chunk is not assigned to you. (not_yours)' });
  t.deepEqual(s.coordinator.done, []);
  t.deepEqual(await readdir(s.workDir), []);
  t.is(s.storage.totalRequests(), 0);
});

test.serial('an invalid ticket is refused like a refusal: the agent validates what it receives', async (t) => {
  const s = await setup(t, (ticket) => ({ ok: true, ticket: { ...ticket, manifest: { ...ticket.manifest, files: [{ ...ticket.manifest.files[0]!, path: '/etc/passwd' }] } } }));
  await s.coordinator.assign(s.a);
  await until(t, 'chunk:failed', () => s.coordinator.failed.length === 1);
  t.like(s.coordinator.failed[0], { reason: 'bundle' });
  t.regex(s.coordinator.failed[0]!.message, /bundle ticket is invalid \(manifest\.files\.0\.path: Bundle path "\/etc\/passwd" is absolute/);
  t.is(s.storage.totalRequests(), 0);
});

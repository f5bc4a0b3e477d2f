// One chunk through the daemon's pipeline without a coordinator: the ticket and the upload URLs
// come from the test (as bundle:open and output:begin would answer), the bundle from a real HTTP
// server, the render from the aerender TEST DOUBLE (real aerender cannot run here) through the real
// engine, and the uploaded frames are decrypted with the key the agent announced.
import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test, { type ExecutionContext } from 'ava';
import type { ChunkAssignment, ChunkProgress, OutputBegin } from '@cloudexport/shared';
import { openBuffer } from '@cloudexport/shared/node';
import { BlobCache } from '../src/bundle/blob-cache.js';
import { BundleProjects } from '../src/bundle/bundle-projects.js';
import type { BundleOpenAnswer } from '../src/daemon/project-source.js';
import type { RenderEngine, RenderJob } from '../src/daemon/render-engine.js';
import type { ChunkChannel, OutputBeginAnswer } from '../src/daemon/chunk-channel.js';
import { runChunk } from '../src/daemon/run-chunk.js';
import { AerenderRenderEngine } from '../src/engine/aerender-render-engine.js';
import { makeTicket, sha256, silentLog, storageDouble, tempDir, testNode, type StorageDouble } from './bundle-fixtures.js';

const DOUBLE = fileURLToPath(new URL('./aerender-double/aerender-double.sh', import.meta.url));

interface Recorder {
  channel: ChunkChannel;
  progress: ChunkProgress['state'][];
  begins: Pick<OutputBegin, 'key' | 'files'>[];
  warnings: string[];
}

function recorder(storage: StorageDouble, open: () => BundleOpenAnswer, begin?: () => OutputBeginAnswer): Recorder {
  const r: Recorder = {
    progress: [],
    begins: [],
    warnings: [],
    channel: {
      progress: (state) => void (r.progress.at(-1) !== state && r.progress.push(state)),
      warning: (m) => void r.warnings.push(m),
      openBundle: async () => open(),
      beginOutputs: async (b) => {
        r.begins.push(b);
        return begin?.() ?? { ok: true, uploads: b.files.map((f) => ({ name: f.name, request: storage.request(`/outputs/${f.name}`, 'PUT') })) };
      },
      openAssembly: async () => ({ ok: false, message: 'frame chunks do not assemble' }),
      preview: async () => null,
    },
  };
  return r;
}

async function setup(t: ExecutionContext, capBytes?: number) {
  const storage = await storageDouble(t);
  const node = testNode();
  const home = await tempDir(t, 'agent-home-');
  const cache = await BlobCache.open({ dir: join(home, 'cache'), ...(capBytes === undefined ? {} : { capBytes }) });
  const ticket = makeTicket(storage, node.publicKey, [
    { path: 'project.aep', data: Buffer.from('RIFX…'), role: 'project' },
    { path: 'footage/plate.mov', data: randomBytes(100_000) },
  ]);
  const a: ChunkAssignment = { chunkId: crypto.randomUUID(), epoch: 3, jobId: crypto.randomUUID(), index: 0, comp: 'Main', fps: 25, frameStart: 10, frameEnd: 14, bundle: ticket.bundleId, leaseMs: 30_000, kind: 'frames', frameDepth: 8, deliverable: null };
  const jobs: RenderJob[] = [];
  const real = new AerenderRenderEngine({ aerenderPath: () => DOUBLE, aeMajor: 24, quietTimeoutMs: 30_000 });
  const engine: RenderEngine = { render: (job, callbacks, signal) => (jobs.push(job), real.render(job, callbacks, signal)) };
  const projects = new BundleProjects({ cache, boxSecretKey: node.secretKey });
  return { storage, ticket, a, jobs, engine, projects, chunkDir: join(home, 'work', a.chunkId), cache };
}

test.serial('bundle in, frames rendered, frames out sealed: the storage copies decrypt to the frames', async (t) => {
  const s = await setup(t);
  const r = recorder(s.storage, () => ({ ok: true, ticket: s.ticket }));
  const outcome = await runChunk(s.a, s.chunkDir, { projects: s.projects, engine: s.engine, log: silentLog }, r.channel, new AbortController().signal);
  t.deepEqual(outcome, { kind: 'done', frames: 5 });
  t.deepEqual(r.progress, ['DOWNLOADING', 'RENDERING', 'UPLOADING']);
  t.is(s.jobs[0]!.projectPath, join(s.chunkDir, 'bundle', 'project.aep'), 'aerender opened the bundle copy');
  t.true(s.cache.has(s.ticket.manifest.files[1]!.sha256));

  const frameNames = (await readdir(join(s.chunkDir, 'frames'))).sort();
  t.deepEqual(frameNames, ['frame_00010.tif', 'frame_00011.tif', 'frame_00012.tif', 'frame_00013.tif', 'frame_00014.tif']);
  t.is(r.begins.length, 1);
  const begin = r.begins[0]!;
  const key = new Uint8Array(Buffer.from(begin.key, 'base64'));
  t.is(key.length, 32);
  t.deepEqual(
    begin.files.map((f) => f.name),
    frameNames,
  );
  for (const file of begin.files) {
    const frame = await readFile(join(s.chunkDir, 'frames', file.name));
    t.is(file.sha256, sha256(frame));
    t.is(file.size, frame.length);
    const stored = s.storage.received.get(`/outputs/${file.name}`);
    t.is(stored?.body.length, file.sealedSize);
    t.deepEqual(openBuffer(key, stored!.body), frame, `${file.name} decrypts to the rendered frame`);
  }
});

test.serial('each chunk seals its outputs under a fresh key', async (t) => {
  const s = await setup(t);
  const r = recorder(s.storage, () => ({ ok: true, ticket: s.ticket }));
  await runChunk(s.a, s.chunkDir, { projects: s.projects, engine: s.engine, log: silentLog }, r.channel, new AbortController().signal);
  await runChunk({ ...s.a, chunkId: crypto.randomUUID() }, `${s.chunkDir}-2`, { projects: s.projects, engine: s.engine, log: silentLog }, r.channel, new AbortController().signal);
  t.is(r.begins.length, 2);
  t.not(r.begins[0]!.key, r.begins[1]!.key);
});

test.serial('output:begin refused: the chunk fails with the coordinator’s message and nothing is uploaded', async (t) => {
  const s = await setup(t);
  const r = recorder(s.storage, () => ({ ok: true, ticket: s.ticket }), () => ({ ok: false, message: 'stale epoch (stale_epoch)' }));
  const outcome = await runChunk(s.a, s.chunkDir, { projects: s.projects, engine: s.engine, log: silentLog }, r.channel, new AbortController().signal);
  t.like(outcome, { kind: 'failed', reason: 'internal', message: 'The coordinator would not take the rendered frames: stale epoch (stale_epoch)' });
  t.is(s.storage.received.size, 0);
});

test.serial('a bundle that cannot be opened fails the chunk with reason "bundle" and never starts aerender', async (t) => {
  const s = await setup(t);
  const r = recorder(s.storage, () => ({ ok: false, message: 'not_yours' }));
  const outcome = await runChunk(s.a, s.chunkDir, { projects: s.projects, engine: s.engine, log: silentLog }, r.channel, new AbortController().signal);
  t.like(outcome, { kind: 'failed', reason: 'bundle', message: 'The coordinator would not open the bundle: not_yours' });
  t.is(s.jobs.length, 0);
});

test.serial('a chunk taken back mid-render stops without a report; its blobs, kept over the cap while in use, are then let go', async (t) => {
  const s = await setup(t, 1); // a one-byte cap: only pins keep anything
  const controller = new AbortController();
  const r = recorder(s.storage, () => ({ ok: true, ticket: s.ticket }));
  let cachedWhileRendering = -1;
  // stands in for a long render: waits until the chunk is taken back
  const engine: RenderEngine = {
    render: (_job, _callbacks, signal) => {
      cachedWhileRendering = s.cache.blobCount;
      setTimeout(() => controller.abort(new Error('taken back')), 20);
      return new Promise((resolve) => signal.addEventListener('abort', () => resolve({ ok: false, reason: 'cancelled', message: 'stopped', lastLines: [] })));
    },
  };
  const outcome = await runChunk(s.a, s.chunkDir, { projects: s.projects, engine, log: silentLog }, r.channel, controller.signal);
  t.deepEqual(outcome, { kind: 'stopped' });
  t.is(r.begins.length, 0);
  t.is(cachedWhileRendering, 2, 'in use: kept though over the cap');
  await s.cache.trim();
  t.is(s.cache.blobCount, 0, 'released when the chunk ended');
});

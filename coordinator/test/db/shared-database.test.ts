import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import pino from 'pino';
import { createCoordinator, type Coordinator } from '../../src/app.js';
import { compileConfig } from '../../src/config.js';
import { openDatabase, type Database } from '../../src/db/open-database.js';
import { sampleJob } from '../helpers/test-coordinator.js';
import { eventually, TestAgent } from '../helpers/test-agent.js';
import { createScratchDatabase, serverUrl } from '../helpers/test-database.js';

// Two coordinators on one PostgreSQL hand out one job's chunks to agents connected to either:
// SKIP LOCKED claims must never give a chunk to two nodes. PGlite is one session, so this
// needs a real server (CI runs it with DATABASE_URL).

const run = serverUrl ? test : test.skip;
if (!serverUrl) console.log('shared-database: skipped on the embedded database; run with DATABASE_URL (CI does)');

run('two coordinators sharing a database never assign a chunk twice', async (t) => {
  const scratch = await createScratchDatabase(serverUrl!);
  const adminKey = 'shared-db-admin-key-123456';
  const started: { db: Database; coordinator: Coordinator; url: string }[] = [];
  try {
    for (let i = 0; i < 2; i++) {
      const db = await openDatabase({ kind: 'postgres', url: scratch.url, poolMax: 10 });
      const config = compileConfig({ port: 0, host: '127.0.0.1', dataDir: await mkdtemp(join(tmpdir(), 'ce-shared-')), adminKey, rateLimitPerSecond: 10_000 });
      const coordinator = await createCoordinator({ config, db, log: pino({ level: 'silent' }) });
      started.push({ db, coordinator, url: await coordinator.listen() });
    }
    const call = async (url: string, method: string, path: string, key: string | null, body?: unknown) => {
      const res = await fetch(`${url}${path}`, { method, headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
      return { status: res.status, body: (await res.json()) as any };
    };
    const fake = (url: string) => ({ url, call: <T>(m: string, p: string, o: { key?: string | null; body?: unknown } = {}) => call(url, m, p, o.key ?? null, o.body) as Promise<{ status: number; body: T }> });
    const agents: TestAgent[] = [];
    for (let i = 0; i < 8; i++) {
      const target = started[i % 2]!;
      agents.push(await TestAgent.enroll(fake(target.url) as never, adminKey, undefined, `shared-${i}`));
    }
    const job = (await call(started[0]!.url, 'POST', '/api/v1/jobs', adminKey, { ...sampleJob, comp: { ...sampleJob.comp, frameEnd: 119 }, chunkSize: 1 })).body;
    // each agent finishes whatever it gets at once, so the claim race repeats ~120 times
    for (const agent of agents) {
      await agent.connect();
      agent.socket!.on('chunk:assign', (a: { chunkId: string; epoch: number }) => {
        void agent.send('chunk:done', { chunkId: a.chunkId, epoch: a.epoch, frames: 1 });
      });
      await agent.hello();
    }
    const done = await eventually(async () => {
      const j = (await call(started[1]!.url, 'GET', `/api/v1/jobs/${job.id}`, adminKey)).body;
      return j.state === 'COMPLETED' && j;
    }, 60_000, 'the job to complete');
    t.is(done.framesDone, 120);
    const assignments = agents.flatMap((a) => a.assignments.map((x) => `${x.chunkId}@${x.epoch}`));
    t.is(new Set(assignments).size, assignments.length, 'no chunk handed out twice under one epoch');
    t.is(new Set(agents.flatMap((a) => a.assignments.map((x) => x.chunkId))).size, 120);
    t.true(agents.filter((a) => a.assignments.length > 0).length > 4, 'the work spread over both coordinators’ agents');
    for (const a of agents) a.close();
  } finally {
    for (const s of started) {
      await s.coordinator.close();
      await s.db.close();
    }
    await scratch.drop();
  }
});

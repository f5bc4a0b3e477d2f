// Dispatch benchmark: N simulated agents connected to one coordinator, M single-frame chunks,
// on a real PostgreSQL. Prints connect time, coordinator RSS, chunks booked per second and
// p50/p99 from chunk queued to node assigned, beside OpenCue's published 975 frames/s.
//   DATABASE_URL=postgres://… npx tsx scripts/bench/dispatch.ts [--agents 1000] [--chunks 10000] [--jobs 10]
import { readdirSync, readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import pg from 'pg';
import pino from 'pino';
import { compileConfig, createCoordinator, openDatabase } from '@cloudexport/coordinator';
import { forkBenchAgents, seedBenchNodes } from './bench-nodes.js';

const opts = new Command('dispatch')
  .option('--agents <n>', 'simulated agents', (v) => Number.parseInt(v, 10), 1000)
  .option('--chunks <n>', 'single-frame chunks', (v) => Number.parseInt(v, 10), 10_000)
  .option('--jobs <n>', 'jobs the chunks are spread over', (v) => Number.parseInt(v, 10), 10)
  .parse()
  .opts<{ agents: number; chunks: number; jobs: number }>();

const serverUrl = process.env.DATABASE_URL;
if (!serverUrl) {
  console.error('dispatch: needs a real PostgreSQL. Start one (bash scripts/ci/start-postgres.sh) and set DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/postgres');
  process.exit(2);
}
const OPENCUE_FRAMES_PER_S = 975;

/** CPU seconds used so far by every PostgreSQL process on this machine (Linux /proc), or null. */
function postgresCpuSeconds(): number | null {
  try {
    let ticks = 0;
    for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        if (!stat.includes('(postgres)')) continue;
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        ticks += Number(fields[11]) + Number(fields[12]);
      } catch {
        // the process ended while we looked
      }
    }
    return ticks / 100;
  } catch {
    return null;
  }
}

const admin = new pg.Client({ connectionString: serverUrl });
await admin.connect();
const dbName = `ce_bench_${Date.now()}`;
await admin.query(`create database "${dbName}"`);
const url = new URL(serverUrl);
url.pathname = `/${dbName}`;

const db = await openDatabase({ kind: 'postgres', url: url.toString(), poolMax: 20 });
const adminKey = `bench-admin-${randomUUID()}`;
const config = compileConfig({ port: 0, host: '127.0.0.1', dataDir: await mkdtemp(join(tmpdir(), 'ce-bench-')), adminKey, rateLimitPerSecond: 100_000, logLevel: 'silent' });
const coordinator = await createCoordinator({ config, db, log: pino({ level: process.env.LOG_LEVEL ?? 'silent' }) });
const coordinatorUrl = await coordinator.listen();
const rssBefore = process.memoryUsage().rss;

// nodes straight into the table: enrollment is not what this measures
const conn = db.orm.em.getConnection();
const nodes = await seedBenchNodes(conn, opts.agents, coordinator.bootstrap.adminId);

const { child, message } = forkBenchAgents(new URL('./dispatch-agents.ts', import.meta.url), coordinatorUrl, nodes);
process.stdout.write(`connecting ${opts.agents} agents… `);
const connected = await message('connected');
console.log(`${(connected.ms / 1000).toFixed(2)} s`);
const rssConnected = process.memoryUsage().rss;

let peakRss = rssConnected;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
const perJob = Math.ceil(opts.chunks / opts.jobs);
const queuedAt = new Map<string, number>();
const t0 = Date.now();
const cpu0 = process.cpuUsage();
const pg0 = postgresCpuSeconds();
for (let j = 0; j < opts.jobs; j++) {
  const frames = Math.min(perJob, opts.chunks - j * perJob);
  if (frames <= 0) break;
  const res = await fetch(`${coordinatorUrl}/api/v1/jobs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ comp: { name: `bench-${j}`, width: 1920, height: 1080, fps: 25, frameStart: 0, frameEnd: frames - 1 }, preset: 'web', chunkSize: 1 }),
  });
  const job = (await res.json()) as { id: string };
  queuedAt.set(job.id, Date.now());
}

// a progress bar while the fleet chews through the queue
for (;;) {
  const [row] = await conn.execute<{ done: string }[]>(`select count(*) as done from chunks where state = 'DONE'`);
  const done = Number(row!.done);
  const width = 30;
  const filled = Math.round((done / opts.chunks) * width);
  process.stdout.write(`\rbooking [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${opts.chunks}`);
  if (done >= opts.chunks) break;
  await new Promise((r) => setTimeout(r, 250));
}
process.stdout.write('\n');
clearInterval(sampler);
const cpu = process.cpuUsage(cpu0);
const pg1 = postgresCpuSeconds();

child.send({ type: 'report' });
const { assigned, cpuMs: agentsCpuMs } = (await message('report')) as { assigned: [string, number][]; cpuMs: number };
const chunkJob = new Map((await conn.execute<{ id: string; job_id: string }[]>('select id, job_id from chunks')).map((r) => [r.id, r.job_id]));
const latencies = assigned.map(([chunkId, at]) => at - queuedAt.get(chunkJob.get(chunkId)!)!).sort((a, b) => a - b);
const lastAssigned = Math.max(...assigned.map(([, at]) => at));
const booked = assigned.length / ((lastAssigned - t0) / 1000);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!;
const mb = (b: number) => `${Math.round(b / 1024 / 1024)} MB`;

console.log(`agents:                 ${opts.agents} (connect + hello: ${(connected.ms / 1000).toFixed(2)} s)`);
console.log(`chunks:                 ${opts.chunks} single-frame, in ${opts.jobs} jobs`);
console.log(`coordinator RSS:        ${mb(rssBefore)} idle → ${mb(rssConnected)} with agents → ${mb(peakRss)} peak booking`);
console.log(`booked:                 ${booked.toFixed(0)} chunks/s (${(booked / OPENCUE_FRAMES_PER_S).toFixed(2)}× OpenCue's 975 frames/s)`);
console.log(`queued → assigned:      p50 ${(pct(50) / 1000).toFixed(2)} s, p99 ${(pct(99) / 1000).toFixed(2)} s (includes waiting behind the queue)`);
console.log(`assignments:            ${assigned.length} (${new Set(assigned.map(([id]) => id)).size} distinct chunks)`);
const perChunk = (ms: number) => `${(ms / opts.chunks).toFixed(2)} ms`;
const coordinatorMs = (cpu.user + cpu.system) / 1000;
const pgMs = pg0 !== null && pg1 !== null ? (pg1 - pg0) * 1000 : null;
console.log(`CPU per chunk booked:   coordinator ${perChunk(coordinatorMs)}, PostgreSQL ${pgMs === null ? 'n/a' : perChunk(pgMs)}, the ${opts.agents} simulated agents ${perChunk(agentsCpuMs)} (${os.cpus().length} cores shared by all three)`);
console.log(`coordinator capacity:   ${Math.round((opts.chunks / coordinatorMs) * 1000)} chunks/s per core of coordinator CPU (${((opts.chunks / coordinatorMs) * 1000 / OPENCUE_FRAMES_PER_S).toFixed(1)}× OpenCue)`);

await coordinator.close();
await db.close();
await admin.query(`drop database if exists "${dbName}" with (force)`);
await admin.end();
process.exit(0);

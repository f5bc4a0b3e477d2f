import test from 'ava';
import pino from 'pino';
import type { MetricsHistory } from '@cloudexport/shared';
import { startMetricsSampler } from '../../src/metrics/metrics-sampler.js';
import { seedNode } from '../helpers/seed-node.js';
import { eventually } from '../helpers/test-agent.js';
import { sampleJob, startTestCoordinator, type TestCoordinator } from '../helpers/test-coordinator.js';

// The console's fleet charts: the sampler's rows, the history route over them, and /metrics.

const SAMPLE_MS = 200;
let c: TestCoordinator;

test.before(async () => {
  c = await startTestCoordinator({ config: { metricsSampleMs: SAMPLE_MS } });
});
test.after.always(async () => c?.stop());

const sql = <T = Record<string, unknown>>(text: string, params: unknown[] = []) => c.db.orm.em.getConnection().execute<T[]>(text, params);
const minute = 60_000;

test.serial('a sample holds the fleet’s figures, frames of frame chunks finished in the slot before; one per slot however many coordinators try; 8 days kept', async (t) => {
  // two days back: the coordinator's own sampler (real time) never writes these slots
  const at = Math.floor((Date.now() - 2 * 24 * 3600_000) / minute) * minute;
  const clock = { now: () => new Date(at + 1_500) };
  const owner = c.admin.id;
  await seedNode(c.db, owner, { name: 'idle', state: 'online' });
  const busy = await seedNode(c.db, owner, { name: 'busy', state: 'busy' });
  const draining = await seedNode(c.db, owner, { name: 'draining', state: 'draining' });
  await seedNode(c.db, owner, { name: 'away', state: 'offline' });
  await seedNode(c.db, owner, { name: 'banned', state: 'disabled' });
  const silent = await seedNode(c.db, owner, { name: 'silent', state: 'online' });
  await sql(`update nodes set last_heartbeat_at = ? where id = ?`, [new Date(clock.now().getTime() - 60_000), silent]);
  const revoked = await seedNode(c.db, owner, { name: 'revoked', state: 'online' });
  await sql(`update nodes set revoked_at = ? where id = ?`, [new Date(), revoked]);

  const job = await c.call('POST', '/api/v1/jobs', { key: c.admin.key, body: { ...sampleJob, chunkSize: 25 } });
  t.is(job.status, 201);
  const running = await c.call('POST', '/api/v1/jobs', { key: c.admin.key, body: sampleJob });
  await sql(`update jobs set state = 'RENDERING' where id = ?`, [running.body.id]);
  const chunks = await sql<{ id: string; kind: string; frame_start: number; frame_end: number }>(`select id, kind, frame_start, frame_end from chunks where job_id = ? order by index`, [job.body.id]);
  const frames = chunks.filter((ch) => ch.kind === 'frames');
  t.true(frames.length >= 6);
  // busy is holding a chunk: the busy node, and the draining one finishing its last
  await sql(`update nodes set current_chunk_id = ? where id = ?`, [frames[4]!.id, busy]);
  await sql(`update nodes set current_chunk_id = ? where id = ?`, [frames[5]!.id, draining]);
  // two finished in the window, one just before it, one failed in it; the assembly, if any, is no frames
  const attempt = async (chunkId: string, outcome: string, endedAt: number, epoch = 1) =>
    sql(`insert into chunk_attempts (id, chunk_id, job_id, node_id, epoch, outcome, started_at, ended_at) values (gen_random_uuid(), ?, ?, ?, ?, ?, ?, ?)`, [chunkId, job.body.id, busy, epoch, outcome, new Date(endedAt - 5_000), new Date(endedAt)]);
  await attempt(frames[0]!.id, 'done', at - 30_000);
  await attempt(frames[1]!.id, 'done', at - 1);
  await attempt(frames[2]!.id, 'done', at - minute - 1);
  await attempt(frames[3]!.id, 'failed', at - 10_000);
  const assembly = chunks.find((ch) => ch.kind !== 'frames');
  if (assembly) await attempt(assembly.id, 'done', at - 20_000);
  await sql(`update chunks set state = 'DONE' where id in (?, ?, ?)`, [frames[0]!.id, frames[1]!.id, frames[2]!.id]);
  const [queued] = await sql<{ n: string }>(`select count(*) as n from chunks where state = 'QUEUED'`);

  // rows from 9 and 5 days before: the first is pruned
  const old = (days: number) => new Date(at - days * 24 * 3600_000);
  for (const days of [9, 5]) await sql(`insert into metric_samples (at, window_ms, nodes_online, nodes_busy, frames_done, queue_depth, jobs_running) values (?, 60000, 0, 0, 0, 0, 0)`, [old(days)]);

  const log = pino({ level: 'silent' });
  const first = startMetricsSampler({ orm: c.db.orm, clock, log, sampleMs: minute });
  const second = startMetricsSampler({ orm: c.db.orm, clock, log, sampleMs: minute });
  try {
    t.true(await first.sampleNow(), 'the first coordinator takes the slot');
    t.false(await second.sampleNow(), 'another coordinator sharing the database does not take it again');
  } finally {
    await Promise.all([first.stop(), second.stop()]);
  }
  const rows = await sql<Record<string, unknown>>(`select * from metric_samples where at = ?`, [new Date(at)]);
  t.is(rows.length, 1);
  const count = (ch: { frame_start: number; frame_end: number }) => ch.frame_end - ch.frame_start + 1;
  t.like(rows[0], {
    window_ms: minute,
    nodes_online: 3, // idle, busy, draining: not offline, disabled, silent or revoked
    nodes_busy: 2,
    frames_done: count(frames[0]!) + count(frames[1]!),
    queue_depth: Number(queued!.n),
    jobs_running: 1,
  });
  const kept = await sql<{ at: Date }>(`select at from metric_samples where at in (?, ?)`, [old(9), old(5)]);
  t.deepEqual(kept.map((r) => new Date(r.at).getTime()), [old(5).getTime()], 'older than 8 days is deleted');
});

test.serial('the coordinator samples by itself every metricsSampleMs, one row per slot', async (t) => {
  const since = new Date();
  const rows = await eventually(async () => {
    const found = await sql<{ at: Date }>(`select at from metric_samples where at >= ? order by at`, [since]);
    return found.length >= 3 && found;
  }, 10_000, 'three samples');
  const times = rows.map((r) => new Date(r.at).getTime());
  t.true(times.every((ms) => ms % SAMPLE_MS === 0), 'at the slots’ starts');
});

test.serial('history: the window’s points oldest first, frames per minute from the samples; longer windows averaged', async (t) => {
  const base = Math.floor(Date.now() / minute) * minute;
  const point = (minutesAgo: number, nodes: number, frames: number) => [new Date(base - minutesAgo * minute), minute, nodes, 1, frames, 7, 2];
  // 10, 9 and 8 minutes ago (clear of the running sampler's rows), and one 25 h ago
  for (const row of [point(10, 4, 120), point(9, 6, 30), point(8, 5, 0), point(25 * 60, 9, 600)]) {
    await sql(`insert into metric_samples (at, window_ms, nodes_online, nodes_busy, frames_done, queue_depth, jobs_running) values (?, ?, ?, ?, ?, ?, ?) on conflict (at) do nothing`, row);
  }
  const day = await c.call<MetricsHistory>('GET', '/api/v1/metrics/history', { key: c.admin.key });
  t.is(day.status, 200, JSON.stringify(day.body));
  t.is(day.body.stepSeconds, 60);
  const times = day.body.points.map((p) => Date.parse(p.at));
  t.deepEqual(times, [...times].sort((a, b) => a - b), 'oldest first');
  const at = (minutesAgo: number) => day.body.points.find((p) => Date.parse(p.at) === base - minutesAgo * minute);
  t.deepEqual(at(10), { at: new Date(base - 10 * minute).toISOString(), nodesOnline: 4, nodesBusy: 1, framesPerMinute: 120, queueDepth: 7, jobsRunning: 2 });
  t.like(at(9), { nodesOnline: 6, framesPerMinute: 30 });
  t.like(at(8), { nodesOnline: 5, framesPerMinute: 0 });
  t.is(at(25 * 60), undefined, 'outside the 24 h window');

  const twoDays = await c.call<MetricsHistory>('GET', '/api/v1/metrics/history?hours=48', { key: c.admin.key });
  t.is(twoDays.body.stepSeconds, 120, 'at most 1440 points');
  t.truthy(twoDays.body.points.find((p) => Date.parse(p.at) === base - 25 * 60 * minute));
  // 10 and 9 minutes ago share a 2-minute step when 10 is even; either way frames per minute is over the samples' windows
  const merged = twoDays.body.points.find((p) => Date.parse(p.at) === base - 9 * minute || Date.parse(p.at) === base - 10 * minute)!;
  t.true([120, 75].includes(merged.framesPerMinute), `averaged: ${merged.framesPerMinute}`);

  const bad = await c.call('GET', '/api/v1/metrics/history?hours=0', { key: c.admin.key });
  t.is(bad.status, 400);
  t.is(bad.body.error.code, 'validation_failed');
});

test('/metrics: Prometheus text for admins (the fleet’s figures and the process’s), refused to anyone else', async (t) => {
  const res = await fetch(`${c.url}/metrics`, { headers: { authorization: `Bearer ${c.admin.key}` } });
  t.is(res.status, 200);
  t.regex(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  for (const name of ['cloudexport_nodes_online', 'cloudexport_nodes_busy', 'cloudexport_queue_depth', 'cloudexport_jobs_running', 'cloudexport_frames_per_minute']) {
    t.regex(text, new RegExp(`^# TYPE ${name} gauge$`, 'm'));
    t.regex(text, new RegExp(`^${name} \\d+(\\.\\d+)?$`, 'm'));
  }
  t.regex(text, /^process_cpu_user_seconds_total /m);
  t.regex(text, /^nodejs_eventloop_lag_seconds /m);

  const artist = await c.user('artist');
  const refused = await fetch(`${c.url}/metrics`, { headers: { authorization: `Bearer ${artist.key}` } });
  t.is(refused.status, 403);
  t.regex(((await refused.json()) as { error: { message: string } }).error.message, /admin/);
  const anonymous = await fetch(`${c.url}/metrics`);
  t.is(anonymous.status, 401);
});

// `cloudexport-agent`: enroll this machine, run the render daemon, check it, see how it is doing.
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command, InvalidArgumentError } from 'commander';
import pino from 'pino';
import { agentHome } from './agent-home.js';
import { BlobCache, DEFAULT_CACHE_BYTES } from './bundle/blob-cache.js';
import { BundleProjects } from './bundle/bundle-projects.js';
import { Agent } from './daemon/agent.js';
import { SharedFolderProjects } from './daemon/shared-folder-projects.js';
import { detectMachine } from './detect/machine.js';
import { createProbeDeps } from './detect/real-probe-deps.js';
import { doctorReport, formatDoctorReport } from './doctor/doctor.js';
import { AerenderRenderEngine } from './engine/aerender-render-engine.js';
import { enroll, EnrollError } from './identity/enroll.js';
import { loadIdentity } from './identity/node-identity.js';
import { toMachineReport } from './machine-report.js';
import { readStatus, writeStatus } from './status-file.js';
import { AGENT_VERSION } from './version.js';

const env = process.env;

function url(value: string): string {
  try {
    const u = new URL(value);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
    return value.replace(/\/+$/, '');
  } catch {
    throw new InvalidArgumentError('expected an http(s) URL, like http://localhost:8080');
  }
}

/** Chunk work folders; the blob cache is beside it, in `<home>/cache`. */
const workDirOf = (home: string) => join(home, 'work');
const cacheDirOf = (home: string) => join(home, 'cache');

function gigabytes(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a size in GB above 0, like 20 or 2.5');
  return n;
}

/** The cache cap in bytes: --cache-gb, else $CLOUDEXPORT_CACHE_GB, else 20 GB. */
function cacheCapBytes(flag: number | undefined): number {
  const fromEnv = env.CLOUDEXPORT_CACHE_GB ? Number(env.CLOUDEXPORT_CACHE_GB) : undefined;
  if (fromEnv !== undefined && !(fromEnv > 0)) fail(`CLOUDEXPORT_CACHE_GB="${env.CLOUDEXPORT_CACHE_GB}" is not a size in GB above 0.`);
  const gb = flag ?? fromEnv;
  return gb === undefined ? DEFAULT_CACHE_BYTES : Math.round(gb * 1024 ** 3);
}

async function detect(home: string, aerender: string | undefined) {
  return detectMachine(createProbeDeps(env), { workDir: workDirOf(home), ...(aerender ?? env.AERENDER_PATH ? { aerenderOverride: aerender ?? env.AERENDER_PATH } : {}) });
}

function fail(message: string): never {
  console.error(`cloudexport-agent: ${message}`);
  process.exit(1);
}

const program = new Command('cloudexport-agent')
  .description('The CloudExport render node: renders After Effects chunks on this machine’s GPU.')
  .version(AGENT_VERSION)
  .option('--home <dir>', 'the agent’s folder (identity, work); default $CLOUDEXPORT_AGENT_HOME or ~/.cloudexport-agent')
  .option('--aerender <path>', 'aerender to use instead of the detected installs (also $AERENDER_PATH)')
  .showHelpAfterError();

program
  .command('enroll')
  .description('register this machine with a coordinator, using a one-time enrollment token')
  .requiredOption('--coordinator <url>', 'the coordinator, e.g. https://render.example.com', url)
  .requiredOption('--token <token>', 'an enrollment token from the console or POST /api/v1/enrollment-tokens')
  .option('--name <name>', 'how the node is listed', hostname())
  .action(async (opts: { coordinator: string; token: string; name: string }) => {
    const { home, aerender } = program.opts<{ home?: string; aerender?: string }>();
    const dir = agentHome(home, env);
    if (await loadIdentity(dir)) fail(`this machine is already enrolled (${join(dir, 'identity.json')}). Delete that file to enroll again.`);
    const machine = toMachineReport(await detect(dir, aerender));
    try {
      const { identity, file, tierId } = await enroll({ coordinatorUrl: opts.coordinator, token: opts.token, name: opts.name, home: dir, machine });
      const tier = tierId ?? (machine.gpus.length ? `none — an admin must add "${machine.gpus[0]!.model}" to a tier` : 'none — no GPU found, so it takes no work');
      console.log(`Enrolled node ${identity.nodeId} as "${identity.name}" (GPU tier: ${tier}).`);
      console.log(`Private keys saved to ${file} (readable only by you). Start rendering with: cloudexport-agent run`);
    } catch (err) {
      fail(err instanceof EnrollError ? err.message : String(err));
    }
  });

program
  .command('run')
  .description('connect to the coordinator and render the chunks it assigns (Ctrl-C to stop)')
  .option('--projects <dir>', 'render from a folder shared with artists (a studio NAS) where bundle <b> is <dir>/<b>.aep, instead of downloading encrypted bundles')
  .option('--cache-gb <n>', 'size cap of the downloaded-bundle cache in GB (also $CLOUDEXPORT_CACHE_GB); default 20', gigabytes)
  .action(async (opts: { projects?: string; cacheGb?: number }) => {
    const { home, aerender } = program.opts<{ home?: string; aerender?: string }>();
    const dir = agentHome(home, env);
    const identity = await loadIdentity(dir);
    if (!identity) fail(`not enrolled yet (no ${join(dir, 'identity.json')}). Run: cloudexport-agent enroll --coordinator <url> --token <token>`);
    const log = pino({ level: env.LOG_LEVEL ?? 'info', base: { service: 'agent', nodeId: identity.nodeId } });
    const first = await detect(dir, aerender);
    const ae = first.aeInstalls[0];
    if (!ae) log.warn('no After Effects found: chunks will fail until it is installed (or --aerender / AERENDER_PATH is set). See: cloudexport-agent doctor');
    const cache = await BlobCache.open({
      dir: cacheDirOf(dir),
      capBytes: cacheCapBytes(opts.cacheGb),
      onOverCap: (used, cap) => log.warn({ usedGb: +(used / 1024 ** 3).toFixed(1), capGb: +(cap / 1024 ** 3).toFixed(1) }, 'the bundle in use is larger than the cache cap; the cache shrinks back once the chunk ends'),
    });
    const boxSecretKey = new Uint8Array(Buffer.from(identity.box.secretKey, 'base64'));
    const agent = new Agent({
      identity,
      machine: async () => toMachineReport(await detect(dir, aerender)),
      engine: new AerenderRenderEngine({ aerenderPath: () => ae?.path ?? null, aeMajor: ae?.major ?? 0 }),
      projects: opts.projects
        ? new SharedFolderProjects(resolve(opts.projects))
        : new BundleProjects({ cache, boxSecretKey }),
      cachedBundles: () => cache.cachedBundles(),
      workDir: workDirOf(dir),
      assembly: { boxSecretKey, ffmpeg: first.ffmpeg ? { path: first.ffmpeg.path, encoders: first.ffmpeg.encoders } : null },
      ...(first.ffmpeg ? { previews: { ffmpegPath: first.ffmpeg.path } } : {}),
      log,
    });
    const status = setInterval(
      () => void writeStatus(dir, { state: agent.state, connected: agent.connected, chunkId: agent.current?.chunkId ?? null, framesDone: agent.current?.framesDone ?? 0, pid: process.pid, updatedAt: new Date().toISOString() }),
      2_000,
    );
    await agent.start();
    console.log(`Node ${identity.nodeId} ("${identity.name}") connecting to ${identity.coordinatorUrl}… (Ctrl-C to stop)`);
    const stop = async () => {
      clearInterval(status);
      await agent.stop();
      await Promise.race([agent.idle(), sleep(10_000)]); // lets the chunk's work folder be removed
      await writeStatus(dir, { state: 'offline', connected: false, chunkId: null, framesDone: 0, pid: process.pid, updatedAt: new Date().toISOString() });
      process.exit(0);
    };
    process.once('SIGINT', () => void stop());
    process.once('SIGTERM', () => void stop());
  });

program
  .command('doctor')
  .description('check this machine can render: GPU, After Effects, ffmpeg, disk, memory')
  .option('--json', 'print the report as JSON')
  .option('--cache-gb <n>', 'the cache cap `run` uses, in GB (also $CLOUDEXPORT_CACHE_GB); default 20', gigabytes)
  .action(async (opts: { json?: boolean; cacheGb?: number }) => {
    const { home, aerender } = program.opts<{ home?: string; aerender?: string }>();
    const dir = agentHome(home, env);
    const identity = await loadIdentity(dir).catch(() => null);
    const cache = await BlobCache.usage(cacheDirOf(dir), cacheCapBytes(opts.cacheGb));
    const report = doctorReport(await detect(dir, aerender), { enrolled: identity !== null, ...(identity ? { coordinatorUrl: identity.coordinatorUrl } : {}), workDir: workDirOf(dir), cache });
    console.log(opts.json ? JSON.stringify(report, null, 2) : formatDoctorReport(report));
    process.exitCode = report.ok ? 0 : 1;
  });

program
  .command('status')
  .description('this node’s identity, its coordinator and what the daemon is doing')
  .option('--json', 'print as JSON')
  .action(async (opts: { json?: boolean }) => {
    const dir = agentHome(program.opts<{ home?: string }>().home, env);
    const identity = await loadIdentity(dir);
    if (!identity) fail(`not enrolled (no ${join(dir, 'identity.json')}).`);
    const daemon = await readStatus(dir);
    const health = await fetch(`${identity.coordinatorUrl}/healthz`).then((r) => (r.ok ? 'reachable' : `answers ${r.status}`)).catch((err: Error) => `unreachable (${err.message})`);
    const fresh = daemon && Date.now() - Date.parse(daemon.updatedAt) < 10_000;
    const summary = { nodeId: identity.nodeId, name: identity.name, coordinator: identity.coordinatorUrl, coordinatorHealth: health, daemon: fresh ? daemon : null };
    if (opts.json) return console.log(JSON.stringify(summary, null, 2));
    console.log(`Node ${identity.nodeId} ("${identity.name}")`);
    console.log(`  coordinator: ${identity.coordinatorUrl} — ${health}`);
    const work = daemon?.chunkId ? `, rendering chunk ${daemon.chunkId} (${daemon.framesDone} frames done)` : '';
    console.log(`  daemon:      ${fresh ? `${daemon.state}${daemon.connected ? '' : ', not connected'} (pid ${daemon.pid})${work}` : 'not running (start it with: cloudexport-agent run)'}`);
  });

await program.parseAsync(process.argv);

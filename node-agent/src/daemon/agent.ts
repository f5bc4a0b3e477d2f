import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AGENT_NAMESPACE,
  chunkAssignmentSchema,
  type Ack,
  type AgentToCoordinatorEvents,
  type ChunkAssignment,
  type ChunkFailed,
  type CoordinatorToAgentEvents,
  type HelloAck,
  type MachineReport,
} from '@cloudexport/shared';
import type { Logger } from 'pino';
import { io, type Socket } from 'socket.io-client';
import type { UploadOptions } from '../bundle/output-upload.js';
import { signHandshake, type NodeIdentity } from '../identity/node-identity.js';
import { assemblyOpenAnswer, bundleOpenAnswer, outputBeginAnswer } from './coordinator-answers.js';
import { Outbox } from './outbox.js';
import type { ProjectSource } from './project-source.js';
import type { RenderEngine } from './render-engine.js';
import type { AssemblyTools, ChunkChannel, ChunkRunnerOptions } from './chunk-channel.js';
import { runChunk } from './run-chunk.js';

export type AgentState = 'starting' | 'online' | 'busy' | 'draining' | 'offline' | 'disabled';

export interface AgentOptions {
  identity: NodeIdentity;
  machine: () => Promise<MachineReport>;
  engine: RenderEngine;
  /** Where chunks' projects come from: encrypted bundles (BundleProjects) or a shared folder. */
  projects: ProjectSource;
  /** Chunk work folders live here; emptied at start, each removed when its chunk ends. */
  workDir: string;
  log: Logger;
  /** Bundles fully in the node's cache, newest first, for hello. Default none. */
  cachedBundles?: () => string[];
  /** Output upload parallelism and retries. */
  upload?: Omit<UploadOptions, 'signal' | 'onBytes'>;
  /** The box key and ffmpeg an assemble chunk needs; absent, assemble chunks fail. */
  assembly?: AssemblyTools;
  /** Live preview JPEGs while rendering (needs ffmpeg); absent, none are sent. */
  previews?: ChunkRunnerOptions['previews'];
  /** How long bundle:open and output:begin wait for a coordinator that is away. Default 2 minutes. */
  requestPatienceMs?: number;
  /** Reconnect backoff: first delay and cap, with ±50 % jitter. Defaults 1 s and 30 s. */
  reconnectDelayMs?: number;
  reconnectDelayMaxMs?: number;
}

/** Handshake refusals that no retry can fix. */
const FATAL = /revoked|Unknown node|does not match the node/;

interface Running {
  assignment: ChunkAssignment;
  controller: AbortController;
  framesDone: number;
}

type AgentSocket = Socket<CoordinatorToAgentEvents, AgentToCoordinatorEvents>;

/**
 * The daemon: holds one connection to the coordinator (reconnecting with backoff and jitter),
 * proves its key on each, heartbeats, renders what it is assigned and reports it. Reports made
 * while the coordinator is away wait in an outbox; rendering goes on meanwhile.
 */
export class Agent {
  state: AgentState = 'starting';
  private socket: AgentSocket | null = null;
  private running: Running | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private lastAckAt = Date.now();
  /** The cached bundles last reported, to send them again only when they change. */
  private reportedCache = '';
  private heartbeatIntervalMs = 3_000;
  private readonly outbox: Outbox;
  private stopped = false;
  private readonly idleWaiters: (() => void)[] = [];

  constructor(private readonly options: AgentOptions) {
    this.outbox = new Outbox((event, payload) => this.emit(event, payload), options.log);
  }

  /** Empties the work folder (leftovers of a crash), then connects. */
  async start(): Promise<void> {
    const { identity, log } = this.options;
    await rm(this.options.workDir, { recursive: true, force: true, maxRetries: 3 });
    await mkdir(this.options.workDir, { recursive: true });
    const socket: AgentSocket = io(`${identity.coordinatorUrl.replace(/\/+$/, '')}${AGENT_NAMESPACE}`, {
      auth: (cb) => cb(signHandshake(identity)),
      transports: ['websocket'],
      reconnection: true,
      reconnectionDelay: this.options.reconnectDelayMs ?? 1_000,
      reconnectionDelayMax: this.options.reconnectDelayMaxMs ?? 30_000,
      randomizationFactor: 0.5,
    });
    this.socket = socket;
    socket.on('connect', () => void this.onConnect());
    socket.on('disconnect', (reason) => {
      log.warn({ reason }, 'lost the coordinator; rendering goes on');
      this.stopHeartbeat();
      if (this.state !== 'disabled') this.state = this.running ? 'busy' : 'offline';
      // a server-side disconnect is not retried by socket.io: retry it ourselves
      if (reason === 'io server disconnect' && !this.stopped) setTimeout(() => socket.connect(), this.options.reconnectDelayMs ?? 1_000).unref();
    });
    socket.on('connect_error', (err) => {
      log.warn({ reason: err.message }, 'cannot connect to the coordinator');
      if (FATAL.test(err.message)) {
        this.state = 'disabled';
        log.error(`The coordinator refused this node: ${err.message}`);
        return;
      }
      // refusals by the handshake middleware are not retried automatically
      if (!socket.active && !this.stopped) setTimeout(() => socket.connect(), jitter(this.options.reconnectDelayMaxMs ?? 30_000, 0.5)).unref();
    });
    socket.on('chunk:assign', (raw, ack) => {
      const assignment = chunkAssignmentSchema.safeParse(raw);
      if (!assignment.success) {
        log.error({ issues: assignment.error.issues.slice(0, 3) }, 'refused an assignment that does not match the protocol');
        return ack({ accepted: false, reason: 'the assignment does not match this agent’s protocol: update the agent' });
      }
      ack(this.accept(assignment.data));
    });
    socket.on('chunk:cancel', ({ chunkId, reason }) => {
      if (this.running?.assignment.chunkId === chunkId) {
        log.info({ chunkId, reason }, 'chunk taken back');
        this.running.controller.abort(new Error(reason));
      }
    });
    socket.on('node:state', ({ state }) => {
      log.info({ state }, 'coordinator set the node state');
      if (state === 'disabled') {
        this.state = 'disabled';
        this.running?.controller.abort(new Error('the node was disabled'));
      } else if (state === 'draining') this.state = 'draining';
      else this.state = this.running ? 'busy' : 'online';
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopHeartbeat();
    this.running?.controller.abort(new Error('the agent is stopping'));
    this.socket?.disconnect();
  }

  /** The chunk in hand, if any. */
  get current(): { chunkId: string; framesDone: number } | null {
    return this.running ? { chunkId: this.running.assignment.chunkId, framesDone: this.running.framesDone } : null;
  }

  /** Whether a connection to the coordinator is up now. */
  get connected(): boolean {
    return this.socket?.connected ?? false;
  }

  /** Resolves when no chunk is running (tests and graceful shutdown). */
  idle(): Promise<void> {
    return this.running ? new Promise((resolve) => this.idleWaiters.push(resolve)) : Promise.resolve();
  }

  private async onConnect(): Promise<void> {
    const { log } = this.options;
    const running = this.running ? [{ chunkId: this.running.assignment.chunkId, epoch: this.running.assignment.epoch, framesDone: this.running.framesDone }] : [];
    const cachedBundles = this.options.cachedBundles?.() ?? [];
    this.reportedCache = cachedBundles.join(',');
    const answer = (await this.emit('hello', { machine: await this.options.machine(), running, cachedBundles })) as HelloAck | Extract<Ack, { ok: false }> | null;
    if (!answer || 'ok' in answer) {
      log.error({ answer }, 'the coordinator did not accept hello');
      return;
    }
    this.heartbeatIntervalMs = answer.heartbeatIntervalMs;
    if (this.state !== 'disabled' && this.state !== 'draining') this.state = answer.state === 'disabled' ? 'disabled' : answer.state === 'draining' ? 'draining' : this.running ? 'busy' : 'online';
    if (this.running && answer.cancel.includes(this.running.assignment.chunkId)) this.running.controller.abort(new Error('the coordinator gave the chunk to another node'));
    log.info({ tierId: answer.tierId, state: this.state }, 'connected to the coordinator');
    this.lastAckAt = Date.now();
    this.startHeartbeat();
    await this.outbox.flush();
  }

  private accept(assignment: ChunkAssignment): { accepted: boolean; reason?: string } {
    if (this.state === 'disabled' || this.state === 'draining') return { accepted: false, reason: `the node is ${this.state}` };
    if (this.running) return { accepted: false, reason: 'the node is busy' };
    const controller = new AbortController();
    this.running = { assignment, controller, framesDone: 0 };
    this.state = 'busy';
    void this.render(this.running).finally(() => {
      this.running = null;
      if (this.state === 'busy') this.state = this.socket?.connected ? 'online' : 'offline';
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    });
    return { accepted: true };
  }

  private async render(run: Running): Promise<void> {
    const { assignment: a, controller } = run;
    const ref = { chunkId: a.chunkId, epoch: a.epoch };
    const log = this.options.log.child({ chunkId: a.chunkId, frames: `${a.frameStart}-${a.frameEnd}` });
    const chunkDir = join(this.options.workDir, a.chunkId);
    try {
      const { projects, engine, upload, assembly, previews } = this.options;
      const options: ChunkRunnerOptions = { projects, engine, log, ...(upload ? { upload } : {}), ...(assembly ? { assembly } : {}), ...(previews ? { previews } : {}) };
      const outcome = await runChunk(a, chunkDir, options, this.channel(run, log), controller.signal);
      if (outcome.kind === 'stopped') return log.info('chunk stopped: it was taken back');
      if (outcome.kind === 'failed') {
        log.warn({ reason: outcome.reason, message: outcome.message }, 'chunk failed');
        return void (await this.outbox.send('chunk:failed', { ...ref, reason: outcome.reason, message: outcome.message, lastLines: outcome.lastLines } satisfies ChunkFailed));
      }
      await this.outbox.send('chunk:done', { ...ref, frames: outcome.frames });
      log.info({ frames: outcome.frames }, 'chunk done');
    } catch (err) {
      log.error({ err }, 'chunk crashed');
      if (!controller.signal.aborted) await this.outbox.send('chunk:failed', { ...ref, reason: 'internal', message: `The agent failed: ${(err as Error).message}`.slice(0, 4000), lastLines: [] } satisfies ChunkFailed);
    } finally {
      // the work folder goes whatever happened; the blob cache stays
      await rm(chunkDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 }).catch((err: Error) => log.warn({ err: err.message }, 'could not remove the chunk work folder'));
    }
  }

  /** The chunk's line to the coordinator: reports through the outbox, questions asked until answered. */
  private channel(run: Running, log: Logger): ChunkChannel {
    const { assignment: a, controller } = run;
    const ref = { chunkId: a.chunkId, epoch: a.epoch };
    const patience = this.options.requestPatienceMs ?? 120_000;
    return {
      progress: (state, framesDone, lastFrame) => {
        run.framesDone = framesDone;
        this.outbox.progress({ ...ref, state, framesDone, lastFrame });
      },
      warning: (message) => void this.outbox.send('chunk:warning', { ...ref, message }),
      openBundle: async () => {
        const answer = bundleOpenAnswer(await this.ask('bundle:open', ref, controller.signal, patience));
        if (!answer.ok) log.warn({ message: answer.message }, 'bundle:open refused');
        return answer;
      },
      beginOutputs: async (begin) => outputBeginAnswer(await this.ask('output:begin', { ...ref, ...begin }, controller.signal, patience)),
      openAssembly: async () => {
        const answer = assemblyOpenAnswer(await this.ask('assembly:open', ref, controller.signal, patience));
        if (!answer.ok) log.warn({ message: answer.message }, 'assembly:open refused');
        return answer;
      },
      // a preview is only worth its moment: never queued in the outbox, dropped while away
      preview: (preview) => this.emit('chunk:preview', { ...ref, ...preview }, 5_000),
    };
  }

  /** Emits until an answer comes, waiting out a coordinator outage for up to `patienceMs`. */
  private async ask(event: 'bundle:open' | 'output:begin' | 'assembly:open', payload: unknown, signal: AbortSignal, patienceMs: number): Promise<unknown> {
    const deadline = Date.now() + patienceMs;
    for (;;) {
      const answer = await this.emit(event, payload, 30_000);
      if (answer !== null || signal.aborted || Date.now() >= deadline) return answer;
      await sleep(1_000, undefined, { signal }).catch(() => undefined);
    }
  }

  private startHeartbeat(): void {
    this.stopHeartbeat();
    this.heartbeat = setInterval(() => void this.beat(), this.heartbeatIntervalMs);
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }

  private async beat(): Promise<void> {
    const socket = this.socket;
    if (!socket?.connected) return;
    // liveness: a connection that stopped answering is torn down and rebuilt
    if (Date.now() - this.lastAckAt > 3 * this.heartbeatIntervalMs) {
      this.options.log.warn('the coordinator stopped answering heartbeats; reconnecting');
      socket.disconnect().connect();
      return;
    }
    const running = this.running ? [{ chunkId: this.running.assignment.chunkId, epoch: this.running.assignment.epoch, framesDone: this.running.framesDone }] : [];
    // the cache changes as chunks finish: the scheduler hears of it with the next heartbeat
    const cachedBundles = this.options.cachedBundles?.() ?? [];
    const cacheChanged = cachedBundles.join(',') !== this.reportedCache;
    const answer = (await this.emit('heartbeat', { running, ...(cacheChanged ? { cachedBundles } : {}) })) as { cancel?: string[] } | null;
    if (!answer) return;
    if (cacheChanged) this.reportedCache = cachedBundles.join(',');
    this.lastAckAt = Date.now();
    if (this.running && answer.cancel?.includes(this.running.assignment.chunkId)) this.running.controller.abort(new Error('the lease was lost'));
  }

  /** Emits with an ack and a timeout; null when not connected or no answer came. */
  private async emit(event: keyof AgentToCoordinatorEvents, payload: unknown, timeoutMs = 10_000): Promise<unknown> {
    const socket = this.socket;
    if (!socket?.connected) return null;
    try {
      return await (socket.timeout(timeoutMs) as unknown as { emitWithAck(e: string, p: unknown): Promise<unknown> }).emitWithAck(event, payload);
    } catch {
      return null;
    }
  }
}

function jitter(ms: number, factor: number): number {
  return Math.round(ms * (1 - factor + Math.random() * 2 * factor));
}

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  AGENT_NAMESPACE,
  type Ack,
  type AgentToCoordinatorEvents,
  type ChunkAssignment,
  type ChunkFailed,
  type CoordinatorToAgentEvents,
  type FailureReason,
  type HelloAck,
  type MachineReport,
} from '@cloudexport/shared';
import type { Logger } from 'pino';
import { io, type Socket } from 'socket.io-client';
import { signHandshake, type NodeIdentity } from '../identity/node-identity.js';
import { Outbox } from './outbox.js';
import type { ProjectSource, RenderEngine } from './render-engine.js';

export type AgentState = 'starting' | 'online' | 'busy' | 'draining' | 'offline' | 'disabled';

export interface AgentOptions {
  identity: NodeIdentity;
  machine: () => Promise<MachineReport>;
  engine: RenderEngine;
  projects: ProjectSource;
  /** Chunk work folders live here. */
  workDir: string;
  log: Logger;
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
  private heartbeatIntervalMs = 3_000;
  private readonly outbox: Outbox;
  private stopped = false;
  private readonly idleWaiters: (() => void)[] = [];

  constructor(private readonly options: AgentOptions) {
    this.outbox = new Outbox((event, payload) => this.emit(event, payload), options.log);
  }

  start(): void {
    const { identity, log } = this.options;
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
    socket.on('chunk:assign', (assignment, ack) => ack(this.accept(assignment)));
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
    const answer = (await this.emit('hello', { machine: await this.options.machine(), running })) as HelloAck | Extract<Ack, { ok: false }> | null;
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
    const fail = (reason: FailureReason, message: string, lastLines: string[] = []) => this.outbox.send('chunk:failed', { ...ref, reason, message, lastLines } satisfies ChunkFailed);
    try {
      const workDir = join(this.options.workDir, a.chunkId);
      await mkdir(workDir, { recursive: true });
      this.outbox.progress({ ...ref, state: 'DOWNLOADING', framesDone: 0, lastFrame: null });
      const project = await this.options.projects.prepare(a.bundle, workDir);
      if ('error' in project) return void (await fail('bundle', project.error));
      this.outbox.progress({ ...ref, state: 'RENDERING', framesDone: 0, lastFrame: null });
      log.info('rendering');
      const outcome = await this.options.engine.render(
        { projectPath: project.projectPath, comp: a.comp, frameStart: a.frameStart, frameEnd: a.frameEnd, outputDir: join(workDir, 'frames') },
        {
          onProgress: (framesDone, lastFrame) => {
            run.framesDone = framesDone;
            this.outbox.progress({ ...ref, state: 'RENDERING', framesDone, lastFrame });
          },
          onWarning: (message) => this.outbox.send('chunk:warning', { ...ref, message: message.slice(0, 2000) }),
        },
        controller.signal,
      );
      if (controller.signal.aborted) return log.info('render stopped: the chunk was taken back');
      if (!outcome.ok) {
        log.warn({ reason: outcome.reason, message: outcome.message }, 'render failed');
        return void (await fail(outcome.reason, outcome.message, outcome.lastLines));
      }
      this.outbox.progress({ ...ref, state: 'UPLOADING', framesDone: outcome.frames, lastFrame: a.frameEnd });
      await this.outbox.send('chunk:done', { ...ref, frames: outcome.frames });
      log.info({ frames: outcome.frames }, 'chunk done');
    } catch (err) {
      log.error({ err }, 'chunk crashed');
      await fail('internal', `The agent failed: ${(err as Error).message}`);
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
    const answer = (await this.emit('heartbeat', { running })) as { cancel?: string[] } | null;
    if (!answer) return;
    this.lastAckAt = Date.now();
    if (this.running && answer.cancel?.includes(this.running.assignment.chunkId)) this.running.controller.abort(new Error('the lease was lost'));
  }

  /** Emits with an ack and a timeout; null when not connected or no answer came. */
  private async emit(event: keyof AgentToCoordinatorEvents, payload: unknown): Promise<unknown> {
    const socket = this.socket;
    if (!socket?.connected) return null;
    try {
      return await (socket.timeout(10_000) as unknown as { emitWithAck(e: string, p: unknown): Promise<unknown> }).emitWithAck(event, payload);
    } catch {
      return null;
    }
  }
}

function jitter(ms: number, factor: number): number {
  return Math.round(ms * (1 - factor + Math.random() * 2 * factor));
}

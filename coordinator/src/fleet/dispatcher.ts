import type { RenderNode } from '@cloudexport/shared';
import type { Logger } from 'pino';
import type { AgentRegistry } from '../realtime/agent-gateway.js';
import type { ChunkLifecycle } from './chunk-lifecycle.js';
import type { FleetTiming } from './fleet-timing.js';

/** Claims in flight at once: SKIP LOCKED lets them run side by side, the pool bounds them. */
const PARALLEL_CLAIMS = 8;

/**
 * Hands queued chunks to the idle agents connected here. It keeps the set of idle nodes from
 * the node updates the lifecycle publishes, so a pass costs one claim per idle node, not one
 * per connected node. Runs when work or a node may have freed up, and on a tick as a safety
 * net; passes never overlap.
 */
export class Dispatcher {
  private readonly idle = new Set<string>();
  private running = false;
  private again = false;

  constructor(
    private readonly registry: AgentRegistry,
    private readonly lifecycle: ChunkLifecycle,
    private readonly timing: FleetTiming,
    private readonly log: Logger,
  ) {}

  /** Follows every node change: idle means online, holding nothing, and connected here. */
  noteNode(node: RenderNode): void {
    if (node.state === 'online' && !node.currentChunkId && this.registry.sockets.has(node.id)) this.idle.add(node.id);
    else this.idle.delete(node.id);
  }

  kick(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void this.pass().finally(() => {
      this.running = false;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  private async pass(): Promise<void> {
    const queue = [...this.idle].filter((id) => this.registry.sockets.has(id));
    const worker = async () => {
      for (let nodeId = queue.shift(); nodeId; nodeId = queue.shift()) await this.offer(nodeId);
    };
    await Promise.all(Array.from({ length: PARALLEL_CLAIMS }, worker));
  }

  private async offer(nodeId: string): Promise<void> {
    const socket = this.registry.sockets.get(nodeId);
    if (!socket) return void this.idle.delete(nodeId);
    try {
      const assignment = await this.lifecycle.assignNext(nodeId);
      if (!assignment) return;
      this.idle.delete(nodeId);
      const answer = await socket
        .timeout(this.timing.assignTimeoutMs)
        .emitWithAck('chunk:assign', assignment)
        .catch(() => ({ accepted: false, reason: 'no answer in time' }));
      if (!answer.accepted) {
        this.log.warn({ nodeId, chunkId: assignment.chunkId, reason: answer.reason }, 'assignment refused');
        await this.lifecycle.requeue({ chunkIds: [assignment.chunkId] }, 'lost', `the node refused it: ${answer.reason ?? 'no reason'}`);
      }
    } catch (err) {
      this.log.error({ err, nodeId }, 'dispatch failed');
    }
  }
}

import type { RenderNode } from '@cloudexport/shared';
import type { Logger } from 'pino';
import type { AgentRegistry } from '../realtime/agent-gateway.js';
import type { ChunkLifecycle } from './chunk-lifecycle.js';
import type { FleetTiming } from './fleet-timing.js';

/** Idle nodes offered work in one transaction. */
const BATCH = 250;

/**
 * Hands queued chunks to the idle agents connected here. It keeps the set of idle nodes from
 * the node updates the lifecycle publishes, and offers the queue to them in batches of one
 * transaction each. Runs when work or a node may have freed up, and on a tick as a safety net;
 * passes never overlap, and a kick during a pass runs another pass after it.
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
    for (const id of this.idle) if (!this.registry.sockets.has(id)) this.idle.delete(id);
    const queue = [...this.idle];
    for (let i = 0; i < queue.length; i += BATCH) {
      let assigned: Awaited<ReturnType<ChunkLifecycle['assignBatch']>>;
      try {
        assigned = await this.lifecycle.assignBatch(queue.slice(i, i + BATCH));
      } catch (err) {
        this.log.error({ err }, 'dispatch failed');
        return;
      }
      for (const { nodeId, assignment } of assigned) {
        this.idle.delete(nodeId);
        void this.send(nodeId, assignment);
      }
      // nothing for this batch: the queue has nothing these nodes can take now
      if (assigned.length === 0) return;
    }
    // the batch looked at the front of the queue only: nodes left idle may find work further on
    if (this.idle.size > 0) this.again = true;
  }

  private async send(nodeId: string, assignment: Awaited<ReturnType<ChunkLifecycle['assignBatch']>>[number]['assignment']): Promise<void> {
    const socket = this.registry.sockets.get(nodeId);
    const answer = socket
      ? await socket
          .timeout(this.timing.assignTimeoutMs)
          .emitWithAck('chunk:assign', assignment)
          .catch(() => ({ accepted: false, reason: 'no answer in time' }))
      : { accepted: false, reason: 'it disconnected' };
    if (answer.accepted) return;
    this.log.warn({ nodeId, chunkId: assignment.chunkId, reason: answer.reason }, 'assignment refused');
    await this.lifecycle
      .requeue({ chunkIds: [assignment.chunkId] }, 'lost', `the node refused it: ${answer.reason ?? 'no reason'}`)
      .catch((err: unknown) => this.log.error({ err, nodeId }, 'requeue after refusal failed'));
  }
}

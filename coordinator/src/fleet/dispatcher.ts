import type { Logger } from 'pino';
import type { AgentRegistry } from '../realtime/agent-gateway.js';
import type { ChunkLifecycle } from './chunk-lifecycle.js';
import type { FleetTiming } from './fleet-timing.js';

/**
 * Hands queued chunks to the idle agents connected here. Runs when something may have freed
 * work or a node (the bus's `work`), and on a tick as a safety net; runs never overlap.
 */
export class Dispatcher {
  private running = false;
  private again = false;

  constructor(
    private readonly registry: AgentRegistry,
    private readonly lifecycle: ChunkLifecycle,
    private readonly timing: FleetTiming,
    private readonly log: Logger,
  ) {}

  kick(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void this.run().finally(() => {
      this.running = false;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  private async run(): Promise<void> {
    for (const [nodeId, socket] of this.registry.sockets) {
      try {
        const assignment = await this.lifecycle.assignNext(nodeId);
        if (!assignment) continue;
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
}

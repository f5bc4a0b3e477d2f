import type { Clock } from '../clock.js';
import type { ChunkLifecycle } from './chunk-lifecycle.js';

/** Requeues chunks whose lease lapsed: their node stopped heartbeating or vanished. */
export async function sweepLapsedLeases(lifecycle: ChunkLifecycle, clock: Clock): Promise<number> {
  return lifecycle.requeue({ leaseExpiredBefore: clock.now() }, 'lost', 'its lease lapsed: the node stopped answering');
}

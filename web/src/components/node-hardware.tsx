import type { RenderNode } from '@cloudexport/shared';
import { dateTime, megabytes } from '../format/format.js';

/** What the node reported about itself: GPUs, After Effects installs, agent. */
export function NodeHardware({ node, tierName }: { node: RenderNode; tierName: string | null }) {
  return (
    <div class="grid-2">
      <section class="card" aria-labelledby="gpus-heading">
        <h2 id="gpus-heading" class="fleet-card-title">
          GPUs
        </h2>
        {node.gpus.length === 0 ? (
          <p class="muted">No GPU reported. The agent reports GPUs when it connects; run its doctor command on the machine if this stays empty.</p>
        ) : (
          <ul class="fleet-list" data-testid="node-gpus">
            {node.gpus.map((gpu, i) => (
              <li key={i}>
                <strong>{gpu.model}</strong> <span class="muted">({gpu.vendor})</span>
                <br />
                <span class="num">{megabytes(gpu.vramMb)}</span> VRAM · driver {gpu.driver ?? 'unknown'}
              </li>
            ))}
          </ul>
        )}
        <dl class="facts">
          <dt>Tier</dt>
          <dd>{tierName ?? <span class="muted">none: no tier lists this GPU, so it gets no work until an admin adds the model to a tier</span>}</dd>
          <dt>Agent</dt>
          <dd>{node.agentVersion ?? <span class="muted">not reported yet</span>}</dd>
          <dt>Enrolled</dt>
          <dd>{dateTime(node.createdAt)}</dd>
        </dl>
      </section>
      <section class="card" aria-labelledby="ae-heading">
        <h2 id="ae-heading" class="fleet-card-title">
          After Effects
        </h2>
        {node.aeInstalls.length === 0 ? (
          <p class="muted">No After Effects install found: this node cannot render After Effects chunks. Install After Effects on it and restart the agent.</p>
        ) : (
          <ul class="fleet-list" data-testid="node-ae">
            {node.aeInstalls.map((ae) => (
              <li key={ae.path}>
                <strong>{ae.version}</strong> <span class="muted">(major {ae.major})</span>
                <br />
                <code class="fleet-path">{ae.path}</code>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

import type { ChunkAttempt, RenderNode } from '@cloudexport/shared';
import { useCallback, useMemo, useState } from 'preact/hooks';
import { call } from '../../api/client.js';
import { useUser } from '../../api/session.js';
import { PageHeader } from '../../components/layout.js';
import { NodeActions, nodeActionsHint, RevokeNode } from '../../components/node-actions.js';
import { NodeAttempts } from '../../components/node-attempts.js';
import { NodeBlocks } from '../../components/node-blocks.js';
import { NodeHardware } from '../../components/node-hardware.js';
import { LiveIndicator } from '../../components/node-live-indicator.js';
import { NodeStatePill } from '../../components/node-state-pill.js';
import { ProgressBar } from '../../components/progress-bar.js';
import { ErrorState, Loading } from '../../components/states.js';
import { Ago, TickerProvider } from '../../components/ticking-ago.js';
import { chunkFrames, successRate } from '../../fleet/node-facts.js';
import { useLiveNodes } from '../../fleet/use-live-nodes.js';
import { useTierNames } from '../../fleet/use-tier-names.js';
import { percent, usd } from '../../format/format.js';

/**
 * One node, for admins and its owner: hardware, state and actions, what it rendered and failed,
 * the jobs it is blocked from, its aerender warnings, earnings. Live from the fleet socket where
 * the server allows it; otherwise reloaded after each action and on Refresh.
 */
export function NodePage({ params }: { params?: Record<string, string> }) {
  const id = params?.id ?? '';
  const user = useUser();
  const admin = user.role === 'admin';
  const nodes = useLiveNodes(() => call('getNode', { params: { id } }).then((node) => [node]), [id], (node) => node.id === id);
  const tiers = useTierNames();
  const [attempts, setAttempts] = useState<ChunkAttempt[]>([]);
  const { replace, reload, live } = nodes;
  const onChanged = useCallback(
    (node: RenderNode) => {
      replace(node);
      if (!live) reload();
    },
    [replace, reload, live],
  );
  const node = nodes.state.status === 'ready' ? nodes.state.data.find((n) => n.id === id) : undefined;
  const warnings = useMemo(() => attempts.filter((a) => a.warnings.length > 0), [attempts]);

  if (nodes.state.status === 'loading') return <Loading what="the node" />;
  if (nodes.state.status === 'error' || !node) {
    return (
      <>
        <PageHeader title="Node" />
        <ErrorState what="this node" error={nodes.state.status === 'error' ? nodes.state.error : 'It is not in the answer.'} retry={nodes.reload} />
        <p>
          <a href={admin ? '/admin/fleet' : '/nodes'}>Back to {admin ? 'the fleet' : 'your nodes'}</a>
        </p>
      </>
    );
  }
  const chunk = node.currentChunk;
  const rate = successRate(node);
  // attempts and blocks are fetched again when the node finishes or takes a chunk
  const version = `${node.chunksDone}/${node.chunksFailed}/${chunk?.id ?? ''}`;

  return (
    <TickerProvider>
      <PageHeader title={node.name}>
        <LiveIndicator live={nodes.live} refused={nodes.refused} />
        {!nodes.live && (
          <button type="button" onClick={nodes.reload}>
            Refresh
          </button>
        )}
      </PageHeader>
      <p>
        <a href={admin ? '/admin/fleet' : '/nodes'}>← {admin ? 'Fleet' : 'My nodes'}</a>
      </p>
      {nodes.staleError && (
        <p class="inline-error" role="alert">
          The node could not be refreshed ({nodes.staleError}); what you see may be out of date.
        </p>
      )}
      <div class="card fleet-node-state" data-testid="node-status" data-node-id={node.id} data-state={node.state}>
        <NodeStatePill node={node} />
        <span class="muted">
          {node.connected ? 'Connected' : 'Not connected'} · last heartbeat <Ago iso={node.lastHeartbeatAt} />
        </span>
        <NodeActions node={node} admin={admin} onChanged={onChanged} />
        <RevokeNode node={node} onChanged={onChanged} />
      </div>
      {!node.revoked && (
        <p class="hint fleet-hint">
          {nodeActionsHint(admin)} Revoke: its keys stop working for good (a machine sold or compromised); it must enroll again.
        </p>
      )}
      {node.state === 'disabled' && node.disabledReason && !node.revoked && <p class="hint">Disabled: {node.disabledReason}</p>}

      <div class="cards fleet-node-cards">
        <div class="card stat">
          <div class="label">Current chunk</div>
          {chunk ? (
            <>
              <div class="fleet-chunk-name">{admin && chunk.jobName ? <a href={`/jobs/${chunk.jobId}`}>{chunk.jobName}</a> : chunk.jobName || 'A job'}</div>
              <ProgressBar done={chunk.framesDone} total={chunkFrames(chunk)} label={`Frames ${chunk.frameStart}–${chunk.frameEnd} rendered`} />
            </>
          ) : (
            <div class="value">idle</div>
          )}
        </div>
        <div class="card stat">
          <div class="label">Chunks done / failed</div>
          <div class="value num">
            {node.chunksDone} / {node.chunksFailed}
          </div>
        </div>
        <div class="card stat">
          <div class="label">Success rate</div>
          <div class="value num">{rate === null ? '—' : percent(node.chunksDone, node.chunksDone + node.chunksFailed)}</div>
        </div>
        <div class="card stat">
          <div class="label">Earnings</div>
          <div class="value num" data-testid="node-earnings">
            {usd(node.earningsUsd)}
          </div>
        </div>
      </div>

      <NodeHardware node={node} tierName={node.tierId === null ? null : (tiers.get(node.tierId) ?? node.tierId)} />

      <NodeAttempts nodeId={node.id} linkJobs={admin} version={version} onLoaded={setAttempts} />

      <section aria-labelledby="warnings-heading">
        <h2 id="warnings-heading">aerender warnings</h2>
        {warnings.length === 0 ? (
          <p class="muted">No warnings in the chunks shown above.</p>
        ) : (
          <ul class="fleet-list" data-testid="node-warnings">
            {warnings.map((a) => (
              <li key={a.id}>
                <strong>{a.jobName || 'A job'}</strong>, frames {a.frameStart}–{a.frameEnd}:
                <ul>
                  {a.warnings.map((w, i) => (
                    <li key={i}>
                      <code>{w}</code>
                    </li>
                  ))}
                </ul>
              </li>
            ))}
          </ul>
        )}
      </section>

      <NodeBlocks nodeId={node.id} linkJobs={admin} version={node.chunksFailed} />
    </TickerProvider>
  );
}

import type { RenderNode } from '@cloudexport/shared';
import { memo } from 'preact/compat';
import type { NodeSort, NodeSortKey } from '../fleet/filter-nodes.js';
import { aeSummary, chunkFrames, gpuShortSummary, gpuSummary, maxVramMb, successRate } from '../fleet/node-facts.js';
import { megabytes, percent, usd } from '../format/format.js';
import { NodeActions } from './node-actions.js';
import { NodeStatePill } from './node-state-pill.js';
import { ProgressBar } from './progress-bar.js';
import { Ago } from './ticking-ago.js';

export interface NodeTableProps {
  /** The rows to show, already filtered, sorted and cut to length. */
  nodes: readonly RenderNode[];
  /** Admins see owners, link jobs, and get Drain / Disable / Enable; owners get Pause / Resume. */
  admin: boolean;
  /** Shown in the owner column (admins). */
  ownerLabel?: (ownerId: string) => { name: string; email?: string };
  tierLabel: (tierId: string) => string;
  sort?: NodeSort;
  onSort?: (key: NodeSortKey) => void;
  /** A node as the server answered an action. Keep it stable (memoized rows compare it). */
  onChanged: (node: RenderNode) => void;
  caption: string;
}

// short labels, the long name as a tooltip: the admin's 11 columns fit 1280 px without scrolling
const COLUMNS: { key: NodeSortKey; label: string; title?: string; num?: boolean; adminOnly?: boolean }[] = [
  { key: 'name', label: 'Name' },
  { key: 'owner', label: 'Owner', adminOnly: true },
  { key: 'state', label: 'State' },
  { key: 'gpu', label: 'GPU' },
  { key: 'tier', label: 'Tier' },
  { key: 'ae', label: 'AE', title: 'After Effects versions' },
  { key: 'chunk', label: 'Chunk', title: 'The chunk it renders now, with its frames' },
  { key: 'heartbeat', label: 'Heartbeat', title: 'Its last heartbeat', num: true },
  { key: 'success', label: 'Success', num: true },
  { key: 'earnings', label: 'Earnings', num: true },
];

/** The fleet's and "My nodes"' table: one row per node, sortable headers, actions per row. */
export function NodeTable({ nodes, admin, ownerLabel, tierLabel, sort, onSort, onChanged, caption }: NodeTableProps) {
  const columns = COLUMNS.filter((c) => admin || !c.adminOnly);
  return (
    <div class="table-wrap">
      <table class="node-table" data-testid="node-table">
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => {
              const sorted = sort?.key === c.key ? (sort.dir === 'asc' ? 'ascending' : 'descending') : undefined;
              return (
                <th key={c.key} scope="col" class={c.num ? 'num' : undefined} title={c.title} aria-sort={onSort ? (sorted ?? 'none') : undefined}>
                  {onSort ? (
                    <button type="button" class="sort" aria-label={c.title ? `${c.title} (${c.label})` : undefined} onClick={() => onSort(c.key)}>
                      {c.label}
                      <span class="sort-mark" aria-hidden="true">
                        {sorted === 'ascending' ? '▲' : sorted === 'descending' ? '▼' : ''}
                      </span>
                    </button>
                  ) : (
                    c.label
                  )}
                </th>
              );
            })}
            <th scope="col" class="node-actions-head">Actions</th>
          </tr>
        </thead>
        <tbody>
          {nodes.map((node) => {
            const owner = admin ? ownerLabel?.(node.ownerId) : undefined;
            return (
              <NodeRow
                key={node.id}
                node={node}
                admin={admin}
                ownerName={owner?.name}
                ownerEmail={owner?.email}
                tierName={node.tierId === null ? null : tierLabel(node.tierId)}
                onChanged={onChanged}
              />
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

interface RowProps {
  node: RenderNode;
  admin: boolean;
  ownerName: string | undefined;
  ownerEmail: string | undefined;
  tierName: string | null;
  onChanged: (node: RenderNode) => void;
}

/**
 * Memoized on its own props: a live event re-renders only the row whose node object changed;
 * the heartbeat text ticks inside <Ago> on the page's one timer.
 */
const NodeRow = memo(function NodeRow({ node, admin, ownerName, ownerEmail, tierName, onChanged }: RowProps) {
  const chunk = node.currentChunk;
  const rate = successRate(node);
  return (
    <tr data-testid="node-row" data-node-id={node.id} data-state={node.state}>
      <td>
        <a href={`/nodes/${node.id}`}>{node.name}</a>
      </td>
      {admin && (
        <td class="node-owner" title={ownerEmail}>
          {ownerName ?? <span class="muted">unknown</span>}
        </td>
      )}
      <td>
        <NodeStatePill node={node} />
      </td>
      <td title={gpuSummary(node)}>
        {gpuShortSummary(node)}
        {node.gpus.length > 0 && <span class="muted num node-vram">{megabytes(maxVramMb(node))}</span>}
      </td>
      <td>{tierName ?? <span class="muted" title="No tier lists this GPU: it gets no work until an admin adds it to a tier.">no tier</span>}</td>
      <td>{aeSummary(node)}</td>
      <td class="node-chunk">
        {chunk ? (
          <span class="node-chunk-inner">
            {admin && chunk.jobName ? <a href={`/jobs/${chunk.jobId}`}>{chunk.jobName}</a> : <span class="muted">{chunk.kind === 'frames' ? 'Rendering' : chunk.kind}</span>}
            <ProgressBar done={chunk.framesDone} total={chunkFrames(chunk)} label={`Frames ${chunk.frameStart}–${chunk.frameEnd} rendered`} />
          </span>
        ) : (
          <span class="muted">idle</span>
        )}
      </td>
      <td class="num">
        <Ago iso={node.lastHeartbeatAt} />
      </td>
      <td class="num" title={`${node.chunksDone} done, ${node.chunksFailed} failed`}>
        {rate === null ? '—' : percent(node.chunksDone, node.chunksDone + node.chunksFailed)}
      </td>
      <td class="num">{usd(node.earningsUsd)}</td>
      <td class="node-actions-cell">
        <NodeActions node={node} admin={admin} onChanged={onChanged} />
      </td>
    </tr>
  );
});

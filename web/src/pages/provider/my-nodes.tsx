import type { RenderNode } from '@cloudexport/shared';
import { useCallback, useMemo, useState } from 'preact/hooks';
import { callAll } from '../../api/client.js';
import { useUser } from '../../api/session.js';
import { PageHeader } from '../../components/layout.js';
import { LiveIndicator } from '../../components/node-live-indicator.js';
import { nodeActionsHint } from '../../components/node-actions.js';
import { NodeTable } from '../../components/node-table.js';
import { Empty, ErrorState, Loading } from '../../components/states.js';
import { TickerProvider } from '../../components/ticking-ago.js';
import { nextSort, sortNodes, type NodeSort, type NodeSortKey } from '../../fleet/filter-nodes.js';
import { useLiveNodes } from '../../fleet/use-live-nodes.js';
import { useTierNames } from '../../fleet/use-tier-names.js';
import { usd } from '../../format/format.js';

/**
 * A provider's own nodes (the server answers only theirs), with Pause / Resume. Live when the
 * server lets providers watch their nodes; otherwise it refreshes on focus, after each action,
 * and on Refresh.
 */
export function MyNodes() {
  const user = useUser();
  const admin = user.role === 'admin';
  // an admin's list and fleet events hold everyone's nodes: keep to their own here
  const nodes = useLiveNodes(
    () => callAll<'listNodes', RenderNode>('listNodes', { query: admin ? { ownerId: user.id } : {} }),
    [user.id],
    (node) => node.ownerId === user.id,
  );
  const tiers = useTierNames();
  const tierLabel = useCallback((id: string) => tiers.get(id) ?? id, [tiers]);
  const [sort, setSort] = useState<NodeSort>({ key: 'name', dir: 'asc' });
  const onSort = useCallback((key: NodeSortKey) => setSort((s) => nextSort(s, key)), []);
  const { replace, reload } = nodes;
  // without live events, the answer alone may miss what the action set off (a chunk handed back)
  const onChanged = useCallback(
    (node: RenderNode) => {
      replace(node);
      if (!nodes.live) reload();
    },
    [replace, reload, nodes.live],
  );
  const own = nodes.state.status === 'ready' ? nodes.state.data.filter((n) => n.ownerId === user.id) : [];
  const rows = useMemo(() => sortNodes(own, sort, { ownerLabel: () => '', tierLabel }), [nodes.state, sort, tierLabel]);
  const working = own.filter((n) => n.state === 'online' || n.state === 'busy').length;
  const earned = own.reduce((sum, n) => sum + n.earningsUsd, 0);

  return (
    <TickerProvider>
      <PageHeader title="My nodes">
        <LiveIndicator live={nodes.live} refused={nodes.refused} />
        <button type="button" onClick={nodes.reload} data-testid="nodes-refresh">
          Refresh
        </button>
        <a class="button primary" href="/nodes/add">
          Add a node
        </a>
      </PageHeader>
      {nodes.refused && (
        <p class="hint">Live updates are not available for your nodes here ({nodes.refused}); this list refreshes when you come back to the tab, after each action, and on Refresh.</p>
      )}
      {nodes.state.status === 'loading' && <Loading what="your nodes" />}
      {nodes.state.status === 'error' && <ErrorState what="your nodes" error={nodes.state.error} retry={nodes.reload} />}
      {nodes.state.status === 'ready' && own.length === 0 && (
        <Empty title="You have no nodes yet.">
          Add one: create an enrollment token and run the install command on your GPU machine; it appears here once it enrolls. <a href="/nodes/add">Add a node</a>
        </Empty>
      )}
      {nodes.state.status === 'ready' && own.length > 0 && (
        <>
          <div class="cards">
            <div class="card stat">
              <div class="label">Nodes taking work</div>
              <div class="value num">
                {working} of {own.length}
              </div>
            </div>
            <div class="card stat">
              <div class="label">Earned so far</div>
              <div class="value num">{usd(earned)}</div>
            </div>
          </div>
          {nodes.staleError && (
            <p class="inline-error" role="alert">
              The list could not be refreshed ({nodes.staleError}); rows may be out of date.
            </p>
          )}
          <p class="hint fleet-hint">{nodeActionsHint(admin)}</p>
          <NodeTable nodes={rows} admin={admin} tierLabel={tierLabel} ownerLabel={() => ({ name: user.name, email: user.email })} sort={sort} onSort={onSort} onChanged={onChanged} caption="Your render nodes" />
        </>
      )}
    </TickerProvider>
  );
}

import type { NodeState, RenderNode } from '@cloudexport/shared';
import { NodeState as NodeStates } from '@cloudexport/shared';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { callAll } from '../../api/client.js';
import { useUserDirectory } from '../../api/user-directory.js';
import { PageHeader } from '../../components/layout.js';
import { nodeActionsHint } from '../../components/node-actions.js';
import { LiveIndicator } from '../../components/node-live-indicator.js';
import { NodeTable } from '../../components/node-table.js';
import { Empty, ErrorState, Loading } from '../../components/states.js';
import { TickerProvider } from '../../components/ticking-ago.js';
import { filterChoices, filterNodes, isFiltered, nextSort, NO_FILTER, NO_TIER, sortNodes, type NodeFilter, type NodeSort, type NodeSortKey } from '../../fleet/filter-nodes.js';
import { useLiveNodes } from '../../fleet/use-live-nodes.js';
import { useTierNames } from '../../fleet/use-tier-names.js';

/** Rows rendered at first and per "Show more": keeps the first render of a big fleet fast. */
const PAGE_ROWS = 100;

/** Admin fleet: every node, live; sort, filter and search over the live set in the browser. */
export function Fleet() {
  const nodes = useLiveNodes((onPage) => callAll<'listNodes', RenderNode>('listNodes', { query: {} }, 5_000, onPage), []);
  // owner names and emails by user id; until they load (or if they cannot), rows show a short id
  const users = useUserDirectory();
  const owners = users.byId;
  useEffect(() => {
    if (users.error) console.warn('owner names could not be loaded', users.error);
  }, [users.error]);
  const tiers = useTierNames();
  const [filter, setFilter] = useState<NodeFilter>(NO_FILTER);
  const [sort, setSort] = useState<NodeSort>({ key: 'name', dir: 'asc' });
  const [shown, setShown] = useState(PAGE_ROWS);

  const all = nodes.state.status === 'ready' ? nodes.state.data : EMPTY;
  const ownerLabel = useCallback((id: string): { name: string; email?: string } => owners.get(id) ?? { name: id.slice(0, 8) }, [owners]);
  const tierLabel = useCallback((id: string) => tiers.get(id) ?? id, [tiers]);
  const rows = useMemo(() => sortNodes(filterNodes(all, filter), sort, { ownerLabel: (id) => ownerLabel(id).name, tierLabel }), [all, filter, sort, ownerLabel, tierLabel]);
  const choices = useMemo(() => filterChoices(all), [all]);
  const onSort = useCallback((key: NodeSortKey) => setSort((s) => nextSort(s, key)), []);
  const visible = useMemo(() => rows.slice(0, shown), [rows, shown]);

  // the browser tests time the first render of loaded rows from this mark
  const marked = useRef(false);
  useEffect(() => {
    if (marked.current || nodes.state.status !== 'ready' || visible.length === 0) return;
    marked.current = true;
    performance.mark('fleet:first-render');
  });

  const edit = (patch: Partial<NodeFilter>) => {
    setFilter((f) => ({ ...f, ...patch }));
    setShown(PAGE_ROWS);
  };

  return (
    <TickerProvider>
      <PageHeader title="Fleet">
        <LiveIndicator live={nodes.live} refused={nodes.refused} />
        <a class="button primary" href="/nodes/add">
          Add a node
        </a>
      </PageHeader>
      {nodes.state.status === 'loading' && <Loading what="the fleet" />}
      {nodes.state.status === 'error' && <ErrorState what="the fleet" error={nodes.state.error} retry={nodes.reload} />}
      {nodes.state.status === 'ready' && all.length === 0 && (
        <Empty title="No nodes yet.">
          Add one: create an enrollment token and run the install command on a GPU machine. <a href="/nodes/add">Add a node</a>
        </Empty>
      )}
      {nodes.state.status === 'ready' && all.length > 0 && (
        <>
          <div class="toolbar" role="search" aria-label="Filter nodes">
            <label>
              Search
              <input type="search" data-testid="fleet-search" placeholder="Name or GPU model" value={filter.q} onInput={(e) => edit({ q: e.currentTarget.value })} />
            </label>
            <label>
              State
              <select data-testid="fleet-filter-state" value={filter.state} onChange={(e) => edit({ state: e.currentTarget.value as NodeState | '' })}>
                <option value="">Any</option>
                {Object.values(NodeStates).map((s) => (
                  <option key={s} value={s}>
                    {s}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Tier
              <select data-testid="fleet-filter-tier" value={filter.tierId} onChange={(e) => edit({ tierId: e.currentTarget.value })}>
                <option value="">Any</option>
                {choices.tierIds.map((id) => (
                  <option key={id} value={id}>
                    {tierLabel(id)}
                  </option>
                ))}
                {choices.hasNoTier && <option value={NO_TIER}>No tier</option>}
              </select>
            </label>
            <label>
              After Effects
              <select data-testid="fleet-filter-ae" value={filter.aeMajor ?? ''} onChange={(e) => edit({ aeMajor: e.currentTarget.value ? Number(e.currentTarget.value) : null })}>
                <option value="">Any</option>
                {choices.aeMajors.map((major) => (
                  <option key={major} value={major}>
                    {major}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Owner
              <select data-testid="fleet-filter-owner" value={filter.ownerId} onChange={(e) => edit({ ownerId: e.currentTarget.value })}>
                <option value="">Anyone</option>
                {choices.ownerIds
                  .map((id) => ({ id, label: ownerLabel(id) }))
                  .sort((a, b) => a.label.name.localeCompare(b.label.name))
                  .map(({ id, label }) => (
                    <option key={id} value={id}>
                      {label.email ? `${label.name} (${label.email})` : label.name}
                    </option>
                  ))}
              </select>
            </label>
            {isFiltered(filter) && (
              <button type="button" onClick={() => edit(NO_FILTER)}>
                Clear filters
              </button>
            )}
            <p class="fleet-count num" data-testid="fleet-count" aria-live="polite">
              {rows.length} of {all.length} nodes
            </p>
          </div>
          {nodes.staleError && (
            <p class="inline-error" role="alert">
              The list could not be refreshed ({nodes.staleError}); rows may be out of date.{' '}
              <button type="button" onClick={nodes.reload}>
                Try again
              </button>
            </p>
          )}
          <p class="hint fleet-hint">{nodeActionsHint(true)}</p>
          {rows.length === 0 ? (
            <Empty title="No node matches these filters.">
              <button type="button" onClick={() => edit(NO_FILTER)}>
                Clear filters
              </button>
            </Empty>
          ) : (
            <NodeTable nodes={visible} admin ownerLabel={ownerLabel} tierLabel={tierLabel} sort={sort} onSort={onSort} onChanged={nodes.replace} caption="Render nodes" />
          )}
          {rows.length > visible.length && (
            <p class="fleet-more">
              <button type="button" onClick={() => setShown((n) => n + PAGE_ROWS)}>
                Show {Math.min(PAGE_ROWS, rows.length - visible.length)} more
              </button>{' '}
              <span class="muted num">
                Showing {visible.length} of {rows.length}
              </span>
            </p>
          )}
        </>
      )}
    </TickerProvider>
  );
}

const EMPTY: readonly RenderNode[] = [];

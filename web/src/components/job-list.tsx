import { JOB_STATES, isTerminalJobState, type Job, type JobState, type Page } from '@cloudexport/shared';
import { useMemo, useState } from 'preact/hooks';
import { ApiCallError, call } from '../api/client.js';
import { useUserDirectory } from '../api/user-directory.js';
import { useLive } from '../live/live-socket.js';
import { useReloadOnReconnect } from '../live/use-reload-on-reconnect.js';
import { applyJob, applyJobProgress } from '../jobs/live-reducers.js';
import { stateLabel } from '../jobs/state-pill.js';
import { useFrameBatch } from '../jobs/use-frame-batch.js';
import { useNow } from '../jobs/use-now.js';
import { JobTable } from './job-table.js';
import { Empty, ErrorState, Loading } from './states.js';
import { useLoad } from './use-load.js';

const PAGE_SIZE = 50;

interface Filters {
  state: JobState | '';
  ownerId: string;
  search: string;
}

type Loaded = { items: readonly Job[]; nextCursor: string | null };

/**
 * The jobs list of both the admin's Jobs page (every job, owners, live from the fleet room) and
 * the artist's My jobs (their own, live from `{ myJobs: true }`, so a job submitted from After
 * Effects or the CLI joins the list as it is created). Keyset pages with "Load more"; state and
 * owner filter on the server, the name search on what is loaded. After a reconnect the first
 * page is loaded again: events sent while away are gone.
 */
export function JobList({ admin }: { admin: boolean }) {
  const [filters, setFilters] = useState<Filters>({ state: '', ownerId: '', search: '' });
  const { state, reload, set } = useLoad<Loaded>(
    () => call('listJobs', { query: { limit: PAGE_SIZE, state: filters.state || undefined, ownerId: filters.ownerId || undefined } }),
    [filters.state, filters.ownerId],
  );
  // only admins may list users; the artist's list asks for none
  const users = useUserDirectory(admin);
  const owners = useMemo(() => new Map(users.list.map((u) => [u.id, u.name])), [users.list]);

  const push = useFrameBatch<Loaded>(set);
  // a job created after the list loaded joins at the top when it passes the filters
  const isNew = (job: Job) => (!filters.state || job.state === filters.state) && (!filters.ownerId || job.ownerId === filters.ownerId);
  const onJob = (job: Job) => push((d) => ({ ...d, items: applyJob(d.items, job, (j) => isNew(j) && (d.items.length === 0 || j.createdAt >= d.items[0]!.createdAt)) }));
  const onProgress = (p: Parameters<typeof applyJobProgress>[1]) => push((d) => ({ ...d, items: applyJobProgress(d.items, p) }));
  const live = useLive(admin ? { fleet: true } : { myJobs: true }, { job: onJob, progress: onProgress });
  useReloadOnReconnect(live.connected, reload, state.status === 'ready');

  const items = state.status === 'ready' ? state.data.items : [];
  const running = items.some((j) => !isTerminalJobState(j.state));
  const now = useNow(1000, running);
  const search = filters.search.trim().toLowerCase();
  const shown = search ? items.filter((j) => j.name.toLowerCase().includes(search)) : items;
  const onChanged = (job: Job) => set((d) => ({ ...d, items: applyJob(d.items, job) }));

  return (
    <>
      <div class="toolbar" role="search">
        <label>
          State
          <select data-testid="jobs-filter-state" value={filters.state} onChange={(e) => setFilters({ ...filters, state: e.currentTarget.value as JobState | '' })}>
            <option value="">Any state</option>
            {JOB_STATES.map((s) => (
              <option key={s} value={s}>
                {stateLabel(s)}
              </option>
            ))}
          </select>
        </label>
        {admin && (
          <label>
            Owner
            <select data-testid="jobs-filter-owner" value={filters.ownerId} onChange={(e) => setFilters({ ...filters, ownerId: e.currentTarget.value })}>
              <option value="">Everyone</option>
              {users.list
                .filter((u) => u.role !== 'provider')
                .map((u) => (
                  <option key={u.id} value={u.id}>
                    {u.name} ({u.email})
                  </option>
                ))}
            </select>
          </label>
        )}
        <label>
          Name
          <input type="search" data-testid="jobs-search" placeholder="Search loaded jobs" value={filters.search} onInput={(e) => setFilters({ ...filters, search: e.currentTarget.value })} />
        </label>
        <span class="toolbar-note muted" aria-live="polite">
          <span class={live.connected && !live.refused ? 'live-dot on' : 'live-dot'} title={live.connected && !live.refused ? 'Live' : 'Not live'} aria-hidden="true" />
          <span class="num" data-testid="jobs-count">
            {shown.length}
          </span>{' '}
          shown{state.status === 'ready' && state.data.nextCursor ? ', more to load' : ''}
          {live.refused && <span class="inline-error"> Live updates refused: {live.refused}</span>}
        </span>
      </div>
      {state.status === 'loading' && <Loading what="jobs" />}
      {state.status === 'error' && <ErrorState what="jobs" error={state.error} retry={reload} />}
      {state.status === 'ready' && items.length === 0 && <NoJobs admin={admin} filtered={!!(filters.state || filters.ownerId)} />}
      {state.status === 'ready' && items.length > 0 && shown.length === 0 && (
        <Empty title={`No loaded job is named like “${filters.search.trim()}”.`}>Clear the search{state.data.nextCursor ? ', or load more jobs first' : ''}.</Empty>
      )}
      {state.status === 'ready' && shown.length > 0 && <JobTable jobs={shown} owners={admin ? owners : undefined} now={now} onChanged={onChanged} />}
      {state.status === 'ready' && state.data.nextCursor && <LoadMore cursor={state.data.nextCursor} filters={filters} onPage={(page) => set((d) => ({ items: [...d.items, ...page.items.filter((j) => !d.items.some((k) => k.id === j.id))], nextCursor: page.nextCursor }))} />}
    </>
  );
}

function NoJobs({ admin, filtered }: { admin: boolean; filtered: boolean }) {
  if (filtered) return <Empty title="No job matches these filters.">Choose “Any state” or “Everyone” to see more.</Empty>;
  if (admin) return <Empty title="No jobs yet.">Jobs appear here live as artists submit them from After Effects or the CLI.</Empty>;
  return (
    <Empty title="No jobs yet.">
      Click Export in Cloud in After Effects, or run <code>cloudexport submit project.aep --comp Main</code>.
    </Empty>
  );
}

function LoadMore({ cursor, filters, onPage }: { cursor: string; filters: Filters; onPage: (page: Page<Job>) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const more = async () => {
    setBusy(true);
    setError(null);
    try {
      onPage(await call('listJobs', { query: { limit: PAGE_SIZE, cursor, state: filters.state || undefined, ownerId: filters.ownerId || undefined } }));
    } catch (err) {
      setError(err instanceof ApiCallError || err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="load-more">
      <button type="button" data-testid="jobs-load-more" disabled={busy} onClick={() => void more()}>
        {busy ? 'Loading…' : 'Load more'}
      </button>
      {error && (
        <span class="inline-error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}

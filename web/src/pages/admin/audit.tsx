import type { AuditEntry, RenderNode, User } from '@cloudexport/shared';
import { useLocation } from 'preact-iso';
import { useMemo, useState } from 'preact/hooks';
import { call, callAll } from '../../api/client.js';
import { useUserDirectory } from '../../api/user-directory.js';
import { actorLabel, compactDetails, shortId, targetHref } from '../../admin/audit-entry.js';
import { filterFromForm, filterFromQuery, filterToApiQuery, filterToSearch, formFromFilter, isEmptyFilter, type AuditFilter, type AuditFilterForm, type FilterErrors } from '../../admin/audit-filter.js';
import { PageHeader } from '../../components/layout.js';
import { Empty, ErrorState, Loading } from '../../components/states.js';
import { useLoad } from '../../components/use-load.js';
import { dateTime } from '../../format/format.js';
import { LoadMoreButton, useMore } from '../../components/load-more.js';

const PAGE = 100;

/** Names for the ids in the log: users by name and email (the shared user directory), nodes by name (loaded once per visit). */
interface Directory {
  users: ReadonlyMap<string, { name: string; email: string }>;
  nodes: ReadonlyMap<string, { name: string }>;
}

/** /admin/audit: every state change, sign-in, key use and admin action; the filter lives in the URL. */
export function AuditLog() {
  const { query, route } = useLocation();
  const filter = filterFromQuery(query);
  const key = filterToSearch(filter);
  const entries = useLoad(() => call('listAudit', { query: { ...filterToApiQuery(filter), limit: PAGE } }), [key]);
  const users = useUserDirectory();
  const nodes = useLoad(loadNodeNames);
  const nodeNames = nodes.state.status === 'ready' ? nodes.state.data : NO_NODES;
  const dir: Directory = useMemo(() => ({ users: users.byId, nodes: nodeNames }), [users.byId, nodeNames]);
  const userList = useMemo(() => [...users.list].sort((a, b) => a.email.localeCompare(b.email)), [users.list]);
  const directoryError = users.error ?? (nodes.state.status === 'error' ? (nodes.state.error instanceof Error ? nodes.state.error.message : 'unknown error') : null);
  const more = useMore();
  const loadMore = (cursor: string) =>
    more.run(async () => {
      const page = await call('listAudit', { query: { ...filterToApiQuery(filter), limit: PAGE, cursor } });
      entries.set((d) => ({ items: [...d.items, ...page.items], nextCursor: page.nextCursor }));
    });
  return (
    <>
      <PageHeader title="Audit log" />
      <FilterForm key={key} filter={filter} users={userList} apply={(f) => route(`/admin/audit${filterToSearch(f)}`)} />
      {directoryError !== null && (
        <p class="muted" role="status">
          Names of users and nodes could not be loaded ({directoryError}); ids are shown instead.
        </p>
      )}
      {entries.state.status === 'loading' && <Loading what="the audit log" />}
      {entries.state.status === 'error' && <ErrorState what="the audit log" error={entries.state.error} retry={entries.reload} />}
      {entries.state.status === 'ready' &&
        (entries.state.data.items.length === 0 ? (
          isEmptyFilter(filter) ? (
            <Empty title="The audit log is empty.">Entries appear as people sign in, submit jobs and change settings, and as nodes connect.</Empty>
          ) : (
            <Empty title="No entries match this filter.">
              Widen the time range, use an action prefix like <code>job.</code>, or <a href="/admin/audit">clear the filter</a>.
            </Empty>
          )
        ) : (
          <div class="table-wrap">
            <table data-testid="audit-table">
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Actor</th>
                  <th scope="col">Action</th>
                  <th scope="col">Target</th>
                  <th scope="col">Details</th>
                  <th scope="col">IP</th>
                </tr>
              </thead>
              <tbody>
                {entries.state.data.items.map((entry) => (
                  <AuditRow key={entry.id} entry={entry} dir={dir} />
                ))}
              </tbody>
            </table>
          </div>
        ))}
      {entries.state.status === 'ready' && entries.state.data.nextCursor && (
        <LoadMoreButton testId="audit-more" label="Load older entries" state={more.state} onClick={() => loadMore((entries.state as { data: { nextCursor: string } }).data.nextCursor)} />
      )}
    </>
  );
}

function AuditRow({ entry, dir }: { entry: AuditEntry; dir: Directory }) {
  const href = targetHref(entry);
  const details = compactDetails(entry.details);
  const target = entry.targetId ? `${entry.targetType ?? 'target'} ${shortId(entry.targetId)}` : '—';
  return (
    <tr data-testid="audit-row" data-action={entry.action} data-actor-id={entry.actorId ?? ''}>
      <td class="num">{dateTime(entry.at)}</td>
      <td>{actorLabel(entry, dir.users, dir.nodes)}</td>
      <td>
        <code>{entry.action}</code>
      </td>
      <td>
        {href ? (
          <a href={href} title={entry.targetId ?? undefined}>
            {target}
          </a>
        ) : (
          <span title={entry.targetId ?? undefined}>{target}</span>
        )}
      </td>
      <td class="audit-details">
        {!details.short ? (
          <span class="muted">—</span>
        ) : details.cut ? (
          <details>
            <summary>
              <code>{details.short}</code>
            </summary>
            <pre>{details.full}</pre>
          </details>
        ) : (
          <code>{details.short}</code>
        )}
      </td>
      <td>{entry.ip ?? '—'}</td>
    </tr>
  );
}

function FilterForm({ filter, users, apply }: { filter: AuditFilter; users: readonly User[]; apply: (filter: AuditFilter) => void }) {
  const [form, setForm] = useState<AuditFilterForm>(() => formFromFilter(filter));
  const [errors, setErrors] = useState<FilterErrors>({});
  const set = (field: keyof AuditFilterForm) => (e: Event) => setForm({ ...form, [field]: (e.currentTarget as HTMLInputElement).value });
  const submit = (e: Event) => {
    e.preventDefault();
    const checked = filterFromForm(form);
    setErrors(checked.errors);
    if (Object.keys(checked.errors).length === 0) apply(checked.filter);
  };
  const err = (field: keyof AuditFilterForm) =>
    errors[field] && (
      <span id={`audit-${field}-error`} class="inline-error field-error" role="alert">
        {errors[field]}
      </span>
    );
  return (
    <form class="toolbar audit-filter" onSubmit={submit} aria-label="Filter the audit log">
      <label>
        Actor id
        <input data-testid="audit-actor" value={form.actor} placeholder="a user or node id" size={20} onInput={set('actor')} aria-invalid={!!errors.actor} aria-describedby={errors.actor ? 'audit-actor-error' : undefined} />
        {err('actor')}
      </label>
      <label>
        or pick a user
        <select data-testid="audit-actor-pick" value={users.some((u) => u.id === form.actor) ? form.actor : ''} onChange={(e) => setForm({ ...form, actor: e.currentTarget.value })}>
          <option value="">Anyone</option>
          {users.map((u) => (
            <option key={u.id} value={u.id}>
              {u.email}
            </option>
          ))}
        </select>
      </label>
      <label>
        Action
        <input data-testid="audit-action" value={form.action} placeholder="job.create or job." size={16} onInput={set('action')} aria-invalid={!!errors.action} aria-describedby={errors.action ? 'audit-action-error' : undefined} />
        {err('action')}
      </label>
      <label>
        Since
        <input type="datetime-local" data-testid="audit-since" value={form.since} onInput={set('since')} aria-invalid={!!errors.since} />
        {err('since')}
      </label>
      <label>
        Until
        <input type="datetime-local" data-testid="audit-until" value={form.until} onInput={set('until')} aria-invalid={!!errors.until} />
        {err('until')}
      </label>
      <button type="submit" class="primary" data-testid="audit-apply">
        Filter
      </button>
      {!isEmptyFilter(filter) && (
        <a class="button" href="/admin/audit" data-testid="audit-clear">
          Clear
        </a>
      )}
    </form>
  );
}

const NO_NODES: ReadonlyMap<string, { name: string }> = new Map();

async function loadNodeNames(): Promise<ReadonlyMap<string, { name: string }>> {
  const nodes = await callAll<'listNodes', RenderNode>('listNodes', { query: {} }, 2_000);
  return new Map(nodes.map((n) => [n.id, { name: n.name }]));
}

import type { Earnings as EarningsData } from '@cloudexport/shared';
import { useMemo, useState } from 'preact/hooks';
import { call } from '../../api/client.js';
import { useUser } from '../../api/session.js';
import { useUserDirectory } from '../../api/user-directory.js';
import { PageHeader } from '../../components/layout.js';
import { Empty, ErrorState, Loading } from '../../components/states.js';
import { useLoad } from '../../components/use-load.js';
import { usd } from '../../format/format.js';

const PERIODS = [7, 30, 90] as const;

/** What a provider's nodes earned (their share of what the chunks were charged), per day and per node. */
export function Earnings() {
  const user = useUser();
  const admin = user.role === 'admin';
  const [days, setDays] = useState<number>(30);
  // admins may look at any provider's figures
  const [userId, setUserId] = useState<string>('');
  const { state, reload } = useLoad(() => call('getEarnings', { query: { days, userId: userId || undefined } }), [days, userId]);

  return (
    <>
      <PageHeader title="Earnings">
        <label class="fleet-inline-label">
          Period
          <select data-testid="earnings-period" value={days} onChange={(e) => setDays(Number(e.currentTarget.value))}>
            {PERIODS.map((d) => (
              <option key={d} value={d}>
                Last {d} days
              </option>
            ))}
          </select>
        </label>
        {admin && <ProviderPicker value={userId} onChange={setUserId} />}
      </PageHeader>
      {state.status === 'loading' && <Loading what="earnings" />}
      {state.status === 'error' && <ErrorState what="earnings" error={state.error} retry={reload} />}
      {state.status === 'ready' && <EarningsView data={state.data} days={days} />}
    </>
  );
}

function EarningsView({ data, days }: { data: EarningsData; days: number }) {
  const nothing = data.totalUsd === 0 && data.byNode.every((n) => n.chunks === 0);
  const peak = Math.max(0, ...data.byDay.map((d) => d.usd));
  return (
    <>
      <div class="cards">
        <div class="card stat">
          <div class="label">Earned, last {days} days</div>
          <div class="value num" data-testid="earnings-total">
            {usd(data.totalUsd)}
          </div>
        </div>
        <div class="card stat">
          <div class="label">Chunks rendered</div>
          <div class="value num">{data.byNode.reduce((n, row) => n + row.chunks, 0)}</div>
        </div>
        <div class="card stat">
          <div class="label">Your share</div>
          <div class="value num">{Math.round(data.share * 100)}%</div>
        </div>
      </div>
      {nothing && (
        <Empty title={`Nothing earned in the last ${days} days.`}>
          Your nodes earn {Math.round(data.share * 100)}% of what each chunk they render is charged. Check that they are online in <a href="/nodes">My nodes</a>, or{' '}
          <a href="/nodes/add">add a node</a>.
        </Empty>
      )}
      <h2>Per node</h2>
      {data.byNode.length === 0 ? (
        <p class="muted">No node rendered a chunk in this period.</p>
      ) : (
        <div class="table-wrap">
          <table data-testid="earnings-by-node">
            <thead>
              <tr>
                <th scope="col">Node</th>
                <th scope="col" class="num">
                  Chunks
                </th>
                <th scope="col" class="num">
                  GPU minutes
                </th>
                <th scope="col" class="num">
                  Earned
                </th>
              </tr>
            </thead>
            <tbody>
              {data.byNode.map((row) => (
                <tr key={row.nodeId} data-node-id={row.nodeId}>
                  <td>
                    <a href={`/nodes/${row.nodeId}`}>{row.nodeName}</a>
                  </td>
                  <td class="num">{row.chunks}</td>
                  <td class="num">{row.gpuMinutes.toFixed(1)}</td>
                  <td class="num">{usd(row.usd)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h2>Per day</h2>
      <div class="table-wrap">
        <table data-testid="earnings-by-day" class="earnings-days">
          <thead>
            <tr>
              <th scope="col">Day (UTC)</th>
              <th scope="col" class="num">
                Chunks
              </th>
              <th scope="col" class="num">
                Earned
              </th>
              <th scope="col" class="earnings-bar-col">
                <span class="visually-hidden">Share of the best day</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {[...data.byDay].reverse().map((d) => (
              <tr key={d.day} data-day={d.day}>
                <td class="num">{d.day}</td>
                <td class="num">{d.chunks}</td>
                <td class="num">{usd(d.usd)}</td>
                <td class="earnings-bar-col" aria-hidden="true">
                  <span class="earnings-bar" style={{ width: `${peak > 0 ? (d.usd / peak) * 100 : 0}%` }} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

/** Admins: whose earnings to show (their own when none is picked). */
function ProviderPicker({ value, onChange }: { value: string; onChange: (id: string) => void }) {
  const { list, loading, error } = useUserDirectory();
  // null until the users load (the menu stays disabled, as it does when they cannot)
  const providers = useMemo(() => (loading || error !== null ? null : list.filter((u) => u.role === 'provider')), [list, loading, error]);
  return (
    <label class="fleet-inline-label">
      Provider
      <select data-testid="earnings-provider" value={value} disabled={!providers} onChange={(e) => onChange(e.currentTarget.value)}>
        <option value="">You</option>
        {providers?.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name} ({p.email})
          </option>
        ))}
      </select>
      {error && <span class="inline-error">Providers could not be listed: {error}</span>}
    </label>
  );
}

import type { Spending as SpendingData } from '@cloudexport/shared';
import { useState } from 'preact/hooks';
import { call } from '../../api/client.js';
import { PageHeader } from '../../components/layout.js';
import { Empty, ErrorState, Loading } from '../../components/states.js';
import { useLoad } from '../../components/use-load.js';
import { usd } from '../../format/format.js';

const PERIODS = [7, 30, 90] as const;

/** What the artist's jobs cost: a total for the period, per day, per job. */
export function Spending() {
  const [days, setDays] = useState<(typeof PERIODS)[number]>(30);
  const { state, reload } = useLoad<SpendingData>(() => call('getSpending', { query: { days } }), [days]);
  return (
    <>
      <PageHeader title="Spending">
        <div class="segmented" role="group" aria-label="Period">
          {PERIODS.map((d) => (
            <button key={d} type="button" aria-pressed={d === days} class={d === days ? 'primary' : ''} data-testid={`spending-days-${d}`} onClick={() => setDays(d)}>
              {d} days
            </button>
          ))}
        </div>
      </PageHeader>
      {state.status === 'loading' && <Loading what="your spending" />}
      {state.status === 'error' && <ErrorState what="your spending" error={state.error} retry={reload} />}
      {state.status === 'ready' && <SpendingView data={state.data} days={days} />}
    </>
  );
}

function SpendingView({ data, days }: { data: SpendingData; days: number }) {
  const max = Math.max(0, ...data.byDay.map((d) => d.usd));
  const frames = data.byDay.reduce((n, d) => n + d.frames, 0);
  return (
    <>
      <div class="cards">
        <div class="card stat">
          <div class="label">Last {days} days</div>
          <div class="value num" data-testid="spending-total">
            {usd(data.totalUsd)}
          </div>
        </div>
        <div class="card stat">
          <div class="label">Frames charged</div>
          <div class="value num">{frames.toLocaleString('en-US')}</div>
        </div>
        <div class="card stat">
          <div class="label">Jobs charged</div>
          <div class="value num">{data.byJob.length}</div>
        </div>
      </div>
      {data.totalUsd === 0 && data.byJob.length === 0 ? (
        <Empty title={`Nothing charged in the last ${days} days.`}>
          A job is charged per finished chunk at its node’s tier price. Submit one with Export in Cloud in After Effects, or <code>cloudexport submit project.aep --comp Main</code>.
        </Empty>
      ) : (
        <>
          <h2>Per day</h2>
          <div class="card">
            <ol class="day-bars" data-testid="spending-by-day" aria-label="Spent per day, oldest first">
              {data.byDay.map((d) => (
                <li key={d.day} class="day-bar" title={`${d.day}: ${usd(d.usd)}, ${d.frames} frames`}>
                  <span class="day-bar-fill" style={{ height: `${max > 0 ? Math.max(d.usd > 0 ? 2 : 0, (d.usd / max) * 100) : 0}%` }} />
                  <span class="visually-hidden">
                    {d.day}: {usd(d.usd)}, {d.frames} frames
                  </span>
                </li>
              ))}
            </ol>
            <div class="day-bars-axis muted">
              <span>{data.byDay[0]?.day}</span>
              <span>most {usd(max)} a day</span>
              <span>{data.byDay.at(-1)?.day}</span>
            </div>
          </div>
          <h2>Per job</h2>
          <div class="table-wrap">
            <table data-testid="spending-by-job">
              <thead>
                <tr>
                  <th scope="col">Job</th>
                  <th scope="col" class="num">
                    Frames
                  </th>
                  <th scope="col" class="num">
                    Cost
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.byJob.map((j) => (
                  <tr key={j.jobId}>
                    <td>
                      <a href={`/jobs/${j.jobId}`}>{j.jobName}</a>
                    </td>
                    <td class="num">{j.frames.toLocaleString('en-US')}</td>
                    <td class="num">{usd(j.usd)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </>
  );
}

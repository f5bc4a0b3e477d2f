import type { AttemptOutcome, ChunkAttempt } from '@cloudexport/shared';
import { AttemptOutcome as Outcomes } from '@cloudexport/shared';
import { useEffect, useRef, useState } from 'preact/hooks';
import { call } from '../api/client.js';
import { OUTCOME_PILL, reasonText } from '../fleet/failure-reasons.js';
import { dateTime, duration, usd } from '../format/format.js';
import { Empty, ErrorState, Loading } from './states.js';
import { LoadMoreButton, useMore } from './load-more.js';

const PAGE = 50;

interface Props {
  nodeId: string;
  /** Jobs link to their page (admins; owners cannot open other people's jobs). */
  linkJobs: boolean;
  /** Changes when the node finished or took a chunk: the newest page is fetched again. */
  version: string;
  /** The loaded attempts, for the warnings list beside. */
  onLoaded?: (attempts: ChunkAttempt[]) => void;
}

type List = { items: ChunkAttempt[]; nextCursor: string | null };

/** What the node rendered, failed or lost, newest first, with reasons; "Load more" pages back. */
export function NodeAttempts({ nodeId, linkJobs, version, onLoaded }: Props) {
  const [outcome, setOutcome] = useState<AttemptOutcome | ''>('');
  const [list, setList] = useState<List | null>(null);
  const [error, setError] = useState<unknown>(null);
  const more = useMore();
  const [round, setRound] = useState(0);
  const shown = useRef<string>('');

  const fetchPage = (cursor?: string) => call('listNodeAttempts', { params: { id: nodeId }, query: { outcome: outcome || undefined, limit: PAGE, cursor } });

  // a new filter starts over; a new `version` lays the newest page over what is loaded
  useEffect(() => {
    let current = true;
    const key = `${nodeId}|${outcome}`;
    const restart = shown.current !== key;
    if (restart) setList(null);
    fetchPage().then(
      (page) => {
        if (!current) return;
        shown.current = key;
        setError(null);
        setList((old) => (restart || !old ? page : mergeNewest(old, page)));
      },
      (err: unknown) => current && setError(err),
    );
    return () => {
      current = false;
    };
  }, [nodeId, outcome, version, round]);

  useEffect(() => {
    if (list) onLoaded?.(list.items);
  }, [list]);

  const loadMore = () => {
    const cursor = list?.nextCursor;
    if (!cursor) return;
    more.run(async () => {
      const page = await fetchPage(cursor);
      setList((old) => ({ items: [...(old?.items ?? []), ...page.items.filter((a) => !old?.items.some((o) => o.id === a.id))], nextCursor: page.nextCursor }));
    });
  };

  return (
    <section aria-labelledby="attempts-heading">
      <div class="toolbar">
        <h2 id="attempts-heading" class="fleet-section-title">
          Chunks rendered and failed
        </h2>
        <label>
          Outcome
          <select data-testid="attempts-outcome" value={outcome} onChange={(e) => setOutcome(e.currentTarget.value as AttemptOutcome | '')}>
            <option value="">Any</option>
            {Object.values(Outcomes).map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        </label>
      </div>
      {error !== null && !list && <ErrorState what="the node's chunks" error={error} retry={() => setRound((r) => r + 1)} />}
      {error === null && !list && <Loading what="the node's chunks" />}
      {list && list.items.length === 0 && (
        <Empty title={outcome ? `No ${outcome} chunks.` : 'No chunks yet.'}>
          {outcome ? 'Choose another outcome to see the rest.' : 'Once this node is online and takes work, each chunk it renders shows here with how it ended.'}
        </Empty>
      )}
      {list && list.items.length > 0 && (
        <div class="table-wrap">
          <table data-testid="attempts-table">
            <thead>
              <tr>
                <th scope="col">Job</th>
                <th scope="col" class="num">
                  Chunk
                </th>
                <th scope="col" class="num">
                  Frames
                </th>
                <th scope="col">Outcome</th>
                <th scope="col">Why</th>
                <th scope="col" class="num">
                  Started
                </th>
                <th scope="col" class="num">
                  Took
                </th>
                <th scope="col" class="num">
                  Charged
                </th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((a) => (
                <tr key={a.id} data-testid="attempt-row" data-outcome={a.outcome}>
                  <td>{linkJobs ? <a href={`/jobs/${a.jobId}`}>{a.jobName}</a> : a.jobName || <span class="muted">a job</span>}</td>
                  <td class="num">
                    {a.kind === 'frames' ? `#${a.chunkIndex}` : a.kind}
                  </td>
                  <td class="num">
                    {a.frameStart}–{a.frameEnd}
                  </td>
                  <td>
                    <span class={`pill ${OUTCOME_PILL[a.outcome]}`}>{a.outcome}</span>
                  </td>
                  <td class="attempt-why">
                    {a.reason && <strong>{reasonText(a.reason)}</strong>}
                    {a.message && <div class="muted">{a.message}</div>}
                    {a.warnings.length > 0 && (
                      <div class="muted">
                        {a.warnings.length} aerender warning{a.warnings.length === 1 ? '' : 's'}
                      </div>
                    )}
                  </td>
                  <td class="num">{dateTime(a.startedAt)}</td>
                  <td class="num">{a.endedAt ? duration((Date.parse(a.endedAt) - Date.parse(a.startedAt)) / 1000) : '—'}</td>
                  <td class="num">{usd(a.chargedUsd)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list?.nextCursor && (
        <LoadMoreButton testId="attempts-more" label="Load more" state={more.state} onClick={loadMore} />
      )}
    </section>
  );
}

/** The newest page over the loaded list: new attempts on top, changed ones updated, older pages kept. */
function mergeNewest(old: List, page: List): List {
  const fresh = new Set(page.items.map((a) => a.id));
  const older = old.items.filter((a) => !fresh.has(a.id));
  // when all that was loaded is inside the newest page, the next page starts after that page
  return { items: [...page.items, ...older], nextCursor: older.length > 0 ? old.nextCursor : page.nextCursor };
}

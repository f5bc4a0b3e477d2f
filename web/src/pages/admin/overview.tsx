import type { JobState, MetricsHistory, MetricsPoint, NodeState } from '@cloudexport/shared';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { callAll, call } from '../../api/client.js';
import { countJobs, countNodes, nodeCount, RUNNING_JOB_STATES, WAITING_JOB_STATES, type NodeCount } from '../../admin/fleet-counts.js';
import { mergePoints, toColumns } from '../../admin/metrics-series.js';
import { PageHeader } from '../../components/layout.js';
import { StatCard } from '../../components/stat-card.js';
import { ErrorState, Loading } from '../../components/states.js';
import { TimeChart } from '../../components/time-chart.js';
import { LiveIndicator } from '../../components/node-live-indicator.js';
import { useLoad } from '../../components/use-load.js';
import { useLive } from '../../live/live-socket.js';
import { useReloadOnReconnect } from '../../live/use-reload-on-reconnect.js';
import { ago } from '../../format/format.js';

const HOURS = 24;
/** The coordinator samples once a minute; a little after the minute the new point is there. */
const REFRESH_MS = 60_000;
const EMPTY_CHARTS = 'Charts fill in as the coordinator samples the fleet once a minute.';

interface Counts {
  nodes: Map<string, NodeCount>;
  jobs: Map<string, JobState>;
}

/** /admin: the fleet now (cards, live from the socket) and over the last 24 hours (charts). */
export function AdminOverview() {
  const counts = useLoad(loadCounts);
  const history = useHistory();
  const { connected, refused } = useLive(
    { fleet: true },
    {
      node: (node) => counts.set((c) => ({ ...c, nodes: new Map(c.nodes).set(node.id, nodeCount(node)) })),
      job: (job) => counts.set((c) => ({ ...c, jobs: new Map(c.jobs).set(job.id, job.state) })),
    },
  );
  useReloadOnReconnect(connected, counts.reload, counts.state.status === 'ready');
  const latest = history.points.at(-1) ?? null;

  return (
    <>
      <PageHeader title="Overview">
        <LiveIndicator live={connected && !refused} refused={refused} whenRefused="The counts load again when you reload the page." />
      </PageHeader>
      {refused && (
        <p class="inline-error" role="alert">
          Live updates were refused: {refused}
        </p>
      )}
      {counts.state.status === 'loading' && <Loading what="the fleet's counts" />}
      {counts.state.status === 'error' && <ErrorState what="the fleet's counts" error={counts.state.error} retry={counts.reload} />}
      {counts.state.status === 'ready' && <Cards counts={counts.state.data} latest={latest} />}
      <h2>Last {HOURS} hours</h2>
      {history.error && (
        <p class="inline-error" role="alert">
          Could not load the fleet's history: {history.error} It is tried again every minute.
        </p>
      )}
      {history.loading ? <Loading what="the fleet's history" /> : <Charts history={history} />}
    </>
  );
}

function Cards({ counts, latest }: { counts: Counts; latest: MetricsPoint | null }) {
  const nodes = countNodes(counts.nodes.values());
  const jobs = countJobs(counts.jobs.values());
  return (
    <div class="cards overview-cards">
      <StatCard label="Nodes online" value={nodes.online} testId="stat-nodes-online">
        of {nodes.total} enrolled
      </StatCard>
      <StatCard label="Nodes busy" value={nodes.busy} testId="stat-nodes-busy">
        rendering a chunk now
      </StatCard>
      <StatCard label="Nodes total" value={nodes.total} testId="stat-nodes-total" />
      <StatCard label="Jobs running" value={jobs.running} testId="stat-jobs-running" />
      <StatCard label="Jobs queued" value={jobs.waiting} testId="stat-jobs-queued">
        waiting for a node or a retry
      </StatCard>
      <StatCard label="Queue depth" value={latest ? latest.queueDepth : '—'} testId="stat-queue-depth">
        {latest ? `chunks waiting, sampled ${ago(latest.at)}` : 'no sample yet'}
      </StatCard>
      <StatCard label="Frames per minute" value={latest ? Math.round(latest.framesPerMinute) : '—'} testId="stat-frames-per-minute">
        {latest ? `sampled ${ago(latest.at)}` : 'no sample yet'}
      </StatCard>
    </div>
  );
}

function Charts({ history }: { history: HistoryState }) {
  const step = history.stepSeconds;
  const nodes = useMemo(() => toColumns(history.points, ['nodesOnline', 'nodesBusy'], step), [history.points, step]);
  const frames = useMemo(() => toColumns(history.points, ['framesPerMinute'], step), [history.points, step]);
  const queue = useMemo(() => toColumns(history.points, ['queueDepth'], step), [history.points, step]);
  return (
    <div class="charts">
      <TimeChart
        title="Nodes online and busy"
        testId="chart-nodes"
        integer
        data={nodes}
        empty={EMPTY_CHARTS}
        series={[
          { label: 'Online', color: '--ok' },
          { label: 'Busy', color: '--accent' },
        ]}
      />
      <TimeChart title="Frames per minute" testId="chart-frames" data={frames} empty={EMPTY_CHARTS} series={[{ label: 'Frames/min', color: '--accent' }]} />
      <TimeChart title="Queue depth (chunks waiting)" testId="chart-queue" integer data={queue} empty={EMPTY_CHARTS} series={[{ label: 'Chunks queued', color: '--warn' }]} />
    </div>
  );
}

interface HistoryState {
  loading: boolean;
  error: string | null;
  stepSeconds: number;
  points: MetricsPoint[];
}

/** The last 24 h once, then every minute the last hour merged in (the samples are written once a minute). */
function useHistory(): HistoryState {
  const [state, setState] = useState<HistoryState>({ loading: true, error: null, stepSeconds: 60, points: [] });
  useEffect(() => {
    let alive = true;
    // the whole window until it loaded once; then only the last hour, merged in
    let loadedWindow = false;
    const fetchHours = (hours: number) =>
      call('getMetricsHistory', { query: { hours } }).then(
        (h: MetricsHistory) => {
          if (!alive) return;
          if (hours === HOURS) loadedWindow = true;
          setState((s) => ({ loading: false, error: null, stepSeconds: h.stepSeconds, points: mergePoints(s.points, h.points, Date.now(), HOURS) }));
        },
        (err: unknown) => {
          if (!alive) return;
          setState((s) => ({ ...s, loading: false, error: err instanceof Error ? err.message : String(err) }));
        },
      );
    void fetchHours(HOURS);
    const timer = setInterval(() => void fetchHours(loadedWindow ? 1 : HOURS), REFRESH_MS);
    return () => {
      alive = false;
      clearInterval(timer);
    };
  }, []);
  return state;
}

async function loadCounts(): Promise<Counts> {
  type Row = { id: string; state: JobState };
  const [nodes, ...jobPages] = await Promise.all([
    callAll<'listNodes', { id: string; state: NodeState; connected: boolean; currentChunkId: string | null }>('listNodes', { query: {} }),
    ...[...WAITING_JOB_STATES, ...RUNNING_JOB_STATES].map((state) => callAll<'listJobs', Row>('listJobs', { query: { state } })),
  ]);
  return {
    nodes: new Map(nodes.map((n) => [n.id, nodeCount(n)])),
    jobs: new Map((jobPages as Row[][]).flat().map((j) => [j.id, j.state])),
  };
}

import type { NodeBlock } from '@cloudexport/shared';
import { call } from '../api/client.js';
import { dateTime } from '../format/format.js';
import { Empty, ErrorState, Loading } from './states.js';
import { useLoad } from './use-load.js';

/** The jobs this node gets no more chunks of, after failing them repeatedly, and why. */
export function NodeBlocks({ nodeId, linkJobs, version }: { nodeId: string; linkJobs: boolean; version: number }) {
  const { state, reload } = useLoad(() => call('listNodeBlocks', { params: { id: nodeId } }).then((a) => a.items), [nodeId, version]);
  return (
    <section aria-labelledby="blocks-heading">
      <h2 id="blocks-heading">Blocked jobs</h2>
      {state.status === 'loading' && <Loading what="the node's blocked jobs" />}
      {state.status === 'error' && <ErrorState what="the node's blocked jobs" error={state.error} retry={reload} />}
      {state.status === 'ready' && state.data.length === 0 && (
        <Empty title="No blocked jobs.">A node that fails the same job repeatedly is kept off that job; such jobs would show here.</Empty>
      )}
      {state.status === 'ready' && state.data.length > 0 && (
        <div class="table-wrap">
          <table data-testid="node-blocks">
            <thead>
              <tr>
                <th scope="col">Job</th>
                <th scope="col">Why</th>
                <th scope="col" class="num">
                  Since
                </th>
              </tr>
            </thead>
            <tbody>
              {state.data.map((b: NodeBlock) => (
                <tr key={b.jobId} data-testid="block-row">
                  <td>{linkJobs ? <a href={`/jobs/${b.jobId}`}>{b.jobName}</a> : b.jobName || <span class="muted">a job</span>}</td>
                  <td>{b.reason}</td>
                  <td class="num">{dateTime(b.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

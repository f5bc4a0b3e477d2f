import type { Chunk } from '@cloudexport/shared';
import { chunkPillClass, stateLabel } from '../jobs/state-pill.js';
import { ProgressBar } from './progress-bar.js';

/** The job's chunks with live state and per-chunk frame progress; node names come from the attempts. */
export function JobChunks({ chunks, nodeNames }: { chunks: readonly Chunk[]; nodeNames: ReadonlyMap<string, string> }) {
  return (
    <div class="table-wrap">
      <table data-testid="chunk-table">
        <thead>
          <tr>
            <th scope="col" class="num">
              #
            </th>
            <th scope="col">Kind</th>
            <th scope="col">Frames</th>
            <th scope="col">State</th>
            <th scope="col">Node</th>
            <th scope="col">Progress</th>
            <th scope="col" class="num">
              Attempt
            </th>
            <th scope="col">Error</th>
          </tr>
        </thead>
        <tbody>
          {chunks.map((c) => {
            const frames = c.frameEnd - c.frameStart + 1;
            return (
              <tr key={c.id} data-testid="chunk-row" data-chunk-id={c.id} data-state={c.state}>
                <td class="num">{c.index}</td>
                <td>{c.kind}</td>
                <td class="num">{c.kind === 'frames' ? `${c.frameStart}–${c.frameEnd}` : '—'}</td>
                <td>
                  <span class={`pill ${chunkPillClass(c.state)}`}>{stateLabel(c.state)}</span>
                </td>
                <td>{c.nodeId ? (nodeNames.get(c.nodeId) ?? <span class="muted">{c.nodeId.slice(0, 8)}</span>) : <span class="muted">—</span>}</td>
                <td>{c.kind === 'frames' ? <ProgressBar done={c.state === 'DONE' ? frames : c.framesDone} total={frames} label={`Frames of chunk ${c.index}`} /> : <span class="muted">{c.state === 'DONE' ? 'done' : '—'}</span>}</td>
                <td class="num">{c.attempt}</td>
                <td class="chunk-error">{c.error ?? ''}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

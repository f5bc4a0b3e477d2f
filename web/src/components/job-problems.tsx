import type { Problem } from '../jobs/problem-list.js';

export { jobProblems } from '../jobs/problem-list.js';

/** The job's errors and warnings, errors first. */
export function JobProblems({ problems }: { problems: readonly Problem[] }) {
  if (problems.length === 0) return <p class="muted">No errors or aerender warnings so far.</p>;
  return (
    <ul class="problems" data-testid="job-problems">
      {problems.map((p) => (
        <li key={p.key} class={p.kind}>
          <span class={`pill ${p.kind === 'error' ? 'bad' : 'warn'}`}>{p.kind}</span> <strong>{p.where}:</strong> <span class="problem-message">{p.message}</span>
        </li>
      ))}
    </ul>
  );
}

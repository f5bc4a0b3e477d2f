// `cloudexport status <job>`: where a job is, chunk by chunk, with aerender's warnings.
import { chunkSchema, jobSchema, type Chunk, type Job } from '@cloudexport/shared';
import type { Command } from 'commander';
import { itemsOf } from '../../api/coordinator-client.js';
import { Output, type CliContext, type GlobalOptions } from '../context.js';
import { clientFor, resolveCredentials } from '../credentials.js';
import { formatFps, formatUsd, plural } from '../format.js';
import { jobId } from '../job-id.js';

export function statusCommand(program: Command, ctx: CliContext): void {
  program
    .command('status')
    .description('show a job’s state, progress, chunks and warnings')
    .argument('<job>', 'the job id', jobId)
    .option('--json', 'print the job and its chunks as JSON')
    .action(async (id: string, opts: { json?: boolean }, cmd: Command) => {
      const out = new Output(opts.json === true, ctx);
      const client = clientFor(await resolveCredentials(cmd.optsWithGlobals<GlobalOptions>(), ctx));
      const [job, chunks] = await Promise.all([
        client.request('GET', `/jobs/${id}`, { schema: jobSchema, signal: ctx.signal }),
        client.request('GET', `/jobs/${id}/chunks`, { schema: itemsOf(chunkSchema), signal: ctx.signal }),
      ]);
      out.result({ job, chunks: chunks.items }, () => formatStatus(job, chunks.items));
    });
}

export function formatJobLine(job: Job): string {
  const pct = job.framesTotal > 0 ? ` (${Math.floor((job.framesDone / job.framesTotal) * 100)}%)` : '';
  return `Job ${job.id} "${job.name}": ${job.state}, ${job.framesDone}/${plural(job.framesTotal, 'frame')}${pct}${job.error ? ` — ${job.error}` : ''}`;
}

export function formatStatus(job: Job, chunks: Chunk[]): string {
  const c = job.comp;
  const lines = [
    formatJobLine(job),
    `  comp "${c.name}" ${c.width}×${c.height} at ${formatFps(c.fps)} fps, frames ${c.frameStart}-${c.frameEnd}, preset ${job.preset}, priority ${job.priority}`,
  ];
  const byState = new Map<string, number>();
  for (const chunk of chunks) byState.set(chunk.state, (byState.get(chunk.state) ?? 0) + 1);
  lines.push(`  ${plural(chunks.length, 'chunk')} of ${job.chunkSize} frames: ${[...byState].map(([s, n]) => `${n} ${s}`).join(', ') || 'none yet'}`);
  if (job.estimatedUsd !== null) lines.push(`  estimate ${formatUsd(job.estimatedUsd)}${job.retries ? `, ${plural(job.retries, 'retry', 'retries')}` : ''}`);
  lines.push(`  created ${job.createdAt}${job.finishedAt ? `, finished ${job.finishedAt}` : ''}`);
  for (const chunk of chunks) {
    if (chunk.error) lines.push(`  chunk ${chunk.index} (frames ${chunk.frameStart}-${chunk.frameEnd}, try ${chunk.attempt}): ${chunk.error}`);
    for (const w of chunk.warnings) lines.push(`  warning, chunk ${chunk.index}: ${w}`);
  }
  return lines.join('\n');
}

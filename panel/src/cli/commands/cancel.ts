// `cloudexport cancel <job>`: stop a job; chunks being rendered are dropped.
import { jobSchema } from '@cloudexport/shared';
import type { Command } from 'commander';
import { Output, type CliContext, type GlobalOptions } from '../context.js';
import { clientFor, resolveCredentials } from '../credentials.js';
import { jobId } from '../job-id.js';

export function cancelCommand(program: Command, ctx: CliContext): void {
  program
    .command('cancel')
    .description('cancel a job')
    .argument('<job>', 'the job id', jobId)
    .option('--json', 'print the cancelled job as JSON')
    .action(async (id: string, opts: { json?: boolean }, cmd: Command) => {
      const out = new Output(opts.json === true, ctx);
      const client = clientFor(await resolveCredentials(cmd.optsWithGlobals<GlobalOptions>(), ctx));
      const job = await client.request('POST', `/jobs/${id}/cancel`, { schema: jobSchema, signal: ctx.signal });
      out.result(job, () => `Job ${job.id} "${job.name}" is ${job.state} (${job.framesDone} of ${job.framesTotal} frames were rendered).`);
    });
}

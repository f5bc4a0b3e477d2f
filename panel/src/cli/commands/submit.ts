// `cloudexport submit <project.aep> --comp NAME`: check, price, confirm, upload once, create the
// job, and follow it to the end.
import { estimateSchema, jobSchema, type Job } from '@cloudexport/shared';
import type { Command } from 'commander';
import { exportBundle, type BundleProgress } from '../../bundle/export-bundle.js';
import { PANEL_VERSION } from '../../version.js';
import { CliError, ExitCode, usageError } from '../cli-error.js';
import { confirm } from '../confirm.js';
import { Output, type CliContext, type GlobalOptions } from '../context.js';
import { clientFor, resolveCredentials } from '../credentials.js';
import { costRange, describeRender, formatEstimate } from '../estimate-view.js';
import { followJob } from '../follow-job.js';
import { formatBytes, plural } from '../format.js';
import { loadProject } from '../load-project.js';
import { describeMissing, missingError, missingFor } from '../missing-footage.js';
import { ProgressDisplay } from '../progress-display.js';
import { addRenderOptions, customFromFlags, estimateBody, intIn, renderSettings, type RenderFlags } from '../render-options.js';
import { formatJobLine } from './status.js';

interface SubmitFlags extends RenderFlags, GlobalOptions {
  priority?: number;
  chunkSize?: number;
  yes?: boolean;
  wait: boolean;
  skipMissing?: boolean;
}

export function submitCommand(program: Command, ctx: CliContext): void {
  addRenderOptions(
    program
      .command('submit')
      .description('upload a project (only what the coordinator lacks) and render one comp on the network')
      .argument('<project.aep>', 'the After Effects project'),
  )
    .option('--priority <n>', 'higher renders first, 0-100 (default 50)', intIn(0, 100))
    .option('--chunk-size <frames>', 'frames per chunk (default: chosen by the coordinator)', intIn(1, 100_000))
    .option('--skip-missing', 'submit even if footage the comp uses is missing')
    .option('-y, --yes', 'do not ask for confirmation after the estimate')
    .option('--no-wait', 'return once the job is created instead of following it')
    .option('--json', 'print the job as JSON')
    .action(async (projectPath: string, flags: SubmitFlags, cmd: Command) => {
      const out = new Output(flags.json === true, ctx);
      const custom = customFromFlags(flags);
      if (!flags.yes && !ctx.stdin.isTTY) {
        throw usageError('submit asks for confirmation once it shows the estimate, but there is no terminal to ask on. Pass --yes to submit without asking.');
      }
      const credentials = await resolveCredentials(cmd.optsWithGlobals<GlobalOptions>(), ctx);
      const client = clientFor(credentials);
      const collected = await loadProject(projectPath, ctx.cwd);
      const settings = renderSettings(collected, flags, custom);

      const { blocking, elsewhere } = missingFor(collected, settings.comp);
      if (blocking.length && !flags.skipMissing) throw new CliError(missingError(blocking, settings.comp));
      if (blocking.length) out.warn(`submitting without ${plural(blocking.length, 'missing footage file')} (--skip-missing); the node renders whatever After Effects makes of them:\n${describeMissing(blocking)}`);
      if (elsewhere.length) out.warn(`${plural(elsewhere.length, 'footage file is', 'footage files are')} missing but not used by "${settings.comp.name}" (left out):\n${describeMissing(elsewhere)}`);
      if (settings.thirdPartyEffects.length) out.warn(`effects that are probably third-party plugins: ${settings.thirdPartyEffects.join(', ')}. Only nodes with them installed render correctly.`);
      out.say(`Fonts the render nodes need: ${settings.fonts.join(', ') || 'none'}`);
      out.say(`Third-party effects the render nodes need: ${settings.thirdPartyEffects.join(', ') || 'none'}`);

      const estimate = await client.request('POST', '/estimates', { body: estimateBody(settings, collected.totalBytes), schema: estimateSchema, signal: ctx.signal });
      out.say(formatEstimate(estimate, settings, collected.totalBytes));
      if (!flags.yes && !(await confirm(ctx, `Submit ${describeRender(settings)} for about ${costRange(estimate)}?`))) {
        throw new CliError('Not submitted: nothing was uploaded.');
      }

      const display = new ProgressDisplay(ctx.stderr);
      let bundle;
      let bundleBytes;
      /** Blobs in the bundle and how many of them this run sent (the rest the coordinator had). */
      let sent = { blobs: 0, uploaded: 0 };
      try {
        display.bar('hash', 'hashing', collected.totalBytes, 'bytes');
        let uploading = false;
        const { packed, upload } = await exportBundle({
          client,
          projectPath: collected.projectPath,
          assets: collected.assets.map((a) => ({ originalPath: a.originalPath, localPath: a.localPath, role: a.role })),
          comp: settings.comp.name,
          createdBy: `cloudexport-cli ${PANEL_VERSION}`,
          tempDir: ctx.tempDir,
          signal: ctx.signal,
          onProgress: (p: BundleProgress) => {
            display.update('hash', p.hashedBytes, p.hashTotal);
            if (p.phase !== 'uploading') return;
            if (!uploading) {
              uploading = true;
              display.bar('seal', 'encrypting', p.sealTotal, 'bytes');
              display.bar('upload', 'uploading', p.uploadTotal, 'bytes');
            }
            display.update('seal', p.sealedBytes, p.sealTotal);
            display.update('upload', p.uploadedBytes, p.uploadTotal);
          },
        });
        display.stop();
        bundle = upload.bundle;
        bundleBytes = packed.totalBytes;
        sent = { blobs: upload.blobs, uploaded: upload.uploaded.length };
        const skipped = upload.blobs - upload.uploaded.length;
        out.say(`Bundle ${bundle.id}: ${plural(packed.files.length, 'file')}, ${formatBytes(packed.totalBytes)}; uploaded ${plural(upload.uploaded.length, 'blob')}${skipped ? `, ${skipped} already on the coordinator` : ''}.`);
      } catch (err) {
        display.stop();
        if (ctx.signal.aborted) throw new CliError('Interrupted: no job was created. Run submit again; files already uploaded are not sent again.', ExitCode.interrupted);
        throw err;
      }

      const job = await client.request('POST', '/jobs', {
        body: {
          bundle: bundle.id,
          bundleBytes,
          comp: settings.compSpec,
          preset: settings.preset.id,
          ...(settings.custom ? { custom: settings.custom } : {}),
          complexity: settings.complexity,
          thirdPartyPlugins: settings.thirdPartyPlugins,
          requirements: { fonts: settings.fonts, effects: settings.thirdPartyEffects },
          ...(flags.priority === undefined ? {} : { priority: flags.priority }),
          ...(settings.maxTier ? { maxTier: settings.maxTier } : {}),
          ...(flags.chunkSize === undefined ? {} : { chunkSize: flags.chunkSize }),
        },
        schema: jobSchema,
      });
      out.say(`Job ${job.id} submitted: ${plural(job.framesTotal, 'frame')} in ${plural(job.chunkCount, 'chunk')}.`);
      if (!flags.wait) {
        out.result({ job, bundle, upload: sent }, () => `Follow it with: cloudexport status ${job.id}`);
        return;
      }

      const final = await follow(ctx, client, credentials.apiKey, job);
      out.result({ job: final, bundle, upload: sent }, () => formatJobLine(final));
      if (final.state !== 'COMPLETED') {
        throw new CliError(`Job ${final.id} ended ${final.state}${final.error ? `: ${final.error}` : ''}. See the chunks with: cloudexport status ${final.id}`);
      }
      if (!out.json) out.say(`Download it with: cloudexport download ${final.id}`);
    });
}

async function follow(ctx: CliContext, client: ReturnType<typeof clientFor>, apiKey: string, job: Job): Promise<Job> {
  const display = new ProgressDisplay(ctx.stderr);
  display.bar('render', 'rendering', job.framesTotal, 'frames');
  let state = job.state;
  try {
    return await followJob({
      client,
      apiKey,
      jobId: job.id,
      signal: ctx.signal,
      onJob: (j) => {
        if (j.state !== state) display.log(`job ${state} → ${j.state}${j.error ? `: ${j.error}` : ''}`);
        state = j.state;
      },
      onProgress: (done, total) => display.update('render', done, total),
      onWarning: (message) => display.log(`warning: ${message}`),
    });
  } catch (err) {
    if (ctx.signal.aborted) {
      throw new CliError(`Stopped following job ${job.id}; it keeps rendering. See it with: cloudexport status ${job.id} (or stop it: cloudexport cancel ${job.id})`, ExitCode.interrupted);
    }
    throw err;
  } finally {
    display.stop();
  }
}

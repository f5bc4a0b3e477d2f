// `cloudexport estimate <project.aep> --comp NAME`: the price per GPU tier and the ETA, before paying.
import { estimateSchema } from '@cloudexport/shared';
import type { Command } from 'commander';
import { Output, type CliContext, type GlobalOptions } from '../context.js';
import { clientFor, resolveCredentials } from '../credentials.js';
import { formatEstimate } from '../estimate-view.js';
import { plural } from '../format.js';
import { loadProject } from '../load-project.js';
import { describeMissing, missingFor } from '../missing-footage.js';
import { addRenderOptions, customFromFlags, estimateBody, renderSettings, type RenderFlags } from '../render-options.js';

export function estimateCommand(program: Command, ctx: CliContext): void {
  addRenderOptions(
    program
      .command('estimate')
      .description('price a render of one comp on each GPU tier, with an ETA')
      .argument('<project.aep>', 'the After Effects project'),
  )
    .option('--json', 'print the estimate as JSON')
    .action(async (projectPath: string, flags: RenderFlags & GlobalOptions, cmd: Command) => {
      const out = new Output(flags.json === true, ctx);
      const custom = customFromFlags(flags);
      const client = clientFor(await resolveCredentials(cmd.optsWithGlobals<GlobalOptions>(), ctx));
      const collected = await loadProject(projectPath, ctx.cwd);
      const settings = renderSettings(collected, flags, custom);
      const { blocking } = missingFor(collected, settings.comp);
      if (blocking.length) out.warn(`the estimate leaves out ${plural(blocking.length, 'missing footage file')}; submit refuses until they are found:\n${describeMissing(blocking)}`);
      const estimate = await client.request('POST', '/estimates', { body: estimateBody(settings, collected.totalBytes), schema: estimateSchema, signal: ctx.signal });
      out.result({ comp: settings.compSpec, preset: settings.preset.id, complexity: settings.complexity, thirdPartyPlugins: settings.thirdPartyPlugins, bundleBytes: collected.totalBytes, estimate }, () =>
        formatEstimate(estimate, settings, collected.totalBytes),
      );
    });
}

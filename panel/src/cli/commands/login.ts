// `cloudexport login --coordinator URL --api-key KEY`: check the key, then save both for later commands.
import { userSchema } from '@cloudexport/shared';
import type { Command } from 'commander';
import { ApiRequestError, CoordinatorClient } from '../../api/coordinator-client.js';
import { CliError, usageError } from '../cli-error.js';
import { configDir, saveConfig } from '../config-file.js';
import { Output, type CliContext, type GlobalOptions } from '../context.js';
import { coordinatorUrl } from '../credentials.js';

export function loginCommand(program: Command, ctx: CliContext): void {
  program
    .command('login')
    .description('check an API key with the coordinator and save both (readable only by you) for later commands')
    .option('--json', 'print the user as JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const out = new Output(opts.json === true, ctx);
      const globals = cmd.optsWithGlobals<GlobalOptions>();
      const given = globals.coordinator ?? ctx.env.CLOUDEXPORT_COORDINATOR;
      const apiKey = globals.apiKey ?? ctx.env.CLOUDEXPORT_API_KEY;
      if (!given || !apiKey) throw usageError('login needs both: cloudexport login --coordinator URL --api-key KEY (create a key in the web console, or ask an admin).');
      let coordinator: string;
      try {
        coordinator = coordinatorUrl(given);
      } catch {
        throw usageError(`"${given}" is not an http(s) URL. Use one like https://render.example.com.`);
      }
      const client = new CoordinatorClient({ baseUrl: coordinator, apiKey });
      let user;
      try {
        user = await client.request('GET', '/me', { schema: userSchema, signal: ctx.signal });
      } catch (err) {
        if (err instanceof ApiRequestError && err.status === 401) throw new CliError(`${coordinator} refused this API key: ${err.message} Nothing was saved.`);
        throw err;
      }
      const file = await saveConfig(configDir(ctx.env, ctx.home), { coordinator, apiKey });
      out.result({ coordinator, user, configFile: file }, () => `Logged in to ${coordinator} as ${user.email} (${user.role}). Saved to ${file}; later commands use it.`);
    });
}

// The `cloudexport` program: its commands, and how a failure becomes one message and an exit code.
import { AepFormatError } from '@cloudexport/shared';
import { Command, CommanderError } from 'commander';
import { ApiRequestError } from '../api/coordinator-client.js';
import { FileChangedError } from '../bundle/pack.js';
import { UploadError } from '../bundle/upload.js';
import { PANEL_VERSION } from '../version.js';
import { CliError, ExitCode } from './cli-error.js';
import { cancelCommand } from './commands/cancel.js';
import { downloadCommand } from './commands/download.js';
import { estimateCommand } from './commands/estimate.js';
import { inspectCommand } from './commands/inspect.js';
import { loginCommand } from './commands/login.js';
import { statusCommand } from './commands/status.js';
import { submitCommand } from './commands/submit.js';
import type { CliContext } from './context.js';
import { coordinatorUrl } from './credentials.js';

export function buildProgram(ctx: CliContext): Command {
  const program = new Command('cloudexport')
    .description('Render After Effects comps on other people’s GPUs.')
    .version(PANEL_VERSION)
    .option('--coordinator <url>', 'the coordinator (default: $CLOUDEXPORT_COORDINATOR, else the saved login)', coordinatorUrl)
    .option('--api-key <key>', 'your API key (default: $CLOUDEXPORT_API_KEY, else the saved login)')
    .showHelpAfterError('(run cloudexport <command> --help for its options)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => ctx.stdout.write(s), writeErr: (s) => ctx.stderr.write(s) });
  loginCommand(program, ctx);
  inspectCommand(program, ctx);
  estimateCommand(program, ctx);
  submitCommand(program, ctx);
  statusCommand(program, ctx);
  cancelCommand(program, ctx);
  downloadCommand(program, ctx);
  return program;
}

/** Runs the CLI; returns the exit code. Expected failures print one message, never a stack trace. */
export async function runCli(argv: string[], ctx: CliContext): Promise<number> {
  try {
    await buildProgram(ctx).parseAsync(argv, { from: 'user' });
    return ExitCode.ok;
  } catch (err) {
    return report(err, ctx);
  }
}

function report(err: unknown, ctx: CliContext): number {
  const say = (message: string) => ctx.stderr.write(`cloudexport: ${message}\n`);
  if (err instanceof CommanderError) {
    // commander has printed its message (and the help) already
    return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' ? ExitCode.ok : ExitCode.usage;
  }
  if (err instanceof CliError) {
    say(err.message);
    return err.exitCode;
  }
  if (err instanceof ApiRequestError) {
    const hint =
      err.status === 401
        ? ' Check your API key (--api-key, CLOUDEXPORT_API_KEY, or cloudexport login).'
        : err.status === 403
          ? ' Your key may lack the role for this (artists submit and follow jobs).'
          : '';
    say(`${err.message}${hint}`);
    return ExitCode.failure;
  }
  if (err instanceof UploadError || err instanceof FileChangedError || err instanceof AepFormatError) {
    say(err.message);
    return ExitCode.failure;
  }
  if (ctx.signal.aborted) {
    say('Interrupted.');
    return ExitCode.interrupted;
  }
  const debug = ctx.env.CLOUDEXPORT_DEBUG === '1';
  say(`unexpected error: ${err instanceof Error ? err.message : String(err)}${debug ? '' : ' (set CLOUDEXPORT_DEBUG=1 to see where)'}`);
  if (debug && err instanceof Error && err.stack) ctx.stderr.write(`${err.stack}\n`);
  return ExitCode.failure;
}

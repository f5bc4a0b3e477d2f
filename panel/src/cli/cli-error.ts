// Expected failures of the CLI: a message that names the problem and the fix, and an exit code.

/** 130: stopped by Ctrl-C, as shells report SIGINT. */
export const ExitCode = { ok: 0, failure: 1, usage: 2, interrupted: 130 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: ExitCode = ExitCode.failure,
  ) {
    super(message);
  }
}

/** A wrong or missing argument, flag or setting: exit code 2. */
export function usageError(message: string): CliError {
  return new CliError(message, ExitCode.usage);
}

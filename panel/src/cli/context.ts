// What a command gets from the entry point: the environment, the streams, the folders. Commands
// never read process.* themselves, so tests and the entry point decide.
import type { Readable, Writable } from 'node:stream';

export interface CliContext {
  env: Record<string, string | undefined>;
  home: string;
  /** Where sealed copies of blobs wait for upload. */
  tempDir: string;
  cwd: string;
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
}

/** Options every command has. */
export interface GlobalOptions {
  coordinator?: string;
  apiKey?: string;
  json?: boolean;
}

/** Human text goes to stdout, or to stderr under --json so stdout holds nothing but the JSON result. */
export class Output {
  constructor(
    readonly json: boolean,
    private readonly ctx: CliContext,
  ) {}

  say(text: string): void {
    (this.json ? this.ctx.stderr : this.ctx.stdout).write(`${text}\n`);
  }

  warn(text: string): void {
    this.ctx.stderr.write(`warning: ${text}\n`);
  }

  /** The command's result: JSON under --json, else the human text. */
  result(value: unknown, human: () => string): void {
    this.ctx.stdout.write(this.json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`);
  }
}

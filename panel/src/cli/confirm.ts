import { createInterface } from 'node:readline/promises';
import type { CliContext } from './context.js';

/** Asks a yes/no question on the terminal; anything but y/yes is no. */
export async function confirm(ctx: CliContext, question: string): Promise<boolean> {
  const rl = createInterface({ input: ctx.stdin, output: ctx.stderr, terminal: true });
  try {
    const answer = await rl.question(`${question} [y/N] `, { signal: ctx.signal });
    return /^\s*y(es)?\s*$/i.test(answer);
  } catch {
    return false;
  } finally {
    rl.close();
  }
}

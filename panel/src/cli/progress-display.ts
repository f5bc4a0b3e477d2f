// Progress for people: bars on a terminal (cli-progress), a plain line now and then elsewhere
// (CI logs, pipes). Always on stderr, so stdout stays clean for results and --json.
import cliProgress from 'cli-progress';
import type { Writable } from 'node:stream';
import { formatBytes } from './format.js';

export type ProgressUnit = 'bytes' | 'frames' | 'files';

interface Bar {
  label: string;
  unit: ProgressUnit;
  value: number;
  total: number;
  /** Plain mode: the last quarter reported. */
  lastStep: number;
  bar?: cliProgress.SingleBar;
}

function describe(b: Pick<Bar, 'value' | 'total' | 'unit'>): string {
  if (b.total <= 0) return b.unit === 'bytes' ? 'nothing to do' : `0 ${b.unit}`;
  const pct = Math.min(100, Math.floor((b.value / b.total) * 100));
  const of = b.unit === 'bytes' ? `${formatBytes(b.value)} of ${formatBytes(b.total)}` : `${b.value} of ${b.total} ${b.unit}`;
  return `${pct}% (${of})`;
}

export class ProgressDisplay {
  readonly #bars = new Map<string, Bar>();
  readonly #multi: cliProgress.MultiBar | null;
  readonly #stream: Writable;
  #stopped = false;

  constructor(stream: Writable & { isTTY?: boolean }) {
    this.#stream = stream;
    this.#multi = stream.isTTY
      ? new cliProgress.MultiBar(
          {
            stream: stream as unknown as NodeJS.WritableStream,
            hideCursor: true,
            clearOnComplete: false,
            autopadding: true,
            format: (options, params, payload: { label: string; unit: ProgressUnit }) => {
              const width = options.barsize ?? 30;
              const filled = params.total > 0 ? Math.round(Math.min(1, params.value / params.total) * width) : width;
              const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
              return `${payload.label.padEnd(10)} ${bar} ${describe({ value: params.value, total: params.total, unit: payload.unit })}`;
            },
          },
          cliProgress.Presets.shades_classic,
        )
      : null;
  }

  /** Adds a bar, or resets its total. */
  bar(id: string, label: string, total: number, unit: ProgressUnit): void {
    const known = this.#bars.get(id);
    if (known) {
      known.total = total;
      known.bar?.setTotal(total);
      return;
    }
    const b: Bar = { label, unit, value: 0, total, lastStep: -1 };
    if (this.#multi) b.bar = this.#multi.create(total, 0, { label, unit });
    this.#bars.set(id, b);
  }

  update(id: string, value: number, total?: number): void {
    const b = this.#bars.get(id);
    if (!b || this.#stopped) return;
    b.value = value;
    if (total !== undefined && total !== b.total) {
      b.total = total;
      b.bar?.setTotal(total);
    }
    if (b.bar) {
      b.bar.update(value);
      return;
    }
    // plain (a log, not a terminal): a line per quarter done
    const step = b.total > 0 ? Math.floor((Math.min(value, b.total) / b.total) * 4) : 4;
    if (step > b.lastStep) {
      b.lastStep = step;
      this.#stream.write(`${b.label}: ${describe(b)}\n`);
    }
  }

  /** A line above the bars. */
  log(line: string): void {
    if (this.#multi && !this.#stopped) this.#multi.log(`${line}\n`);
    else this.#stream.write(`${line}\n`);
  }

  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#multi?.update(); // writes the lines logged since the last redraw
    this.#multi?.stop();
  }
}

import { parseAerenderVersion } from '../../detect/ae-version.js';
import { readableWarning } from './warning-message.js';

export type AerenderEvent =
  /** `frame` is aerender's chunk-relative `(N)`: 1 is the chunk's first frame. */
  | { type: 'frame'; frame: number; timecode: string }
  | { type: 'warning'; message: string }
  | { type: 'error'; message: string }
  | { type: 'version'; version: string; major: number }
  | { type: 'finished' }
  | { type: 'log'; line: string };

// Terminal escapes: ConPTY (Windows node-pty) interleaves cursor and title sequences with output.
const ESCAPES = /\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-Z\\-_]/g;
// Control characters other than tab; a BOM or NUL from a mis-decoded stream must not break matching.
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f\ufeff]/g;
// `PROGRESS:  0:00:00:01 (2): 0 Seconds`, `1;34;40;09` drop-frame, and localized logs without the
// prefix (`  0:00:00:01 (2): 0 Sekunden`): the unit word is ignored.
const FRAME = /^(?:PROGRESS:)?\s*(\d+(?:[:;.+]\d+)*)\s*\((\d+)\)\s*:\s*\d/;
const ERROR_MARKERS = ['aerender ERROR', 'aerender Error', 'After Effects error:'];
const LEVEL_PREFIX = /^(?:(?:PROGRESS|ERROR):\s*)+/;
// A line longer than this without a terminator is flushed anyway, so memory stays bounded.
const MAX_PENDING = 64 * 1024;

/** Removes terminal escapes and control characters; null for a blank line. */
export function cleanAerenderLine(raw: string): string | null {
  const line = raw.replace(ESCAPES, '').replace(CONTROL, '').trimEnd();
  return line.trim() === '' ? null : line;
}

/** Classifies one cleaned aerender output line. */
export function classifyAerenderLine(line: string): AerenderEvent {
  const trimmed = line.trim();
  if (ERROR_MARKERS.some((marker) => trimmed.includes(marker)) || trimmed.startsWith('ERROR:')) {
    return { type: 'error', message: trimmed.replace(LEVEL_PREFIX, '').trim() || trimmed };
  }
  if (trimmed.startsWith('WARNING:') || trimmed.includes('After Effects warning:')) {
    return { type: 'warning', message: readableWarning(trimmed) };
  }
  const version = /^(?:PROGRESS:\s*)?aerender\s+version\b/i.test(trimmed) ? parseAerenderVersion(trimmed) : null;
  if (version) return { type: 'version', ...version };
  const frame = FRAME.exec(trimmed);
  if (frame?.[1] && frame[2]) return { type: 'frame', frame: Number.parseInt(frame[2], 10), timecode: frame[1] };
  if (trimmed.includes('Finished composition')) return { type: 'finished' };
  return { type: 'log', line };
}

/**
 * Streaming parser for aerender's output. Lines end in `\r\n` (pty), `\n`, or a lone `\r`
 * (progress redrawn in place); a chunk may end mid-line or between `\r` and `\n`.
 */
export class AerenderOutputParser {
  #pending = '';
  readonly #emit: (event: AerenderEvent, line: string) => void;

  /** `emit` gets each non-blank line's event and the cleaned line itself. */
  constructor(emit: (event: AerenderEvent, line: string) => void) {
    this.#emit = emit;
  }

  push(chunk: string): void {
    let text = this.#pending + chunk;
    let start = 0;
    const terminator = /\r\n|\n|\r/g;
    for (let match = terminator.exec(text); match; match = terminator.exec(text)) {
      // A trailing lone `\r` may be the first half of a `\r\n` split across chunks.
      if (match[0] === '\r' && match.index === text.length - 1) break;
      this.#line(text.slice(start, match.index));
      start = match.index + match[0].length;
    }
    text = text.slice(start);
    if (text.length > MAX_PENDING) {
      this.#line(text);
      text = '';
    }
    this.#pending = text;
  }

  /** Flushes a last line that had no terminator. */
  end(): void {
    const rest = this.#pending;
    this.#pending = '';
    if (rest !== '') this.#line(rest.replace(/\r$/, ''));
  }

  #line(raw: string): void {
    const line = cleanAerenderLine(raw);
    if (line !== null) this.#emit(classifyAerenderLine(line), line);
  }
}

/** One byte range of a representation, inclusive at both ends. */
export interface ResolvedRange {
  start: number;
  end: number;
}

/**
 * Reads a `Range` header (RFC 9110 §14) against an object of `size` bytes: `null` means serve
 * the whole object (no header, another unit, bad syntax or several ranges, which a server may
 * ignore), `'unsatisfiable'` means answer 416.
 */
export function resolveRange(header: string | undefined, size: number): ResolvedRange | 'unsatisfiable' | null {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return null;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return null;
  if (first === '') {
    // suffix range: the last N bytes
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? Number.MAX_SAFE_INTEGER : Number(last);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end < start) return null;
  if (start >= size) return 'unsatisfiable';
  return { start, end: Math.min(end, size - 1) };
}

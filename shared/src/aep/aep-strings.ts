// Text as After Effects stores it: `Utf8` chunks hold plain UTF-8; fixed fields (match names,
// solid names) are NUL-terminated inside a zero-padded block, sometimes with leftovers after the NUL.
const decoder = new TextDecoder('utf-8', { fatal: false });

export function decodeUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/** The text up to the first NUL (or the end of the block). */
export function decodeCString(bytes: Uint8Array): string {
  const nul = bytes.indexOf(0);
  return decoder.decode(nul < 0 ? bytes : bytes.subarray(0, nul));
}

/** Last component of a Windows or POSIX path (`C:\a\b.mp3` → `b.mp3`). */
export function baseName(path: string): string {
  const parts = path.split(/[\\/]/).filter((p) => p !== '');
  return parts[parts.length - 1] ?? path;
}

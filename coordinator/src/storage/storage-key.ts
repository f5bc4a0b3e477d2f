import { StorageError, StorageErrorCode } from './object-storage.js';

/** Longest key accepted; far under S3's 1024 bytes and any file system's path limit. */
export const MAX_KEY_LENGTH = 512;

// Segments start with a letter or digit, so no key can name `.`, `..` or a hidden file, and
// there is no leading `/`, empty segment or trailing `/`.
const KEY_PATTERN = /^[a-z0-9][a-z0-9._-]*(?:\/[a-z0-9][a-z0-9._-]*)*$/;

/** Throws `invalid_key` unless `key` is a safe object key such as `bundles/j_123/blob.bin`. */
export function assertValidKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH || key.includes('..') || !KEY_PATTERN.test(key)) {
    throw new StorageError(
      StorageErrorCode.invalidKey,
      `Invalid storage key ${JSON.stringify(String(key).slice(0, 80))}: use 1–${MAX_KEY_LENGTH} characters of a-z 0-9 . _ - in /-separated segments that start with a letter or digit, with no "..".`,
      { key: String(key).slice(0, MAX_KEY_LENGTH) },
    );
  }
}

/** A listing prefix: empty (everything), a key, or a key followed by `/`. */
export function assertValidPrefix(prefix: string): void {
  if (prefix === '') return;
  const body = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  try {
    assertValidKey(body);
  } catch {
    throw new StorageError(StorageErrorCode.invalidKey, `Invalid storage prefix ${JSON.stringify(prefix.slice(0, 80))}: use a valid key, optionally ending in "/".`, {
      prefix: prefix.slice(0, MAX_KEY_LENGTH),
    });
  }
}

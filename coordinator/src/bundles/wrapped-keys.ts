import { timingSafeEqual } from 'node:crypto';
import { unwrapKey, wrapKey } from '@cloudexport/shared/node';

// Content keys at rest: wrapped under the coordinator's master key, bound to their row by the
// context (see object-names.ts), base64 in the database.

export function wrapContentKey(masterKey: Uint8Array, contentKey: Uint8Array, context: string): string {
  return wrapKey(masterKey, contentKey, context).toString('base64');
}

/** Throws BundleCryptoError when the master key changed or the row was tampered with. */
export function unwrapContentKey(masterKey: Uint8Array, wrapped: string, context: string): Buffer {
  return unwrapKey(masterKey, Buffer.from(wrapped, 'base64'), context);
}

export function sameKey(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

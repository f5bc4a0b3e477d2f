// The coordinator keeps content keys wrapped under its master key (AES-256-GCM). The context
// (blob or bundle id) is authenticated, so a wrapped key cannot be moved to another record.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { assertSealedKey, BundleCryptoError } from './sealed-records.js';
import { CONTENT_KEY_BYTES } from './bundle-keys.js';

const WRAP_VERSION = 1;
const WRAP_NONCE_BYTES = 12;
const WRAP_TAG_BYTES = 16;
const WRAP_AAD_LABEL = 'cloudexport/key-wrap/v1\0';
/** wrapped key = version u8 (1) ‖ nonce (12) ‖ AES-256-GCM(content key) (32) ‖ tag (16). */
export const WRAPPED_KEY_LENGTH = 1 + WRAP_NONCE_BYTES + CONTENT_KEY_BYTES + WRAP_TAG_BYTES;

function wrapAad(context: string): Buffer {
  if (typeof context !== 'string' || context.length === 0) {
    throw new BundleCryptoError('bad-input', 'A key wrap needs a non-empty context (the blob or bundle id it belongs to).');
  }
  return Buffer.concat([Buffer.from([WRAP_VERSION]), Buffer.from(WRAP_AAD_LABEL, 'utf8'), Buffer.from(context, 'utf8')]);
}

export function wrapKey(masterKey: Uint8Array, contentKey: Uint8Array, context: string): Buffer {
  assertSealedKey(masterKey, 'Master key');
  assertSealedKey(contentKey);
  const nonce = randomBytes(WRAP_NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', masterKey, nonce, { authTagLength: WRAP_TAG_BYTES });
  cipher.setAAD(wrapAad(context));
  const ciphertext = Buffer.concat([cipher.update(contentKey), cipher.final()]);
  return Buffer.concat([Buffer.from([WRAP_VERSION]), nonce, ciphertext, cipher.getAuthTag()]);
}

export function unwrapKey(masterKey: Uint8Array, wrapped: Uint8Array, context: string): Buffer {
  assertSealedKey(masterKey, 'Master key');
  if (!(wrapped instanceof Uint8Array) || wrapped.length !== WRAPPED_KEY_LENGTH || wrapped[0] !== WRAP_VERSION) {
    throw new BundleCryptoError('bad-input', `A wrapped key is ${WRAPPED_KEY_LENGTH} bytes starting with version ${WRAP_VERSION}: this one is damaged or of another format.`);
  }
  const nonce = wrapped.subarray(1, 1 + WRAP_NONCE_BYTES);
  const ciphertext = wrapped.subarray(1 + WRAP_NONCE_BYTES, 1 + WRAP_NONCE_BYTES + CONTENT_KEY_BYTES);
  const tag = wrapped.subarray(1 + WRAP_NONCE_BYTES + CONTENT_KEY_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', masterKey, nonce, { authTagLength: WRAP_TAG_BYTES });
  decipher.setAAD(wrapAad(context));
  decipher.setAuthTag(tag);
  const key = decipher.update(ciphertext);
  try {
    decipher.final();
  } catch {
    throw new BundleCryptoError('authentication', `Wrapped content key for "${context}" failed authentication: wrong master key, a key stored under another id, or altered data. Check the coordinator's master key setting.`);
  }
  return key;
}

// Content keys and their delivery to a node. Pure (tweetnacl and WebCrypto randomness), so the
// panel can make a content key and the agent can open a sealed one without node:crypto.
// Wrapping under the coordinator's master key is in bundle-keys-node.ts.
import nacl from 'tweetnacl';
import { assertSealedKey, BundleCryptoError, SEALED_KEY_BYTES } from './sealed-records.js';

export const CONTENT_KEY_BYTES = SEALED_KEY_BYTES;
/** sealed key = ephemeral X25519 public key (32) ‖ nonce (24) ‖ nacl.box of the content key (32 + 16). */
export const SEALED_KEY_LENGTH = nacl.box.publicKeyLength + nacl.box.nonceLength + CONTENT_KEY_BYTES + nacl.box.overheadLength;

/** A fresh 256-bit content key: one per bundle (or blob), never reused across bundles. */
export function newContentKey(): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(CONTENT_KEY_BYTES));
}

/**
 * Seals a content key so only the holder of `nodePublicKey`'s secret half can open it. A fresh
 * ephemeral key pair per call: the node learns nothing about who sealed it, and the coordinator
 * keeps no box secret key.
 */
export function sealKeyForNode(contentKey: Uint8Array, nodePublicKey: Uint8Array): Uint8Array {
  assertSealedKey(contentKey);
  if (!(nodePublicKey instanceof Uint8Array) || nodePublicKey.length !== nacl.box.publicKeyLength) {
    throw new BundleCryptoError('bad-key', `Node box public key must be ${nacl.box.publicKeyLength} bytes (X25519).`);
  }
  const ephemeral = nacl.box.keyPair();
  const nonce = nacl.randomBytes(nacl.box.nonceLength);
  const box = nacl.box(contentKey, nonce, nodePublicKey, ephemeral.secretKey);
  ephemeral.secretKey.fill(0);
  const sealed = new Uint8Array(SEALED_KEY_LENGTH);
  sealed.set(ephemeral.publicKey, 0);
  sealed.set(nonce, nacl.box.publicKeyLength);
  sealed.set(box, nacl.box.publicKeyLength + nacl.box.nonceLength);
  return sealed;
}

/**
 * Seals many content keys for one node, in the same format as sealKeyForNode (each opens with
 * openSealedKey), sharing one ephemeral key pair and a fresh nonce per key: tweetnacl's X25519
 * costs ~2 ms a call, so a bundle of thousands of files would otherwise stall the coordinator.
 */
export function sealKeysForNode(contentKeys: readonly Uint8Array[], nodePublicKey: Uint8Array): Uint8Array[] {
  contentKeys.forEach((key) => assertSealedKey(key));
  if (!(nodePublicKey instanceof Uint8Array) || nodePublicKey.length !== nacl.box.publicKeyLength) {
    throw new BundleCryptoError('bad-key', `Node box public key must be ${nacl.box.publicKeyLength} bytes (X25519).`);
  }
  if (contentKeys.length === 0) return [];
  const ephemeral = nacl.box.keyPair();
  const shared = nacl.box.before(nodePublicKey, ephemeral.secretKey);
  ephemeral.secretKey.fill(0);
  const sealed = contentKeys.map((key) => {
    const nonce = nacl.randomBytes(nacl.box.nonceLength);
    const out = new Uint8Array(SEALED_KEY_LENGTH);
    out.set(ephemeral.publicKey, 0);
    out.set(nonce, nacl.box.publicKeyLength);
    out.set(nacl.box.after(key, nonce, shared), nacl.box.publicKeyLength + nacl.box.nonceLength);
    return out;
  });
  shared.fill(0);
  return sealed;
}

/** Opens a key sealed by sealKeyForNode with the node's X25519 secret key. */
export function openSealedKey(sealed: Uint8Array, nodeSecretKey: Uint8Array): Uint8Array {
  if (!(nodeSecretKey instanceof Uint8Array) || nodeSecretKey.length !== nacl.box.secretKeyLength) {
    throw new BundleCryptoError('bad-key', `Node box secret key must be ${nacl.box.secretKeyLength} bytes (X25519).`);
  }
  if (!(sealed instanceof Uint8Array) || sealed.length !== SEALED_KEY_LENGTH) {
    throw new BundleCryptoError('bad-input', `A sealed content key is ${SEALED_KEY_LENGTH} bytes, got ${sealed instanceof Uint8Array ? sealed.length : typeof sealed}: it was cut short or is not a sealed key.`);
  }
  const ephemeralPublicKey = sealed.subarray(0, nacl.box.publicKeyLength);
  const nonce = sealed.subarray(nacl.box.publicKeyLength, nacl.box.publicKeyLength + nacl.box.nonceLength);
  const box = sealed.subarray(nacl.box.publicKeyLength + nacl.box.nonceLength);
  const key = nacl.box.open(box, nonce, ephemeralPublicKey, nodeSecretKey);
  if (!key) {
    throw new BundleCryptoError('authentication', 'The sealed content key could not be opened: it was sealed for another node, or altered on the way. Ask the coordinator to reassign the chunk.');
  }
  return key;
}

/**
 * Opens many sealed keys at once, as openSealedKey does one: keys sealed together by
 * sealKeysForNode share an ephemeral key, so the X25519 step runs once per ephemeral key, not
 * once per key (~2 ms each in tweetnacl).
 */
export function openSealedKeys(sealed: readonly Uint8Array[], nodeSecretKey: Uint8Array): Uint8Array[] {
  if (!(nodeSecretKey instanceof Uint8Array) || nodeSecretKey.length !== nacl.box.secretKeyLength) {
    throw new BundleCryptoError('bad-key', `Node box secret key must be ${nacl.box.secretKeyLength} bytes (X25519).`);
  }
  const shared = new Map<string, Uint8Array>();
  const keys = sealed.map((s) => {
    if (!(s instanceof Uint8Array) || s.length !== SEALED_KEY_LENGTH) return openSealedKey(s, nodeSecretKey); // throws with the reason
    const ephemeralPublicKey = s.subarray(0, nacl.box.publicKeyLength);
    const id = Array.from(ephemeralPublicKey, (b) => b.toString(16).padStart(2, '0')).join('');
    let k = shared.get(id);
    if (!k) shared.set(id, (k = nacl.box.before(ephemeralPublicKey, nodeSecretKey)));
    const nonce = s.subarray(nacl.box.publicKeyLength, nacl.box.publicKeyLength + nacl.box.nonceLength);
    const key = nacl.box.open.after(s.subarray(nacl.box.publicKeyLength + nacl.box.nonceLength), nonce, k);
    if (!key) {
      throw new BundleCryptoError('authentication', 'The sealed content key could not be opened: it was sealed for another node, or altered on the way. Ask the coordinator to reassign the chunk.');
    }
    return key;
  });
  for (const k of shared.values()) k.fill(0);
  return keys;
}

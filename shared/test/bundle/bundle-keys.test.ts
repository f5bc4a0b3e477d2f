import test from 'ava';
import nacl from 'tweetnacl';
import { BundleCryptoError, CONTENT_KEY_BYTES, newContentKey, openSealedKey, openSealedKeys, SEALED_KEY_LENGTH, sealKeyForNode, sealKeysForNode } from '../../src/index.js';
import { unwrapKey, WRAPPED_KEY_LENGTH, wrapKey } from '../../src/node.js';

test('content keys are 32 fresh random bytes', (t) => {
  const a = newContentKey();
  const b = newContentKey();
  t.is(a.length, CONTENT_KEY_BYTES);
  t.notDeepEqual(a, b);
  t.false(a.every((x) => x === 0));
});

test('a wrapped key unwraps with the same master key and context', (t) => {
  const master = newContentKey();
  const key = newContentKey();
  const wrapped = wrapKey(master, key, 'blob:3f1c');
  t.is(wrapped.length, WRAPPED_KEY_LENGTH);
  t.false(wrapped.includes(Buffer.from(key)));
  t.deepEqual(new Uint8Array(unwrapKey(master, wrapped, 'blob:3f1c')), key);
  t.notDeepEqual(wrapKey(master, key, 'blob:3f1c'), wrapped); // fresh nonce each time
});

test('unwrapping with the wrong master key, another context or altered bytes fails', (t) => {
  const master = newContentKey();
  const wrapped = wrapKey(master, newContentKey(), 'bundle:a');
  const wrongMaster = t.throws(() => unwrapKey(newContentKey(), wrapped, 'bundle:a'), { instanceOf: BundleCryptoError });
  t.is(wrongMaster!.code, 'authentication');
  const wrongContext = t.throws(() => unwrapKey(master, wrapped, 'bundle:b'), { instanceOf: BundleCryptoError });
  t.is(wrongContext!.code, 'authentication');
  t.regex(wrongContext!.message, /bundle:b.*failed authentication/);
  for (let i = 1; i < wrapped.length; i += 7) {
    const bad = Buffer.from(wrapped);
    bad[i]! ^= 0x01;
    t.throws(() => unwrapKey(master, bad, 'bundle:a'), { instanceOf: BundleCryptoError }, `byte ${i}`);
  }
  t.throws(() => unwrapKey(master, wrapped.subarray(0, 40), 'bundle:a'), { instanceOf: BundleCryptoError });
  t.throws(() => wrapKey(master, newContentKey(), ''), { instanceOf: BundleCryptoError });
  t.throws(() => wrapKey(master.subarray(1), newContentKey(), 'x'), { instanceOf: BundleCryptoError });
});

test('a key sealed for a node opens only with that node\'s secret key', (t) => {
  const node = nacl.box.keyPair();
  const other = nacl.box.keyPair();
  const key = newContentKey();
  const sealed = sealKeyForNode(key, node.publicKey);
  t.is(sealed.length, SEALED_KEY_LENGTH);
  t.deepEqual(openSealedKey(sealed, node.secretKey), key);
  const err = t.throws(() => openSealedKey(sealed, other.secretKey), { instanceOf: BundleCryptoError });
  t.is(err!.code, 'authentication');
  t.notDeepEqual(sealKeyForNode(key, node.publicKey).subarray(0, 32), sealed.subarray(0, 32)); // fresh ephemeral key
});

test('an altered or cut sealed key is refused', (t) => {
  const node = nacl.box.keyPair();
  const sealed = sealKeyForNode(newContentKey(), node.publicKey);
  for (let i = 0; i < sealed.length; i += 5) {
    const bad = Uint8Array.from(sealed);
    bad[i]! ^= 0x01;
    t.throws(() => openSealedKey(bad, node.secretKey), { instanceOf: BundleCryptoError }, `byte ${i}`);
  }
  t.is(t.throws(() => openSealedKey(sealed.subarray(0, 100), node.secretKey), { instanceOf: BundleCryptoError })!.code, 'bad-input');
  t.is(t.throws(() => sealKeyForNode(newContentKey(), node.publicKey.subarray(1)), { instanceOf: BundleCryptoError })!.code, 'bad-key');
});

test('keys sealed for a node in one batch each open alone, and only for that node', (t) => {
  const node = nacl.box.keyPair();
  const other = nacl.box.keyPair();
  const keys = [newContentKey(), newContentKey(), newContentKey()];
  const sealed = sealKeysForNode(keys, node.publicKey);
  t.is(sealed.length, 3);
  sealed.forEach((s, i) => {
    t.is(s.length, SEALED_KEY_LENGTH);
    t.deepEqual(openSealedKey(s, node.secretKey), keys[i]);
    t.is(t.throws(() => openSealedKey(s, other.secretKey), { instanceOf: BundleCryptoError })!.code, 'authentication');
  });
  t.notDeepEqual(sealed[0]!.subarray(32, 56), sealed[1]!.subarray(32, 56)); // a fresh nonce per key
  t.deepEqual(openSealedKeys([...sealed, sealKeyForNode(keys[0]!, node.publicKey)], node.secretKey), [...keys, keys[0]]);
  t.is(t.throws(() => openSealedKeys(sealed, other.secretKey), { instanceOf: BundleCryptoError })!.code, 'authentication');
  const altered = Uint8Array.from(sealed[2]!);
  altered[70]! ^= 1;
  t.is(t.throws(() => openSealedKeys([sealed[0]!, altered], node.secretKey), { instanceOf: BundleCryptoError })!.code, 'authentication');
  t.deepEqual(sealKeysForNode([], node.publicKey), []);
  t.is(t.throws(() => sealKeysForNode(keys, node.publicKey.subarray(1)), { instanceOf: BundleCryptoError })!.code, 'bad-key');
});

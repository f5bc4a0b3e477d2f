import { createPublicKey, verify } from 'node:crypto';
import { handshakeMessage, HANDSHAKE_MAX_SKEW_MS, type AgentAuth } from '@cloudexport/shared';

// DER prefix of an Ed25519 SubjectPublicKeyInfo; the 32 raw key bytes follow it.
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** Checks an agent's signed handshake with node:crypto (~100× tweetnacl's verify speed). */
export function verifyHandshake(auth: AgentAuth, signingPublicKey: string, now: Date): string | null {
  const skew = Math.abs(now.getTime() - auth.timestamp);
  if (skew > HANDSHAKE_MAX_SKEW_MS) {
    return `Handshake timestamp is ${Math.round(skew / 1000)} s away from the coordinator's clock (at most ${HANDSHAKE_MAX_SKEW_MS / 1000} s); fix the node's clock.`;
  }
  const key = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, Buffer.from(signingPublicKey, 'base64')]), format: 'der', type: 'spki' });
  const ok = verify(null, Buffer.from(handshakeMessage(auth.nodeId, auth.timestamp, auth.nonce)), key, Buffer.from(auth.signature, 'base64'));
  return ok ? null : 'Handshake signature does not match the node’s enrolled key.';
}

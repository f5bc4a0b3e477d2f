import { z } from 'zod';

/** Socket.IO namespace render nodes connect to. */
export const AGENT_NAMESPACE = '/agents';

/** A handshake older or newer than this is refused: clocks may drift, replays may not. */
export const HANDSHAKE_MAX_SKEW_MS = 60_000;

/** Sent as Socket.IO `auth` on every (re)connection; signed afresh each time. */
export const agentAuthSchema = z
  .object({
    nodeId: z.uuid(),
    timestamp: z.number().int().positive(),
    nonce: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/),
    /** Ed25519 signature (base64) of `handshakeMessage(nodeId, timestamp, nonce)`. */
    signature: z.string().regex(/^[A-Za-z0-9+/]{86}==$/),
  })
  .strict();
export type AgentAuth = z.infer<typeof agentAuthSchema>;

/** The exact bytes a node signs to prove its key; the prefix keeps them from meaning anything else. */
export function handshakeMessage(nodeId: string, timestamp: number, nonce: string): string {
  return `cloudexport-agent-handshake-v1\n${nodeId}\n${timestamp}\n${nonce}`;
}

/** An Ed25519 or X25519 public key: 32 raw bytes, base64. */
export const publicKeySchema = z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'a 32-byte key in base64');

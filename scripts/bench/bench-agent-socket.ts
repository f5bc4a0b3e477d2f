// The simulated fleet's child side, shared by dispatch-agents.ts and console-agents.ts: the input
// the parent wrote (bench-nodes.ts), and one node's socket, which proves its key on every
// handshake and says hello once connected.
import { createPrivateKey, randomBytes, sign } from 'node:crypto';
import { AGENT_NAMESPACE, handshakeMessage } from '@cloudexport/shared';
import { io, type Socket } from 'socket.io-client';

export interface BenchAgentsInput {
  url: string;
  nodes: { nodeId: string; privateKeyPem: string }[];
  machine: unknown;
}

/** What the parent wrote on stdin. */
export async function readBenchInput<T extends BenchAgentsInput>(): Promise<T> {
  const text = await new Promise<string>((resolve) => {
    let all = '';
    process.stdin.on('data', (d) => (all += d));
    process.stdin.on('end', () => resolve(all));
  });
  return JSON.parse(text) as T;
}

/**
 * One simulated node's agent socket, connecting now; `hello` resolves with the coordinator's
 * answer to its hello, sent on connect, and rejects when the handshake is refused. Register
 * the node's event handlers on `socket` right away.
 */
export function connectBenchAgent(input: BenchAgentsInput, node: { nodeId: string; privateKeyPem: string }): { socket: Socket; hello: Promise<{ heartbeatIntervalMs?: number }> } {
  const key = createPrivateKey(node.privateKeyPem);
  const socket = io(`${input.url}${AGENT_NAMESPACE}`, {
    transports: ['websocket'],
    reconnection: false,
    auth: (cb) => {
      const timestamp = Date.now();
      const nonce = randomBytes(18).toString('base64url');
      cb({ nodeId: node.nodeId, timestamp, nonce, signature: sign(null, Buffer.from(handshakeMessage(node.nodeId, timestamp, nonce)), key).toString('base64') });
    },
  });
  const hello = new Promise<{ heartbeatIntervalMs?: number }>((resolve, reject) => {
    socket.once('connect', () => socket.emit('hello', { machine: input.machine, running: [] }, resolve));
    socket.once('connect_error', reject);
  });
  return { socket, hello };
}

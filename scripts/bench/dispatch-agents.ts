// Child process of dispatch.ts: N simulated agents on the real socket.io-client. Each proves its
// key, says hello, and finishes every chunk it is given at once, so what is measured is the
// coordinator's booking, not rendering.
import { createPrivateKey, randomBytes, sign } from 'node:crypto';
import { AGENT_NAMESPACE, handshakeMessage } from '@cloudexport/shared';
import { io, type Socket } from 'socket.io-client';

interface Input {
  url: string;
  nodes: { nodeId: string; privateKeyPem: string }[];
  machine: unknown;
}

const input = JSON.parse(await new Promise<string>((resolve) => {
  let text = '';
  process.stdin.on('data', (d) => (text += d));
  process.stdin.on('end', () => resolve(text));
})) as Input;

const assigned: [string, number][] = [];
const sockets: Socket[] = [];
const started = performance.now();

await Promise.all(
  input.nodes.map(
    (node) =>
      new Promise<void>((resolve, reject) => {
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
        sockets.push(socket);
        socket.on('chunk:assign', (a: { chunkId: string; epoch: number }, ack: (x: unknown) => void) => {
          assigned.push([a.chunkId, Date.now()]);
          ack({ accepted: true });
          socket.emit('chunk:done', { chunkId: a.chunkId, epoch: a.epoch, frames: 1 }, () => {});
        });
        socket.once('connect', () => {
          socket.emit('hello', { machine: input.machine, running: [] }, () => resolve());
        });
        socket.once('connect_error', reject);
      }),
  ),
);
process.send!({ type: 'connected', ms: performance.now() - started });
const cpuAtConnected = process.cpuUsage();

process.on('message', (m: { type: string }) => {
  const cpu = process.cpuUsage(cpuAtConnected);
  if (m.type === 'report') process.send!({ type: 'report', assigned, cpuMs: (cpu.user + cpu.system) / 1000 }, () => {
    for (const s of sockets) s.close();
    process.exit(0);
  });
});

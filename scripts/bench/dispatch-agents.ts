// Child process of dispatch.ts: N simulated agents on the real socket.io-client. Each proves its
// key, says hello, and finishes every chunk it is given at once, so what is measured is the
// coordinator's booking, not rendering.
import type { Socket } from 'socket.io-client';
import { connectBenchAgent, readBenchInput } from './bench-agent-socket.js';

const input = await readBenchInput();

const assigned: [string, number][] = [];
const sockets: Socket[] = [];
const started = performance.now();

await Promise.all(
  input.nodes.map((node) => {
    const { socket, hello } = connectBenchAgent(input, node);
    sockets.push(socket);
    socket.on('chunk:assign', (a: { chunkId: string; epoch: number }, ack: (x: unknown) => void) => {
      assigned.push([a.chunkId, Date.now()]);
      ack({ accepted: true });
      socket.emit('chunk:done', { chunkId: a.chunkId, epoch: a.epoch, frames: 1 }, () => {});
    });
    return hello;
  }),
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

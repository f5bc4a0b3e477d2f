// Child process of console.ts: N simulated render nodes on the real socket.io-client. Each
// proves its key, says hello, accepts what it is assigned and "renders" it: one frame every
// frameMs (jittered), reported as chunk:progress the way the agent reports aerender's frames,
// chunk:done at the end, heartbeats between. For the preview latency, the nodes rendering one
// chosen job send a small JPEG once a second stamped with when it was "rendered".
import type { ChunkAssignment } from '@cloudexport/shared';
import type { Socket } from 'socket.io-client';
import { connectBenchAgent, readBenchInput, type BenchAgentsInput } from './bench-agent-socket.js';

/** A 64×36 test-pattern JPEG (ffmpeg testsrc): what a node's preview looks like on the wire. */
const PREVIEW_JPEG = '/9j/4AAQSkZJRgABAgAAAQABAAD//gAQTGF2YzU5LjM3LjEwMAD/2wBDAAgUFBcUFxsbGxsbGyAeICEhISAgICAhISEkJCQqKiokJCQhISQkKCgqKi4vLisrKisvLzIyMjw8OTlGRkhWVmf/xACeAAACAwEBAQAAAAAAAAAAAAAABwUGCAQDAgEAAwEBAQEAAAAAAAAAAAAAAAYHCAMFBBAAAQIDBQQGCwEBAAAAAAAAAQIABBEDgQUxIRJxkdITYbFRQUI0obLBs4IzMtEVUnJ0FBEAAQMBBQQECwkBAAAAAAAAAQACAxESMSEFBCKB0lFCBpFBknGz0bHTMyMyExQ0wbIWoYN0cjVh/8AAEQgAJABAAwESAAISAAMSAP/aAAwDAQACEQMRAD8Az+xiEIT7gIfUeaoZDJIPb+1nd07HcKaBTQlI8IAwlPptfPRQ19464fD4+e70poYywxreQpy3719fWXMzG36OJxDnAGVzSMGGvuz31de67ZpeHKEavUO1WolmdWsj3OoXWrIJwbXk0UAuwCXrG4IW10JZsbWhZ/QtiseAEJqQlmxtiFn9CgICI0q5Sjkr6ewHst69rqwJBmMiHTdHNZPy3XH4f+Hlv9KXAaYjBX7rLlglj+siaLcY96ADV7MAHYd7O8kfDedkK0Oa17S1wDmuBBBFQQbwQcCCtYuPhq3/AEUKVWWnmU0L0znLUkGU5Ccp4ybUhQRCwg2fD3VQq4qq2FPCxKcmskZcGdh86E9TaCKO5z95HCnI+5NEJppzUZCUycztydXUYGdakbNmI0wqQ+p8e2siqvavK9Pbe8W22nOdZbZDW1NaNFnADuHJKd2ZcKhJxV6Ps9IKJsz3VO6EPgv41o1QmbP9XGcGQb2v9Yka2sLohz4qu9PA9LqUwZvqJL2xbg7jXypCOYSjos7HcSd7ocReFWlglFoVxPKyvkfV7SPvfP4TPVqzqcQ5nNJe2PcHcSj2v/yNbVLTT3K4nL1fvy9pKVtz+Ez1aRk+w5fFJe5+4t4VyvoQkKDlSqb8pgb0pe1vAtWrw4Z3SDEN3V860XdvkYT/AD0fdpazF9RFNISmnQSlIAACVAADAABcgA1ddp2/Lu/VRxUoZXAelJ2t4Vmxj4oU1QnZALKa4SMFAg2Ce9+MF5hHxeqX5+jcRKB3OBB3Cq5aT27N/wCEpv6ywMly98jhtQuY5hwrtODCK0rQg1IFMQOS9DrD/l6j9ryrF9sdpQmxCWbG1oWf0LYrHgBCakJZsbYhZ/Qo+7kDQpfeTpsAB9ub9ru+Sr+z1JdZ0DRZc7vrTcAD967aH2R/ufQFW+tc8hnhgrsNj+ZTHFznObjjQ0DdnCoqea8/rX9uj/jt8pInmx/IhMCF/9k=';

const input = await readBenchInput<BenchAgentsInput & { frameMs: number }>();

interface Running {
  a: ChunkAssignment;
  framesDone: number;
  timer: NodeJS.Timeout | null;
}

let paused = false;
let previewJobId: string | null = null;
const sent = { progress: 0, done: 0, previews: 0 };
const agents: { socket: Socket; running: Map<string, Running> }[] = [];
const jitter = () => input.frameMs * (0.5 + Math.random());

function scheduleFrame(socket: Socket, running: Map<string, Running>, r: Running): void {
  r.timer = setTimeout(() => {
    r.timer = null;
    if (paused) return;
    r.framesDone += 1;
    const total = r.a.frameEnd - r.a.frameStart + 1;
    if (r.framesDone >= total) {
      running.delete(r.a.chunkId);
      sent.done += 1;
      socket.emit('chunk:done', { chunkId: r.a.chunkId, epoch: r.a.epoch, frames: total }, () => {});
      return;
    }
    sent.progress += 1;
    socket.emit('chunk:progress', { chunkId: r.a.chunkId, epoch: r.a.epoch, state: 'RENDERING', framesDone: r.framesDone, lastFrame: r.a.frameStart + r.framesDone - 1 }, () => {});
    scheduleFrame(socket, running, r);
  }, jitter());
}

const started = performance.now();
await Promise.all(
  input.nodes.map((node) => {
    const running = new Map<string, Running>();
    const { socket, hello } = connectBenchAgent(input, node);
    agents.push({ socket, running });
    socket.on('chunk:assign', (a: ChunkAssignment, ack: (x: unknown) => void) => {
      ack({ accepted: true });
      const r: Running = { a, framesDone: 0, timer: null };
      running.set(a.chunkId, r);
      socket.emit('chunk:progress', { chunkId: a.chunkId, epoch: a.epoch, state: 'RENDERING', framesDone: 0, lastFrame: null }, () => {});
      scheduleFrame(socket, running, r);
    });
    socket.on('chunk:cancel', (c: { chunkId: string }) => {
      const r = running.get(c.chunkId);
      if (r?.timer) clearTimeout(r.timer);
      running.delete(c.chunkId);
    });
    return hello.then((answer) => {
      setInterval(() => {
        const list = [...running.values()].map((r) => ({ chunkId: r.a.chunkId, epoch: r.a.epoch, framesDone: r.framesDone }));
        socket.emit('heartbeat', { running: list, gpuUtilization: list.length ? 97 : 0 }, () => {});
      }, answer.heartbeatIntervalMs ?? 3_000).unref();
    });
  }),
);
process.send!({ type: 'connected', ms: performance.now() - started });

// the nodes rendering the watched job send a preview a second, as the real agent throttles them
// the same bytes twice would be the same data: URL, which a page does not load again
const jpegBytes = Buffer.from(PREVIEW_JPEG, 'base64');
let previewSerial = 0;
const nextJpeg = () => Buffer.concat([jpegBytes, Buffer.from(String(++previewSerial).padStart(8, '0'))]).toString('base64'); // decoders ignore bytes after EOI
setInterval(() => {
  if (!previewJobId || paused) return;
  for (const { socket, running } of agents) {
    for (const r of running.values()) {
      if (r.a.jobId !== previewJobId) continue;
      sent.previews += 1;
      socket.emit('chunk:preview', { chunkId: r.a.chunkId, epoch: r.a.epoch, frame: r.a.frameStart + r.framesDone, width: 64, height: 36, jpeg: nextJpeg(), renderedAt: new Date().toISOString() }, () => {});
    }
  }
}, 1_000).unref();

process.on('message', (m: { type: string; jobId?: string }) => {
  if (m.type === 'pause') paused = true;
  if (m.type === 'resume') {
    paused = false;
    for (const { socket, running } of agents) for (const r of running.values()) if (!r.timer) scheduleFrame(socket, running, r);
  }
  if (m.type === 'preview') previewJobId = m.jobId ?? null;
  if (m.type === 'count') process.send!({ type: 'count', ...sent, running: agents.reduce((n, a) => n + a.running.size, 0) });
  if (m.type === 'stop') {
    for (const { socket } of agents) socket.close();
    process.exit(0);
  }
});

import { createPrivateKey, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { AGENT_NAMESPACE, handshakeMessage, type AgentAuth, type ChunkAssignment } from '@cloudexport/shared';
import { io, type Socket } from 'socket.io-client';
import type { TestCoordinator } from './test-coordinator.js';
import { enrollBody } from './seed-node.js';

/**
 * A scripted agent speaking the real protocol over the real socket.io-client, for coordinator
 * tests: the real agent lives in node-agent, which the coordinator's tests may not import.
 */
export class TestAgent {
  socket: Socket | null = null;
  readonly assignments: ChunkAssignment[] = [];
  readonly cancels: { chunkId: string; reason: string }[] = [];
  readonly states: string[] = [];
  /** Accept assignments (default) or refuse them. */
  accepting = true;
  /** The encoders its hello reports for its ffmpeg; null: no ffmpeg (it gets no assembly that needs one). */
  ffmpegEncoders: string[] | null = null;
  /** The node's X25519 secret key (nacl box format), when enrolled here: opens sealed content keys. */
  boxSecretKey: Uint8Array | null = null;

  constructor(
    readonly url: string,
    readonly nodeId: string,
    readonly privateKeyPem: string,
    readonly gpu = 'NVIDIA GeForce RTX 4090',
  ) {}

  static async enroll(c: TestCoordinator, providerKey: string, gpu = 'NVIDIA GeForce RTX 4090', name = 'test-agent'): Promise<TestAgent> {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    // the box key pair as the agent makes it: X25519, raw 32-byte halves (what tweetnacl's box takes)
    const box = generateKeyPairSync('x25519').privateKey.export({ format: 'jwk' });
    const token = (await c.call('POST', '/api/v1/enrollment-tokens', { key: providerKey, body: {} })).body.token;
    const body = enrollBody(token, name);
    body.signingPublicKey = Buffer.from(publicKey.export({ format: 'der', type: 'spki' }).subarray(-32)).toString('base64');
    body.boxPublicKey = Buffer.from(box.x!, 'base64url').toString('base64');
    body.machine.gpus = [{ model: gpu, vendor: 'NVIDIA', vramMb: 24_564, driver: '550.54' }];
    const res = await c.call('POST', '/api/v1/nodes/enroll', { body });
    if (res.status !== 201) throw new Error(`enroll failed: ${JSON.stringify(res.body)}`);
    const agent = new TestAgent(c.url, res.body.nodeId, privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), gpu);
    agent.boxSecretKey = new Uint8Array(Buffer.from(box.d!, 'base64url'));
    return agent;
  }

  auth(overrides: Partial<AgentAuth> = {}): AgentAuth {
    const timestamp = overrides.timestamp ?? Date.now();
    const nonce = overrides.nonce ?? randomBytes(18).toString('base64url');
    const signature = sign(null, Buffer.from(handshakeMessage(this.nodeId, timestamp, nonce)), createPrivateKey(this.privateKeyPem)).toString('base64');
    return { nodeId: this.nodeId, timestamp, nonce, signature, ...overrides };
  }

  /** Connects with `auth`; resolves on connect, rejects with the refusal message. */
  connect(auth: AgentAuth = this.auth()): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = io(`${this.url}${AGENT_NAMESPACE}`, { auth, transports: ['websocket'], reconnection: false, forceNew: true });
      this.socket = socket;
      socket.on('chunk:assign', (a: ChunkAssignment, ack: (x: unknown) => void) => {
        if (this.accepting) this.assignments.push(a);
        ack(this.accepting ? { accepted: true } : { accepted: false, reason: 'test refuses' });
      });
      socket.on('chunk:cancel', (x: { chunkId: string; reason: string }) => this.cancels.push(x));
      socket.on('node:state', (x: { state: string }) => this.states.push(x.state));
      socket.once('connect', () => resolve());
      socket.once('connect_error', (err) => {
        socket.close();
        reject(err);
      });
    });
  }

  async hello(running: { chunkId: string; epoch: number; framesDone: number }[] = [], cachedBundles: string[] = []): Promise<any> {
    const machine = enrollBody('x').machine;
    machine.gpus = [{ model: this.gpu, vendor: 'NVIDIA', vramMb: 24_564, driver: '550.54' }];
    if (this.ffmpegEncoders) Object.assign(machine, { ffmpeg: { path: '/usr/bin/ffmpeg', version: '5.1.9', encoders: this.ffmpegEncoders } });
    return this.socket!.emitWithAck('hello', { machine, running, cachedBundles });
  }

  send(event: string, payload: unknown): Promise<any> {
    return this.socket!.timeout(5_000).emitWithAck(event, payload);
  }

  close(): void {
    this.socket?.close();
  }
}

/** Polls until `check` returns a truthy value (a retrying assertion, not a sleep). */
export async function eventually<T>(check: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

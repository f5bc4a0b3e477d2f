// A small stand-in for the coordinator's blob, bundle, job and output endpoints, written to the
// shared schemas (requests are parsed with them, answers built to them), with "signed" storage
// URLs it serves itself. It counts the bytes storage receives and can cut a connection mid-part,
// so the uploader's dedup and resume can be tested without the real endpoints.
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ciphertextSize,
  createBundleBodySchema,
  createJobBodySchema,
  estimateBodySchema,
  jobSchema,
  missingBlobsBodySchema,
  startBlobUploadBodySchema,
  type Chunk,
  type ErrorBody,
  type Job,
  type JobOutput,
  type JobState,
} from '@cloudexport/shared';
import { manifestId, openBuffer } from '@cloudexport/shared/node';

export interface FakeBlob {
  sha256: string;
  size: number;
  sealedSize: number;
  recordSize: number;
  key: Buffer;
  kind: 'single' | 'multipart';
  parts: Map<number, Buffer>;
  /** The plaintext, once completed and checked. */
  plaintext?: Buffer;
}

export interface FakeOptions {
  apiKey?: string;
  /** Sealed blobs up to this many bytes go in one PUT; default 100 KiB. */
  singleLimit?: number;
  /** Default 64 KiB. */
  partSize?: number;
  /** What GET /jobs/:id reports after the job ran; default COMPLETED. */
  finalState?: JobState;
}

export class FakeCoordinator {
  readonly apiKey: string;
  url = '';
  readonly blobs = new Map<string, FakeBlob>();
  readonly jobs = new Map<string, Job>();
  readonly outputs = new Map<string, Array<JobOutput & { body: Buffer }>>();
  readonly requests: string[] = [];
  /** Every byte storage received, including those of requests cut off. */
  bytesReceived = 0;
  /** Storage requests that came with an Authorization header (must stay 0: signed URLs carry no API key). */
  storageRequestsWithApiKey = 0;
  /** `sha256:partNumber` (single PUTs are part 1): cut the connection halfway through, once each. */
  readonly dropOnce = new Set<string>();
  /** Output downloads that asked for a byte range (resumes). */
  rangeRequests = 0;
  /** Answers 503 to the next N calls of POST /blobs (coordinator trouble). */
  failStarts = 0;
  readonly #server: Server;
  readonly #options: Required<FakeOptions>;
  #jobPolls = new Map<string, number>();

  private constructor(options: FakeOptions) {
    this.#options = { apiKey: 'test-key', singleLimit: 100 * 1024, partSize: 64 * 1024, finalState: 'COMPLETED', ...options };
    this.apiKey = this.#options.apiKey;
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((err: Error) => {
        if (!res.headersSent) send(res, 500, error('internal', err.message));
      });
    });
  }

  static async start(options: FakeOptions = {}): Promise<FakeCoordinator> {
    const fake = new FakeCoordinator(options);
    await new Promise<void>((resolve) => fake.#server.listen(0, '127.0.0.1', resolve));
    fake.url = `http://127.0.0.1:${(fake.#server.address() as AddressInfo).port}`;
    return fake;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  storedBlobs(): string[] {
    return [...this.blobs.values()].filter((b) => b.plaintext).map((b) => b.sha256);
  }

  /** Makes a job's rendered files (or, of kind `assemble`, its deliverable) available for download. */
  addOutput(jobId: string, name: string, body: Buffer, kind: JobOutput['kind'] = 'frames'): void {
    const list = this.outputs.get(jobId) ?? [];
    list.push({ name, chunkIndex: 0, kind, size: body.length, sha256: createHash('sha256').update(body).digest('hex'), createdAt: new Date().toISOString(), body });
    this.outputs.set(jobId, list);
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const path = url.pathname;
    this.requests.push(`${req.method} ${path}`);
    if (path.startsWith('/storage/')) return this.#storage(req, res, path);
    if (!path.startsWith('/api/v1/')) return send(res, 404, error('not_found', `No route ${req.method} ${path}.`));
    if (req.headers.authorization !== `Bearer ${this.apiKey}`) return send(res, 401, error('unauthorized', 'Invalid or revoked API key. Create a new key, or ask an admin for one.'));
    const body = req.method === 'POST' ? await readJson(req) : undefined;
    const route = `${req.method} ${path.slice('/api/v1'.length)}`;
    let m: RegExpExecArray | null;

    if (route === 'GET /me') return send(res, 200, { id: randomUUID(), email: 'artist@example.com', name: 'Artist', role: 'artist', disabled: false, createdAt: now() });
    if (route === 'POST /blobs/missing') {
      const parsed = missingBlobsBodySchema.safeParse(body);
      if (!parsed.success) return send(res, 400, error('validation_failed', parsed.error.message));
      return send(res, 200, { missing: parsed.data.blobs.filter((b) => !this.blobs.get(b.sha256)?.plaintext).map((b) => b.sha256) });
    }
    if (route === 'POST /blobs') {
      if (this.failStarts > 0) {
        this.failStarts -= 1;
        return send(res, 503, error('internal', 'Try again.'));
      }
      const parsed = startBlobUploadBodySchema.safeParse(body);
      if (!parsed.success) return send(res, 400, error('validation_failed', parsed.error.message));
      const b = parsed.data;
      if (b.sealedSize !== ciphertextSize(b.size, b.recordSize)) return send(res, 400, error('bad_request', `sealedSize ${b.sealedSize} is not ${ciphertextSize(b.size, b.recordSize)}.`));
      let blob = this.blobs.get(b.sha256);
      if (blob?.plaintext) return send(res, 200, { kind: 'stored' });
      const key = Buffer.from(b.key, 'base64');
      // another key means another sealing: the parts sent so far are of no use
      if (!blob || !blob.key.equals(key) || blob.sealedSize !== b.sealedSize) {
        blob = { ...b, key, kind: b.sealedSize <= this.#options.singleLimit ? 'single' : 'multipart', parts: new Map() };
        this.blobs.set(b.sha256, blob);
      }
      const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
      const signed = (n: number) => ({ method: 'PUT' as const, url: `${this.url}/storage/${b.sha256}/${n}?X-Signature=${sig(b.sha256, n)}`, headers: { 'x-fake-signature': sig(b.sha256, n) }, expiresAt });
      if (blob.kind === 'single') return send(res, 200, { kind: 'single', request: signed(1) });
      const partSize = this.#options.partSize;
      const count = Math.ceil(blob.sealedSize / partSize);
      const parts = [];
      for (let n = 1; n <= count; n += 1) {
        if (!blob.parts.has(n)) parts.push({ ...signed(n), partNumber: n, size: Math.min(partSize, blob.sealedSize - (n - 1) * partSize) });
      }
      return send(res, 200, { kind: 'multipart', partSize, parts });
    }
    if ((m = /^POST \/blobs\/([0-9a-f]{64})\/complete$/.exec(route))) {
      const blob = this.blobs.get(m[1]!);
      if (!blob) return send(res, 404, error('not_found', 'No upload of this blob was started.'));
      if (!blob.plaintext) {
        const count = blob.kind === 'single' ? 1 : Math.ceil(blob.sealedSize / this.#options.partSize);
        const missing = Array.from({ length: count }, (_, i) => i + 1).filter((n) => !blob.parts.has(n));
        if (missing.length) return send(res, 409, error('conflict', `Parts ${missing.join(', ')} have not arrived.`, { missing }));
        const sealed = Buffer.concat([...blob.parts.entries()].sort((a, b) => a[0] - b[0]).map(([, part]) => part));
        const plain = openBuffer(blob.key, sealed); // throws on a wrong key or damaged data
        if (createHash('sha256').update(plain).digest('hex') !== blob.sha256) return send(res, 400, error('bad_request', 'The blob does not match its sha256.'));
        blob.plaintext = plain;
      }
      return send(res, 200, { sha256: blob.sha256, size: blob.size, sealedSize: blob.sealedSize, stored: true, createdAt: now() });
    }
    if (route === 'POST /bundles') {
      const parsed = createBundleBodySchema.safeParse(body);
      if (!parsed.success) return send(res, 400, error('validation_failed', parsed.error.message));
      const manifest = parsed.data.manifest;
      const absent = manifest.files.filter((f) => !this.blobs.get(f.sha256)?.plaintext);
      if (absent.length) return send(res, 409, error('conflict', `Blobs not uploaded: ${absent.map((f) => f.path).join(', ')}.`));
      return send(res, 201, { id: randomUUID(), ownerId: randomUUID(), manifestId: manifestId(manifest), files: manifest.files.length, bytes: manifest.files.reduce((n, f) => n + f.size, 0), createdAt: now() });
    }
    if (route === 'POST /estimates') {
      const parsed = estimateBodySchema.safeParse(body);
      if (!parsed.success) return send(res, 400, error('validation_failed', parsed.error.message));
      const frames = Math.round(parsed.data.durationSeconds * parsed.data.fps);
      return send(res, 200, {
        frames,
        complexityFactor: 1.5,
        gpuMinutes: frames / 60,
        bundleGb: parsed.data.bundleBytes / 1e9,
        outputGb: 0.01,
        storageHours: 168,
        currency: 'USD',
        tiers: [{ tierId: 'rtx-4090', name: 'RTX 4090', pricePerMinuteUsd: 0.5, onlineNodes: 2, cost: { gpuUsd: 0.4, storageUsd: 0.01, transferUsd: 0.01, totalUsd: 0.42 }, etaSeconds: 65 }],
      });
    }
    if (route === 'POST /jobs') {
      const parsed = createJobBodySchema.safeParse(body);
      if (!parsed.success) return send(res, 400, error('validation_failed', parsed.error.message, { issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) }));
      const b = parsed.data;
      const frames = b.comp.frameEnd - b.comp.frameStart + 1;
      const job = jobSchema.parse({
        id: randomUUID(), ownerId: randomUUID(), name: b.name ?? b.comp.name, state: 'QUEUED', bundle: b.bundle ?? null, comp: b.comp, preset: b.preset, custom: b.custom ?? null,
        complexity: b.complexity, thirdPartyPlugins: b.thirdPartyPlugins, priority: b.priority, maxTier: b.maxTier ?? null, chunkSize: b.chunkSize ?? frames, minAeVersion: null,
        minVramMb: 4096, requirements: b.requirements ?? { fonts: [], effects: [] }, framesTotal: frames, framesDone: 0, chunkCount: 1, retries: 0, estimatedUsd: 0.42, costUsd: 0, startedAt: null, error: null, createdAt: now(), updatedAt: now(), finishedAt: null,
      });
      this.jobs.set(job.id, job);
      return send(res, 201, job);
    }
    if ((m = /^GET \/jobs\/([0-9a-f-]{36})$/.exec(route))) {
      const job = this.jobs.get(m[1]!);
      if (!job) return send(res, 404, error('not_found', `No job ${m[1]}.`));
      // each poll moves it on: RENDERING at half, then its final state
      const polls = (this.#jobPolls.get(job.id) ?? 0) + 1;
      this.#jobPolls.set(job.id, polls);
      if (job.state === 'QUEUED' && polls >= 1) Object.assign(job, { state: 'RENDERING', framesDone: Math.floor(job.framesTotal / 2), updatedAt: now() });
      else if (job.state === 'RENDERING' && polls >= 2) {
        const ok = this.#options.finalState === 'COMPLETED';
        Object.assign(job, { state: this.#options.finalState, framesDone: ok ? job.framesTotal : job.framesDone, error: ok ? null : 'aerender ERROR: After Effects error: missing footage', updatedAt: now(), finishedAt: now() });
      }
      return send(res, 200, job);
    }
    if ((m = /^GET \/jobs\/([0-9a-f-]{36})\/chunks$/.exec(route))) {
      const job = this.jobs.get(m[1]!);
      if (!job) return send(res, 404, error('not_found', `No job ${m[1]}.`));
      const chunk: Chunk = { id: randomUUIDFor(job.id), jobId: job.id, index: 0, kind: 'frames', frameStart: job.comp.frameStart, frameEnd: job.comp.frameEnd, state: job.state === 'COMPLETED' ? 'DONE' : 'RENDERING', attempt: 1, nodeId: null, framesDone: job.framesDone, error: null, warnings: ['Font "Helvetica Neue" is missing; substituted'], updatedAt: now() };
      return send(res, 200, { items: [chunk] });
    }
    if ((m = /^POST \/jobs\/([0-9a-f-]{36})\/cancel$/.exec(route))) {
      const job = this.jobs.get(m[1]!);
      if (!job) return send(res, 404, error('not_found', `No job ${m[1]}.`));
      Object.assign(job, { state: 'CANCELLED', updatedAt: now(), finishedAt: now() });
      return send(res, 200, job);
    }
    if ((m = /^GET \/jobs\/([0-9a-f-]{36})\/outputs$/.exec(route))) {
      return send(res, 200, { items: (this.outputs.get(m[1]!) ?? []).map(({ body: _, ...o }) => o) });
    }
    const deliverable = /^GET \/jobs\/([0-9a-f-]{36})\/deliverable$/.exec(route);
    if (deliverable || (m = /^GET \/jobs\/([0-9a-f-]{36})\/outputs\/([A-Za-z0-9._-]+)$/.exec(route))) {
      const jobId = (deliverable ?? m)![1]!;
      const output = this.outputs.get(jobId)?.find((o) => (deliverable ? o.kind === 'assemble' : o.name === m![2]));
      if (!output) return send(res, 404, error('not_found', 'No such output.'));
      const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
      const from = range ? Number(range[1]) : 0;
      if (range) this.rangeRequests += 1;
      res.writeHead(range ? 206 : 200, { 'content-type': 'application/octet-stream', 'content-length': output.size - from, ...(range ? { 'content-range': `bytes ${from}-${output.size - 1}/${output.size}` } : {}) });
      res.end(output.body.subarray(from));
      return;
    }
    send(res, 404, error('not_found', `No route ${req.method} ${path}.`));
  }

  async #storage(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (req.headers.authorization) this.storageRequestsWithApiKey += 1;
    const m = /^\/storage\/([0-9a-f]{64})\/(\d+)$/.exec(path);
    const blob = m ? this.blobs.get(m[1]!) : undefined;
    if (!m || !blob || req.method !== 'PUT') return send(res, 404, error('not_found', 'No such upload.'));
    const n = Number(m[2]);
    if (req.headers['x-fake-signature'] !== sig(blob.sha256, n)) return send(res, 403, error('forbidden', 'The signed headers were not sent as given.'));
    const expected = blob.kind === 'single' ? blob.sealedSize : Math.min(this.#options.partSize, blob.sealedSize - (n - 1) * this.#options.partSize);
    if (req.headers['content-length'] !== String(expected)) return send(res, 400, error('bad_request', `Content-Length must be ${expected}, not ${req.headers['content-length']}.`));
    const drop = this.dropOnce.delete(`${blob.sha256}:${n}`);
    const chunks: Buffer[] = [];
    let got = 0;
    for await (const chunk of req) {
      chunks.push(chunk as Buffer);
      got += (chunk as Buffer).length;
      this.bytesReceived += (chunk as Buffer).length;
      if (drop && got >= expected / 2) {
        req.socket.destroy(); // the connection drops mid-part
        return;
      }
    }
    blob.parts.set(n, Buffer.concat(chunks));
    send(res, 200, { partNumber: n, size: got });
  }
}

function sig(sha: string, n: number): string {
  return createHash('sha256').update(`${sha}:${n}`).digest('hex').slice(0, 16);
}

function randomUUIDFor(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function now(): string {
  return new Date().toISOString();
}

function error(code: ErrorBody['error']['code'], message: string, details?: Record<string, unknown>): ErrorBody {
  return { error: { code, message, ...(details ? { details } : {}) } };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : undefined;
}

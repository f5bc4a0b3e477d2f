// Real parts for the bundle tests: blobs sealed with the shared crypto, content keys sealed to a
// test node's X25519 key, and a small HTTP server standing in for storage's signed URLs (it checks
// the signed header, counts requests, and can misbehave on demand).
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { newContentKey, sealKeyForNode, type BundleManifest, type BundleTicket } from '@cloudexport/shared';
import { manifestId, sealBuffer } from '@cloudexport/shared/node';
import nacl from 'tweetnacl';
import pino from 'pino';

export const silentLog = pino({ level: 'silent' });

export const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

export async function tempDir(t: ExecutionContext, prefix = 'bundle-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A node's box key pair, as its identity holds it. */
export function testNode(): { publicKey: Uint8Array; secretKey: Uint8Array } {
  return nacl.box.keyPair();
}

/** How a served object misbehaves. */
export interface Misbehaviour {
  /** Send this status instead, this many times (then behave). */
  status?: { code: number; times: number };
  /** Cut the connection after this many body bytes, this many times. */
  dropAfter?: { bytes: number; times: number };
}

interface Served {
  data: Buffer;
  misbehave: Misbehaviour;
}

export interface StorageDouble {
  url: string;
  /** Requests seen, by path. */
  requests: Map<string, number>;
  /** Bodies PUT, by path. */
  received: Map<string, { body: Buffer; contentLength: string | undefined }>;
  serve(path: string, data: Buffer, misbehave?: Misbehaviour): void;
  /** Answer PUTs to `path` with `code` this many times (after reading the body). */
  failPuts(path: string, code: number, times: number): void;
  /** A signed request for `path`: a header the server insists on, like a real signature. */
  request(path: string, method?: 'GET' | 'PUT'): { method: 'GET' | 'PUT'; url: string; headers: Record<string, string>; expiresAt: string };
  totalRequests(): number;
}

export const SIGNATURE_HEADER = 'x-test-signature';

/** An HTTP server on port 0 standing in for storage: GET serves registered bytes, PUT stores the body. */
export async function storageDouble(t: ExecutionContext): Promise<StorageDouble> {
  const objects = new Map<string, Served>();
  const requests = new Map<string, number>();
  const received = new Map<string, { body: Buffer; contentLength: string | undefined }>();
  const putFailures = new Map<string, { code: number; times: number }>();
  const signature = randomBytes(8).toString('hex');
  const server: Server = createServer((req: IncomingMessage, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    requests.set(path, (requests.get(path) ?? 0) + 1);
    if (req.headers[SIGNATURE_HEADER] !== signature) {
      res.writeHead(403).end('bad signature');
      return;
    }
    if (req.method === 'PUT') {
      const parts: Buffer[] = [];
      req.on('data', (p: Buffer) => parts.push(p));
      req.on('end', () => {
        const failure = putFailures.get(path);
        if (failure && failure.times > 0) {
          failure.times -= 1;
          res.writeHead(failure.code).end('not now');
          return;
        }
        received.set(path, { body: Buffer.concat(parts), contentLength: req.headers['content-length'] });
        res.writeHead(200).end();
      });
      return;
    }
    const served = objects.get(path);
    if (!served) {
      res.writeHead(404).end('no such object');
      return;
    }
    const { status, dropAfter } = served.misbehave;
    if (status && status.times > 0) {
      status.times -= 1;
      res.writeHead(status.code).end('try again');
      return;
    }
    res.writeHead(200, { 'content-length': served.data.length, 'content-type': 'application/octet-stream' });
    if (dropAfter && dropAfter.times > 0) {
      dropAfter.times -= 1;
      res.write(served.data.subarray(0, dropAfter.bytes), () => setTimeout(() => res.destroy(), 20));
      return;
    }
    res.end(served.data);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  server.keepAliveTimeout = 100;
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    received,
    serve: (path, data, misbehave = {}) => void objects.set(path, { data, misbehave }),
    failPuts: (path, code, times) => void putFailures.set(path, { code, times }),
    request: (path, method = 'GET') => ({ method, url: `${url}${path}`, headers: { [SIGNATURE_HEADER]: signature }, expiresAt: new Date(Date.now() + 3600_000).toISOString() }),
    totalRequests: () => [...requests.values()].reduce((a, b) => a + b, 0),
  };
}

export interface FileSpec {
  path: string;
  data: Buffer;
  role?: 'project' | 'footage' | 'audio' | 'font' | 'other';
  originalPath?: string;
}

export interface TicketOptions {
  /** Seal keys to this public key instead of the node's. */
  sealTo?: Uint8Array;
  /** Per-path changes to what is served or promised. */
  tamper?: (blob: { path: string; sealed: Buffer; size: number; sha256: string; sealedSize: number; key: Uint8Array }) => void;
  misbehave?: Record<string, Misbehaviour>;
  bundleId?: string;
  recordSize?: number;
}

/**
 * Seals each file under its own content key, serves the sealed bytes, and builds the ticket the
 * coordinator would: the manifest plus, per blob, its key sealed to `nodePublicKey` and a signed GET.
 */
export function makeTicket(storage: StorageDouble, nodePublicKey: Uint8Array, files: FileSpec[], options: TicketOptions = {}): BundleTicket {
  const manifestFiles: BundleManifest['files'] = [];
  const blobs: BundleTicket['blobs'] = [];
  const seen = new Set<string>();
  for (const file of files) {
    const key = newContentKey();
    const blob = { path: file.path, sealed: sealBuffer(key, file.data, options.recordSize ? { recordSize: options.recordSize } : {}), size: file.data.length, sha256: sha256(file.data), sealedSize: 0, key };
    blob.sealedSize = blob.sealed.length;
    options.tamper?.(blob);
    manifestFiles.push({ path: file.path, size: blob.size, sha256: blob.sha256, role: file.role ?? 'footage', ...(file.originalPath ? { originalPath: file.originalPath } : {}) });
    if (seen.has(blob.sha256)) continue;
    seen.add(blob.sha256);
    const path = `/blobs/${blob.sha256}`;
    storage.serve(path, blob.sealed, options.misbehave?.[file.path]);
    blobs.push({
      sha256: blob.sha256,
      size: blob.size,
      sealedSize: blob.sealedSize,
      sealedKey: Buffer.from(sealKeyForNode(blob.key, options.sealTo ?? nodePublicKey)).toString('base64'),
      request: storage.request(path),
    });
  }
  const project = files.find((f) => f.role === 'project') ?? files[0]!;
  const manifest: BundleManifest = { version: 1, project: { path: project.path }, files: manifestFiles };
  let id = 'a'.repeat(64);
  try {
    id = manifestId(manifest);
  } catch {
    // hostile manifests (the extraction tests) are not valid manifests: any id will do
  }
  return { bundleId: options.bundleId ?? crypto.randomUUID(), manifestId: id, manifest, blobs };
}

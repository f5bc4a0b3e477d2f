import { randomBytes } from 'node:crypto';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Koa from 'koa';
import pino from 'pino';
import S3rver from 's3rver';
import { errorMiddleware } from '../../src/api/error-middleware.js';
import type { Clock } from '../../src/clock.js';
import { createStorage } from '../../src/storage/create-storage.js';
import { LocalDiskStorage } from '../../src/storage/local-disk-storage.js';
import { localStorageRoutes } from '../../src/storage/local-storage-routes.js';
import type { ObjectStorage, SignedRequest } from '../../src/storage/object-storage.js';
import { S3Storage } from '../../src/storage/s3-storage.js';
import { fillS3rverGaps } from './s3rver-gaps.js';
import { presignedUrlHolds } from './sigv4-verifier.js';

/** Small enough to test the limit, big enough for a three-part multipart upload. */
export const TEST_MAX_UPLOAD_BYTES = 16 * 1024 * 1024;

/** One driver against its real server, as the contract suite sees it. */
export interface StorageHarness {
  storage: ObjectStorage;
  /** The same store, signing URLs at `clock`'s time (to make expired URLs). */
  signingAt(clock: Clock): ObjectStorage;
  /** The server refuses altered signatures and bodies of another length than the signed one. */
  serverVerifiesSignatures: boolean;
  /** Whether the signature of a request holds, checked as S3 would (S3 harness only). */
  signatureHolds(request: { method: string; url: string; headers?: Record<string, string> }): boolean;
  /** Query parameters that carry the expiry and the signature. */
  expiryParam: string;
  signatureParam: string;
  /** The server answers suffix ranges (`bytes=-N`) correctly. */
  suffixRanges: boolean;
  close(): Promise<void>;
}

export interface LocalHarness extends StorageHarness {
  storage: LocalDiskStorage;
  root: string;
  baseUrl: string;
}

export async function startLocalHarness(): Promise<LocalHarness> {
  const dir = await mkdtemp(join(tmpdir(), 'ce-storage-'));
  const root = join(dir, 'storage');
  const secret = randomBytes(32);
  let baseUrl = '';
  const options = { root, secret, publicBaseUrl: () => baseUrl, maxUploadBytes: TEST_MAX_UPLOAD_BYTES };
  const storage = createStorage({ kind: 'local', ...options });
  const app = new Koa();
  // a client dropping its connection mid-upload (the resume test does) ends up here
  app.on('error', () => undefined);
  app.use(errorMiddleware(pino({ level: 'silent' })));
  app.use(localStorageRoutes(storage).routes());
  const server = await listen(createServer(app.callback()));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    storage,
    root,
    baseUrl,
    signingAt: (clock) => new LocalDiskStorage({ ...options, clock }),
    serverVerifiesSignatures: true,
    signatureHolds: () => {
      throw new Error('the local server verifies signatures itself: send the request');
    },
    expiryParam: 'exp',
    signatureParam: 'sig',
    suffixRanges: true,
    async close() {
      await closeServer(server);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface S3Harness extends StorageHarness {
  storage: S3Storage;
  endpoint: string;
}

// s3rver accepts only its own account
const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export async function startS3Harness(): Promise<S3Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'ce-s3rver-'));
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: dir, configureBuckets: [{ name: 'test' }] });
  fillS3rverGaps(server);
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const options = { bucket: 'test', region: 'us-east-1', endpoint, forcePathStyle: true, credentials, maxUploadBytes: TEST_MAX_UPLOAD_BYTES };
  const storage = createStorage({ kind: 's3', ...options });
  const others: S3Storage[] = [];
  return {
    storage,
    endpoint,
    signingAt(clock) {
      const other = new S3Storage({ ...options, clock });
      others.push(other);
      return other;
    },
    serverVerifiesSignatures: false,
    signatureHolds: (request) => presignedUrlHolds(request, credentials.secretAccessKey),
    expiryParam: 'X-Amz-Expires',
    signatureParam: 'X-Amz-Signature',
    suffixRanges: false,
    async close() {
      for (const s of [storage, ...others]) s.destroy();
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Sends a signed request with `body`. */
export function send(request: SignedRequest, body: Uint8Array, extraHeaders: Record<string, string> = {}): Promise<Response> {
  return fetch(request.url, { method: request.method, headers: { ...request.headers, ...extraHeaders }, body });
}

/** Starts a PUT of `body.length` declared bytes, sends `sentBytes` of them and drops the connection. */
export function dropMidUpload(request: SignedRequest, body: Uint8Array, sentBytes: number): Promise<void> {
  return new Promise((resolve) => {
    const req = httpRequest(request.url, { method: request.method, headers: { ...request.headers, 'content-length': String(body.length) } });
    req.on('error', () => undefined);
    req.on('close', () => resolve());
    req.write(body.subarray(0, sentBytes), () => setTimeout(() => req.destroy(), 50));
  });
}

function listen(server: Server): Promise<Server> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

import { createHash, randomBytes } from 'node:crypto';
import { MIN_RECORD_SIZE, newContentKey, type BundleManifest, type SignedRequestDto } from '@cloudexport/shared';
import { sealBuffer } from '@cloudexport/shared/node';
import type { TestCoordinator } from './test-coordinator.js';

/**
 * What the panel and the CLI do with a file before upload, in memory: seal it under a fresh
 * content key. Tests use 64 KiB records so a few hundred KiB already spans several records.
 */
export interface SealedFile {
  sha256: string;
  size: number;
  plain: Buffer;
  sealed: Buffer;
  key: Uint8Array;
  recordSize: number;
}

export function sealFile(plain: Buffer = randomBytes(200_000), recordSize = MIN_RECORD_SIZE): SealedFile {
  const key = newContentKey();
  return { sha256: createHash('sha256').update(plain).digest('hex'), size: plain.length, plain, sealed: sealBuffer(key, plain, { recordSize }), key, recordSize };
}

export function startBody(f: SealedFile) {
  return { sha256: f.sha256, size: f.size, sealedSize: f.sealed.length, recordSize: f.recordSize, key: Buffer.from(f.key).toString('base64') };
}

/** Sends `body` to a signed link exactly as given (no API key). */
export function sendSigned(request: { method: string; url: string; headers: Record<string, string> }, body?: Uint8Array): Promise<Response> {
  return fetch(request.url, { method: request.method, headers: request.headers, ...(body ? { body } : {}) });
}

/** The whole upload: start, send every part (or the one PUT), complete. Throws on any refusal. */
export async function uploadBlob(c: TestCoordinator, apiKey: string, f: SealedFile): Promise<void> {
  const start = await c.call('POST', '/api/v1/blobs', { key: apiKey, body: startBody(f) });
  if (start.status !== 200) throw new Error(`start upload: ${start.status} ${JSON.stringify(start.body)}`);
  if (start.body.kind === 'stored') return;
  const requests: { request: SignedRequestDto; bytes: Buffer }[] =
    start.body.kind === 'single'
      ? [{ request: start.body.request, bytes: f.sealed }]
      : start.body.parts.map((p: SignedRequestDto & { partNumber: number; size: number }) => {
          const from = (p.partNumber - 1) * start.body.partSize;
          return { request: p, bytes: f.sealed.subarray(from, from + p.size) };
        });
  for (const { request, bytes } of requests) {
    const res = await sendSigned(request, bytes);
    if (!res.ok) throw new Error(`upload: ${res.status} ${await res.text()}`);
  }
  const done = await c.call('POST', `/api/v1/blobs/${f.sha256}/complete`, { key: apiKey });
  if (done.status !== 200) throw new Error(`complete: ${done.status} ${JSON.stringify(done.body)}`);
}

/** A manifest whose project is the first file. */
export function manifestOf(files: { path: string; file: SealedFile }[]): BundleManifest {
  return {
    version: 1,
    project: { path: files[0]!.path, comp: 'Main' },
    files: files.map(({ path, file }, i) => ({ path, size: file.size, sha256: file.sha256, role: i === 0 ? 'project' : 'footage' })),
  };
}

/** Uploads the files and registers the bundle; answers it. */
export async function uploadBundle(c: TestCoordinator, apiKey: string, files: { path: string; file: SealedFile }[]): Promise<{ id: string; manifestId: string; bytes: number; files: number }> {
  for (const { file } of files) await uploadBlob(c, apiKey, file);
  const res = await c.call('POST', '/api/v1/bundles', { key: apiKey, body: { manifest: manifestOf(files) } });
  if (res.status !== 201) throw new Error(`create bundle: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export interface RenderedFile {
  name: string;
  plain: Buffer;
  sealed: Buffer;
}

/** Files as a node seals a chunk's outputs: one output key for the chunk, 64 KiB records; `begin` is its output:begin. */
export function renderOutputs(names: string[], sizes: number[]) {
  const key = newContentKey();
  const files: RenderedFile[] = names.map((name, i) => {
    const plain = randomBytes(sizes[i]!);
    return { name, plain, sealed: sealBuffer(key, plain, { recordSize: MIN_RECORD_SIZE }) };
  });
  const begin = (chunkId: string, epoch: number) => ({
    chunkId,
    epoch,
    key: Buffer.from(key).toString('base64'),
    files: files.map((f) => ({ name: f.name, size: f.plain.length, sha256: createHash('sha256').update(f.plain).digest('hex'), sealedSize: f.sealed.length, recordSize: MIN_RECORD_SIZE })),
  });
  return { files, begin, key };
}

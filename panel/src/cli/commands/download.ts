// `cloudexport download <job> [--out DIR] [--frames]`: the job's deliverable (the preset's movie),
// or with --frames its rendered frames, decrypted by the coordinator, each checked against its
// listed sha256. Run it again to resume: files already here with the right hash are skipped, a
// partial one continues where it stopped.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { jobOutputSchema, jobSchema, outputParamsSchema, type JobOutput } from '@cloudexport/shared';
import type { Command } from 'commander';
import { itemsOf, type CoordinatorClient } from '../../api/coordinator-client.js';
import { mapLimited } from '../../bundle/limiter.js';
import { CliError } from '../cli-error.js';
import { Output, type CliContext, type GlobalOptions } from '../context.js';
import { clientFor, resolveCredentials } from '../credentials.js';
import { formatBytes, plural } from '../format.js';
import { jobId } from '../job-id.js';
import { ProgressDisplay } from '../progress-display.js';

export interface DownloadedFile {
  name: string;
  size: number;
  sha256: string;
  path: string;
  /** `present`: already here with the right hash, not fetched again. */
  status: 'downloaded' | 'present';
}

export function downloadCommand(program: Command, ctx: CliContext): void {
  program
    .command('download')
    .description('download a job’s deliverable (or --frames: its rendered frames), checking each sha256 (run again to resume)')
    .argument('<job>', 'the job id', jobId)
    .option('--out <dir>', 'where to put them (default: ./<job id>)')
    .option('--frames', 'the rendered frames (and sound) instead of the deliverable')
    .option('--json', 'print the downloaded files as JSON')
    .action(async (id: string, opts: { out?: string; frames?: boolean; json?: boolean }, cmd: Command) => {
      const out = new Output(opts.json === true, ctx);
      const client = clientFor(await resolveCredentials(cmd.optsWithGlobals<GlobalOptions>(), ctx));
      const dir = resolve(ctx.cwd, opts.out ?? id);
      const listed = await client.request('GET', `/jobs/${id}/outputs`, { schema: itemsOf(jobOutputSchema), signal: ctx.signal });
      const deliverable = listed.items.find((i) => i.kind === 'assemble');
      const items = opts.frames ? listed.items.filter((i) => i.kind !== 'assemble') : deliverable ? [deliverable] : [];
      if (items.length === 0) {
        const job = await client.request('GET', `/jobs/${id}`, { schema: jobSchema, signal: ctx.signal });
        const what = opts.frames ? 'no rendered frames' : 'no deliverable';
        const hint = opts.frames || job.bundle ? '' : ' It rendered without a bundle, so it has no deliverable.';
        throw new CliError(`Job ${id} has ${what} yet (it is ${job.state}).${hint} ${job.state === 'COMPLETED' ? 'Files are deleted after the retention period.' : `Wait for it: cloudexport status ${id}`}`);
      }
      for (const item of items) {
        if (!outputParamsSchema.shape.name.safeParse(item.name).success || item.name === '.' || item.name === '..') {
          throw new CliError(`The coordinator listed an output named ${JSON.stringify(item.name)}, which is not a safe file name. Nothing was written.`);
        }
      }
      await mkdir(dir, { recursive: true });

      const display = new ProgressDisplay(ctx.stderr);
      const total = items.reduce((n, i) => n + i.size, 0);
      display.bar('download', 'download', total, 'bytes');
      let received = 0;
      const tick = (n: number) => display.update('download', (received += n));
      let files: DownloadedFile[];
      try {
        files = await mapLimited(items, 4, (item) => downloadOne(client, id, item, dir, tick, ctx.signal));
      } catch (err) {
        if (ctx.signal.aborted) throw new CliError(`Interrupted. Run the same command again to resume into ${dir}.`, 130);
        throw err;
      } finally {
        display.stop();
      }
      const fetched = files.filter((f) => f.status === 'downloaded');
      out.result({ jobId: id, dir, files }, () =>
        `${plural(files.length, 'file')} in ${dir} (${formatBytes(total)}): ${fetched.length} downloaded, ${files.length - fetched.length} already there; every sha256 checked.`,
      );
    });
}

async function sha256Of(path: string): Promise<{ sha256: string; size: number } | null> {
  try {
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of createReadStream(path)) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
    return { sha256: hash.digest('hex'), size };
  } catch {
    return null;
  }
}

async function downloadOne(client: CoordinatorClient, id: string, item: JobOutput, dir: string, tick: (n: number) => void, signal: AbortSignal): Promise<DownloadedFile> {
  // the deliverable is saved under the job's name, as the API's deliverable route names it
  const path = join(dir, item.kind === 'assemble' ? await deliverableName(client, id, item.name, signal) : item.name);
  const result = { name: item.name, size: item.size, sha256: item.sha256, path };
  const existing = await stat(path).catch(() => null);
  if (existing?.isFile() && existing.size === item.size && (await sha256Of(path))?.sha256 === item.sha256) {
    tick(item.size);
    return { ...result, status: 'present' };
  }

  // a partial download from an earlier run: continue after it if the coordinator serves ranges
  const partial = `${path}.part`;
  const hash = createHash('sha256');
  let have = 0;
  const part = await stat(partial).catch(() => null);
  if (part?.isFile() && part.size > 0 && part.size < item.size) {
    for await (const chunk of createReadStream(partial)) hash.update(chunk as Buffer);
    have = part.size;
  }
  const response = await client.send('GET', item.kind === 'assemble' ? `/jobs/${id}/deliverable` : `/jobs/${id}/outputs/${encodeURIComponent(item.name)}`, {
    headers: { accept: 'application/octet-stream', ...(have > 0 ? { range: `bytes=${have}-` } : {}) },
    signal,
  });
  const resumed = have > 0 && response.status === 206 && (response.headers.get('content-range') ?? '').startsWith(`bytes ${have}-`);
  const digest = resumed ? hash : createHash('sha256');
  if (resumed) tick(have);
  if (!response.body) throw new CliError(`The coordinator sent no body for ${item.name}. Try again.`);
  let size = resumed ? have : 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      digest.update(chunk);
      size += chunk.length;
      tick(chunk.length);
      done(null, chunk);
    },
  });
  await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), counter, createWriteStream(partial, { flags: resumed ? 'a' : 'w' }), { signal });
  const sha256 = digest.digest('hex');
  if (sha256 !== item.sha256 || size !== item.size) {
    await rm(partial, { force: true });
    throw new CliError(`${item.name} arrived damaged (${size} bytes, sha256 ${sha256.slice(0, 12)}…; expected ${item.size} bytes, ${item.sha256.slice(0, 12)}…). Nothing was kept; run the download again.`);
  }
  await rename(partial, path);
  return { ...result, status: 'downloaded' };
}

/** `Spot – final.mp4` for the job "Spot – final": letters, digits, space, `.`, `_`, `-` kept. */
async function deliverableName(client: CoordinatorClient, id: string, stored: string, signal: AbortSignal): Promise<string> {
  const job = await client.request('GET', `/jobs/${id}`, { schema: jobSchema, signal });
  const base = job.name.replace(/[^\p{L}\p{N} ._-]+/gu, '_').replace(/^[. ]+|[. ]+$/g, '') || 'deliverable';
  return `${base}.${stored.split('.').at(-1)}`;
}

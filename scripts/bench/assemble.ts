// Assembly benchmark: what the assemble chunk's pipeline costs over a plain ffmpeg encode.
//   setup  --frames frames of 1920×1080 (ffmpeg testsrc2; 8-bit RGBA TIFF for web/social, 16-bit
//          for hq) and 10 s of sound, sealed as frame chunks seal them (sealOutputs: a content key
//          per chunk of --chunk frames, 1 MiB records), served over HTTP by a child process
//   (a)    the pipeline: fetchInputs (GET, decrypt, size + sha256) → assembleDeliverable (ffmpeg,
//          then ffprobe decoding every frame) → sealing the deliverable with hashAndEncrypt
//   (b)    plain ffmpeg: the same encoder arguments (encodeArguments, same x264 preset as the
//          product) over the plaintext frames as rendered
// Prints wall seconds per stage and pipeline/plain per preset; asserts no timing. MB = 10^6 bytes.
//   npm run bench:assemble
//   npx tsx scripts/bench/assemble.ts [--frames 240] [--presets web,social,hq] [--chunk 24] [--concurrency 8] [--keep]
import { spawn, execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream, readFileSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Command } from 'commander';
import nacl from 'tweetnacl';
import {
  DEFAULT_RECORD_SIZE,
  deliverableExtension,
  frameDepthFor,
  newContentKey,
  PRESETS,
  sealKeysForNode,
  type AssemblyInput,
  type AssemblyTicket,
  type DeliverableSpec,
} from '@cloudexport/shared';
import { hashAndEncrypt } from '@cloudexport/shared/node';
import { assembleDeliverable } from '../../node-agent/src/assembly/assemble-deliverable.js';
import { DEFAULT_SPEED, encodeArguments } from '../../node-agent/src/assembly/encode-args.js';
import { fetchInputs } from '../../node-agent/src/assembly/fetch-inputs.js';
import { runFfmpeg } from '../../node-agent/src/assembly/run-ffmpeg.js';
import { sealOutputs, type SealedOutput } from '../../node-agent/src/bundle/output-upload.js';
import { parseFfmpegEncoders } from '../../node-agent/src/detect/ffmpeg.js';

type PresetName = 'web' | 'social' | 'hq';
const int = (v: string) => Number.parseInt(v, 10);
const opts = new Command('assemble')
  .description('Assembly benchmark: fetch + decrypt + encode + verify + seal, against plain ffmpeg on the same frames.')
  .option('--frames <n>', 'frames of 1920×1080 at 25 fps', int, 240)
  .option('--presets <list>', 'comma-separated presets among web, social, hq', 'web,social,hq')
  .option('--chunk <n>', 'frames per rendering chunk (one content key each)', int, 24)
  .option('--concurrency <n>', 'downloads at once (fetchInputs\' default is 8)', int, 8)
  .option('--ffmpeg <path>', 'ffmpeg to use (ffprobe beside it)', 'ffmpeg')
  .option('--keep', 'keep the temp folder (its path is printed)', false)
  .parse()
  .opts<{ frames: number; presets: string; chunk: number; concurrency: number; ffmpeg: string; keep: boolean }>();

const presets = opts.presets.split(',').map((p) => p.trim()) as PresetName[];
if (!(opts.frames > 0) || !(opts.chunk > 0) || !(opts.concurrency > 0) || presets.some((p) => !(p in PRESETS))) {
  console.error('assemble: --frames, --chunk and --concurrency must be positive whole numbers; --presets a list of web, social, hq');
  process.exit(2);
}

const MB = 1e6;
const COMP = { name: 'Bench', width: 1920, height: 1080, fps: 25, pixelAspect: 1 };
const FIRST = 0;
const f1 = (n: number) => n.toFixed(1);
const f2 = (n: number) => n.toFixed(2);
const seconds = (t0: number) => (performance.now() - t0) / 1000;

/**
 * CPU seconds of this process and its finished children (ffmpeg, ffprobe; not the server, which
 * runs till the end): the fairer measure on a shared machine, whose wall times wander. Children's
 * time comes from /proc (Linux); elsewhere it is null.
 */
const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();
function cpuSeconds(): number | null {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // after the name: state(3) … utime(14) stime(15) cutime(16) cstime(17), here from index 0 = field 3
    const children = (Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS;
    const self = process.cpuUsage();
    return children + (self.user + self.system) / 1e6;
  } catch {
    return null;
  }
}
const cpuSince = (c0: number | null) => {
  const c1 = cpuSeconds();
  return c0 === null || c1 === null ? null : c1 - c0;
};

// ---------------------------------------------------------------------------------------------
// progress: one line, rewritten in place on a terminal; every quarter otherwise

let lastLine = 0;
let lastStep = -1;
function progress(label: string, done: number, total: number, unit = ''): void {
  const share = total > 0 ? Math.min(1, done / total) : 0;
  const now = performance.now();
  if (process.stdout.isTTY) {
    if (now - lastLine < 200 && done < total) return;
    lastLine = now;
    const width = 30;
    const filled = Math.round(share * width);
    process.stdout.write(`\r  ${label.padEnd(28)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}${unit}   `);
  } else {
    const step = Math.floor(share * 4);
    if (step === lastStep) return;
    lastStep = step;
    process.stdout.write(`  ${label}: ${Math.round(share * 100)} %\n`);
  }
}
function progressDone(): void {
  if (process.stdout.isTTY) process.stdout.write('\n');
  lastStep = -1;
}

// ---------------------------------------------------------------------------------------------
// setup

const ff = (args: string[]) => execFileSync(opts.ffmpeg, ['-v', 'error', '-y', ...args]);

/** Serves the files under dir from a child process, so the server's work does not land on the pipeline's event loop. */
async function startServer(dir: string): Promise<{ base: string; stop: () => void }> {
  const code = `
    const http = require('node:http'), fs = require('node:fs'), path = require('node:path');
    const dir = process.argv[1];
    const server = http.createServer((req, res) => {
      const rel = path.normalize(decodeURIComponent(req.url.split('?')[0])).split(/[\\\\/]+/).filter(Boolean).join(path.sep);
      if (rel.startsWith('..')) return void res.writeHead(404).end();
      const file = path.join(dir, rel);
      fs.stat(file, (err, st) => {
        if (err) return void res.writeHead(404).end();
        res.writeHead(200, { 'content-length': st.size, 'content-type': 'application/octet-stream' });
        fs.createReadStream(file, { highWaterMark: 1 << 20 }).pipe(res);
      });
    });
    server.listen(0, '127.0.0.1', () => console.log(server.address().port));`;
  const child = spawn(process.execPath, ['-e', code, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the file server exited (code ${code}) before it listened`)));
    createInterface({ input: child.stdout }).once('line', resolve);
  });
  return { base: `http://127.0.0.1:${port.trim()}`, stop: () => child.kill() };
}

interface Rendered {
  /** The frames as rendered: <dir>/frame_%06d.tif. */
  dir: string;
  ticket: AssemblyTicket;
  bytes: number;
}

/** Renders the frames with ffmpeg and seals them chunk by chunk as nodes do; returns the ticket. */
async function renderAndSeal(root: string, depth: 8 | 16, audio: SealedOutput & { key: Uint8Array }, base: string, box: nacl.BoxKeyPair): Promise<Rendered> {
  const dir = join(root, `rendered${depth}`);
  const sealedDir = join(root, 'sealed');
  await mkdir(dir, { recursive: true });
  let t0 = performance.now();
  ff(['-f', 'lavfi', '-i', `testsrc2=size=${COMP.width}x${COMP.height}:rate=${COMP.fps}`, '-frames:v', String(opts.frames), '-pix_fmt', depth === 16 ? 'rgba64le' : 'rgba', '-start_number', String(FIRST), join(dir, 'frame_%06d.tif')]);
  const files = Array.from({ length: opts.frames }, (_, i) => join(dir, `frame_${String(FIRST + i).padStart(6, '0')}.tif`));
  console.log(`  rendered ${opts.frames} ${depth}-bit frames in ${f1(seconds(t0))} s`);
  t0 = performance.now();
  const keys: Uint8Array[] = [];
  const outputs: (SealedOutput & { chunk: number })[] = [];
  for (let c = 0; c * opts.chunk < files.length; c += 1) {
    const key = newContentKey();
    keys.push(key);
    // Each chunk's files get their own sealed names (frames of different depths share file names).
    const chunkDir = join(sealedDir, `d${depth}c${c}`);
    const sealed = await sealOutputs(files.slice(c * opts.chunk, (c + 1) * opts.chunk), chunkDir, key);
    outputs.push(...sealed.map((s) => ({ ...s, chunk: c })));
    progress(`sealing ${depth}-bit frames`, Math.min(files.length, (c + 1) * opts.chunk), files.length);
  }
  progressDone();
  const sealedKeys = sealKeysForNode([...keys, audio.key], box.publicKey);
  const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
  const input = (o: SealedOutput, role: 'frame' | 'audio', frame: number | null, sealedKey: Uint8Array, url: string): AssemblyInput => ({
    role, frame, name: o.name, size: o.size, sha256: o.sha256, sealedSize: o.sealedSize, recordSize: DEFAULT_RECORD_SIZE,
    sealedKey: Buffer.from(sealedKey).toString('base64'), request: { method: 'GET', url, headers: {}, expiresAt },
  });
  const ticket: AssemblyTicket = {
    inputs: [
      ...outputs.map((o, i) => input(o, 'frame', FIRST + i, sealedKeys[o.chunk] as Uint8Array, `${base}/d${depth}c${o.chunk}/${o.name}.sealed`)),
      input(audio, 'audio', null, sealedKeys[keys.length] as Uint8Array, `${base}/audio.aif.sealed`),
    ],
  };
  const bytes = outputs.reduce((n, o) => n + o.sealedSize, 0);
  console.log(`  sealed ${(bytes / MB).toFixed(0)} MB in ${f1(seconds(t0))} s`);
  return { dir, ticket, bytes };
}

// ---------------------------------------------------------------------------------------------
// one preset

interface Figures {
  preset: PresetName;
  fetchS: number;
  fetchMB: number;
  encodeS: number;
  verifyS: number;
  sealS: number;
  pipelineS: number;
  plainS: number;
  pipelineCpuS: number | null;
  plainCpuS: number | null;
  /** CPU seconds of fetch, encode + verify, seal. */
  stageCpuS: [number | null, number | null, number | null];
  deliverableMB: number;
}

async function runPreset(name: PresetName, rendered: Rendered, root: string, box: nacl.BoxKeyPair, encoders: string[], audioPath: string): Promise<Figures> {
  const preset = PRESETS[name];
  const work = join(root, `work-${name}`);
  const spec: DeliverableSpec = {
    preset, comp: COMP, frameStart: FIRST, frameEnd: FIRST + opts.frames - 1, hasAudio: true,
    frameDepth: frameDepthFor(preset), fileName: `deliverable.${deliverableExtension(preset)}`,
  };
  console.log(`${name}: ${preset.width}×${preset.height} ${preset.codec}${preset.bitrateMbps ? ` ${preset.bitrateMbps} Mbps` : ''}, ${opts.frames} ${spec.frameDepth}-bit frames`);

  // (a) the pipeline
  const start = performance.now();
  const cpu0 = cpuSeconds();
  let t0 = start;
  const inputs = await fetchInputs(rendered.ticket, {
    dir: join(work, 'inputs'), boxSecretKey: box.secretKey, concurrency: opts.concurrency,
    onBytes: (done, total) => progress(`${name} fetch + decrypt`, Math.round(done / MB), Math.round(total / MB), ' MB'),
  });
  progressDone();
  const fetchS = seconds(t0);
  const fetchCpuS = cpuSince(cpu0);
  const assembleCpu0 = cpuSeconds();
  t0 = performance.now();
  let encodeMs = 0;
  const result = await assembleDeliverable({
    spec, inputs, workDir: join(work, 'out'), ffmpegPath: opts.ffmpeg, encoders,
    onProgress: (done, total) => progress(`${name} encode (pipeline)`, done, total, ' frames'),
    // assembleDeliverable logs the encode's own wall time when the check is done.
    log: { info: (fields) => { if (typeof fields.wallMs === 'number') encodeMs = fields.wallMs; } },
  });
  progressDone();
  const assembleS = seconds(t0);
  const assembleCpuS = cpuSince(assembleCpu0);
  const sealCpu0 = cpuSeconds();
  if (!result.ok) throw new Error(`${name}: assembly failed (${result.reason}): ${result.message}\n${result.lastLines.join('\n')}`);
  t0 = performance.now();
  await hashAndEncrypt(createReadStream(result.path, { highWaterMark: 1 << 20 }), createWriteStream(`${result.path}.sealed`), newContentKey(), { recordSize: DEFAULT_RECORD_SIZE });
  const sealS = seconds(t0);
  const sealCpuS = cpuSince(sealCpu0);
  const pipelineS = seconds(start);
  const pipelineCpuS = cpuSince(cpu0);
  const deliverableMB = (await stat(result.path)).size / MB;
  await rm(join(work, 'inputs'), { recursive: true, force: true });

  // (b) plain ffmpeg, same arguments, over the frames as rendered
  const plan = encodeArguments({
    preset, comp: COMP, encoders, audio: { path: audioPath },
    frames: { pattern: join(rendered.dir, 'frame_%06d.tif'), startNumber: FIRST, frameCount: opts.frames },
    outputPath: join(work, `plain.${deliverableExtension(preset)}`),
  });
  t0 = performance.now();
  const plainCpu0 = cpuSeconds();
  const plain = await runFfmpeg({ ffmpegPath: opts.ffmpeg, args: plan.args, framesTotal: opts.frames }, (p) => progress(`${name} encode (plain ffmpeg)`, p.framesDone, opts.frames, ' frames'));
  progressDone();
  const plainS = seconds(t0);
  const plainCpuS = cpuSince(plainCpu0);
  if (!plain.ok) throw new Error(`${name}: plain ffmpeg failed: ${plain.message}\n${plain.lastLines.join('\n')}`);
  await rm(work, { recursive: true, force: true });

  const encodeS = encodeMs / 1000;
  return { preset: name, fetchS, fetchMB: rendered.bytes / MB, encodeS, verifyS: assembleS - encodeS, sealS, pipelineS, plainS, pipelineCpuS, plainCpuS, stageCpuS: [fetchCpuS, assembleCpuS, sealCpuS], deliverableMB };
}

// ---------------------------------------------------------------------------------------------

const root = await mkdtemp(join(tmpdir(), 'bench-assemble-'));
const cleanUp = () => {
  if (!opts.keep) rmSync(root, { recursive: true, force: true });
};
process.on('SIGINT', () => {
  cleanUp();
  process.exit(130);
});

let server: { base: string; stop: () => void } | null = null;
try {
  const version = execFileSync(opts.ffmpeg, ['-version'], { encoding: 'utf8' }).split('\n')[0];
  const encoders = [...parseFfmpegEncoders(execFileSync(opts.ffmpeg, ['-hide_banner', '-encoders'], { encoding: 'utf8' }))];
  console.log(`assembly bench: ${opts.frames} frames ${COMP.width}×${COMP.height} @ ${COMP.fps} fps, chunks of ${opts.chunk}, ${opts.concurrency} downloads at once`);
  console.log(`  ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}, ${version}, x264/x265 preset ${DEFAULT_SPEED}`);
  console.log(`  temp folder ${root}${opts.keep ? ' (kept)' : ''}`);
  server = await startServer(join(root, 'sealed'));
  const box = nacl.box.keyPair();

  const audioPath = join(root, 'audio.aif');
  const audioSeconds = (opts.frames / COMP.fps).toFixed(3);
  ff(['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${audioSeconds}`, '-c:a', 'pcm_s16be', '-f', 'aiff', audioPath]);
  const audioKey = newContentKey();
  const [audioSealed] = await sealOutputs([audioPath], join(root, 'sealed'), audioKey);
  const audio = { ...(audioSealed as SealedOutput), key: audioKey };

  const rendered = new Map<8 | 16, Rendered>();
  const figures: Figures[] = [];
  for (const name of presets) {
    const depth = frameDepthFor(PRESETS[name]);
    if (!rendered.has(depth)) rendered.set(depth, await renderAndSeal(root, depth, audio, server.base, box));
    figures.push(await runPreset(name, rendered.get(depth) as Rendered, root, box, encoders, audioPath));
  }

  console.log('\nwall seconds (pipeline = fetch + encode + verify + seal)');
  const cpu = (n: number | null) => (n === null ? '—' : f1(n));
  const table = (head: string[], rows: string[][]) => {
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
    for (const row of [head, ...rows]) console.log(row.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  '));
  };
  table(
    ['preset', 'sealed MB', 'fetch', 'MB/s', 'encode', 'verify', 'seal', 'pipeline', 'plain', 'pipeline/plain', 'file MB'],
    figures.map((f) => [f.preset, f1(f.fetchMB), f2(f.fetchS), f1(f.fetchMB / f.fetchS), f2(f.encodeS), f2(f.verifyS), f2(f.sealS), f2(f.pipelineS), f2(f.plainS), `${f2(f.pipelineS / f.plainS)}×`, f1(f.deliverableMB)]),
  );
  console.log('\nCPU seconds');
  table(
    ['preset', 'fetch', 'encode + verify', 'seal', 'pipeline', 'plain', 'pipeline/plain'],
    figures.map((f) => [f.preset, ...f.stageCpuS.map(cpu), cpu(f.pipelineCpuS), cpu(f.plainCpuS), f.pipelineCpuS !== null && f.plainCpuS ? `${f2(f.pipelineCpuS / f.plainCpuS)}×` : '—']),
  );
  console.log(`load average now ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} cores: wall times on a busy machine wander; CPU seconds (this process and its ffmpeg/ffprobe, not the server) less so.`);
} finally {
  server?.stop();
  cleanUp();
}

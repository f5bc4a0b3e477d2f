// Bundle crypto benchmark: throughput per core of sha256, AES-256-GCM records, the packer's
// one-pass hash + seal, and the agent's open, over random data in memory, beside tweetnacl
// secretbox (what the seed proposed). Per core = bytes / CPU time (process.cpuUsage), so a busy
// machine slows the wall clock but not the figure much. MB = 10^6 bytes.
// Each figure is the best of --repeat runs.
//   npx tsx scripts/bench/bundle-crypto.ts [--mib 256] [--records 64,256,1024,4096] [--chunk-kib 64] [--secretbox-mib 32] [--repeat 3]
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { Readable, Writable, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Command } from 'commander';
import nacl from 'tweetnacl';
import { ciphertextSize, newContentKey } from '@cloudexport/shared';
import { decryptStream, encryptStream } from '@cloudexport/shared/node';

const opts = new Command('bundle-crypto')
  .option('--mib <n>', 'plaintext size in MiB', (v) => Number.parseInt(v, 10), 256)
  .option('--records <list>', 'record sizes in KiB', (v) => v.split(',').map((s) => Number.parseInt(s, 10)), [64, 256, 1024, 4096])
  .option('--chunk-kib <n>', 'input chunk size in KiB (fs.createReadStream reads 64 KiB)', (v) => Number.parseInt(v, 10), 64)
  .option('--secretbox-mib <n>', 'slice for tweetnacl secretbox (slow), in MiB', (v) => Number.parseInt(v, 10), 32)
  .option('--repeat <n>', 'runs per figure; the best counts', (v) => Number.parseInt(v, 10), 3)
  .parse()
  .opts<{ mib: number; records: number[]; chunkKib: number; secretboxMib: number; repeat: number }>();

const MB = 1e6;
const data = randomBytes(opts.mib * 1024 * 1024);
const key = newContentKey();

interface Figure {
  name: string;
  bytes: number;
  cpuS: number;
  wallS: number;
}

async function measure(name: string, bytes: number, run: () => void | Promise<void>): Promise<Figure> {
  let best: Figure | undefined;
  for (let i = 0; i < opts.repeat; i += 1) {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await run();
    const wallS = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const cpuS = (cpu.user + cpu.system) / 1e6;
    if (!best || cpuS < best.cpuS) best = { name, bytes, cpuS, wallS };
  }
  return best as Figure;
}

function chunksOf(buf: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < buf.length; at += size) out.push(buf.subarray(at, at + size));
  return out;
}

async function drive(stream: Transform, chunks: Buffer[], keep?: Buffer[]): Promise<void> {
  const sink = new Writable({
    write(chunk: Buffer, _e, cb) {
      keep?.push(chunk);
      cb();
    },
  });
  await pipeline(Readable.from(chunks), stream, sink);
}

/** Raw AES-256-GCM records, no stream: the ceiling the streams are measured against. */
function gcmRecords(recordSize: number): void {
  const prefix = randomBytes(8);
  for (let i = 0, at = 0; at < data.length; i += 1, at += recordSize) {
    const nonce = Buffer.alloc(12);
    prefix.copy(nonce);
    nonce.writeUInt32BE(i, 8);
    const c = createCipheriv('aes-256-gcm', key, nonce);
    c.setAAD(Buffer.alloc(26));
    c.update(data.subarray(at, at + recordSize));
    c.final();
    c.getAuthTag();
  }
}

const inputChunks = chunksOf(data, opts.chunkKib * 1024);
const figures: Figure[] = [];

// warm up the JIT and OpenSSL on a small slice
await drive(encryptStream(key, { hashPlaintext: true }), chunksOf(data.subarray(0, 8 << 20), 64 * 1024));
nacl.secretbox(data.subarray(0, 1 << 20), new Uint8Array(24), key);

figures.push(await measure('sha256', data.length, () => {
  const h = createHash('sha256');
  for (const c of inputChunks) h.update(c);
  h.digest();
}));

for (const kib of opts.records) {
  const recordSize = kib * 1024;
  figures.push(await measure(`AES-256-GCM raw records, ${kib} KiB`, data.length, () => gcmRecords(recordSize)));
  figures.push(await measure(`seal stream, ${kib} KiB records`, data.length, () => drive(encryptStream(key, { recordSize }), inputChunks)));
  figures.push(await measure(`hash + seal stream, ${kib} KiB records, record-sized input`, data.length, () => drive(encryptStream(key, { recordSize, hashPlaintext: true }), chunksOf(data, recordSize))));
  let sha = '';
  let sealed: Buffer[] = [];
  figures.push(await measure(`hash + seal stream (one pass), ${kib} KiB records`, data.length, async () => {
    sealed = [];
    const s = encryptStream(key, { recordSize, hashPlaintext: true });
    await drive(s, inputChunks, sealed);
    sha = s.plaintextSha256;
  }));
  const sealedBytes = sealed.reduce((n, c) => n + c.length, 0);
  if (sealedBytes !== ciphertextSize(data.length, recordSize)) throw new Error(`sealed ${sealedBytes} bytes, expected ${ciphertextSize(data.length, recordSize)}`);
  const sealedChunks = chunksOf(Buffer.concat(sealed), opts.chunkKib * 1024);
  sealed = [];
  figures.push(await measure(`open stream (+ sha256), ${kib} KiB records`, data.length, async () => {
    const opened = decryptStream(key, { hashPlaintext: true });
    await drive(opened, sealedChunks);
    if (opened.plaintextSha256 !== sha) throw new Error('round trip changed the data');
  }));
}

const slice = data.subarray(0, Math.min(data.length, opts.secretboxMib * 1024 * 1024));
const boxNonce = new Uint8Array(24);
const secretbox = await measure(`tweetnacl secretbox, 64 KiB messages (${opts.secretboxMib} MiB slice)`, slice.length, () => {
  for (let at = 0; at < slice.length; at += 65536) nacl.secretbox(slice.subarray(at, at + 65536), boxNonce, key);
});
figures.push(secretbox);

const perCore = (f: Figure) => f.bytes / MB / f.cpuS;
const boxRate = perCore(secretbox);
console.log(`bundle-crypto: ${opts.mib} MiB random data, input chunks ${opts.chunkKib} KiB, Node ${process.version}, ${cpus()[0]?.model ?? 'cpu?'} ×${cpus().length}`);
console.log(`${'what'.padEnd(62)} ${'MB/s/core'.padStart(10)} ${'MB/s wall'.padStart(10)} ${'× secretbox'.padStart(12)}`);
for (const f of figures) {
  console.log(`${f.name.padEnd(62)} ${perCore(f).toFixed(0).padStart(10)} ${(f.bytes / MB / f.wallS).toFixed(0).padStart(10)} ${(perCore(f) / boxRate).toFixed(1).padStart(12)}`);
}

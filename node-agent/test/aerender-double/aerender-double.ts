// TEST DOUBLE for aerender, never shipped. It takes aerender's real arguments, prints output in
// the shape of the real logs in shared/fixtures/aerender/, and writes a small real PNG per frame.
// Env switches (all optional):
//   AERENDER_DOUBLE_VERSION=24.1x15   version in the header (and whether -mfr is accepted)
//   AERENDER_DOUBLE_FPS=25            comp frame rate; 29.97/59.94 print drop-frame `;` timecodes
//   AERENDER_DOUBLE_FRAME_DELAY_MS=0  delay per frame
//   AERENDER_DOUBLE_ERROR=msg         print `aerender ERROR: msg` after the header, exit 1
//   AERENDER_DOUBLE_AE_ERROR=msg      print `After Effects error: msg` mid-render, still exit 0
//   AERENDER_DOUBLE_HANG_AFTER=n      after n frames print nothing more and never exit
//   AERENDER_DOUBLE_CRASH_AFTER=n     after n frames exit 139 (a segfault as the shell reports it)
//   AERENDER_DOUBLE_MFR=1             frames out of order and each reported twice (multi-frame rendering)
//   AERENDER_DOUBLE_LINE_ENDING=cr    end lines with a lone `\r` instead of `\n`
//   AERENDER_DOUBLE_LOCALE=de         German-locale lines: no `PROGRESS:` on frame lines, `Sekunden`, `25,00`, “quotes”
//   AERENDER_DOUBLE_MISSING_FONT=1    print the missing-font warning from the AE 13.5 fixture
//   AERENDER_DOUBLE_CHILD_PID_FILE=f  start a helper that ignores SIGHUP (outlives this process) and write its pid to f
//   AERENDER_DOUBLE_SKIP_FRAME=n      do not write absolute frame n
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { crc32, deflateSync } from 'node:zlib';

const env = process.env;
const eol = env.AERENDER_DOUBLE_LINE_ENDING === 'cr' ? '\r' : '\n';
const german = env.AERENDER_DOUBLE_LOCALE === 'de';
const version = env.AERENDER_DOUBLE_VERSION ?? '24.1x15';
const fps = Number(env.AERENDER_DOUBLE_FPS ?? '25');
const delayMs = Number(env.AERENDER_DOUBLE_FRAME_DELAY_MS ?? '0');
const optionalInt = (name: string): number | null => (env[name] ? Number.parseInt(env[name] ?? '', 10) : null);

function print(line: string): void {
  process.stdout.write(line + eol);
}

function fail(message: string): never {
  print(`aerender ERROR: ${message}`);
  process.exit(1);
}

function parseArgs(argv: string[]): Map<string, string[]> {
  const arity: Record<string, number> = {
    '-project': 1, '-comp': 1, '-s': 1, '-e': 1, '-output': 1, '-RStemplate': 1, '-OMtemplate': 1,
    '-v': 1, '-sound': 1, '-mfr': 2, '-continueOnMissingFootage': 0, '-close': 1, '-reuse': 0,
  };
  const args = new Map<string, string[]>();
  for (let i = 0; i < argv.length; ) {
    const flag = argv[i] ?? '';
    const count = arity[flag];
    if (count === undefined) fail(`Unknown flag ${flag}`);
    const values = argv.slice(i + 1, i + 1 + count);
    if (values.length < count) fail(`Flag ${flag} needs ${count} value(s)`);
    args.set(flag, values);
    i += 1 + count;
  }
  return args;
}

/** Timecode as AE prints it: `0:00:00:01`, drop-frame `1;34;40;09` at 29.97/59.94. */
export function timecode(frame: number, rate: number): string {
  const base = Math.round(rate);
  const dropFrame = Math.abs(rate - base) > 0.001;
  let n = frame;
  if (dropFrame) {
    const drop = Math.round(rate * 0.066666);
    const per10Min = Math.round(rate * 600);
    const perMin = base * 60 - drop;
    const tens = Math.floor(n / per10Min);
    const rest = n % per10Min;
    n += drop * 9 * tens + (rest > drop ? drop * Math.floor((rest - drop) / perMin) : 0);
  }
  const sep = dropFrame ? ';' : ':';
  const pad = (v: number) => String(v).padStart(2, '0');
  const seconds = Math.floor(n / base);
  return [String(Math.floor(seconds / 3600)), pad(Math.floor(seconds / 60) % 60), pad(seconds % 60), pad(n % base)].join(sep);
}

function stamp(date: Date): string {
  const p = (v: number) => String(v).padStart(2, '0');
  if (german) return `${p(date.getDate())}.${p(date.getMonth() + 1)}.${date.getFullYear()} ${p(date.getHours())}:${p(date.getMinutes())}:${p(date.getSeconds())}`;
  const h = date.getHours() % 12 || 12;
  return `${date.getMonth() + 1}/${date.getDate()}/${date.getFullYear()} ${h}:${p(date.getMinutes())}:${p(date.getSeconds())} ${date.getHours() < 12 ? 'AM' : 'PM'}`;
}

/** A valid 8×8 RGB PNG whose colour encodes the frame number. */
function png(frame: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(8, 0);
  header.writeUInt32BE(8, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit, truecolour, deflate, no filter, no interlace
  const row = Buffer.alloc(1 + 8 * 3);
  for (let x = 0; x < 8; x++) row.set([frame & 0xff, (frame >> 8) & 0xff, x * 32], 1 + x * 3);
  const pixels = Buffer.concat(Array.from({ length: 8 }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(pixels)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function frameOrder(start: number, end: number, mfr: boolean): number[] {
  const frames = Array.from({ length: end - start + 1 }, (_, i) => start + i);
  if (!mfr) return frames;
  // Under MFR, frames finish in parallel: neighbours swap, and each is reported twice.
  const order: number[] = [];
  for (let i = 0; i < frames.length; i += 2) {
    const pair = frames.slice(i, i + 2).reverse();
    order.push(...pair, ...pair);
  }
  return order;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.length === 0 || argv[0] === '-help' || argv[0] === '-h') {
    // what real aerender prints when asked for help: its version, then the usage text
    print(`aerender version ${version}`);
    print('');
    print('Usage: aerender [options]');
    print('  -project project_path   the project file to open');
    print('  -comp comp_name         the comp to render');
    process.exit(0);
  }
  const args = parseArgs(argv);
  const one = (flag: string) => args.get(flag)?.[0];
  const major = Number.parseInt(version, 10);
  print(`aerender version ${version}`);
  if (args.has('-mfr') && major < 22) fail('Unknown flag -mfr');
  const project = one('-project');
  const comp = one('-comp');
  const output = one('-output');
  const start = Number(one('-s') ?? '0');
  const end = Number(one('-e') ?? String(start));
  if (!project || !existsSync(project)) fail(`Unable to open project file ${project ?? '(none given)'}`);
  if (!comp || !output) fail('No comp was found with the given name.');
  if (!Number.isInteger(start) || !Number.isInteger(end) || end < start) fail(`Invalid frame range ${start}-${end}`);
  const token = /\[(#+)\]/.exec(output);

  print('PROGRESS: Launching After Effects...');
  print('PROGRESS: ...After Effects successfully launched');
  if (env.AERENDER_DOUBLE_MISSING_FONT === '1') {
    print('WARNING:After Effects warning: Grouped_Message_{some layers have missing dependencies. Press Ctrl-C to copy this list.|||a layer has missing dependencies.###@0 dependencies are missing:}Text Layer: Font family: Roboto, Font style: Black');
  }
  if (env.AERENDER_DOUBLE_ERROR) fail(env.AERENDER_DOUBLE_ERROR);
  if (env.AERENDER_DOUBLE_CHILD_PID_FILE) {
    const helper = spawn('/bin/sh', ['-c', 'trap "" HUP; exec sleep 600'], { stdio: 'ignore' });
    helper.unref();
    writeFileSync(env.AERENDER_DOUBLE_CHILD_PID_FILE, String(helper.pid));
  }

  const began = Date.now();
  const lead = german ? ' ' : 'PROGRESS: ';
  const rate = german ? fps.toFixed(2).replace('.', ',') : fps.toFixed(2);
  const name = german ? `“${comp}”` : comp;
  if (!german) print('PROGRESS: Adding specified comp to Render Queue');
  print(`${lead} ${stamp(new Date())}: Starting composition ${name}.`);
  print('');
  print('');
  print(`${lead} Render Settings: ${one('-RStemplate') ?? 'Best Settings'}`);
  print(`${lead} Quality: Best`);
  print(`${lead} Start: ${timecode(start, fps)}`);
  print(`${lead} End: ${timecode(end, fps)}`);
  print(`${lead} Duration: ${timecode(end - start + 1, fps)}`);
  print(`${lead} Frame Rate: ${rate} (comp)`);
  print(`${lead} Output Module: ${one('-OMtemplate') ?? 'Lossless'}`);
  print(`${lead} Output To: ${output}`);

  const hangAfter = optionalInt('AERENDER_DOUBLE_HANG_AFTER');
  const crashAfter = optionalInt('AERENDER_DOUBLE_CRASH_AFTER');
  const skip = optionalInt('AERENDER_DOUBLE_SKIP_FRAME');
  const frameLead = german ? '  ' : 'PROGRESS:  ';
  const unit = german ? 'Sekunden' : 'Seconds';
  const written = new Set<number>();
  for (const frame of frameOrder(start, end, env.AERENDER_DOUBLE_MFR === '1')) {
    if (hangAfter !== null && written.size >= hangAfter) {
      setInterval(() => undefined, 1 << 30);
      return;
    }
    if (crashAfter !== null && written.size >= crashAfter) process.exit(139);
    if (delayMs > 0) await sleep(delayMs);
    const repeat = written.has(frame);
    if (!repeat && frame !== skip) {
      const path = token?.[1] ? output.replace(token[0], String(frame).padStart(token[1].length, '0')) : output;
      writeFileSync(resolve(path), png(frame));
    }
    written.add(frame);
    print(`${frameLead}${timecode(frame, fps)} (${frame - start + 1}): ${repeat ? 1 : 0} ${unit}`);
    if (env.AERENDER_DOUBLE_AE_ERROR && written.size === 1 && !repeat) print(`After Effects error: ${env.AERENDER_DOUBLE_AE_ERROR}`);
  }
  const elapsed = Math.round((Date.now() - began) / 1000);
  print(`${lead} ${stamp(new Date())}: Finished composition ${name}.`);
  print('');
  print('');
  print('');
  print(`${lead} Total Time Elapsed: ${elapsed} ${unit}`);
}

await main();

// TEST DOUBLE for aerender, never shipped. It takes aerender's real arguments, prints output in
// the shape of the real logs in shared/fixtures/aerender/, and writes real media (media.ts):
//   - `.tif` output: one uncompressed RGBA TIFF per frame, 16 bits per sample for the
//     'CloudExport TIFF 16-bit' output module template, 8 for any other;
//   - `.png` (or any other sequence) output: one 8-bit RGB PNG per frame;
//   - 'AIFF 48kHz' template or `.aif`/`.aiff` output: one 48 kHz 16-bit stereo AIFF for the whole
//     range, silent but for a one-frame 1 kHz beep at every comp frame that is a multiple of
//     round(fps), printing the same per-frame progress lines as a frame render.
// Every picture is 16 vertical bars, bar i (from the left) white when bit i of the frame number
// is set; scripts/test/helpers/test-pattern.ts reads the numbers and the beeps back.
// Env switches (all optional):
//   AERENDER_DOUBLE_VERSION=24.1x15   version in the header (and whether -mfr is accepted)
//   AERENDER_DOUBLE_FPS=25            comp frame rate; 29.97/59.94 print drop-frame `;` timecodes
//   AERENDER_DOUBLE_SIZE=64x36        comp size WxH: the size of every frame written
//   AERENDER_DOUBLE_MISSING_OM_TEMPLATE=name  this output module template is not installed: a render
//                                     asking for it prints aerender's "No output module template" error, exits 1
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
//   AERENDER_DOUBLE_SKIP_FRAME=n      do not write absolute frame n (audio: no file at all when n is in the range)
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { aiff, png, tiff, type FrameSize } from './media.js';

const DEEP_TEMPLATE = 'CloudExport TIFF 16-bit';
const AUDIO_TEMPLATE = 'AIFF 48kHz';

const env = process.env;
const eol = env.AERENDER_DOUBLE_LINE_ENDING === 'cr' ? '\r' : '\n';
const german = env.AERENDER_DOUBLE_LOCALE === 'de';
const version = env.AERENDER_DOUBLE_VERSION ?? '24.1x15';
const fps = Number(env.AERENDER_DOUBLE_FPS ?? '25');
const delayMs = Number(env.AERENDER_DOUBLE_FRAME_DELAY_MS ?? '0');
const optionalInt = (name: string): number | null => (env[name] ? Number.parseInt(env[name] ?? '', 10) : null);

function frameSize(): FrameSize {
  const match = /^(\d+)x(\d+)$/.exec(env.AERENDER_DOUBLE_SIZE ?? '64x36');
  const width = Number(match?.[1] ?? 0);
  const height = Number(match?.[2] ?? 0);
  if (width < 1 || height < 1) {
    process.stderr.write(`aerender-double: AERENDER_DOUBLE_SIZE must be WxH, e.g. 64x36, not "${env.AERENDER_DOUBLE_SIZE}"\n`);
    process.exit(2);
  }
  return { width, height };
}

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
  const template = one('-OMtemplate') ?? 'Lossless';
  const audio = template === AUDIO_TEMPLATE || /\.aiff?$/i.test(output);
  const size = frameSize();
  const frameFile = (frame: number): Buffer => {
    if (/\.tiff?$/i.test(output)) return tiff(frame, size, template === DEEP_TEMPLATE ? 16 : 8);
    return png(frame, size);
  };

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
  if (template === env.AERENDER_DOUBLE_MISSING_OM_TEMPLATE) fail('No output module template was found with the given name.');
  print(`${lead} ${stamp(new Date())}: Starting composition ${name}.`);
  print('');
  print('');
  print(`${lead} Render Settings: ${one('-RStemplate') ?? 'Best Settings'}`);
  print(`${lead} Quality: Best`);
  print(`${lead} Start: ${timecode(start, fps)}`);
  print(`${lead} End: ${timecode(end, fps)}`);
  print(`${lead} Duration: ${timecode(end - start + 1, fps)}`);
  print(`${lead} Frame Rate: ${rate} (comp)`);
  print(`${lead} Output Module: ${template}`);
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
    if (!repeat && frame !== skip && !audio) {
      const path = token?.[1] ? output.replace(token[0], String(frame).padStart(token[1].length, '0')) : output;
      writeFileSync(resolve(path), frameFile(frame));
    }
    written.add(frame);
    print(`${frameLead}${timecode(frame, fps)} (${frame - start + 1}): ${repeat ? 1 : 0} ${unit}`);
    if (env.AERENDER_DOUBLE_AE_ERROR && written.size === 1 && !repeat) print(`After Effects error: ${env.AERENDER_DOUBLE_AE_ERROR}`);
  }
  // Written in one go after the progress lines: the engine looks at the file only once aerender has exited.
  if (audio && (skip === null || skip < start || skip > end)) writeFileSync(resolve(output), aiff({ frameStart: start, frameEnd: end, fps }));
  const elapsed = Math.round((Date.now() - began) / 1000);
  print(`${lead} ${stamp(new Date())}: Finished composition ${name}.`);
  print('');
  print('');
  print('');
  print(`${lead} Total Time Elapsed: ${elapsed} ${unit}`);
}

await main();

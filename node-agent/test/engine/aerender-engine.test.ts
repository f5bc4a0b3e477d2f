// Serial: each test starts a tsx process for the double; run together on a small machine, their
// start-up alone can exceed the watchdog timeouts under test.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import test, { type ExecutionContext } from 'ava';
import { frameSequencePath } from '../../src/engine/aerender/arguments.js';
import { runAerender, type AerenderProgress, type AerenderRequest, type RenderResult } from '../../src/engine/aerender/aerender-engine.js';
import { validateFrames } from '../../src/engine/aerender/validate-frames.js';

// The aerender TEST DOUBLE (real aerender cannot run here); it prints output shaped like the fixtures.
const DOUBLE = fileURLToPath(new URL('../aerender-double/aerender-double.sh', import.meta.url));

interface Run {
  result: RenderResult;
  progress: AerenderProgress[];
  warnings: string[];
  lines: string[];
  dir: string;
  elapsedMs: number;
}

async function render(
  t: ExecutionContext,
  options: { env?: Record<string, string>; frames?: [number, number]; request?: Partial<AerenderRequest>; signal?: AbortSignal; onLog?: (line: string) => void } = {},
): Promise<Run> {
  const dir = await mkdtemp(join(tmpdir(), 'aerender-engine-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'project.aep'), 'aep');
  const [frameStart, frameEnd] = options.frames ?? [0, 9];
  const progress: AerenderProgress[] = [];
  const warnings: string[] = [];
  const lines: string[] = [];
  const started = Date.now();
  const result = await runAerender(
    {
      aerenderPath: DOUBLE,
      cwd: dir,
      env: { ...process.env, ...options.env },
      projectPath: join(dir, 'project.aep'),
      comp: 'Main',
      frameStart,
      frameEnd,
      outputPath: frameSequencePath(dir, 'png'),
      aeMajor: 24,
      quietTimeoutMs: 20_000,
      totalTimeoutMs: 60_000,
      progressIntervalMs: 0,
      ...options.request,
    },
    {
      onProgress: (p) => progress.push(p),
      onWarning: (m) => warnings.push(m),
      onLog: (line) => {
        lines.push(line);
        options.onLog?.(line);
      },
    },
    options.signal,
  );
  return { result, progress, warnings, lines, dir, elapsedMs: Date.now() - started };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A killed process whose parent is gone may linger as a zombie until reaped: that is dead.
  const stat = `/proc/${pid}/stat`;
  return !(existsSync(stat) && / Z /.test(readFileSync(stat, 'utf8')));
}

async function eventually(check: () => boolean, ms = 3000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(50)) if (check()) return true;
  return check();
}

test.serial('success: every frame rendered, validated and reported', async (t) => {
  const { result, progress, dir } = await render(t, { frames: [100, 111] });
  if (!result.ok) return t.fail(result.message);
  t.is(result.files.length, 12);
  t.is(result.files[0], join(dir, 'frame_00100.png'));
  t.is(result.files[11], join(dir, 'frame_00111.png'));
  t.is(result.aeVersion, '24.1');
  t.deepEqual(result.warnings, []);
  // Interval 0: one callback per distinct frame, absolute frame numbers.
  t.deepEqual(progress.map((p) => p.framesDone), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  t.deepEqual(progress.at(-1), { framesDone: 12, framesTotal: 12, lastFrame: 111 });
});

test.serial('multi-frame rendering: out-of-order, repeated (N) counted once', async (t) => {
  const { result, progress, lines } = await render(t, { frames: [0, 6], env: { AERENDER_DOUBLE_MFR: '1' } });
  t.true(result.ok);
  const frameLines = lines.filter((l) => /\(\d+\): \d/.test(l));
  t.is(frameLines.length, 14, 'the double reported each frame twice');
  t.deepEqual(progress.map((p) => p.framesDone).filter((n, i, all) => all.indexOf(n) === i), [1, 2, 3, 4, 5, 6, 7]);
  t.true(progress.every((p) => p.framesDone <= 7));
  t.deepEqual(progress.at(-1), { framesDone: 7, framesTotal: 7, lastFrame: 6 });
});

test.serial('lone \\r line endings and German lines still count every frame', async (t) => {
  const { result, progress, lines } = await render(t, {
    frames: [0, 4],
    env: { AERENDER_DOUBLE_LINE_ENDING: 'cr', AERENDER_DOUBLE_LOCALE: 'de', AERENDER_DOUBLE_FPS: '29.97' },
  });
  t.true(result.ok);
  t.true(lines.includes('  0;00;00;04 (5): 0 Sekunden'));
  t.deepEqual(progress.map((p) => p.framesDone), [1, 2, 3, 4, 5]);
});

test.serial('a missing font becomes one readable warning', async (t) => {
  const { result, warnings } = await render(t, { frames: [0, 1], env: { AERENDER_DOUBLE_MISSING_FONT: '1' } });
  if (!result.ok) return t.fail(result.message);
  t.deepEqual(warnings, [result.warnings[0]]);
  t.regex(warnings[0] ?? '', /^Missing font: Roboto Black \(layer "Text Layer"\)/);
});

test.serial('"After Effects error:" fails the render even though aerender exits 0', async (t) => {
  const { result, dir } = await render(t, { frames: [0, 3], env: { AERENDER_DOUBLE_AE_ERROR: 'Cannot render: disk is full' } });
  if (result.ok) return t.fail('expected a failure');
  t.is(result.reason, 'aerender_error');
  t.regex(result.message, /Cannot render: disk is full/);
  t.true(result.lastLines.some((l) => l.includes('Total Time Elapsed')), 'aerender ran to the end');
  t.true((await validateFrames(dir, 'frame_[#####].png', 0, 3)).ok, 'all frames were written');
});

test.serial('"aerender ERROR" with exit 1 is an aerender error with its message', async (t) => {
  const { result } = await render(t, { env: { AERENDER_DOUBLE_ERROR: 'No comp was found with the given name.' } });
  if (result.ok) return t.fail('expected a failure');
  t.is(result.reason, 'aerender_error');
  t.regex(result.message, /No comp was found with the given name\./);
});

test.serial('a crash (exit 139) without an error line fails with exit_code', async (t) => {
  const { result } = await render(t, { env: { AERENDER_DOUBLE_CRASH_AFTER: '3' } });
  if (result.ok) return t.fail('expected a failure');
  t.is(result.reason, 'exit_code');
  t.regex(result.message, /code 139 after 3 of 10 frames/);
  t.true(result.lastLines.some((l) => l.includes('(3): 0 Seconds')));
});

test.serial('quiet watchdog kills aerender and the helper it started', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'aerender-pid-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const pidFile = join(dir, 'child.pid');
  let helperAliveDuringRender = false;
  const { result, elapsedMs } = await render(t, {
    env: { AERENDER_DOUBLE_HANG_AFTER: '2', AERENDER_DOUBLE_CHILD_PID_FILE: pidFile },
    request: { quietTimeoutMs: 4000 },
    onLog: (line) => {
      if (line.includes('(2): 0 Seconds')) helperAliveDuringRender = isAlive(Number(readFileSync(pidFile, 'utf8')));
    },
  });
  if (result.ok) return t.fail('expected a failure');
  t.is(result.reason, 'quiet_timeout');
  t.regex(result.message, /printed nothing for 4 s after 2 of 10 frames/);
  t.true(elapsedMs < 4000 + 5000, `took ${elapsedMs} ms`);
  const helper = Number(await readFile(pidFile, 'utf8'));
  t.true(helperAliveDuringRender, 'the helper ignores SIGHUP, so only a tree kill ends it');
  t.true(await eventually(() => !isAlive(helper)), `helper ${helper} survived`);
});

test.serial('total timeout stops a render that keeps printing', async (t) => {
  const { result, elapsedMs } = await render(t, {
    frames: [0, 99],
    env: { AERENDER_DOUBLE_FRAME_DELAY_MS: '100' },
    request: { totalTimeoutMs: 5000, quietTimeoutMs: 4000 },
  });
  if (result.ok) return t.fail('expected a failure');
  t.is(result.reason, 'total_timeout');
  t.regex(result.message, /ran past its 5 s limit after \d+ of 100 frames/);
  t.true(elapsedMs < 5000 + 5000, `took ${elapsedMs} ms: cut at the limit, not run to the end`);
});

test.serial('abort signal cancels the render and kills aerender', async (t) => {
  const controller = new AbortController();
  const dir = await mkdtemp(join(tmpdir(), 'aerender-pid-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const pidFile = join(dir, 'child.pid');
  const { result, progress, elapsedMs } = await render(t, {
    frames: [0, 99],
    env: { AERENDER_DOUBLE_FRAME_DELAY_MS: '100', AERENDER_DOUBLE_CHILD_PID_FILE: pidFile },
    onLog: (line) => {
      if (line.includes('(2): 0 Seconds')) controller.abort();
    },
    signal: controller.signal,
  });
  if (result.ok) return t.fail('expected a failure');
  t.is(result.reason, 'cancelled');
  t.true((progress.at(-1)?.framesDone ?? 0) < 10);
  t.true(elapsedMs < 10_000, `took ${elapsedMs} ms`);
  t.true(await eventually(() => !isAlive(Number(readFileSync(pidFile, 'utf8')))));
});

test.serial('an already-aborted signal never starts aerender', async (t) => {
  const { result, lines } = await render(t, { signal: AbortSignal.abort() });
  t.like(result, { ok: false, reason: 'cancelled' });
  t.deepEqual(lines, []);
});

test.serial('a frame aerender did not write fails with missing_frames naming it', async (t) => {
  const { result } = await render(t, { frames: [20, 29], env: { AERENDER_DOUBLE_SKIP_FRAME: '23' } });
  if (result.ok) return t.fail('expected a failure');
  t.is(result.reason, 'missing_frames');
  t.regex(result.message, /missing frame 23\b/);
});

test.serial('a missing aerender binary is spawn_failed', async (t) => {
  const { result } = await render(t, { request: { aerenderPath: '/nonexistent/aerender' } });
  if (result.ok) return t.fail('expected a failure');
  t.is(result.reason, 'spawn_failed');
  t.regex(result.message, /\/nonexistent\/aerender is missing or not executable/);
});

test.serial('progress is coalesced: a fast render gets few callbacks, the last one complete', async (t) => {
  const { result, progress } = await render(t, { frames: [0, 59], request: { progressIntervalMs: 500 } });
  t.true(result.ok);
  t.true(progress.length < 10, `${progress.length} callbacks for 60 frames`);
  t.deepEqual(progress.at(-1), { framesDone: 60, framesTotal: 60, lastFrame: 59 });
});

test.serial('progress is coalesced over time: roughly one callback per interval', async (t) => {
  const { result, progress, elapsedMs } = await render(t, {
    frames: [0, 19],
    env: { AERENDER_DOUBLE_FRAME_DELAY_MS: '60' },
    request: { progressIntervalMs: 300 },
  });
  t.true(result.ok);
  t.true(progress.length >= 3 && progress.length <= Math.ceil(elapsedMs / 300) + 2, `${progress.length} callbacks in ${elapsedMs} ms`);
  t.true(progress.every((p, i) => i === 0 || p.framesDone >= (progress[i - 1]?.framesDone ?? 0)));
  t.deepEqual(progress.at(-1), { framesDone: 20, framesTotal: 20, lastFrame: 19 });
});

// One chunk, from assignment to its last byte uploaded:
//   DOWNLOADING  the project source puts the project in the chunk's work folder
//   RENDERING    the engine renders the frame range (or the comp's sound) and validates it
//   UPLOADING    the files are sealed under a fresh key, announced (output:begin) and PUT
// An assemble chunk goes its own way (run-assembly.ts) and ends the same way, in one upload.
// The caller reports the outcome (chunk:done / chunk:failed) and removes the work folder.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ChunkKind, type ChunkAssignment } from '@cloudexport/shared';
import { failed, STOPPED, type ChunkChannel, type ChunkOutcome, type ChunkRunnerOptions } from './chunk-channel.js';
import { startPreviews } from './preview-sender.js';
import { runAssembly } from './run-assembly.js';
import { mib, throttled, upload } from './send-outputs.js';

export async function runChunk(a: ChunkAssignment, chunkDir: string, options: ChunkRunnerOptions, channel: ChunkChannel, signal: AbortSignal): Promise<ChunkOutcome> {
  if (a.kind === ChunkKind.assemble) return runAssembly(a, chunkDir, options, channel, signal);
  const { log, engine } = options;
  const interval = options.progressIntervalMs ?? 2_000;
  await mkdir(chunkDir, { recursive: true });
  channel.progress('DOWNLOADING', 0, null);
  const project = await options.projects.prepare({
    assignment: a,
    chunkDir,
    signal,
    log,
    openBundle: () => channel.openBundle(),
    onWarning: (message) => channel.warning(message),
    onDownload: throttled(interval, (done, total) => {
      log.info({ state: 'DOWNLOADING', bytes: done, totalBytes: total, mib: mib(done), ofMib: mib(total) }, 'downloading the bundle');
      channel.progress('DOWNLOADING', 0, null);
    }),
  });
  if ('error' in project) return signal.aborted ? STOPPED : failed('bundle', project.error);
  try {
    if (signal.aborted) return STOPPED;
    channel.progress('RENDERING', 0, null);
    log.info({ kind: a.kind, depth: a.kind === ChunkKind.frames ? a.frameDepth : undefined }, 'rendering');
    const outputDir = join(chunkDir, 'frames');
    const previews =
      options.previews && a.kind === ChunkKind.frames
        ? startPreviews({ outputDir, ffmpegPath: options.previews.ffmpegPath, intervalMs: options.previews.intervalMs, send: (p) => channel.preview(p), log, signal })
        : null;
    const outcome = await engine
      .render(
        {
          projectPath: project.projectPath,
          comp: a.comp,
          frameStart: a.frameStart,
          frameEnd: a.frameEnd,
          outputDir,
          output: a.kind === ChunkKind.audio ? { kind: 'audio' } : { kind: 'frames', depth: a.frameDepth },
        },
        {
          onProgress: (framesDone, lastFrame) => {
            channel.progress('RENDERING', framesDone, lastFrame);
            // aerender reports a frame once it is written: its preview need not wait for the file to settle
            if (lastFrame !== null) previews?.frameDone(lastFrame);
          },
          onWarning: (message) => channel.warning(message.slice(0, 2000)),
        },
        signal,
      )
      .finally(() => previews?.stop());
    if (signal.aborted) return STOPPED;
    if (!outcome.ok) {
      log.warn({ reason: outcome.reason, message: outcome.message }, 'render failed');
      return failed(outcome.reason, outcome.message, outcome.lastLines);
    }
    if (outcome.files.length === 0) return failed('missing_frames', 'The render reported success but wrote no frame files.');
    return await upload(a, outcome.files, outcome.frames, chunkDir, options, channel, signal);
  } finally {
    project.release();
  }
}

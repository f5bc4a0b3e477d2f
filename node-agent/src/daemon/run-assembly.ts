// An assemble chunk, from assignment to the deliverable uploaded:
//   DOWNLOADING  every frame (and the comp's sound) is fetched from storage and decrypted
//   RENDERING    ffmpeg encodes the preset's movie (or the frames are packed), then ffprobe checks it
//   UPLOADING    the deliverable is sealed under a fresh key and sent, like any chunk output
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChunkAssignment } from '@cloudexport/shared';
import { assembleDeliverable } from '../assembly/assemble-deliverable.js';
import { fetchInputs } from '../assembly/fetch-inputs.js';
import { failed, STOPPED, type ChunkChannel, type ChunkOutcome, type ChunkRunnerOptions } from './chunk-channel.js';
import { mib, throttled, upload } from './send-outputs.js';

export async function runAssembly(a: ChunkAssignment, chunkDir: string, options: ChunkRunnerOptions, channel: ChunkChannel, signal: AbortSignal): Promise<ChunkOutcome> {
  const { log } = options;
  const spec = a.deliverable;
  if (!spec) return failed('internal', `Assemble chunk ${a.chunkId} came without its deliverable; the coordinator and this agent disagree on the protocol. Update the agent.`);
  const tools = options.assembly;
  if (!tools) return failed('no_engine', 'This agent was started without assembly support, so it cannot assemble a deliverable.');
  if (!tools.ffmpeg && spec.preset.codec !== 'image_sequence') {
    return failed('ffmpeg', `This node has no ffmpeg, needed to encode ${spec.preset.codec}. Install ffmpeg (cloudexport-agent doctor shows what is found).`);
  }
  await mkdir(chunkDir, { recursive: true });
  const interval = options.progressIntervalMs ?? 2_000;

  channel.progress('DOWNLOADING', 0, null);
  const ticket = await channel.openAssembly();
  if (signal.aborted) return STOPPED;
  if (!ticket.ok) return failed('bundle', `The coordinator gave no assembly inputs: ${ticket.message}`);
  let inputs;
  try {
    inputs = await fetchInputs(ticket.ticket, {
      dir: join(chunkDir, 'inputs'),
      boxSecretKey: tools.boxSecretKey,
      signal,
      onBytes: throttled(interval, (done, total) => {
        log.info({ state: 'DOWNLOADING', bytes: done, totalBytes: total, mib: mib(done), ofMib: mib(total) }, 'fetching the frames');
        channel.progress('DOWNLOADING', 0, null);
      }),
    });
  } catch (err) {
    if (signal.aborted) return STOPPED;
    return failed('bundle', `Fetching the frames failed: ${(err as Error).message}`);
  }
  if (signal.aborted) return STOPPED;

  channel.progress('RENDERING', 0, null);
  log.info({ preset: spec.preset.id, codec: spec.preset.codec, frames: inputs.frameCount, audio: inputs.audioPath !== null }, 'assembling');
  const outcome = await assembleDeliverable({
    spec,
    inputs,
    workDir: join(chunkDir, 'out'),
    ffmpegPath: tools.ffmpeg?.path ?? 'ffmpeg',
    encoders: tools.ffmpeg?.encoders ?? [],
    signal,
    log,
    onProgress: (framesEncoded) => channel.progress('RENDERING', framesEncoded, framesEncoded > 0 ? a.frameStart + framesEncoded - 1 : null),
  });
  if (signal.aborted) return STOPPED;
  if (!outcome.ok) {
    log.warn({ reason: outcome.reason, message: outcome.message }, 'assembly failed');
    return failed(outcome.reason, outcome.message, outcome.lastLines);
  }
  log.info({ probe: outcome.probe }, 'deliverable verified');
  return upload(a, [outcome.path], a.frameEnd - a.frameStart + 1, chunkDir, options, channel, signal);
}

import { z } from 'zod';

/**
 * A job's tasks are all chunks (same leases, fencing, retries and blocklists), told apart by kind:
 *   frames    renders a frame range into an image sequence (every job has these)
 *   audio     renders the comp's sound once (aerender, audio-only output), for a comp with audio
 *   assemble  waits for every other chunk, then encodes the frames (and sound) into the deliverable
 */
export const ChunkKind = { frames: 'frames', audio: 'audio', assemble: 'assemble' } as const;
export type ChunkKind = (typeof ChunkKind)[keyof typeof ChunkKind];
export const chunkKindSchema = z.enum(ChunkKind);

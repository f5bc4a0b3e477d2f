export const VideoCodec = {
  h264: 'h264',
  h265: 'h265',
  prores_422: 'prores_422',
  prores_422_hq: 'prores_422_hq',
  prores_4444: 'prores_4444',
  image_sequence: 'image_sequence',
} as const;
export type VideoCodec = (typeof VideoCodec)[keyof typeof VideoCodec];

/** `frames`: a folder of numbered images, the only home of an image sequence. */
export const Container = { mp4: 'mp4', mov: 'mov', frames: 'frames' } as const;
export type Container = (typeof Container)[keyof typeof Container];

export const PRORES_CODECS: readonly VideoCodec[] = [VideoCodec.prores_422, VideoCodec.prores_422_hq, VideoCodec.prores_4444];

/** Encoded to a target bitrate; ProRes and image sequences have none (their size follows the picture). */
export const BITRATE_CODECS: readonly VideoCodec[] = [VideoCodec.h264, VideoCodec.h265];

export function isProRes(codec: VideoCodec): boolean {
  return PRORES_CODECS.includes(codec);
}

/**
 * The ffmpeg encoder a node needs to assemble each codec (the agent reports its encoders; the
 * scheduler gives an assembly only to a node that has this one). An image sequence is packed,
 * not encoded.
 */
export const FFMPEG_ENCODERS: Readonly<Record<VideoCodec, string | null>> = {
  h264: 'libx264',
  h265: 'libx265',
  prores_422: 'prores_ks',
  prores_422_hq: 'prores_ks',
  prores_4444: 'prores_ks',
  image_sequence: null,
};

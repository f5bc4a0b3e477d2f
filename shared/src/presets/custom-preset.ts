import { z } from 'zod';
import { BITRATE_CODECS, Container, isProRes, VideoCodec } from './codecs.js';

/** H.264 level 5.2's largest frame (36,864 macroblocks), kept simple as 4096×2304 pixels. */
export const H264_MAX_PIXELS = 4096 * 2304;

const list = (o: Record<string, string>) => Object.values(o).join(', ');

// Every message names its field, so a form or an API client can point at it.
const dimension = (field: 'width' | 'height') =>
  z
    .number({ error: `${field} must be a number of pixels` })
    .int({ error: `${field} must be a whole number of pixels`, abort: true })
    .min(16, { error: `${field} must be at least 16 pixels` })
    .max(8192, { error: `${field} must be at most 8192 pixels` })
    .refine((n) => n % 2 === 0, { error: `${field} must be even: 4:2:0 and 4:2:2 video store colour per pair of pixels` });

export const customPresetSchema = z
  .strictObject(
    {
      width: dimension('width'),
      height: dimension('height'),
      codec: z.enum(VideoCodec, { error: `codec must be one of ${list(VideoCodec)}` }),
      bitrateMbps: z
        .number({ error: 'bitrateMbps must be a number of megabits per second' })
        .gt(0, { error: 'bitrateMbps must be more than 0' })
        .max(1000, { error: 'bitrateMbps must be at most 1000' })
        .optional(),
      container: z.enum(Container, { error: `container must be one of ${list(Container)}` }),
    },
    {
      error: (iss) =>
        iss.code === 'unrecognized_keys'
          ? `Unknown custom preset field ${iss.keys.join(', ')}: the fields are width, height, codec, bitrateMbps, container`
          : 'A custom preset is an object { width, height, codec, container, bitrateMbps? }',
    },
  )
  .superRefine((p, ctx) => {
    const issue = (path: 'width' | 'codec' | 'container' | 'bitrateMbps', message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (isProRes(p.codec) && p.container !== 'mov') {
      issue('container', `container must be mov for ${p.codec}, not ${p.container}: ProRes is a QuickTime codec`);
    }
    if (BITRATE_CODECS.includes(p.codec)) {
      if (p.container !== 'mp4' && p.container !== 'mov') issue('container', `container must be mp4 or mov for ${p.codec}, not ${p.container}`);
      if (p.bitrateMbps === undefined) issue('bitrateMbps', `bitrateMbps is required for ${p.codec}: give the target bitrate in megabits per second`);
    } else if (p.bitrateMbps !== undefined) {
      issue('bitrateMbps', `bitrateMbps does not apply to ${p.codec}, whose size follows from the picture; leave it out`);
    }
    if (p.codec === 'image_sequence' && p.container !== 'frames') issue('container', `container must be frames for image_sequence, not ${p.container}`);
    if (p.container === 'frames' && p.codec !== 'image_sequence') issue('codec', `codec must be image_sequence for the frames container, not ${p.codec}`);
    if (p.codec === 'h264' && p.width * p.height > H264_MAX_PIXELS) {
      issue('width', `width × height ${p.width}×${p.height} is past H.264's largest frame (4096×2304 pixels); lower the resolution or use h265 or ProRes`);
    }
  })
  .meta({ id: 'CustomPreset' });
export type CustomPreset = z.infer<typeof customPresetSchema>;

// Media the aerender TEST DOUBLE writes: real files that ffmpeg decodes, carrying a picture and a
// sound a test can read back after scaling and lossy encoding (scripts/test/helpers/test-pattern.ts
// holds the decoders). Never shipped.
import { crc32, deflateSync } from 'node:zlib';

/** The picture is this many equal-width vertical bars; bar i shows bit i of the frame number. */
export const PATTERN_BARS = 16;
export const AUDIO_SAMPLE_RATE = 48_000;
const AUDIO_CHANNELS = 2;
const BEEP_HZ = 1000;
const BEEP_AMPLITUDE = 0.5;

export interface FrameSize {
  width: number;
  height: number;
}

/** Whether column x of a frame `width` pixels wide is white: bit i of `frame` for the i-th bar from the left. */
export function patternBar(frame: number, x: number, width: number): boolean {
  const bar = Math.min(PATTERN_BARS - 1, Math.floor((x * PATTERN_BARS) / width));
  return Math.floor(frame / 2 ** bar) % 2 === 1;
}

/** One row of the pattern, `channels` samples per pixel at `bytes` per sample (alpha, when present, opaque). */
function patternRow(frame: number, width: number, channels: 3 | 4, bytes: 1 | 2, littleEndian: boolean): Buffer {
  const max = bytes === 1 ? 0xff : 0xffff;
  const row = Buffer.alloc(width * channels * bytes);
  for (let x = 0; x < width; x++) {
    const value = patternBar(frame, x, width) ? max : 0;
    for (let c = 0; c < channels; c++) {
      const sample = c === 3 ? max : value;
      const at = (x * channels + c) * bytes;
      if (bytes === 1) row.writeUInt8(sample, at);
      else if (littleEndian) row.writeUInt16LE(sample, at);
      else row.writeUInt16BE(sample, at);
    }
  }
  return row;
}

/** An 8-bit RGB PNG of the frame's pattern. */
export function png(frame: number, { width, height }: FrameSize): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit, truecolour, deflate, no filter, no interlace
  const row = Buffer.concat([Buffer.from([0]), patternRow(frame, width, 3, 1, false)]);
  const pixels = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(pixels)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const SHORT = 3;
const LONG = 4;
const RATIONAL = 5;

/**
 * An uncompressed baseline TIFF of the frame's pattern, as AE's TIFF output module writes it:
 * little-endian, RGBA in one strip, chunky (PlanarConfiguration 1), unassociated alpha
 * (ExtraSamples 2), 8 or 16 bits per sample.
 */
export function tiff(frame: number, { width, height }: FrameSize, bits: 8 | 16): Buffer {
  const bytes = bits / 8;
  const tagCount = 14;
  const ifdAt = 8;
  const bitsAt = ifdAt + 2 + tagCount * 12 + 4;
  const xResAt = bitsAt + 8;
  const yResAt = xResAt + 8;
  const pixelsAt = yResAt + 8;
  const row = patternRow(frame, width, 4, bytes as 1 | 2, true);
  const stripBytes = row.length * height;
  const out = Buffer.alloc(pixelsAt + stripBytes);
  out.write('II', 0, 'latin1');
  out.writeUInt16LE(42, 2);
  out.writeUInt32LE(ifdAt, 4);
  // [tag, type, count, value or offset]; tags in ascending order, as TIFF requires.
  const entries: Array<[number, number, number, number]> = [
    [256, LONG, 1, width], // ImageWidth
    [257, LONG, 1, height], // ImageLength
    [258, SHORT, 4, bitsAt], // BitsPerSample: 4 values, stored at bitsAt
    [259, SHORT, 1, 1], // Compression: none
    [262, SHORT, 1, 2], // PhotometricInterpretation: RGB
    [273, LONG, 1, pixelsAt], // StripOffsets
    [277, SHORT, 1, 4], // SamplesPerPixel
    [278, LONG, 1, height], // RowsPerStrip: the whole image
    [279, LONG, 1, stripBytes], // StripByteCounts
    [282, RATIONAL, 1, xResAt], // XResolution
    [283, RATIONAL, 1, yResAt], // YResolution
    [284, SHORT, 1, 1], // PlanarConfiguration: chunky
    [296, SHORT, 1, 2], // ResolutionUnit: inch
    [338, SHORT, 1, 2], // ExtraSamples: unassociated alpha
  ];
  out.writeUInt16LE(entries.length, ifdAt);
  entries.forEach(([tag, type, count, value], i) => {
    const at = ifdAt + 2 + i * 12;
    out.writeUInt16LE(tag, at);
    out.writeUInt16LE(type, at + 2);
    out.writeUInt32LE(count, at + 4);
    // A single SHORT sits left-justified in the value field.
    if (type === SHORT && count === 1) out.writeUInt16LE(value, at + 8);
    else out.writeUInt32LE(value, at + 8);
  });
  out.writeUInt32LE(0, ifdAt + 2 + entries.length * 12); // no next IFD
  for (let c = 0; c < 4; c++) out.writeUInt16LE(bits, bitsAt + c * 2);
  for (const at of [xResAt, yResAt]) {
    out.writeUInt32LE(72, at);
    out.writeUInt32LE(1, at + 4);
  }
  for (let y = 0; y < height; y++) row.copy(out, pixelsAt + y * row.length);
  return out;
}

/** Writes a positive integer as the 80-bit IEEE 754 extended float AIFF's COMM chunk uses. */
function writeExtended(out: Buffer, value: number, at: number): void {
  const exponent = Math.floor(Math.log2(value));
  out.writeUInt16BE(16383 + exponent, at);
  // The 64-bit mantissa has an explicit integer bit: the value shifted so its top bit is bit 63.
  out.writeBigUInt64BE(BigInt(value) << BigInt(63 - exponent), at + 2);
}

export interface AudioRange {
  frameStart: number;
  frameEnd: number;
  fps: number;
}

/**
 * A 48 kHz 16-bit stereo AIFF lasting exactly (frameEnd - frameStart + 1) / fps seconds: silent
 * except a one-frame 1 kHz beep starting at every comp frame whose number is a multiple of
 * round(fps), so the beep of comp frame N starts (N - frameStart) / fps into the file.
 */
export function aiff({ frameStart, frameEnd, fps }: AudioRange): Buffer {
  const sampleFrames = Math.round(((frameEnd - frameStart + 1) * AUDIO_SAMPLE_RATE) / fps);
  const blockAlign = AUDIO_CHANNELS * 2;
  const data = Buffer.alloc(sampleFrames * blockAlign);
  const every = Math.max(1, Math.round(fps));
  const beepLength = Math.round(AUDIO_SAMPLE_RATE / fps);
  for (let frame = Math.ceil(frameStart / every) * every; frame <= frameEnd; frame += every) {
    const onset = Math.round(((frame - frameStart) * AUDIO_SAMPLE_RATE) / fps);
    for (let k = 0; k < beepLength && onset + k < sampleFrames; k++) {
      const sample = Math.round(Math.sin((2 * Math.PI * BEEP_HZ * k) / AUDIO_SAMPLE_RATE) * BEEP_AMPLITUDE * 32767);
      for (let c = 0; c < AUDIO_CHANNELS; c++) data.writeInt16BE(sample, (onset + k) * blockAlign + c * 2);
    }
  }
  const comm = Buffer.alloc(8 + 18);
  comm.write('COMM', 0, 'latin1');
  comm.writeUInt32BE(18, 4);
  comm.writeUInt16BE(AUDIO_CHANNELS, 8);
  comm.writeUInt32BE(sampleFrames, 10);
  comm.writeUInt16BE(16, 14);
  writeExtended(comm, AUDIO_SAMPLE_RATE, 16);
  const ssnd = Buffer.alloc(16);
  ssnd.write('SSND', 0, 'latin1');
  ssnd.writeUInt32BE(8 + data.length, 4);
  // offset 0, blockSize 0: already zero.
  const form = Buffer.alloc(12);
  form.write('FORM', 0, 'latin1');
  form.writeUInt32BE(4 + comm.length + ssnd.length + data.length, 4);
  form.write('AIFF', 8, 'latin1');
  return Buffer.concat([form, comm, ssnd, data]);
}

// What an asset is for, by its extension (and, for unknown extensions, by whether AE read audio
// from it). The role travels in the manifest; nodes do not act on it today.

export type AssetRole = 'footage' | 'audio' | 'other';

const AUDIO = new Set(['aac', 'aif', 'aifc', 'aiff', 'flac', 'm4a', 'mp3', 'oga', 'ogg', 'opus', 'wav', 'wma']);
const FOOTAGE = new Set([
  // video
  '3gp', 'avi', 'braw', 'flv', 'm2ts', 'm4v', 'mkv', 'mov', 'mp4', 'mpeg', 'mpg', 'mts', 'mxf', 'r3d', 'webm', 'wmv',
  // stills, sequences, layered and vector files
  'ai', 'arw', 'bmp', 'cin', 'cr2', 'cr3', 'dng', 'dpx', 'eps', 'exr', 'gif', 'hdr', 'heic', 'iff', 'jpeg', 'jpg', 'nef', 'pdf', 'pic',
  'png', 'psb', 'psd', 'rla', 'rpf', 'sgi', 'svg', 'tga', 'tif', 'tiff', 'webp',
  // 3D that AE imports as footage
  'c4d', 'glb', 'gltf', 'obj',
]);

export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

export function assetRole(name: string, footage: { audioSampleRate: number | null; width: number; height: number }): AssetRole {
  const ext = extensionOf(name);
  if (AUDIO.has(ext)) return 'audio';
  if (FOOTAGE.has(ext)) return 'footage';
  // AE read an audio stream and no picture: an audio format we do not list
  if (footage.audioSampleRate !== null && footage.width === 0 && footage.height === 0) return 'audio';
  if (footage.width > 0 && footage.height > 0) return 'footage';
  return 'other';
}

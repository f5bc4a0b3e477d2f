// What readAep() returns: the parts of an After Effects project the panel and the scheduler need.
// Item ids are AE's own (stable across saves); a parentId of null means the project root.

export interface AepFolder {
  id: number;
  name: string;
  parentId: number | null;
}

export interface AepLayer {
  id: number;
  /** The name given in the timeline; '' when the layer shows its source's name. */
  name: string;
  /** Item id of the layer's source (footage or comp); null for shape, text, camera, light layers. */
  sourceId: number | null;
  /** Match names of the effects applied to this layer, in stacking order. */
  effects: string[];
}

export interface AepComposition {
  id: number;
  name: string;
  parentId: number | null;
  width: number;
  height: number;
  /** Frames per second, e.g. 29.97 (exactly timeScale / frameDuration). */
  frameRate: number;
  /** Seconds. */
  duration: number;
  /** Frames that start before the end: ceil(duration × frameRate), exactly. */
  frameCount: number;
  /** Pixel aspect ratio, e.g. 1 or 10/11 (D1/DV NTSC). */
  pixelAspect: number;
  layers: AepLayer[];
  /** Match names of the effects used by this comp's layers, deduplicated and sorted. */
  effects: string[];
  /** PostScript names of the fonts this comp's text layers use, deduplicated and sorted (AdobeInvisFont left out). */
  fonts: string[];
  /**
   * Whether a layer's source carries audio: a footage item with an audio sample rate, or a
   * precomp that itself has such a layer (followed through nesting).
   */
  hasAudioLayers: boolean;
}

export const AEP_FOOTAGE_KINDS = { file: 'file', solid: 'solid', placeholder: 'placeholder' } as const;
/** `file`: backed by a file path; `solid`: a generated solid; `placeholder`: no source file to find. */
export type AepFootageKind = (typeof AEP_FOOTAGE_KINDS)[keyof typeof AEP_FOOTAGE_KINDS];

export interface AepFootage {
  id: number;
  /** The item name; when AE stores none, the solid's or placeholder's name, or the file's base name. */
  name: string;
  parentId: number | null;
  kind: AepFootageKind;
  /** Absolute path as recorded on the machine that saved the project (Windows or macOS form); null unless kind is `file`. */
  path: string | null;
  /** True when the path is a folder (`target_is_folder` in the alias record). */
  pathIsFolder: boolean;
  /** true: an image sequence (AE stored its frame list); false: not one; null: cannot tell from the project. */
  isSequence: boolean | null;
  width: number;
  height: number;
  /** Audio sample rate in Hz when the source has audio, else null. */
  audioSampleRate: number | null;
  /** For solids: colour as 0..1 red, green, blue; else null. */
  solidColor: [number, number, number] | null;
}

export interface AepRenderOutput {
  /** The output path (a folder when `isFolder`), as recorded on the saving machine; null if none is set. */
  path: string | null;
  isFolder: boolean;
  /** The output module template name, e.g. 'Lossless'; null when absent. */
  template: string | null;
  /** The output file name pattern, e.g. 'comp.[fileExtension]'; null when absent. */
  fileName: string | null;
}

export interface AepRenderQueueItem {
  /** The comp this render queue item renders; null when it could not be read. */
  compId: number | null;
  outputs: AepRenderOutput[];
}

export const AEP_EXPRESSION_ENGINES = { javascript: 'javascript-1.0', extendscript: 'extendscript' } as const;

export interface AepProject {
  /** 8, 16 or 32 bits per channel; null when the project header does not say. */
  bitsPerChannel: 8 | 16 | 32 | null;
  /**
   * The expression engine as AE names it: 'javascript-1.0' or 'extendscript'. Projects saved before
   * AE 16.0 (CC 2019) carry no engine and can only be 'extendscript'.
   */
  expressionEngine: string;
  folders: AepFolder[];
  compositions: AepComposition[];
  footage: AepFootage[];
  /** Match names of every effect the project uses, deduplicated and sorted. */
  effects: string[];
  /** PostScript names of every font the project's text layers use, deduplicated and sorted. */
  fonts: string[];
  renderQueue: AepRenderQueueItem[];
}

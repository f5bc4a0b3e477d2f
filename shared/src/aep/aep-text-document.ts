// A text layer's document (`LIST btdk`) is Adobe's "COS" serialization, PostScript-like with
// numbered keys: `/0 << /1 << /0 [ fonts ] >> /5 << /0 [ character style sheets ] >> … >>` holds
// the resources, `/1 << /1 [ text objects ] … >>` the text. Each text object's style runs
// (`/0 /6 /0 [ << /0 << /0 sheet >> /1 length >> … ]`) carry a sheet `<< /5 parent /6 data >>` whose
// data's `/0` is the run's font, an index into the font set; when absent, the parent sheet's
// (`/5`, an index into the resources' style sheets) applies. Read off boltframe-Property-01.aep:
// its one run names font 0 (BritannicBold) over a parent sheet that names 1 (Myriad-Roman).
import { AepFormatError } from './aep-errors.js';
import { decodeCString, decodeUtf8 } from './aep-strings.js';
import type { RifxChunk, RifxReader } from './rifx-reader.js';

/** A COS value: numbers, decoded strings, names and keywords (`{ word }`), arrays, dictionaries. */
type Cos = number | string | { word: string } | Cos[] | Map<string, Cos>;

// AE's placeholder for invisible characters (paragraph ends): in every font set, needed by no render node.
const INVISIBLE_FONT = 'AdobeInvisFont';
// Deeper than any document AE writes (about 12 levels); a hostile one is skipped, not recursed into.
const MAX_DEPTH = 64;
// PostScript font names are at most 127 characters of printable ASCII in practice.
const POSTSCRIPT_NAME = /^[\x21-\x7e]{1,127}$/;

const WHITESPACE = new Set([0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]);
const DELIMITERS = new Set([0x28, 0x29, 0x3c, 0x3e, 0x5b, 0x5d, 0x7b, 0x7d, 0x2f, 0x25]); // ( ) < > [ ] { } / %
const ESCAPES: Record<number, number> = { 0x6e: 0x0a, 0x72: 0x0d, 0x74: 0x09, 0x62: 0x08, 0x66: 0x0c }; // \n \r \t \b \f

class Malformed extends Error {}

/** A recursive-descent parser over untrusted bytes: nothing is sized from the data, depth is capped. */
class CosParser {
  private pos = 0;
  constructor(private readonly b: Uint8Array) {}

  /** The whole body: key/value pairs with no enclosing `<< >>`. */
  document(): Map<string, Cos> {
    const out = new Map<string, Cos>();
    for (this.skipSpace(); this.pos < this.b.length; this.skipSpace()) {
      out.set(this.key(), this.value(1));
    }
    return out;
  }

  private skipSpace(): void {
    while (this.pos < this.b.length && WHITESPACE.has(this.b[this.pos]!)) this.pos++;
  }

  private key(): string {
    const k = this.value(MAX_DEPTH);
    if (typeof k !== 'object' || !('word' in k) || !k.word.startsWith('/')) throw new Malformed();
    return k.word.slice(1);
  }

  private value(depth: number): Cos {
    if (depth > MAX_DEPTH) throw new Malformed();
    this.skipSpace();
    const b = this.b;
    const c = b[this.pos];
    if (c === undefined) throw new Malformed();
    if (c === 0x3c && b[this.pos + 1] === 0x3c) { // <<
      this.pos += 2;
      const dict = new Map<string, Cos>();
      for (this.skipSpace(); !(b[this.pos] === 0x3e && b[this.pos + 1] === 0x3e); this.skipSpace()) {
        dict.set(this.key(), this.value(depth + 1));
      }
      this.pos += 2;
      return dict;
    }
    if (c === 0x5b) { // [
      this.pos++;
      const array: Cos[] = [];
      for (this.skipSpace(); b[this.pos] !== 0x5d; this.skipSpace()) array.push(this.value(depth + 1));
      this.pos++;
      return array;
    }
    if (c === 0x28) return this.literalString();
    if (c === 0x3c) return this.hexString();
    const start = this.pos;
    if (c === 0x2f) this.pos++; // a name: the slash and the regular characters after it
    while (this.pos < b.length && !WHITESPACE.has(b[this.pos]!) && !DELIMITERS.has(b[this.pos]!)) this.pos++;
    if (this.pos === start) throw new Malformed(); // a stray delimiter
    const word = String.fromCharCode(...b.subarray(start, Math.min(this.pos, start + 256)));
    const n = /^[+-]?(\d+\.?\d*|\.\d+)$/.test(word) ? Number(word) : NaN;
    return Number.isFinite(n) ? n : { word };
  }

  /** `( … )`: balanced unescaped parentheses nest, `\` escapes one byte or up to three octal digits. */
  private literalString(): string {
    const b = this.b;
    const out: number[] = [];
    let nesting = 0;
    for (this.pos++; ; this.pos++) {
      const c = b[this.pos];
      if (c === undefined) throw new Malformed();
      if (c === 0x29 && nesting === 0) break;
      if (c === 0x28) nesting++;
      if (c === 0x29) nesting--;
      if (c !== 0x5c) {
        out.push(c);
        continue;
      }
      const e = b[++this.pos];
      if (e === undefined) throw new Malformed();
      if (e >= 0x30 && e <= 0x37) {
        let octal = e - 0x30;
        for (let i = 0; i < 2 && b[this.pos + 1]! >= 0x30 && b[this.pos + 1]! <= 0x37; i++) octal = octal * 8 + b[++this.pos]! - 0x30;
        out.push(octal & 0xff);
      } else if (e === 0x0d || e === 0x0a) {
        if (e === 0x0d && b[this.pos + 1] === 0x0a) this.pos++; // a line continuation
      } else {
        out.push(ESCAPES[e] ?? e);
      }
    }
    this.pos++;
    return decodeText(Uint8Array.from(out));
  }

  private hexString(): string {
    const end = this.b.indexOf(0x3e, this.pos);
    if (end < 0) throw new Malformed();
    const hex = decodeUtf8(this.b.subarray(this.pos + 1, end)).replace(/\s/g, '');
    this.pos = end + 1;
    if (!/^[0-9a-fA-F]*$/.test(hex)) throw new Malformed();
    return decodeText(Uint8Array.from((hex.length & 1 ? `${hex}0` : hex).match(/../g) ?? [], (h) => parseInt(h, 16)));
  }
}

/** UTF-16BE after a byte-order mark (how AE writes text), otherwise UTF-8. */
function decodeText(bytes: Uint8Array): string {
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    let s = '';
    for (let i = 2; i + 1 < bytes.length; i += 2) s += String.fromCharCode((bytes[i]! << 8) | bytes[i + 1]!);
    return s;
  }
  return decodeUtf8(bytes);
}

const dict = (v: Cos | undefined): Map<string, Cos> | undefined => (v instanceof Map ? v : undefined);
const array = (v: Cos | undefined): Cos[] | undefined => (Array.isArray(v) ? v : undefined);
const index = (v: Cos | undefined): number | undefined => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined);

/**
 * PostScript names of the fonts a text document's style runs use, without AdobeInvisFont. Where a
 * run's font cannot be resolved, the document's whole font set is reported instead (a render node
 * missing a font is worse than one asked for an extra). Empty for bytes that are not a document.
 */
export function textDocumentFonts(body: Uint8Array): string[] {
  let doc: Map<string, Cos>;
  try {
    doc = new CosParser(body).document();
  } catch (err) {
    if (err instanceof Malformed) return [];
    throw err;
  }

  const resources = dict(doc.get('0'));
  const fontSet = (array(dict(resources?.get('1'))?.get('0')) ?? []).map((f) => {
    const name = dict(dict(dict(f)?.get('0'))?.get('0'))?.get('0'); // << /0 << /99 /CoolTypeFont /0 << /0 (name) >> >> >>
    return typeof name === 'string' && POSTSCRIPT_NAME.test(name) ? name : null;
  });
  const wholeSet = fontSet.filter((f): f is string => f !== null && f !== INVISIBLE_FONT);
  const sheets = array(dict(resources?.get('5'))?.get('0')) ?? [];
  const sheetFont = (sheet: Map<string, Cos> | undefined): number | undefined =>
    index(dict(sheet?.get('6'))?.get('0'));

  const texts = array(dict(doc.get('1'))?.get('1'));
  if (!texts) return wholeSet;
  const used = new Set<string>();
  for (const text of texts) {
    const runs = array(dict(dict(dict(text)?.get('0'))?.get('6'))?.get('0'));
    if (!runs) return wholeSet;
    for (const run of runs) {
      const sheet = dict(dict(dict(run)?.get('0'))?.get('0'));
      const parent = dict(dict(sheets[index(sheet?.get('5')) ?? 0])?.get('0'));
      const font = fontSet[sheetFont(sheet) ?? sheetFont(parent) ?? -1];
      if (!font) return wholeSet;
      if (font !== INVISIBLE_FONT) used.add(font);
    }
  }
  return [...used];
}

// In a layer's property tree the 'ADBE Text Properties' group (`tdmn` + `LIST tdgp`) holds the
// 'ADBE Text Document' property, a `LIST btds` whose `LIST btdk` bodies are the documents.
const TEXT_PROPERTIES = 'ADBE Text Properties';
const TEXT_DOCUMENT = 'ADBE Text Document';

/** The list of type `listType` right after the `tdmn` named `name` among these siblings. */
function after(reader: RifxReader, siblings: RifxChunk[], name: string, listType: string): RifxChunk | undefined {
  for (let i = 0; i + 1 < siblings.length; i++) {
    const c = siblings[i]!;
    const next = siblings[i + 1]!;
    if (c.id === 'tdmn' && next.listType === listType && decodeCString(reader.data(c)) === name) return next;
  }
  return undefined;
}

/**
 * Fonts a layer's text documents use (none for other layers). Damaged bytes never throw from here:
 * a list that cannot be followed or a document that cannot be parsed only loses its fonts.
 */
export function layerFonts(reader: RifxReader, layerChildren: RifxChunk[]): string[] {
  try {
    const root = layerChildren.find((c) => c.listType === 'tdgp');
    const text = root && after(reader, reader.children(root), TEXT_PROPERTIES, 'tdgp');
    const btds = text && after(reader, reader.children(text), TEXT_DOCUMENT, 'btds');
    if (!btds) return [];
    return reader.children(btds)
      .filter((c) => c.listType === 'btdk')
      .flatMap((c) => textDocumentFonts(reader.bytes.subarray(c.body + 4, c.body + c.size)));
  } catch (err) {
    if (err instanceof AepFormatError) return [];
    throw err;
  }
}

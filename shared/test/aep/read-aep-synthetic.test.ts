// A project assembled by build-rifx.ts: the same reader paths as the real fixtures, with values
// chosen to catch unit and offset mistakes (23.976 fps, 10/11 pixel aspect, a fractional last frame).
import test from 'ava';
import { AepFormatError, readAep } from '../../src/aep/read-aep.js';
import * as shared from '../../src/index.js';
import {
  ITEM_COMP, SYNTHETIC as S, alias, buildSyntheticProject, chunk, compItem, cosString, footageItem, idta, layer, list, name, nnhd, rifx, sspc,
  tdmn, textDocument, textLayer,
} from './build-rifx.js';

const main = { width: 1920, height: 1080, frameDuration: 1001, timeScale: 24000, durationValue: 240_240, durationScale: 24000 };

test('the synthetic project reads back exactly', (t) => {
  const p = readAep(buildSyntheticProject());
  t.is(p.bitsPerChannel, 16);
  t.is(p.expressionEngine, 'javascript-1.0');
  t.deepEqual(p.folders, [
    { id: S.shots, name: 'Shots', parentId: null },
    { id: S.nested, name: 'Nested', parentId: S.shots },
  ]);

  t.deepEqual(p.compositions.map((c) => c.name), ['Main – final ✓', 'Pre']);
  const [mainComp, pre] = p.compositions;
  t.like(mainComp, { id: S.main, parentId: S.shots, width: 1920, height: 1080, frameRate: 24000 / 1001, duration: 10.01, frameCount: 240, pixelAspect: 1 });
  t.deepEqual(mainComp!.layers, [
    { id: 1, name: 'Plate', sourceId: S.plate, effects: ['ADBE Gaussian Blur 2', 'ADBE Glo2'] },
    { id: 2, name: '', sourceId: S.pre, effects: ['ADBE Gaussian Blur 2'] },
    { id: 3, name: 'Shape', sourceId: null, effects: [] },
  ]);
  t.deepEqual(mainComp!.effects, ['ADBE Gaussian Blur 2', 'ADBE Glo2']);
  // 5994/2997 s at 2997/100 fps is 59.94 frames: the 60th frame starts before the end.
  t.like(pre, { id: S.pre, parentId: null, width: 720, height: 486, frameRate: 29.97, duration: 2, frameCount: 60, pixelAspect: 10 / 11 });

  t.deepEqual(p.footage, [
    { id: S.missing, name: 'Missing Footage', parentId: S.nested, kind: 'placeholder', path: null, pathIsFolder: false, isSequence: false, width: 640, height: 480, audioSampleRate: null, solidColor: null },
    { id: S.plate, name: 'plate_0001.png', parentId: null, kind: 'file', path: S.platePath, pathIsFolder: false, isSequence: true, width: 3840, height: 2160, audioSampleRate: null, solidColor: null },
    { id: S.music, name: 'Score', parentId: null, kind: 'file', path: S.musicPath, pathIsFolder: false, isSequence: null, width: 0, height: 0, audioSampleRate: 48000, solidColor: null },
    { id: S.solid, name: 'Black Solid 1', parentId: null, kind: 'solid', path: null, pathIsFolder: false, isSequence: false, width: 1920, height: 1080, audioSampleRate: null, solidColor: [0, 0.5, 1] },
  ]);
  t.deepEqual(p.effects, ['ADBE Gaussian Blur 2', 'ADBE Glo2']);
  t.deepEqual(p.renderQueue, [{ compId: S.main, outputs: [{ path: S.outputPath, isFolder: true, template: 'Lossless', fileName: 'Main.[fileExtension]' }] }]);
});

test('audio is followed through precomps: Pre plays the score, Main nests Pre', (t) => {
  const p = readAep(buildSyntheticProject());
  t.deepEqual(p.compositions.map((c) => [c.name, c.hasAudioLayers]), [['Main – final ✓', true], ['Pre', true]]);

  // A precomp cycle (only a hostile file has one) still ends, and audio reaches both comps in it.
  const cyclic = readAep(rifx([list('Fold',
    compItem(1, 'A', main, layer(1, '', 2)),
    compItem(2, 'B', main, layer(2, '', 1), layer(3, '', 4)),
    compItem(3, 'C', main, layer(4, '', 1), layer(5, '', 5)),
    compItem(6, 'Silent', main, layer(6, '', 5)),
    footageItem(4, 'music', sspc(0, 0, 44100), alias('/m.wav')),
    footageItem(5, 'picture', sspc(64, 64), alias('/p.png')))]));
  t.deepEqual(cyclic.compositions.map((c) => [c.name, c.hasAudioLayers]), [['A', true], ['B', true], ['C', true], ['Silent', false]]);
});

test('fonts: the ones the text\'s style runs use, by index or through their style sheet, AdobeInvisFont left out', (t) => {
  const set = [cosString('BritannicBold'), '(Myriad\\055Roman)', cosString('Zapf\\Dingbats(x)'), cosString('AdobeInvisFont'), cosString('Unused-Bold')];
  const p = readAep(rifx([list('Fold',
    // Runs: font 0 (UTF-16BE), none (the sheet's font 1: a plain string with an octal escape), 3 (invisible).
    compItem(1, 'Title', main, textLayer(1, 'Title', textDocument(set, 1, [0, null, 3])), layer(2, 'Plate', 0)),
    // Escaped parentheses and backslash inside a UTF-16BE name; a second document (keyframe) in the same btds.
    compItem(2, 'Credits', main, textLayer(1, 'Credits', textDocument(set, 1, [2]), textDocument(set, 1, [0]))),
    compItem(3, 'Empty', main, layer(1, 'Plate', 0)))]));
  t.deepEqual(p.compositions.map((c) => [c.name, c.fonts]), [
    ['Title', ['BritannicBold', 'Myriad-Roman']],
    ['Credits', ['BritannicBold', 'Zapf\\Dingbats(x)']],
    ['Empty', []],
  ]);
  t.deepEqual(p.fonts, ['BritannicBold', 'Myriad-Roman', 'Zapf\\Dingbats(x)']);

  // A run whose font index points past the set: the whole set, less AdobeInvisFont, is reported.
  const unresolved = readAep(rifx([list('Fold', compItem(1, 'A', main, textLayer(1, 'T', textDocument(set, 1, [9]))))]));
  t.deepEqual(unresolved.fonts, ['BritannicBold', 'Myriad-Roman', 'Unused-Bold', 'Zapf\\Dingbats(x)']);
});

test('fonts: a damaged text document loses its fonts, never the project', (t) => {
  const doc = textDocument([cosString('BritannicBold')], 0, [0]);
  const readFonts = (d: Uint8Array): string[] => readAep(rifx([list('Fold', compItem(1, 'A', main, layer(1, 'Plate', 0), textLayer(2, 'T', d)))])).fonts;
  t.deepEqual(readFonts(doc), ['BritannicBold']);
  // Cut after the font set, the document still names it (the runs are unknown); cut anywhere else it names nothing.
  for (let cut = 0; cut < doc.length; cut++) {
    t.true(readFonts(doc.subarray(0, cut)).every((f) => f === 'BritannicBold'), `cut at ${cut}`);
  }
  const hostile = ['(unterminated', '<< /0 >> >>', '[ [ [ '.repeat(5000), '/0 <zz>', '/0 << /1 << /0 [ << /0 << /0 << /0 (\\', '\x00\xff{}%'];
  for (const h of hostile) t.deepEqual(readFonts(Uint8Array.from(h, (c) => c.charCodeAt(0))), [], h.slice(0, 40));
});

test('effects listed only by the project (Pefl, EfdG) are still reported', (t) => {
  const p = readAep(rifx([
    list('Pefl', chunk('pjef', 'CC Particle World')),
    list('EfdG', chunk('EfDC', new Uint8Array(4)), list('EfDf', tdmn('VIDEOCOPILOT OpticalFlares'), list('sspc'))),
    list('Fold'),
  ]));
  t.deepEqual(p.effects, ['CC Particle World', 'VIDEOCOPILOT OpticalFlares']);
});

test('bits per channel and engine are null / extendscript when the project does not say', (t) => {
  t.is(readAep(rifx([list('Fold')])).bitsPerChannel, null);
  t.is(readAep(rifx([nnhd(7), list('Fold')])).bitsPerChannel, null);
  t.is(readAep(rifx([nnhd(2), list('Fold')])).bitsPerChannel, 32);
  t.is(readAep(rifx([list('Fold')])).expressionEngine, 'extendscript');
  t.is(readAep(rifx([list('ExEn', name('extendscript')), list('Fold')])).expressionEngine, 'extendscript');
});

test('essential data that is missing or broken is refused with the item named', (t) => {
  const noCdta = rifx([list('Fold', list('Item', idta(ITEM_COMP, 9), name('Hero')))]);
  const e1 = t.throws(() => readAep(noCdta), { instanceOf: AepFormatError });
  t.regex(e1.message, /composition 'Hero' \(item 9 at byte 24\) has no composition settings \(cdta\)/);

  const zeroRate = rifx([list('Fold', compItem(5, 'Zero', { ...main, frameDuration: 0 }))]);
  t.throws(() => readAep(zeroRate), { instanceOf: AepFormatError, message: /composition 'Zero' \(item 5 at byte 24\) has frame rate 24000\/0 in cdta at byte \d+/ });

  const badJson = rifx([list('Fold', footageItem(6, 'clip', list('Als2', chunk('alas', '{"fullpath": "C:\\\\a'))))]);
  const e3 = t.throws(() => readAep(badJson), { instanceOf: AepFormatError, message: /footage 'clip' \(item 6 at byte 24\): the file reference \(alas\) at byte \d+ is not valid JSON/ });
  t.true(typeof e3.offset === 'number' && e3.offset > 12);

  const noPath = rifx([list('Fold', footageItem(7, 'clip', list('Als2', chunk('alas', '{"platform":1}'))))]);
  t.throws(() => readAep(noPath), { instanceOf: AepFormatError, message: /has no fullpath/ });

  t.throws(() => readAep(rifx([chunk('head', new Uint8Array(20))])), { instanceOf: AepFormatError, message: /no project items list \(LIST Fold\) among the 1 chunks from byte 12 to byte 40/ });
});

test('a damaged render queue is dropped, the rest of the project still reads', (t) => {
  const bytes = buildSyntheticProject();
  const at = Buffer.from(bytes).indexOf('lhd3');
  new DataView(bytes.buffer, bytes.byteOffset).setUint32(at + 4, 0x7fffffff);
  const p = readAep(bytes);
  t.deepEqual(p.renderQueue, []);
  t.is(p.compositions.length, 2);
  t.is(p.footage.length, 4);
});

test('the shared package exports the reader and its error', (t) => {
  t.is(shared.readAep, readAep);
  t.is(shared.AepFormatError, AepFormatError);
  t.is(shared.readAep(buildSyntheticProject()).compositions.length, 2);
});

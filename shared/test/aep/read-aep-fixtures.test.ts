// Real projects saved by After Effects (see ../shared/fixtures/aep/README.md). Every expected value
// below was read off the file's bytes by hand (hexdump) and cross-checked against what the file's
// name or README says it holds.
import { readAep, type AepProject } from '../../src/aep/read-aep.js';
import { fixtureNames, fixtureTest, fixtureTitle, loadFixture } from './fixtures.js';

const read = (file: string): AepProject => readAep(loadFixture(file));

fixtureTest(fixtureTitle('bits per channel: boltframe-BPC-8/16/32 give 8, 16, 32'), (t) => {
  t.is(read('boltframe-BPC-8.aep').bitsPerChannel, 8);
  t.is(read('boltframe-BPC-16.aep').bitsPerChannel, 16);
  t.is(read('boltframe-BPC-32.aep').bitsPerChannel, 32);
});

fixtureTest(fixtureTitle('expression engine: ExEn-js is javascript-1.0, ExEn-es and the AE 2018 project are extendscript'), (t) => {
  t.is(read('boltframe-ExEn-js.aep').expressionEngine, 'javascript-1.0');
  t.is(read('boltframe-ExEn-es.aep').expressionEngine, 'extendscript');
  // Saved by AE CC 2018 (15.x), before the JavaScript engine existed: no ExEn chunk at all.
  t.is(read('bodymovin-sound-template-2018.aep').expressionEngine, 'extendscript');
});

fixtureTest(fixtureTitle('Item-01: folders, two comps of odd sizes and frame rates, solids and a placeholder'), (t) => {
  const p = read('boltframe-Item-01.aep');
  t.deepEqual(p.folders, [
    { id: 46, name: 'Folder 01', parentId: null },
    { id: 47, name: 'Folder 02', parentId: null },
    { id: 70, name: 'Footage', parentId: null },
    { id: 77, name: 'Solids', parentId: null },
  ]);
  const [c1, c2] = p.compositions;
  t.is(p.compositions.length, 2);
  t.like(c1, { id: 48, name: 'Comp 01', parentId: 46, width: 351, height: 856, frameRate: 21, duration: 31, frameCount: 651, pixelAspect: 1, hasAudioLayers: false });
  // 29.97 fps stored as 23976/800; duration 1710400/23976 s = 2138 frames.
  t.like(c2, { id: 59, name: 'Comp 02', parentId: 47, width: 452, height: 639, frameRate: 29.97, frameCount: 2138 });
  t.is(c2!.duration, 1710400 / 23976);
  t.is(c2!.pixelAspect, 10 / 11);
  t.deepEqual(c1!.layers.map((l) => [l.id, l.name, l.sourceId]), [[79, '', 78], [76, 'Shape Layer 1', null]]);
  t.deepEqual(c2!.layers, []);

  const byName = new Map(p.footage.map((f) => [f.name, f]));
  t.deepEqual([...byName.keys()], ['Blue Solid', 'Green Solid', 'Missing Footage', 'Red Solid', 'Null 1']);
  t.like(byName.get('Missing Footage'), { id: 71, kind: 'placeholder', parentId: 70, path: null, width: 1234, height: 5678, solidColor: null });
  t.like(byName.get('Blue Solid'), { id: 74, kind: 'solid', parentId: 70, width: 1920, height: 1080, solidColor: [0, 0, 1] });
  t.like(byName.get('Green Solid'), { id: 73, kind: 'solid', solidColor: [0, 1, 0] });
  // Stored as "Red Solid\0" + "1": the name ends at the NUL.
  t.like(byName.get('Red Solid'), { id: 72, kind: 'solid', solidColor: [1, 0, 0] });
  t.like(byName.get('Null 1'), { id: 78, kind: 'solid', parentId: 77, width: 100, height: 100, solidColor: [1, 1, 1] });
  t.true(p.footage.every((f) => f.audioSampleRate === null && f.path === null));
  t.deepEqual(p.effects, []);
});

fixtureTest(fixtureTitle('bodymovin-sound-template: an MP3 by absolute Windows path, a comp that plays it, render outputs to a folder'), (t) => {
  const p = read('bodymovin-sound-template.aep');
  t.deepEqual(p.folders, [{ id: 8966, name: '__bodymovin_templates', parentId: null }]);
  t.is(p.compositions.length, 1);
  const comp = p.compositions[0]!;
  t.like(comp, { id: 9078, name: '__bodymovin_Audio', parentId: 8966, width: 960, height: 540, frameRate: 60, frameCount: 94, pixelAspect: 1, hasAudioLayers: true });
  t.is(comp.duration, 48128 / 30720);
  t.deepEqual(comp.layers.map((l) => l.sourceId), [9104]);
  t.deepEqual(p.footage, [{
    id: 9104, name: 'Audio1.mp3', parentId: null, kind: 'file',
    path: 'C:\\Users\\tropi\\Projects\\bodymovin-extension\\bundle\\assets\\templates\\Audio1.mp3',
    pathIsFolder: false, isSequence: null, width: 0, height: 0, audioSampleRate: 44100, solidColor: null,
  }]);
  // The "footage folder" of this template is the render queue's output folder, not a footage item.
  const folder = 'C:\\Users\\tropi\\Projects\\Mixstories\\Arte\\IntroWithSound\\CoverAnim_WSound\\New_Footage';
  t.deepEqual(p.renderQueue, [
    { compId: 9078, outputs: [{ path: folder, isFolder: true, template: '__bodymovin_sound_template_16', fileName: '__bodymovin_Audio_16.[fileExtension]' }] },
    { compId: 9078, outputs: [{ path: folder, isFolder: true, template: '__bodymovin_sound_template_128', fileName: '__bodymovin_Audio_128.[fileExtension]' }] },
  ]);
  t.is(p.bitsPerChannel, 8);
});

fixtureTest(fixtureTitle('bodymovin-sound-template-2018: one empty comp, no footage, 18 outputs into the templates folder'), (t) => {
  const p = read('bodymovin-sound-template-2018.aep');
  t.deepEqual(p.folders, []);
  t.deepEqual(p.footage, []);
  t.is(p.compositions.length, 1);
  t.like(p.compositions[0], { id: 2, name: 'Audio1', parentId: null, width: 2880, height: 1620, frameRate: 30, frameCount: 47, hasAudioLayers: false });
  t.is(p.compositions[0]!.duration, 48128 / 30720);
  t.deepEqual(p.compositions[0]!.layers, []);
  t.is(p.renderQueue.length, 1);
  const rq = p.renderQueue[0]!;
  t.is(rq.compId, 2);
  t.is(rq.outputs.length, 18);
  t.true(rq.outputs.every((o) => o.path === 'C:\\Users\\tropi\\Projects\\bodymovin-extension\\bundle\\assets\\templates' && o.isFolder));
  t.deepEqual(rq.outputs.slice(0, 2).map((o) => o.fileName), ['__bodymovin_sound_template_16.[fileExtension]', '__bodymovin_sound_template_18.[fileExtension]']);
});

fixtureTest(fixtureTitle('Layer-01: 17 layers on one solid; the Fill effect is found on the layer that has it'), (t) => {
  const p = read('boltframe-Layer-01.aep');
  const comp = p.compositions[0]!;
  t.like(comp, { id: 1, name: 'Comp 01', width: 1920, height: 1080, frameRate: 60, duration: 60, frameCount: 3600 });
  t.is(comp.layers.length, 17);
  t.deepEqual(comp.layers.filter((l) => l.effects.length > 0).map((l) => [l.name, l.effects]), [['Effects Enabled', ['ADBE Fill']]]);
  t.true(comp.layers.filter((l) => l.sourceId !== null).every((l) => l.sourceId === 16));
  t.deepEqual(p.footage.map((f) => [f.id, f.name, f.kind]), [[16, 'Null 1', 'solid']]);
  t.deepEqual(p.effects, ['ADBE Fill']);
});

fixtureTest(fixtureTitle('Property-01: the seven expression-control effects, in stacking order on the layer'), (t) => {
  const p = read('boltframe-Property-01.aep');
  const layer = p.compositions[0]!.layers.find((l) => l.name === 'Expression Controls')!;
  t.deepEqual(layer.effects, [
    'ADBE Checkbox Control', 'ADBE Slider Control', 'ADBE Point Control', 'ADBE Point3D Control',
    'ADBE Color Control', 'ADBE Angle Control', 'ADBE Layer Control',
  ]);
  t.deepEqual(p.effects, [...layer.effects].sort());
});

fixtureTest(fixtureTitle('Property-01: the text layer\'s one style run uses BritannicBold (font 0 of BritannicBold, Myriad-Roman, AdobeInvisFont)'), (t) => {
  const p = read('boltframe-Property-01.aep');
  // The run's style sheet names font 0; its parent sheet's Myriad-Roman is overridden, so not used.
  t.deepEqual(p.fonts, ['BritannicBold']);
  t.deepEqual(p.compositions.map((c) => c.fonts), [['BritannicBold']]);
  // No other fixture has a text layer.
  for (const file of fixtureNames().filter((f) => f !== 'boltframe-Property-01.aep')) t.deepEqual(read(file).fonts, [], file);
});

fixtureTest(fixtureTitle('every fixture reads, ignoring the XMP packet AE appends after the RIFX container'), (t) => {
  const names = fixtureNames();
  t.is(names.length, 10);
  for (const file of names) {
    const bytes = loadFixture(file);
    const rifxEnd = 8 + new DataView(bytes.buffer, bytes.byteOffset).getUint32(4);
    t.true(rifxEnd < bytes.length, `${file} has bytes after its RIFX container`);
    const whole = readAep(bytes);
    t.deepEqual(readAep(bytes.subarray(0, rifxEnd)), whole, file);
    // The same bytes at an odd offset inside a larger buffer read the same.
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    t.deepEqual(readAep(shifted.subarray(3)), whole, `${file} at an offset`);
  }
});

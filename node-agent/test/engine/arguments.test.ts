import test from 'ava';
import {
  aerenderArguments,
  audioOutputPath,
  DEEP_OUTPUT_MODULE_TEMPLATE,
  DEFAULT_OUTPUT_MODULE_TEMPLATE,
  DEFAULT_RENDER_SETTINGS_TEMPLATE,
  frameSequencePath,
} from '../../src/engine/aerender/arguments.js';
import { outputPlan } from '../../src/engine/aerender-render-engine.js';

const base = { projectPath: '/w/p.aep', comp: 'Main', frameStart: 10, frameEnd: 19, outputPath: '/w/out/frame_[#####].png' };

test('AE 2024 gets the full command line with multi-frame rendering', (t) => {
  t.deepEqual(aerenderArguments({ ...base, aeMajor: 24 }), [
    '-project', '/w/p.aep', '-comp', 'Main', '-s', '10', '-e', '19', '-output', '/w/out/frame_[#####].png',
    '-RStemplate', DEFAULT_RENDER_SETTINGS_TEMPLATE, '-OMtemplate', DEFAULT_OUTPUT_MODULE_TEMPLATE,
    '-v', 'ERRORS_AND_PROGRESS', '-sound', 'OFF', '-mfr', 'ON', '100',
  ]);
});

test('-mfr only from AE 22 on, and never -continueOnMissingFootage', (t) => {
  const old = aerenderArguments({ ...base, aeMajor: 18 });
  t.false(old.includes('-mfr'));
  t.true(aerenderArguments({ ...base, aeMajor: 22 }).includes('-mfr'));
  t.false([...old, ...aerenderArguments({ ...base, aeMajor: 25 })].includes('-continueOnMissingFootage'));
});

test('templates and sound are passed through when given', (t) => {
  const args = aerenderArguments({ ...base, aeMajor: 24, renderSettingsTemplate: 'Draft', outputModuleTemplate: 'PNG Seq', sound: true });
  t.is(args[args.indexOf('-RStemplate') + 1], 'Draft');
  t.is(args[args.indexOf('-OMtemplate') + 1], 'PNG Seq');
  t.is(args[args.indexOf('-sound') + 1], 'ON');
  t.is(DEFAULT_RENDER_SETTINGS_TEMPLATE, 'Best Settings');
});

test('an inverted or fractional frame range is refused', (t) => {
  t.throws(() => aerenderArguments({ ...base, aeMajor: 24, frameStart: 5, frameEnd: 4 }), { instanceOf: RangeError });
  t.throws(() => aerenderArguments({ ...base, aeMajor: 24, frameEnd: 4.5 }), { instanceOf: RangeError });
});

test('frameSequencePath uses AE frame-number token', (t) => {
  t.is(frameSequencePath('/w/out', 'png'), '/w/out/frame_[#####].png');
  t.is(frameSequencePath('/w/out'), '/w/out/frame_[#####].tif');
});

test('an audio render writes one AIFF file, no frame token', (t) => {
  t.is(audioOutputPath('/w/out'), '/w/out/audio.aif');
});

test('outputPlan: the template and path for each output', (t) => {
  t.deepEqual(outputPlan({ kind: 'frames', depth: 8 }, '/w/out'), { outputModuleTemplate: 'TIFF Sequence with Alpha', outputPath: '/w/out/frame_[#####].tif', outputKind: 'frames' });
  t.deepEqual(outputPlan({ kind: 'frames', depth: 16 }, '/w/out'), { outputModuleTemplate: DEEP_OUTPUT_MODULE_TEMPLATE, outputPath: '/w/out/frame_[#####].tif', outputKind: 'frames' });
  t.deepEqual(outputPlan({ kind: 'audio' }, '/w/out'), { outputModuleTemplate: 'AIFF 48kHz', outputPath: '/w/out/audio.aif', outputKind: 'audio' });
  t.is(DEEP_OUTPUT_MODULE_TEMPLATE, 'CloudExport TIFF 16-bit');
});

import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import test, { type ExecutionContext } from 'ava';
import { FrameCounter } from '../../src/engine/aerender/frame-counter.js';
import { AerenderOutputParser, type AerenderEvent } from '../../src/engine/aerender/output-parser.js';

const FIXTURES = fileURLToPath(new URL('../../../../shared/fixtures/aerender/', import.meta.url));

// Verbatim copies of the fixtures, so the same paths are covered where shared/ is absent.
const INLINE: Record<string, string> = {
  'ae13.5-header-missing-font.log': [
    'aerender version 13.5x347',
    'Using DXGI: Device: "NVIDIA GeForce GTX 1060 6GB" has dedicated video RAM (MB): 6052',
    'WARNING:After Effects warning: Grouped_Message_{some layers have missing dependencies. Press Ctrl-C to copy this list.|||a layer has missing dependencies.###@0 dependencies are missing:}Text Layer: Font family: Roboto, Font style: Black',
    'PROGRESS: Adding specified comp to Render Queue',
    'PROGRESS:  4/30/2019 1:59:13 AM: Starting composition main.',
    '',
    '',
    'PROGRESS:  Render Settings: Best Settings',
    'PROGRESS:  Quality: Best',
    '[…]',
    'PROGRESS:  Start: 0:00:00:00',
    'PROGRESS:  End: 0:00:04:24',
    'PROGRESS:  Duration: 0:00:05:00',
    'PROGRESS:  Frame Rate: 25.00 (comp)',
    '',
  ].join('\n'),
  'ae16.1-multihour-dropframe.log': [
    'PROGRESS:  1;34;40;09 (21280): 0 Seconds',
    'PROGRESS:  1;34;40;09 (21280): 1 Seconds',
    'PROGRESS:  4/7/19 3:01:44 AM EDT: Finished composition 00003 (30p).',
    '',
    '',
    '',
    'PROGRESS:  Total Time Elapsed: 26 Hr, 15 Min',
    'aerender version 16.1x204',
    'PROGRESS: Launching After Effects...',
    'PROGRESS: ...After Effects successfully launched',
    '',
  ].join('\n'),
  'ae22.0-renderlog-locale.txt': [
    'Adobe After Effects v22.0 Windows 64 render log for project “vfx-3.aep”',
    '',
    'Rendering started on 19.05.2022 at 15:23:11',
    '',
    '  19.05.2022 15:23:11: Starting composition “render”.',
    '[…]',
    '  Frame Rate: 25,00 (comp)',
    '[…]',
    '  Output Module: High Quality',
    '  Format: QuickTime',
    '  Output Info: Apple ProRes 422',
    '[…]',
    '  0:00:00:00 (1): 1 Seconds',
    '  0:00:00:01 (2): 0 Seconds',
    '',
  ].join('\n'),
};

type Check = (t: ExecutionContext, events: AerenderEvent[]) => void;
const nonLog = (events: AerenderEvent[]) => events.filter((e) => e.type !== 'log');

const CHECKS: Record<string, Check> = {
  'ae13.5-header-missing-font.log': (t, events) => {
    t.deepEqual(nonLog(events), [
      { type: 'version', version: '13.5', major: 13 },
      { type: 'warning', message: 'Missing font: Roboto Black (layer "Text Layer"). Install it on the render node; until then After Effects substitutes another font.' },
    ]);
    // "Start: 0:00:00:00" and "Frame Rate: 25.00 (comp)" are settings, not frames.
    t.true(events.some((e) => e.type === 'log' && e.line === 'PROGRESS:  Frame Rate: 25.00 (comp)'));
    t.is(events.length, 12); // 14 lines, 2 blank
  },
  'ae16.1-multihour-dropframe.log': (t, events) => {
    t.deepEqual(nonLog(events), [
      { type: 'frame', frame: 21280, timecode: '1;34;40;09' },
      { type: 'frame', frame: 21280, timecode: '1;34;40;09' },
      { type: 'finished' },
      { type: 'version', version: '16.1', major: 16 },
    ]);
    const counter = new FrameCounter();
    for (const e of events) if (e.type === 'frame') counter.add(e.frame);
    t.is(counter.count, 1);
  },
  'ae22.0-renderlog-locale.txt': (t, events) => {
    t.deepEqual(nonLog(events), [
      { type: 'frame', frame: 1, timecode: '0:00:00:00' },
      { type: 'frame', frame: 2, timecode: '0:00:00:01' },
    ]);
    t.true(events.some((e) => e.type === 'log' && e.line === '  19.05.2022 15:23:11: Starting composition “render”.'));
  },
};

function parse(chunks: string[]): AerenderEvent[] {
  const events: AerenderEvent[] = [];
  const parser = new AerenderOutputParser((event) => events.push(event));
  for (const chunk of chunks) parser.push(chunk);
  parser.end();
  return events;
}

/** The same text delivered whole, one character at a time, as a pty's `\r\n`, and with lone `\r`. */
function deliveries(text: string): Record<string, string[]> {
  return {
    whole: [text],
    'char by char': [...text],
    crlf: [text.replaceAll('\n', '\r\n')],
    'crlf in 3-char chunks': (text.replaceAll('\n', '\r\n').match(/[\s\S]{1,3}/g) ?? []),
    cr: [text.replaceAll('\n', '\r')],
  };
}

for (const [name, inline] of Object.entries(INLINE)) {
  const check = CHECKS[name];
  if (!check) throw new Error(`no check for ${name}`);

  test(`fixture ${name}, verbatim from shared/fixtures`, (t) => {
    const path = FIXTURES + name;
    if (!existsSync(path)) {
      t.log(`SKIPPED: ${path} is absent; the inline copy below covers the same lines.`);
      t.pass();
      return;
    }
    const text = readFileSync(path, 'utf8');
    t.is(text, inline, 'the inline copy must stay verbatim');
    for (const chunks of Object.values(deliveries(text))) {
      check(t, parse(chunks));
    }
  });

  test(`inline copy of ${name}`, (t) => {
    for (const chunks of Object.values(deliveries(inline))) check(t, parse(chunks));
  });
}

test('error lines: aerender ERROR/Error, After Effects error:, with PROGRESS:/ERROR: prefixes', (t) => {
  const events = parse([
    [
      'aerender ERROR: No comp was found with the given name.',
      'PROGRESS: aerender Error: Unable to render',
      'ERROR:After Effects error: Missing footage “C:\\proj\\intro.mov”',
      'After Effects error: out of memory',
      'ERROR: render queue item failed',
    ].join('\r\n'),
  ]);
  t.deepEqual(events, [
    { type: 'error', message: 'aerender ERROR: No comp was found with the given name.' },
    { type: 'error', message: 'aerender Error: Unable to render' },
    { type: 'error', message: 'After Effects error: Missing footage “C:\\proj\\intro.mov”' },
    { type: 'error', message: 'After Effects error: out of memory' },
    { type: 'error', message: 'render queue item failed' },
  ]);
});

test('warnings: WARNING: prefix, After Effects warning:, grouped missing footage', (t) => {
  const events = parse([
    'WARNING: Render settings will be ignored\n' +
      'PROGRESS: After Effects warning: 1 file(s) missing since project was last saved\n' +
      'WARNING:After Effects warning: Grouped_Message_{some layers have missing dependencies.|||a layer has missing dependencies.###@0 dependencies are missing:}Footage Layer: File: C:\\footage\\intro.mov\n',
  ]);
  t.deepEqual(events, [
    { type: 'warning', message: 'Render settings will be ignored' },
    { type: 'warning', message: '1 file(s) missing since project was last saved' },
    { type: 'warning', message: 'a layer has missing dependencies: Footage Layer: File: C:\\footage\\intro.mov' },
  ]);
});

test('localized, prefix-less, escape-laden and mojibake frame lines', (t) => {
  const events = parse([
    '0:00:00:01 (2): 0 Sekunden\n',
    '  0:00:00:02 (3): 0 Sekunden\n',
    'PROGRESS:  0:00:00:03 (4): 0 Seconds\n',
    '\x1b[?25l\x1b]0;aerender\x07PROGRESS:  0:00:00:04 (5): 0 Seconds\x1b[K\r\n',
    '\ufeffPROGRESS:\u00a0 0;00;00;05 (6): 0 Sekunden\n',
    'PROGRESS:  0:00:00:06 (7): 0 Sek\ufffd\ufffdnden\n',
    'PROGRESS:  Start: 0:00:00:00\n',
    'Komposition \u00e2\u20ac\u0153render\u00e2\u20ac\ufffd wurde abgeschlossen\n',
  ]);
  t.deepEqual(
    events.filter((e) => e.type === 'frame').map((e) => (e.type === 'frame' ? e.frame : 0)),
    [2, 3, 4, 5, 6, 7],
  );
  t.is(events.filter((e) => e.type === 'log').length, 2);
});

test('a chunk split between \\r and \\n yields one line, not an extra blank one', (t) => {
  const lines: string[] = [];
  const parser = new AerenderOutputParser((_e, line) => lines.push(line));
  parser.push('PROGRESS:  0:00:00:00 (1): 0 Seconds\r');
  t.deepEqual(lines, [], 'a trailing \\r waits for the next chunk');
  parser.push('\nPROGRESS:  0:00:00:01 (2)');
  parser.push(': 0 Seconds');
  parser.end();
  t.deepEqual(lines, ['PROGRESS:  0:00:00:00 (1): 0 Seconds', 'PROGRESS:  0:00:00:01 (2): 0 Seconds']);
});

test('FrameCounter counts distinct frames and remembers the latest', (t) => {
  const counter = new FrameCounter();
  for (const n of [2, 1, 2, 1, 4, 3, 3]) counter.add(n);
  t.is(counter.count, 4);
  t.is(counter.last, 3);
  t.false(counter.add(4));
  t.true(counter.add(5));
});

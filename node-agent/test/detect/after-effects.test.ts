import test from 'ava';
import { detectAeInstalls, standardAerenderPaths } from '../../src/detect/after-effects.js';
import { errno, exited, fakeDeps, ok } from './fake-probe-deps.js';
import { aerenderHelp } from './fixtures/aerender-output.js';

const win = (folder: string) => `C:\\Program Files\\Adobe\\${folder}\\Support Files\\aerender.exe`;
const mac = (folder: string) => `/Applications/${folder}/aerender`;
const answers = (banner: string) => () => ok(aerenderHelp(banner));

test('Windows: finds every installed year and reads each version, newest first', async (t) => {
  const deps = fakeDeps({
    platform: 'win32',
    files: [win('Adobe After Effects 2022'), win('Adobe After Effects 2024'), win('Adobe After Effects (Beta)')],
    programs: {
      [win('Adobe After Effects 2022')]: answers('22.6x62'),
      [win('Adobe After Effects 2024')]: answers('24.1x15'),
      [win('Adobe After Effects (Beta)')]: answers('25.0x21'),
    },
  });
  const { installs, problems } = await detectAeInstalls(deps);
  t.deepEqual(installs, [
    { version: '25.0', major: 25, path: win('Adobe After Effects (Beta)'), versionInferred: false },
    { version: '24.1', major: 24, path: win('Adobe After Effects 2024'), versionInferred: false },
    { version: '22.6', major: 22, path: win('Adobe After Effects 2022'), versionInferred: false },
  ]);
  t.deepEqual(problems, []);
  t.true(deps.calls.every((c) => c.args.length === 1 && c.args[0] === '-help'));
});

test('Windows: honours a Program Files elsewhere', async (t) => {
  const path = 'D:\\Apps\\Adobe\\Adobe After Effects 2023\\Support Files\\aerender.exe';
  const deps = fakeDeps({ platform: 'win32', env: { ProgramFiles: 'D:\\Apps' }, files: [path], programs: { [path]: answers('23.6x73') } });
  t.deepEqual((await detectAeInstalls(deps)).installs, [{ version: '23.6', major: 23, path, versionInferred: false }]);
});

test('macOS: finds /Applications installs', async (t) => {
  const deps = fakeDeps({
    platform: 'darwin',
    files: [mac('Adobe After Effects 2020'), mac('Adobe After Effects 2025')],
    programs: { [mac('Adobe After Effects 2020')]: answers('17.7x3'), [mac('Adobe After Effects 2025')]: answers('25.2x13') },
  });
  const { installs } = await detectAeInstalls(deps);
  t.deepEqual(
    installs.map((i) => [i.version, i.major, i.path]),
    [
      ['25.2', 25, mac('Adobe After Effects 2025')],
      ['17.7', 17, mac('Adobe After Effects 2020')],
    ],
  );
});

test('looks from 2020 up to next year, not beyond', (t) => {
  const paths = standardAerenderPaths('darwin', {}, new Date('2025-03-01'));
  t.true(paths.includes(mac('Adobe After Effects 2026')));
  t.true(paths.includes(mac('Adobe After Effects 2020')));
  t.false(paths.includes(mac('Adobe After Effects 2027')));
  t.false(paths.includes(mac('Adobe After Effects 2019')));
  t.true(paths.includes(mac('Adobe After Effects (Beta)')));
  t.deepEqual(standardAerenderPaths('linux', {}, new Date('2025-03-01')), []);
});

test('the explicit override wins even when standard installs exist', async (t) => {
  const custom = 'E:\\AE\\aerender.exe';
  const deps = fakeDeps({
    platform: 'win32',
    env: { AERENDER_PATH: win('Adobe After Effects 2024') },
    files: [win('Adobe After Effects 2024'), win('Adobe After Effects 2025'), custom],
    programs: { [custom]: answers('23.6x73'), [win('Adobe After Effects 2024')]: answers('24.1x15'), [win('Adobe After Effects 2025')]: answers('25.0x1') },
  });
  const { installs } = await detectAeInstalls(deps, { override: custom });
  t.deepEqual(installs, [{ version: '23.6', major: 23, path: custom, versionInferred: false }]);
  t.deepEqual(
    deps.calls.map((c) => c.cmd),
    [custom],
  );
});

test('AERENDER_PATH replaces detection when no override is given', async (t) => {
  const deps = fakeDeps({
    platform: 'darwin',
    env: { AERENDER_PATH: mac('Adobe After Effects 2023') },
    files: [mac('Adobe After Effects 2023'), mac('Adobe After Effects 2025')],
    programs: { [mac('Adobe After Effects 2023')]: answers('23.6x73'), [mac('Adobe After Effects 2025')]: answers('25.2x13') },
  });
  t.deepEqual(
    (await detectAeInstalls(deps)).installs.map((i) => i.major),
    [23],
  );
});

test('an override naming the AE folder finds aerender inside it', async (t) => {
  const folder = 'C:\\Program Files\\Adobe\\Adobe After Effects 2024';
  const deps = fakeDeps({ platform: 'win32', files: [win('Adobe After Effects 2024')], programs: { [win('Adobe After Effects 2024')]: answers('24.1x15') } });
  t.is((await detectAeInstalls(deps, { override: folder })).installs[0]?.path, win('Adobe After Effects 2024'));
});

test('an override that does not exist: no installs, a problem naming where it came from', async (t) => {
  const deps = fakeDeps({ platform: 'darwin', env: { AERENDER_PATH: '/nope/aerender' }, files: [mac('Adobe After Effects 2024')] });
  const { installs, problems } = await detectAeInstalls(deps);
  t.deepEqual(installs, []);
  t.is(problems.length, 1);
  t.regex(problems[0]?.message ?? '', /aerender not found at \/nope\/aerender \(from AERENDER_PATH\)/);
});

test('a broken aerender falls back to the folder year, and says so', async (t) => {
  const y2021 = mac('Adobe After Effects 2021');
  const y2023 = mac('Adobe After Effects 2023');
  const y2024 = mac('Adobe After Effects 2024');
  const deps = fakeDeps({
    platform: 'darwin',
    files: [y2021, y2023, y2024],
    programs: {
      [y2021]: () => exited(1, '', 'dyld: Library not loaded: @rpath/AfterFXLib.framework'),
      [y2023]: () => {
        throw errno('EACCES');
      },
      [y2024]: () => ({ code: null, stdout: '', stderr: '', timedOut: true }),
    },
  });
  const { installs, problems } = await detectAeInstalls(deps);
  t.deepEqual(installs, [
    { version: '24', major: 24, path: y2024, versionInferred: true },
    { version: '23', major: 23, path: y2023, versionInferred: true },
    { version: '18', major: 18, path: y2021, versionInferred: true },
  ]);
  t.is(problems.length, 3);
  t.regex(problems.find((p) => p.path === y2021)?.message ?? '', /exited with code 1.*Assuming After Effects 2021 \(version 18\)/);
  t.regex(problems.find((p) => p.path === y2023)?.message ?? '', /could not be started \(EACCES\)/);
  t.regex(problems.find((p) => p.path === y2024)?.message ?? '', /did not answer within 3 s/);
});

test('a broken beta (no year in its folder) is kept with an unknown version and major 0', async (t) => {
  const beta = win('Adobe After Effects (Beta)');
  const deps = fakeDeps({ platform: 'win32', files: [beta], programs: { [beta]: () => exited(3221225781) } });
  const { installs, problems } = await detectAeInstalls(deps);
  t.deepEqual(installs, [{ version: 'unknown', major: 0, path: beta, versionInferred: true }]);
  t.regex(problems[0]?.message ?? '', /folder name has no year/);
});

test('Linux has no standard installs', async (t) => {
  t.deepEqual(await detectAeInstalls(fakeDeps({ platform: 'linux' })), { installs: [], problems: [] });
});

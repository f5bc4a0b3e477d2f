import test from 'ava';
import { aeYearFromPath, majorForAeYear, parseAerenderVersion } from '../../src/detect/ae-version.js';
import { aerenderHelp } from './fixtures/aerender-output.js';

test('reads the version line of aerender', (t) => {
  t.deepEqual(parseAerenderVersion(aerenderHelp('24.1x15')), { version: '24.1', major: 24 });
  t.deepEqual(parseAerenderVersion('aerender version 18.4x8\n'), { version: '18.4', major: 18 });
  t.deepEqual(parseAerenderVersion('PROGRESS: ...\r\nAERENDER VERSION 23.6.0x73'), { version: '23.6.0', major: 23 });
  t.is(parseAerenderVersion('Usage: aerender [-help]'), null);
});

test('AE year → major, with the jump from 18 to 22', (t) => {
  t.deepEqual(
    [2020, 2021, 2022, 2023, 2024, 2025, 2026].map(majorForAeYear),
    [17, 18, 22, 23, 24, 25, 26],
  );
});

test('reads the year from an install folder', (t) => {
  t.is(aeYearFromPath('C:\\Program Files\\Adobe\\Adobe After Effects 2024\\Support Files\\aerender.exe'), 2024);
  t.is(aeYearFromPath('/Applications/Adobe After Effects 2022/aerender'), 2022);
  t.is(aeYearFromPath('/Applications/Adobe After Effects (Beta)/aerender'), null);
});

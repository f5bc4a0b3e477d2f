import test from 'ava';
import { freeDiskMb } from '../../src/detect/free-disk.js';
import { errno, fakeDeps } from './fake-probe-deps.js';

const GB = 1024 ** 3;

test('statfs of the nearest existing folder when the work dir does not exist yet', async (t) => {
  const asked: string[] = [];
  const deps = fakeDeps({
    statfs: async (p) => {
      asked.push(p);
      if (p !== '/var/lib') throw errno('ENOENT');
      return { bavail: 25_000_000, bsize: 4096 };
    },
  });
  t.is(await freeDiskMb(deps, '/var/lib/cloudexport/work'), Math.floor((25_000_000 * 4096) / 1024 ** 2));
  t.deepEqual(asked, ['/var/lib/cloudexport/work', '/var/lib/cloudexport', '/var/lib']);
});

test('falls back to the longest matching mount from systeminformation', async (t) => {
  const deps = fakeDeps({
    si: {
      fsSize: async () => [
        { mount: '/', available: 10 * GB },
        { mount: '/mnt/fast', available: 500 * GB },
        { mount: '/mnt/fastest', available: 1 * GB },
      ],
    },
    statfs: () => Promise.reject(new Error('statfs not supported')),
  });
  t.is(await freeDiskMb(deps, '/mnt/fast/work'), 500 * 1024);
  t.is(await freeDiskMb(deps, '/home/me'), 10 * 1024);
});

test('Windows drive letters match case-insensitively', async (t) => {
  const deps = fakeDeps({
    platform: 'win32',
    si: { fsSize: async () => [{ mount: 'C:', available: 30 * GB }, { mount: 'D:', available: 900 * GB }] },
    statfs: () => Promise.reject(new Error('no')),
  });
  t.is(await freeDiskMb(deps, 'd:\\Render\\work'), 900 * 1024);
});

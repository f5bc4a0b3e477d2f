import test from 'ava';
import { NVIDIA_SMI_ARGS, parseNvidiaSmiCsv, queryNvidiaSmi } from '../../src/detect/nvidia-smi.js';
import { errno, exited, fakeDeps, ok } from './fake-probe-deps.js';
import { DRIVER_NOT_LOADED, NOT_AVAILABLE, ONE_GPU, TWO_GPUS } from './fixtures/nvidia-smi-output.js';

test('parses one GPU with CRLF', (t) => {
  t.deepEqual(parseNvidiaSmiCsv(ONE_GPU), [{ name: 'NVIDIA GeForce RTX 4090', vramMb: 24564, driver: '546.33', utilizationPct: 3 }]);
});

test('parses two GPUs with uneven padding', (t) => {
  const gpus = parseNvidiaSmiCsv(TWO_GPUS);
  t.is(gpus.length, 2);
  t.deepEqual(gpus[1], { name: 'NVIDIA GeForce RTX 3090', vramMb: 24576, driver: '535.129.03', utilizationPct: 100 });
});

test('[N/A] and [Not Supported] become null, the rest of the line still counts', (t) => {
  t.deepEqual(parseNvidiaSmiCsv(NOT_AVAILABLE), [
    { name: 'NVIDIA A100-SXM4-40GB', vramMb: 40960, driver: '535.104.05', utilizationPct: null },
    { name: 'Tesla K80', vramMb: null, driver: '470.82.01', utilizationPct: null },
    { name: 'NVIDIA GeForce GTX 1650', vramMb: 4096, driver: null, utilizationPct: null },
  ]);
});

test('runs nvidia-smi with the query arguments', async (t) => {
  const deps = fakeDeps({ programs: { 'nvidia-smi': () => ok(ONE_GPU) } });
  const gpus = await queryNvidiaSmi(deps);
  t.is(gpus?.[0]?.name, 'NVIDIA GeForce RTX 4090');
  t.deepEqual(deps.calls[0]?.args, [...NVIDIA_SMI_ARGS]);
});

test('no nvidia-smi on the machine → null, not an error', async (t) => {
  t.is(await queryNvidiaSmi(fakeDeps()), null);
});

test('nvidia-smi present but the driver is not loaded → null', async (t) => {
  const deps = fakeDeps({ programs: { 'nvidia-smi': () => exited(9, DRIVER_NOT_LOADED) } });
  t.is(await queryNvidiaSmi(deps), null);
});

test('nvidia-smi that cannot be executed → null', async (t) => {
  const deps = fakeDeps({
    programs: {
      'nvidia-smi': () => {
        throw errno('EACCES');
      },
    },
  });
  t.is(await queryNvidiaSmi(deps), null);
});

test('on Windows falls back to the old NVSMI folder when nvidia-smi is not on PATH', async (t) => {
  const legacy = 'C:\\Program Files\\NVIDIA Corporation\\NVSMI\\nvidia-smi.exe';
  const deps = fakeDeps({ platform: 'win32', programs: { [legacy]: () => ok(ONE_GPU) } });
  t.is((await queryNvidiaSmi(deps))?.length, 1);
  t.deepEqual(
    deps.calls.map((c) => c.cmd),
    ['nvidia-smi', legacy],
  );
});

import type { RenderNode } from '@cloudexport/shared';
import test from 'ava';
import { countNodes, nodeCount } from '../src/admin/fleet-counts.js';
import { applyLive, LiveBatch } from '../src/fleet/apply-live.js';
import { filterChoices, filterNodes, isFiltered, nextSort, NO_FILTER, NO_TIER, sortNodes, type NodeSort } from '../src/fleet/filter-nodes.js';
import { aeSummary, gpuShortSummary, gpuSummary, shortGpuModel, successRate } from '../src/fleet/node-facts.js';
import { nodeActions } from '../src/fleet/node-state.js';

let seq = 0;
function node(over: Partial<RenderNode> & { name: string }): RenderNode {
  seq += 1;
  return {
    id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    ownerId: 'owner-a',
    state: 'online',
    gpus: [{ model: 'NVIDIA GeForce RTX 4090', vendor: 'NVIDIA', vramMb: 24_576, driver: '550.1' }],
    tierId: 'high-end',
    aeInstalls: [{ version: '25.1', major: 25, path: '/ae25/aerender' }],
    agentVersion: '0.1.0',
    disabledReason: null,
    revoked: false,
    connected: true,
    currentChunkId: null,
    currentChunk: null,
    chunksDone: 0,
    chunksFailed: 0,
    earningsUsd: 0,
    lastHeartbeatAt: '2025-01-01T00:00:00.000Z',
    createdAt: '2025-01-01T00:00:00.000Z',
    ...over,
  };
}

const owners: Record<string, string> = { 'owner-a': 'Zoe', 'owner-b': 'Adam' };
const ctx = { ownerLabel: (id: string) => owners[id] ?? id, tierLabel: (id: string) => ({ 'high-end': 'High-end', mid: 'Mid-range' })[id] ?? id };

const alpha = node({ name: 'alpha', state: 'busy', chunksDone: 9, chunksFailed: 1, earningsUsd: 12.5, lastHeartbeatAt: '2025-01-01T00:00:10.000Z' });
const bravo = node({
  name: 'Bravo',
  ownerId: 'owner-b',
  tierId: 'mid',
  gpus: [{ model: 'NVIDIA GeForce RTX 3080', vendor: 'NVIDIA', vramMb: 10_240, driver: null }],
  aeInstalls: [{ version: '24.6', major: 24, path: '/ae24' }],
  chunksDone: 1,
  chunksFailed: 1,
  earningsUsd: 3,
});
const charlie = node({ name: 'charlie', state: 'disabled', tierId: null, gpus: [], aeInstalls: [], lastHeartbeatAt: null });
const delta = node({ name: 'delta', state: 'draining', aeInstalls: [{ version: '24.6', major: 24, path: '/a' }, { version: '25.1', major: 25, path: '/b' }] });
const all = [charlie, bravo, delta, alpha];
const names = (nodes: readonly RenderNode[]) => nodes.map((n) => n.name);

test('search matches part of the name or a GPU model, in any case', (t) => {
  t.deepEqual(names(filterNodes(all, { ...NO_FILTER, q: 'BRA' })), ['Bravo']);
  t.deepEqual(names(filterNodes(all, { ...NO_FILTER, q: 'rtx 40' })), ['delta', 'alpha']);
  t.deepEqual(names(filterNodes(all, { ...NO_FILTER, q: '  3080 ' })), ['Bravo']);
  t.deepEqual(filterNodes(all, { ...NO_FILTER, q: 'no-such-node' }), []);
  t.is(filterNodes(all, NO_FILTER).length, 4);
});

test('filters by state, tier (or none), AE major and owner, all at once', (t) => {
  t.deepEqual(names(filterNodes(all, { ...NO_FILTER, state: 'busy' })), ['alpha']);
  t.deepEqual(names(filterNodes(all, { ...NO_FILTER, tierId: 'mid' })), ['Bravo']);
  t.deepEqual(names(filterNodes(all, { ...NO_FILTER, tierId: NO_TIER })), ['charlie']);
  t.deepEqual(names(filterNodes(all, { ...NO_FILTER, aeMajor: 24 })), ['Bravo', 'delta']);
  t.deepEqual(names(filterNodes(all, { ...NO_FILTER, ownerId: 'owner-b' })), ['Bravo']);
  t.deepEqual(names(filterNodes(all, { ...NO_FILTER, aeMajor: 25, state: 'draining', tierId: 'high-end' })), ['delta']);
  t.deepEqual(filterNodes(all, { ...NO_FILTER, aeMajor: 25, ownerId: 'owner-b' }), []);
  t.false(isFiltered({ ...NO_FILTER, q: '   ' }));
  t.true(isFiltered({ ...NO_FILTER, aeMajor: 24 }));
});

test('sorts by any column both ways; missing values go last either way; ties by name', (t) => {
  const by = (sort: NodeSort) => names(sortNodes(all, sort, ctx));
  t.deepEqual(by({ key: 'name', dir: 'asc' }), ['alpha', 'Bravo', 'charlie', 'delta']);
  t.deepEqual(by({ key: 'name', dir: 'desc' }), ['delta', 'charlie', 'Bravo', 'alpha']);
  // owner names, not ids: Adam (owner-b) before Zoe
  t.deepEqual(by({ key: 'owner', dir: 'asc' }), ['Bravo', 'alpha', 'charlie', 'delta']);
  t.deepEqual(by({ key: 'state', dir: 'asc' }), ['alpha', 'Bravo', 'delta', 'charlie']);
  t.deepEqual(by({ key: 'earnings', dir: 'desc' }), ['alpha', 'Bravo', 'charlie', 'delta']);
  t.deepEqual(by({ key: 'success', dir: 'desc' }), ['alpha', 'Bravo', 'charlie', 'delta']);
  t.deepEqual(by({ key: 'success', dir: 'asc' }), ['Bravo', 'alpha', 'charlie', 'delta']);
  t.deepEqual(by({ key: 'vram', dir: 'asc' }), ['Bravo', 'alpha', 'delta', 'charlie']);
  t.deepEqual(by({ key: 'tier', dir: 'asc' }), ['alpha', 'delta', 'Bravo', 'charlie']);
  t.deepEqual(by({ key: 'heartbeat', dir: 'desc' }), ['alpha', 'Bravo', 'delta', 'charlie']);
  t.deepEqual(by({ key: 'ae', dir: 'desc' }), ['alpha', 'delta', 'Bravo', 'charlie']);
  t.deepEqual(names(all), ['charlie', 'Bravo', 'delta', 'alpha'], 'the input is not reordered');
});

test('a header click flips its column, a new column starts in its natural direction', (t) => {
  t.deepEqual(nextSort({ key: 'name', dir: 'asc' }, 'name'), { key: 'name', dir: 'desc' });
  t.deepEqual(nextSort({ key: 'name', dir: 'desc' }, 'owner'), { key: 'owner', dir: 'asc' });
  t.deepEqual(nextSort({ key: 'name', dir: 'asc' }, 'earnings'), { key: 'earnings', dir: 'desc' });
});

test('the filter menus offer what the live set holds', (t) => {
  const choices = filterChoices(all);
  t.deepEqual(choices.tierIds, ['high-end', 'mid']);
  t.true(choices.hasNoTier);
  t.deepEqual(choices.aeMajors, [25, 24]);
  t.deepEqual(choices.ownerIds.sort(), ['owner-a', 'owner-b']);
});

test('summaries of GPUs, AE versions and success rate', (t) => {
  t.is(gpuSummary(alpha), 'NVIDIA GeForce RTX 4090');
  t.is(gpuSummary({ gpus: [...alpha.gpus, ...alpha.gpus, ...bravo.gpus] }), '2× NVIDIA GeForce RTX 4090 + NVIDIA GeForce RTX 3080');
  t.is(gpuSummary(charlie), 'no GPU');
  t.is(aeSummary(delta), '25.1, 24.6');
  t.is(aeSummary(charlie), 'none');
  t.is(gpuShortSummary({ gpus: [...alpha.gpus, ...alpha.gpus] }), '2× RTX 4090');
  t.is(shortGpuModel('AMD Radeon(TM) RX 7900 XTX'), 'RX 7900 XTX');
  t.is(shortGpuModel('NVIDIA A100-SXM4-40GB'), 'A100-SXM4-40GB');
  t.is(shortGpuModel('Apple M2 Max'), 'Apple M2 Max');
  t.is(successRate(alpha), 0.9);
  t.is(successRate(charlie), null);
});

test('which actions a state offers: owners resume a pause, only admins lift a disable', (t) => {
  t.deepEqual(nodeActions('online', true), { drain: true, disable: true, enable: false });
  t.deepEqual(nodeActions('draining', false), { drain: false, disable: false, enable: true });
  t.deepEqual(nodeActions('disabled', false), { drain: false, disable: false, enable: false });
  t.deepEqual(nodeActions('disabled', true), { drain: false, disable: false, enable: true });
  t.deepEqual(nodeActions('disabled', true, true), { drain: false, disable: false, enable: false }, 'a revoked node is enrolled again, never enabled');
  t.deepEqual(nodeActions('online', true, true), { drain: false, disable: false, enable: false });
});

test('live batch: a node event replaces its row or adds a new node; progress moves the chunk holder; untouched rows keep their object', (t) => {
  const chunk = { id: 'c1', jobId: 'j1', jobName: 'Job', kind: 'frames', frameStart: 0, frameEnd: 9, framesDone: 2 };
  const busy = { ...alpha, currentChunkId: 'c1', currentChunk: chunk };
  const list = [busy, bravo];
  const batch = new LiveBatch();
  t.is(applyLive(list, batch), list, 'an empty batch changes nothing');

  batch.addProgress({ chunkId: 'c1', chunkFramesDone: 5 });
  batch.addProgress({ chunkId: 'c1', chunkFramesDone: 4 });
  batch.addProgress({ chunkId: 'other', chunkFramesDone: 7 });
  const moved = applyLive(list, batch);
  t.is(moved[0]!.currentChunk!.framesDone, 5, 'the highest count of the batch wins');
  t.is(moved[1], bravo, 'other rows keep their object (memoized rows skip)');
  t.is(list[0]!.currentChunk!.framesDone, 2, 'the old list is not edited');

  const drained = { ...bravo, state: 'draining' as const };
  const fresh = node({ name: 'echo' });
  const b2 = new LiveBatch();
  b2.addNode(drained);
  b2.addNode(fresh);
  const next = applyLive(moved, b2);
  t.deepEqual(names(next), ['alpha', 'Bravo', 'echo']);
  t.is(next[1]!.state, 'draining');
  t.is(next[0], moved[0]);
  t.deepEqual(names(applyLive(moved, b2, (n) => n.ownerId === 'owner-b')), ['alpha', 'Bravo'], 'a new node is added only when accepted');

  const older = new LiveBatch();
  older.addProgress({ chunkId: 'c1', chunkFramesDone: 3 });
  t.is(applyLive(moved, older), moved, 'frames never go back');
});

test('overview counts: online is connected and not disabled; busy is online and holding a chunk, draining ones too', (t) => {
  const n = (state: RenderNode['state'], connected: boolean, holdsChunk: boolean) => ({ state, connected, holdsChunk });
  t.deepEqual(countNodes([n('busy', true, true), n('draining', true, true), n('draining', true, false), n('busy', false, true), n('disabled', true, false), n('online', true, false)]), { online: 4, busy: 2, total: 6 });
  t.deepEqual(nodeCount({ state: 'draining', connected: true, currentChunkId: '3b241101-e2bb-4255-8caf-4136c566a962' }), { state: 'draining', connected: true, holdsChunk: true });
});

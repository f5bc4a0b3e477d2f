import { randomBytes } from 'node:crypto';
import test from 'ava';
import { sealFile, uploadBundle } from '../helpers/bundle-client.js';
import { eventually, TestAgent } from '../helpers/test-agent.js';
import { sampleJob, startTestCoordinator, type Identity, type TestCoordinator } from '../helpers/test-coordinator.js';

// A re-export of a project shares most of its files with the last export: the node that cached
// the last one downloads only what changed, so the scheduler gives it the work first.

let c: TestCoordinator;
let provider: Identity;
let artist: Identity;

test.before(async () => {
  c = await startTestCoordinator();
  provider = await c.user('provider');
  artist = await c.user('artist');
});
test.after.always(async () => c?.stop());

test.serial('a node with the project cached gets its re-export before an idle node without it', async (t) => {
  const footage = sealFile(randomBytes(200_000));
  const first = await uploadBundle(c, artist.key, [{ path: 'project/shot.aep', file: sealFile(randomBytes(50_000)) }, { path: 'footage/plate.mov', file: footage }]);
  const reexport = await uploadBundle(c, artist.key, [{ path: 'project/shot.aep', file: sealFile(randomBytes(50_000)) }, { path: 'footage/plate.mov', file: footage }]);
  const other = await uploadBundle(c, artist.key, [{ path: 'project/other.aep', file: sealFile(randomBytes(50_000)) }]);
  t.not(first.id, reexport.id);

  // both idle before the job exists, so the same dispatch pass sees both; the cold node sorts
  // first (a pass takes nodes in id order), so only the preference can give the warm one the work
  const warm = await TestAgent.enroll(c, provider.key, undefined, 'warm');
  let cold = await TestAgent.enroll(c, provider.key, undefined, 'cold');
  while (cold.nodeId > warm.nodeId) cold = await TestAgent.enroll(c, provider.key, undefined, 'cold');
  await cold.connect();
  await cold.hello([], [other.id]);
  await warm.connect();
  await warm.hello([], [first.id]);
  await eventually(async () => {
    const nodes = (await c.call('GET', '/api/v1/nodes?state=online', { key: provider.key })).body.items as { id: string }[];
    return [cold, warm].every((a) => nodes.some((n) => n.id === a.nodeId));
  }, 10_000, 'both online');

  for (let round = 0; round < 3; round++) {
    const job = (await c.call('POST', '/api/v1/jobs', { key: artist.key, body: { ...sampleJob, bundle: reexport.id, comp: { ...sampleJob.comp, frameEnd: 9 }, chunkSize: 10, priority: 100 } })).body;
    const taken = await eventually(() => [...warm.assignments, ...cold.assignments].find((a) => a.jobId === job.id), 10_000, 'assignment');
    t.true(warm.assignments.includes(taken), `round ${round}: the node with the project cached took it`);
    await warm.send('chunk:failed', { chunkId: taken.chunkId, epoch: taken.epoch, reason: 'cancelled', message: 'test: hand it back', lastLines: [] }).catch(() => {});
    await c.call('POST', `/api/v1/jobs/${job.id}/cancel`, { key: artist.key });
    await eventually(async () => (await c.call('GET', `/api/v1/nodes/${warm.nodeId}`, { key: provider.key })).body.currentChunkId === null, 5_000, 'warm idle again');
  }
  cold.close();
  warm.close();
});

import { sampleJob, type TestCoordinator } from '../../../coordinator/test/helpers/test-coordinator.js';
import { sealFile, uploadBundle } from '../../../coordinator/test/helpers/bundle-client.js';
import { buildSyntheticProject } from '../../../shared/test/aep/build-rifx.js';

/**
 * A render job as the panel submits one: the synthetic project sealed and uploaded as a bundle,
 * then the job on it, `frames` frames in chunks of `chunkSize`, the web preset (an MP4).
 * Answers the job's id.
 */
export async function submitRenderJob(c: TestCoordinator, artistKey: string, { frames, chunkSize, name = 'Main' }: { frames: number; chunkSize: number; name?: string }): Promise<string> {
  const bundle = await uploadBundle(c, artistKey, [{ path: 'project/console.aep', file: sealFile(Buffer.from(buildSyntheticProject())) }]);
  const created = await c.call('POST', '/api/v1/jobs', {
    key: artistKey,
    body: { ...sampleJob, bundle: bundle.id, comp: { ...sampleJob.comp, name, frameEnd: frames - 1 }, chunkSize },
  });
  if (created.status !== 201) throw new Error(`the job was refused: ${created.status} ${JSON.stringify(created.body)}`);
  return created.body.id as string;
}

/** The job as the API shows it to `key`. */
export async function jobOf(c: TestCoordinator, key: string, id: string): Promise<{ state: string; framesDone: number; framesTotal: number; costUsd: number; error: string | null }> {
  return (await c.call('GET', `/api/v1/jobs/${id}`, { key })).body;
}

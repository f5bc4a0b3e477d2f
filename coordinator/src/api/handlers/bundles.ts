import type { ApiRoutes } from '@cloudexport/shared';
import { completeBlobUpload, missingBlobs, startBlobUpload, type BlobScope } from '../../bundles/blob-uploads.js';
import { createBundle as create, visibleBundle } from '../../bundles/bundle-registry.js';
import { finishedOutputs } from '../../bundles/job-outputs.js';
import { JobEntity } from '../../db/entities/index.js';
import { canSee } from '../../jobs/job-service.js';
import { ApiError } from '../api-error.js';
import type { Handler, HandlerInput } from '../build-router.js';
import { blobDto, bundleDto, jobOutputDto } from '../dto.js';

function blobScope(input: HandlerInput<ApiRoutes['startBlobUpload']> | HandlerInput<ApiRoutes['completeBlobUpload']>): BlobScope {
  const { em, deps, principal, now, actor } = input;
  return { em, storage: deps.storage, masterKey: deps.masterKey, ownerId: principal.userId, now, log: deps.log, actor };
}

export const missingBlobsHandler: Handler<ApiRoutes['missingBlobs']> = async ({ em, body, principal }) => {
  return { missing: await missingBlobs(em, principal.userId, body.blobs) };
};

export const startBlobUploadHandler: Handler<ApiRoutes['startBlobUpload']> = async (input) => startBlobUpload(blobScope(input), input.body);

export const completeBlobUploadHandler: Handler<ApiRoutes['completeBlobUpload']> = async (input) => blobDto(await completeBlobUpload(blobScope(input), input.params.sha256));

export const createBundle: Handler<ApiRoutes['createBundle']> = async ({ em, body, principal, now, actor }) => {
  return bundleDto(await create(em, principal.userId, body.manifest, now, actor));
};

export const getBundle: Handler<ApiRoutes['getBundle']> = async ({ em, params, principal }) => bundleDto(await visibleBundle(em, principal, params.id));

export const listJobOutputs: Handler<ApiRoutes['listJobOutputs']> = async ({ em, params, principal }) => {
  const job = await em.findOne(JobEntity, { id: params.id }, { fields: ['ownerId'] });
  if (!job || !canSee(principal, job)) throw ApiError.notFound('job', params.id);
  return { items: (await finishedOutputs(em, job.id)).map((o) => jobOutputDto(o.row, o.chunkIndex, o.kind)) };
};

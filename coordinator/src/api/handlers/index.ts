import type { Handlers } from '../build-router.js';
import { createApiKey, listApiKeys, revokeApiKey } from './api-keys.js';
import { listAudit } from './audit.js';
import { getMetricsHistory } from './metrics-history.js';
import { completeBlobUploadHandler, createBundle, getBundle, listJobOutputs, missingBlobsHandler, startBlobUploadHandler } from './bundles.js';
import { createEstimate } from './estimates.js';
import { cancelJob, createJob, getJob, listJobChunks, listJobs } from './jobs.js';
import { getEarnings } from './earnings.js';
import { listJobAttempts } from './job-attempts.js';
import { retryJob } from './job-retry.js';
import { listNodeAttempts } from './node-attempts.js';
import { listNodeBlocks } from './node-blocks.js';
import { getSpending } from './spending.js';
import { createEnrollmentToken, disableNode, drainNode, enableNode, enrollNode, getNode, listNodes, revokeNode } from './nodes.js';
import { listTiers, updateTier } from './tiers.js';
import { acceptInvite, createInvite } from './invites.js';
import { createSession, deleteCurrentSession, getCurrentSession } from './sessions.js';
import { createUser, getMe, getUser, listUsers, setUserPassword, updateUser } from './users.js';

export const handlers: Handlers = {
  getMe,
  listUsers,
  createUser,
  getUser,
  updateUser,
  setUserPassword,
  createSession,
  getCurrentSession,
  deleteCurrentSession,
  createInvite,
  acceptInvite,
  listApiKeys,
  createApiKey,
  revokeApiKey,
  createEstimate,
  listTiers,
  updateTier,
  createJob,
  listJobs,
  getJob,
  listJobChunks,
  cancelJob,
  retryJob,
  listJobAttempts,
  listJobOutputs,
  missingBlobs: missingBlobsHandler,
  startBlobUpload: startBlobUploadHandler,
  completeBlobUpload: completeBlobUploadHandler,
  createBundle,
  getBundle,
  listNodes,
  getNode,
  drainNode,
  disableNode,
  enableNode,
  listNodeAttempts,
  listNodeBlocks,
  revokeNode,
  createEnrollmentToken,
  enrollNode,
  getSpending,
  getEarnings,
  listAudit,
  getMetricsHistory,
};

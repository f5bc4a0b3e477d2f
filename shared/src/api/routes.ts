import { z } from 'zod';
import { apiKeySchema, createApiKeyBodySchema, createdApiKeySchema, listApiKeysQuerySchema } from './api-keys.js';
import { auditEntrySchema, listAuditQuerySchema } from './audit.js';
import {
  blobParamsSchema,
  blobSchema,
  blobUploadSchema,
  bundleSchema,
  createBundleBodySchema,
  jobOutputsSchema,
  missingBlobsBodySchema,
  missingBlobsSchema,
  outputParamsSchema,
  startBlobUploadBodySchema,
} from './bundles.js';
import { chunkAttemptSchema, listAttemptsQuerySchema } from './attempts.js';
import { idParamsSchema, pageOf } from './common.js';
import { estimateBodySchema, estimateSchema } from './estimates.js';
import { chunkSchema, createJobBodySchema, jobSchema, listJobsQuerySchema } from './jobs.js';
import { metricsHistoryQuerySchema, metricsHistorySchema } from './metrics.js';
import { createEnrollmentTokenBodySchema, enrolledNodeSchema, enrollmentTokenSchema, enrollNodeBodySchema, listNodesQuerySchema, nodeBlockSchema, nodeSchema } from './nodes.js';
import { acceptInviteBodySchema, createdInviteSchema, createInviteBodySchema, sessionSchema, setPasswordBodySchema, signedOutSchema, signInBodySchema } from './sessions.js';
import { tierParamsSchema, tierSchema, updateTierBodySchema } from './tiers.js';
import { earningsSchema, spendingSchema, usageQuerySchema } from './usage.js';
import { createUserBodySchema, listUsersQuerySchema, Role, updateUserBodySchema, userSchema } from './users.js';

export type HttpMethod = 'get' | 'post' | 'patch' | 'put' | 'delete';

/**
 * One REST endpoint, declared once: the coordinator validates with these schemas, the
 * OpenAPI document is generated from them, and clients type their calls with them.
 */
export interface RouteDef {
  method: HttpMethod;
  /** Koa-style path under /api/v1, e.g. `/jobs/:id`. */
  path: string;
  summary: string;
  tag: string;
  /** Roles allowed to call it at all; ownership is checked by the handler. */
  roles: readonly Role[];
  /** No API key: the body carries its own credential (an enrollment token, a password, an invite token). */
  public?: true;
  /** Only with the session cookie: the route is about the browser's own session (an API key gets 401). */
  session?: true;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  response: z.ZodType;
  status: 200 | 201;
}

const anyone = [Role.artist, Role.provider, Role.admin] as const;
const artists = [Role.artist, Role.admin] as const;
const providers = [Role.provider, Role.admin] as const;
const admins = [Role.admin] as const;

export const apiRoutes = {
  getMe: { method: 'get', path: '/me', summary: 'The user the key belongs to', tag: 'users', roles: anyone, response: userSchema, status: 200 },
  listUsers: { method: 'get', path: '/users', summary: 'List users', tag: 'users', roles: admins, query: listUsersQuerySchema, response: pageOf(userSchema), status: 200 },
  createUser: { method: 'post', path: '/users', summary: 'Create a user', tag: 'users', roles: admins, body: createUserBodySchema, response: userSchema, status: 201 },
  getUser: { method: 'get', path: '/users/:id', summary: 'Get a user', tag: 'users', roles: admins, params: idParamsSchema, response: userSchema, status: 200 },
  updateUser: { method: 'patch', path: '/users/:id', summary: 'Change a user’s name, role or disabled flag', tag: 'users', roles: admins, params: idParamsSchema, body: updateUserBodySchema, response: userSchema, status: 200 },
  setUserPassword: { method: 'post', path: '/users/:id/password', summary: 'Set a password: your own (with the current one, once you have one) or, as an admin, anyone’s; ends the user’s other sessions', tag: 'users', roles: anyone, params: idParamsSchema, body: setPasswordBodySchema, response: userSchema, status: 200 },

  createSession: { method: 'post', path: '/sessions', summary: 'Sign in with email and password: sets the `ce_session` cookie (12 h, sliding)', tag: 'sessions', roles: [], public: true, body: signInBodySchema, response: sessionSchema, status: 201 },
  getCurrentSession: { method: 'get', path: '/sessions/current', summary: 'The signed-in user and the session’s CSRF token (cookie only)', tag: 'sessions', roles: anyone, session: true, response: sessionSchema, status: 200 },
  deleteCurrentSession: { method: 'delete', path: '/sessions/current', summary: 'Sign out: ends the session and clears the cookie (cookie only)', tag: 'sessions', roles: anyone, session: true, response: signedOutSchema, status: 200 },
  createInvite: { method: 'post', path: '/invites', summary: 'Invite someone by email with a role: a one-time token valid 7 days, shown once', tag: 'users', roles: admins, body: createInviteBodySchema, response: createdInviteSchema, status: 201 },
  acceptInvite: { method: 'post', path: '/invites/accept', summary: 'Accept an invite with a name and password: creates the user (or sets the invited user’s password) and signs in (no API key)', tag: 'users', roles: [], public: true, body: acceptInviteBodySchema, response: sessionSchema, status: 201 },

  listApiKeys: { method: 'get', path: '/api-keys', summary: 'List your API keys (admins: any user’s)', tag: 'api-keys', roles: anyone, query: listApiKeysQuerySchema, response: pageOf(apiKeySchema), status: 200 },
  createApiKey: { method: 'post', path: '/api-keys', summary: 'Create an API key; the secret is shown once', tag: 'api-keys', roles: anyone, body: createApiKeyBodySchema, response: createdApiKeySchema, status: 201 },
  revokeApiKey: { method: 'delete', path: '/api-keys/:id', summary: 'Revoke an API key', tag: 'api-keys', roles: anyone, params: idParamsSchema, response: apiKeySchema, status: 200 },

  createEstimate: { method: 'post', path: '/estimates', summary: 'Price a render per tier, with an ETA', tag: 'estimates', roles: anyone, body: estimateBodySchema, response: estimateSchema, status: 200 },

  listTiers: { method: 'get', path: '/tiers', summary: 'The GPU tiers and their prices', tag: 'tiers', roles: anyone, response: z.object({ items: z.array(tierSchema) }), status: 200 },
  updateTier: { method: 'patch', path: '/tiers/:id', summary: 'Edit a tier’s name, price or GPU models', tag: 'tiers', roles: admins, params: tierParamsSchema, body: updateTierBodySchema, response: tierSchema, status: 200 },

  createJob: { method: 'post', path: '/jobs', summary: 'Submit a render job', tag: 'jobs', roles: artists, body: createJobBodySchema, response: jobSchema, status: 201 },
  listJobs: { method: 'get', path: '/jobs', summary: 'List your jobs (admins: every job)', tag: 'jobs', roles: artists, query: listJobsQuerySchema, response: pageOf(jobSchema), status: 200 },
  getJob: { method: 'get', path: '/jobs/:id', summary: 'Get a job', tag: 'jobs', roles: artists, params: idParamsSchema, response: jobSchema, status: 200 },
  listJobChunks: { method: 'get', path: '/jobs/:id/chunks', summary: 'A job’s chunks', tag: 'jobs', roles: artists, params: idParamsSchema, response: z.object({ items: z.array(chunkSchema) }), status: 200 },
  cancelJob: { method: 'post', path: '/jobs/:id/cancel', summary: 'Cancel a job', tag: 'jobs', roles: artists, params: idParamsSchema, response: jobSchema, status: 200 },
  retryJob: { method: 'post', path: '/jobs/:id/retry', summary: 'Run a failed or cancelled job again: its unfinished chunks are queued afresh (owner or admin)', tag: 'jobs', roles: artists, params: idParamsSchema, response: jobSchema, status: 200 },
  listJobAttempts: { method: 'get', path: '/jobs/:id/attempts', summary: 'Every assignment of the job’s chunks to nodes, oldest first: its timeline', tag: 'jobs', roles: artists, params: idParamsSchema, response: z.object({ items: z.array(chunkAttemptSchema) }), status: 200 },

  listJobOutputs: { method: 'get', path: '/jobs/:id/outputs', summary: 'A job’s rendered files (of its finished chunks)', tag: 'jobs', roles: artists, params: idParamsSchema, response: jobOutputsSchema, status: 200 },

  missingBlobs: { method: 'post', path: '/blobs/missing', summary: 'Which of these files you have not uploaded yet', tag: 'bundles', roles: artists, body: missingBlobsBodySchema, response: missingBlobsSchema, status: 200 },
  startBlobUpload: { method: 'post', path: '/blobs', summary: 'Start (or resume) a sealed file’s upload: signed URLs for what is still missing', tag: 'bundles', roles: artists, body: startBlobUploadBodySchema, response: blobUploadSchema, status: 200 },
  completeBlobUpload: { method: 'post', path: '/blobs/:sha256/complete', summary: 'Finish a file’s upload; its stored size is checked', tag: 'bundles', roles: artists, params: blobParamsSchema, response: blobSchema, status: 200 },
  createBundle: { method: 'post', path: '/bundles', summary: 'Register a bundle whose files are all uploaded', tag: 'bundles', roles: artists, body: createBundleBodySchema, response: bundleSchema, status: 201 },
  getBundle: { method: 'get', path: '/bundles/:id', summary: 'Get a bundle', tag: 'bundles', roles: artists, params: idParamsSchema, response: bundleSchema, status: 200 },

  listNodes: { method: 'get', path: '/nodes', summary: 'List render nodes (providers: their own)', tag: 'nodes', roles: providers, query: listNodesQuerySchema, response: pageOf(nodeSchema), status: 200 },
  getNode: { method: 'get', path: '/nodes/:id', summary: 'Get a render node', tag: 'nodes', roles: providers, params: idParamsSchema, response: nodeSchema, status: 200 },
  drainNode: { method: 'post', path: '/nodes/:id/drain', summary: 'Finish the current chunk, take no more (owner or admin)', tag: 'nodes', roles: providers, params: idParamsSchema, response: nodeSchema, status: 200 },
  disableNode: { method: 'post', path: '/nodes/:id/disable', summary: 'Stop the node now; its chunk goes to another node (admin)', tag: 'nodes', roles: admins, params: idParamsSchema, response: nodeSchema, status: 200 },
  enableNode: { method: 'post', path: '/nodes/:id/enable', summary: 'Take work again (owners may undo a drain; admins anything)', tag: 'nodes', roles: providers, params: idParamsSchema, response: nodeSchema, status: 200 },
  listNodeAttempts: { method: 'get', path: '/nodes/:id/attempts', summary: 'The chunks a node rendered, failed or lost, newest first, with reasons and aerender warnings', tag: 'nodes', roles: providers, params: idParamsSchema, query: listAttemptsQuerySchema, response: pageOf(chunkAttemptSchema), status: 200 },
  listNodeBlocks: { method: 'get', path: '/nodes/:id/blocks', summary: 'The jobs a node is blocked from after failing them', tag: 'nodes', roles: providers, params: idParamsSchema, response: z.object({ items: z.array(nodeBlockSchema) }), status: 200 },
  revokeNode: { method: 'delete', path: '/nodes/:id', summary: 'Revoke a node’s identity for good (owner or admin)', tag: 'nodes', roles: providers, params: idParamsSchema, response: nodeSchema, status: 200 },
  createEnrollmentToken: { method: 'post', path: '/enrollment-tokens', summary: 'A one-time token to enroll a render node', tag: 'nodes', roles: providers, body: createEnrollmentTokenBodySchema, response: enrollmentTokenSchema, status: 201 },
  enrollNode: { method: 'post', path: '/nodes/enroll', summary: 'Register a node’s public keys with an enrollment token (no API key)', tag: 'nodes', roles: [], public: true, body: enrollNodeBodySchema, response: enrolledNodeSchema, status: 201 },

  getSpending: { method: 'get', path: '/spending', summary: 'What your jobs cost, per day and per job (admins: any user’s)', tag: 'money', roles: artists, query: usageQuerySchema, response: spendingSchema, status: 200 },
  getEarnings: { method: 'get', path: '/earnings', summary: 'What your nodes earned, per day and per node (admins: any provider’s)', tag: 'money', roles: providers, query: usageQuerySchema, response: earningsSchema, status: 200 },
  getMetricsHistory: { method: 'get', path: '/metrics/history', summary: 'The fleet minute by minute: nodes online and busy, frames per minute, queue depth', tag: 'metrics', roles: admins, query: metricsHistoryQuerySchema, response: metricsHistorySchema, status: 200 },
  listAudit: { method: 'get', path: '/audit', summary: 'The audit log', tag: 'audit', roles: admins, query: listAuditQuerySchema, response: pageOf(auditEntrySchema), status: 200 },
} as const satisfies Record<string, RouteDef>;

export type ApiRoutes = typeof apiRoutes;
export type RouteName = keyof ApiRoutes;

/** An endpoint that answers bytes, not JSON: same API key (or session cookie), roles and ownership checks. */
export interface RawRouteDef {
  method: 'get';
  path: string;
  summary: string;
  tag: string;
  roles: readonly Role[];
  params: z.ZodType;
  /** What a 200 or 206 carries. */
  contentType: string;
  /** Honours `Range: bytes=…` (206, 416). */
  ranges: boolean;
}

export const rawApiRoutes = {
  downloadJobOutput: {
    method: 'get',
    path: '/jobs/:id/outputs/:name',
    summary: 'Download one rendered file, decrypted (Range requests supported)',
    tag: 'jobs',
    roles: artists,
    params: outputParamsSchema,
    contentType: 'application/octet-stream',
    ranges: true,
  },
  downloadJobDeliverable: {
    method: 'get',
    path: '/jobs/:id/deliverable',
    summary: 'Download the job’s deliverable (the preset’s movie, or a tar of an image sequence), decrypted (Range requests supported)',
    tag: 'jobs',
    roles: artists,
    params: idParamsSchema,
    contentType: 'video/mp4',
    ranges: true,
  },
  getJobPreview: {
    method: 'get',
    path: '/jobs/:id/preview',
    summary: 'The latest rendered frame of a running job, as a small JPEG (404 until a node sends one, and once the job ends)',
    tag: 'jobs',
    roles: artists,
    params: idParamsSchema,
    contentType: 'image/jpeg',
    ranges: false,
  },
} as const satisfies Record<string, RawRouteDef>;

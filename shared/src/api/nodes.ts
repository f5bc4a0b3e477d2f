import { z } from 'zod';
import { aeInstallSchema, gpuInfoSchema, machineReportSchema } from '../protocol/machine-report.js';
import { idSchema, pageQuerySchema, timestampSchema, usdSchema } from './common.js';

export const NodeState = {
  starting: 'starting',
  online: 'online',
  busy: 'busy',
  draining: 'draining',
  offline: 'offline',
  disabled: 'disabled',
} as const;
export type NodeState = (typeof NodeState)[keyof typeof NodeState];
export const nodeStateSchema = z.enum(Object.values(NodeState) as [NodeState, ...NodeState[]]);

export const nodeSchema = z
  .object({
    id: idSchema,
    ownerId: idSchema,
    name: z.string(),
    state: nodeStateSchema,
    gpus: z.array(gpuInfoSchema),
    tierId: z.string().nullable().meta({ description: 'The tier of its best GPU; null when no tier lists the model.' }),
    aeInstalls: z.array(aeInstallSchema),
    agentVersion: z.string().nullable(),
    disabledReason: z.string().nullable(),
    revoked: z.boolean().default(false).meta({ description: 'Its keys are no longer accepted (DELETE /nodes/:id): it stays disabled for good; the machine must enroll again.' }),
    connected: z.boolean().meta({ description: 'Holds a live connection to a coordinator now.' }),
    currentChunkId: idSchema.nullable(),
    currentChunk: z
      .object({ id: idSchema, jobId: idSchema, jobName: z.string(), kind: z.string(), frameStart: z.number().int(), frameEnd: z.number().int(), framesDone: z.number().int() })
      .nullable()
      .default(null)
      .meta({ description: 'The chunk it holds now with its frame progress; live `progress` events move framesDone on. jobName is empty except for admins: whose job a node renders is not its owner’s business.' }),
    chunksDone: z.number().int(),
    chunksFailed: z.number().int(),
    earningsUsd: usdSchema.default(0).meta({ description: 'What its owner earned from it so far (PROVIDER_SHARE of its charges).' }),
    lastHeartbeatAt: timestampSchema.nullable(),
    createdAt: timestampSchema,
  })
  .meta({ id: 'Node' });
export type RenderNode = z.infer<typeof nodeSchema>;

export const listNodesQuerySchema = pageQuerySchema
  .extend({
    state: nodeStateSchema.optional(),
    ownerId: idSchema.optional().meta({ description: 'Admins only.' }),
    tierId: z.string().max(40).optional(),
    aeVersion: z.coerce.number().int().min(17).max(99).optional().meta({ description: 'Has this After Effects major version installed.' }),
    q: z.string().trim().min(1).max(100).optional().meta({ description: 'Part of the node’s name or GPU model, any case.' }),
  })
  .strict();

/** A job this node gets no more chunks of, after failing it repeatedly. */
export const nodeBlockSchema = z
  .object({ jobId: idSchema, jobName: z.string(), reason: z.string(), createdAt: timestampSchema })
  .meta({ id: 'NodeBlock' });
export type NodeBlock = z.infer<typeof nodeBlockSchema>;

export const createEnrollmentTokenBodySchema = z
  .object({
    ttlMinutes: z.number().int().min(5).max(7 * 24 * 60).default(60).meta({ description: 'How long the token works. Default 60 minutes.' }),
  })
  .strict()
  .meta({ id: 'CreateEnrollmentTokenBody' });

export const enrollmentTokenSchema = z
  .object({
    id: idSchema,
    token: z.string().meta({ description: 'Shown once; works once.' }),
    expiresAt: timestampSchema,
    installCommand: z.string().meta({ description: 'The line to run on the GPU machine.' }),
  })
  .meta({ id: 'EnrollmentToken' });
export type EnrollmentTokenCreated = z.infer<typeof enrollmentTokenSchema>;

export const enrollNodeBodySchema = z
  .object({
    token: z.string().min(10).max(200),
    name: z.string().trim().min(1).max(100),
    signingPublicKey: z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'an Ed25519 public key: 32 bytes, base64'),
    boxPublicKey: z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'an X25519 public key: 32 bytes, base64'),
    machine: machineReportSchema,
  })
  .strict()
  .meta({ id: 'EnrollNodeBody' });
export type EnrollNodeBody = z.infer<typeof enrollNodeBodySchema>;

export const enrolledNodeSchema = z.object({ nodeId: idSchema, ownerId: idSchema, tierId: z.string().nullable() }).meta({ id: 'EnrolledNode' });
export type EnrolledNode = z.infer<typeof enrolledNodeSchema>;

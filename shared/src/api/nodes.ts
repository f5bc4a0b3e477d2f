import { z } from 'zod';
import { idSchema, pageQuerySchema, timestampSchema } from './common.js';

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

export const gpuInfoSchema = z.object({
  model: z.string().max(200),
  vendor: z.string().max(100),
  vramMb: z.number().int().min(0).max(10_000_000),
  driver: z.string().max(100).nullable(),
});
export type GpuInfo = z.infer<typeof gpuInfoSchema>;

export const aeInstallSchema = z.object({
  version: z.string().max(50),
  major: z.number().int().min(0).max(99),
  path: z.string().max(1000),
});
export type AeInstall = z.infer<typeof aeInstallSchema>;

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
    lastHeartbeatAt: timestampSchema.nullable(),
    createdAt: timestampSchema,
  })
  .meta({ id: 'Node' });
export type RenderNode = z.infer<typeof nodeSchema>;

export const listNodesQuerySchema = pageQuerySchema
  .extend({
    state: nodeStateSchema.optional(),
    ownerId: idSchema.optional().meta({ description: 'Admins only.' }),
  })
  .strict();

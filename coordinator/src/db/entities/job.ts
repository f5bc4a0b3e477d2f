import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { UserEntity } from './user.js';
import type { Complexity, CompSpec, CustomPreset, JobRequirements, JobState, PresetId } from '@cloudexport/shared';

export const JobEntity = defineEntity({
  name: 'Job',
  tableName: 'jobs',
  indexes: [{ properties: ['ownerId', 'createdAt'] }, { properties: ['state', 'priority', 'createdAt'] }],
  properties: {
    id: p.uuid().primary(),
    ownerId: p.manyToOne(UserEntity).mapToPk().fieldName('owner_id'),
    name: p.string().length(200),
    state: p.string().length(24).$type<JobState>(),
    bundle: p.string().length(128).nullable(),
    bundleBytes: p.bigint('number').default(0),
    comp: p.json<CompSpec>(),
    preset: p.string().length(16).$type<PresetId>(),
    custom: p.json<CustomPreset>().nullable(),
    complexity: p.string().length(16).$type<Complexity>(),
    thirdPartyPlugins: p.boolean(),
    priority: p.integer(),
    maxTier: p.string().length(40).nullable(),
    chunkSize: p.integer(),
    minAeVersion: p.integer().nullable(),
    minVramMb: p.integer().default(0),
    requirements: p.json<JobRequirements>().defaultRaw(`'{"fonts":[],"effects":[]}'`),
    framesTotal: p.integer(),
    /** A snapshot taken when the state last moved; reads sum the chunks (framesDone()). */
    framesDone: p.integer().default(0),
    chunkCount: p.integer(),
    retries: p.integer().default(0),
    estimatedUsdMicros: p.bigint('number').nullable(),
    error: p.text().nullable(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
    finishedAt: p.datetime().nullable(),
  },
});
export type JobRow = InferEntity<typeof JobEntity>;

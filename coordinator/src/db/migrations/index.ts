import type { MigrationObject } from '@mikro-orm/core';
import { Migration0001InitialSchema } from './0001-initial-schema.js';
import { Migration0002Fleet } from './0002-fleet.js';
import { Migration0003QueuedChunkIndex } from './0003-queued-chunk-index.js';
import { Migration0004RequeuedChunkIndex } from './0004-requeued-chunk-index.js';
import { Migration0005Bundles } from './0005-bundles.js';
import { Migration0006NodeCachedBundles } from './0006-node-cached-bundles.js';
import { Migration0007JobRequirements } from './0007-job-requirements.js';
import { Migration0008ChunkKinds } from './0008-chunk-kinds.js';
import { Migration0009Sessions } from './0009-sessions.js';
import { Migration0010AttemptCharges } from './0010-attempt-charges.js';
import { Migration0011MetricSamples } from './0011-metric-samples.js';

/** Every migration, in order. Listed here (not globbed) so they load the same under tsx and bundlers. */
export const migrationsList: MigrationObject[] = [
  { name: '0001-initial-schema', class: Migration0001InitialSchema },
  { name: '0002-fleet', class: Migration0002Fleet },
  { name: '0003-queued-chunk-index', class: Migration0003QueuedChunkIndex },
  { name: '0004-requeued-chunk-index', class: Migration0004RequeuedChunkIndex },
  { name: '0005-bundles', class: Migration0005Bundles },
  { name: '0006-node-cached-bundles', class: Migration0006NodeCachedBundles },
  { name: '0007-job-requirements', class: Migration0007JobRequirements },
  { name: '0008-chunk-kinds', class: Migration0008ChunkKinds },
  { name: '0009-sessions', class: Migration0009Sessions },
  { name: '0010-attempt-charges', class: Migration0010AttemptCharges },
  { name: '0011-metric-samples', class: Migration0011MetricSamples },
];

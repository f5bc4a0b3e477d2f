import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * The fleet at one moment, for the console's charts: one row per sample slot, whichever
 * coordinator got there first (the slot is the key), kept 8 days.
 */
export const MetricSampleEntity = defineEntity({
  name: 'MetricSample',
  tableName: 'metric_samples',
  properties: {
    /** The slot's start: the sample period's multiple the sample was taken at. */
    at: p.datetime().primary(),
    /** The period frames were counted over (the slot before `at`), in ms. */
    windowMs: p.integer(),
    nodesOnline: p.integer(),
    nodesBusy: p.integer(),
    /** Frames of frame chunks whose attempt finished within the window. */
    framesDone: p.integer(),
    queueDepth: p.integer(),
    jobsRunning: p.integer(),
  },
});
export type MetricSampleRow = InferEntity<typeof MetricSampleEntity>;

import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { UserEntity } from './user.js';
import type { AeInstall, GpuInfo, NodeState } from '@cloudexport/shared';

export const NodeEntity = defineEntity({
  name: 'Node',
  tableName: 'nodes',
  properties: {
    id: p.uuid().primary(),
    ownerId: p.manyToOne(UserEntity).mapToPk().fieldName('owner_id').index(),
    name: p.string().length(100),
    state: p.string().length(16).$type<NodeState>(),
    /** Ed25519 public key (base64) the node proves on every connection. */
    signingPublicKey: p.string().length(64).unique(),
    /** X25519 public key (base64) content keys are sealed to. */
    boxPublicKey: p.string().length(64),
    gpus: p.json<GpuInfo[]>(),
    tierId: p.string().length(40).nullable(),
    vramMb: p.integer().default(0),
    aeInstalls: p.json<AeInstall[]>(),
    hardware: p.json<Record<string, unknown>>(),
    agentVersion: p.string().length(40).nullable(),
    lastHeartbeatAt: p.datetime().nullable(),
    /** The chunk it holds now (one at a time), kept with the chunk's own node_id. */
    currentChunkId: p.uuid().nullable(),
    /** Why an admin or the quarantine disabled it. */
    disabledReason: p.text().nullable(),
    /** Failed chunks in a row, across jobs; past a limit the node is quarantined. */
    consecutiveFailures: p.integer().default(0),
    chunksDone: p.integer().default(0),
    chunksFailed: p.integer().default(0),
    /** What its done attempts were charged, in all (see chargeDoneAttempts); its owner earns PROVIDER_SHARE of it. */
    chargedMicros: p.bigint('number').default(0),
    revokedAt: p.datetime().nullable(),
    /** Bundles whose files the node has cached, newest first, as it last reported them. */
    cachedBundles: p.json<string[]>().default([]),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});
export type NodeRow = InferEntity<typeof NodeEntity>;

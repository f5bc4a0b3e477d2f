import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/** Handshake nonces seen inside the replay window; shared by every coordinator through the database. */
export const AgentNonceEntity = defineEntity({
  name: 'AgentNonce',
  tableName: 'agent_nonces',
  indexes: [{ properties: ['seenAt'] }],
  properties: {
    nodeId: p.uuid().primary(),
    nonce: p.string().length(64).primary(),
    seenAt: p.datetime(),
  },
});
export type AgentNonceRow = InferEntity<typeof AgentNonceEntity>;

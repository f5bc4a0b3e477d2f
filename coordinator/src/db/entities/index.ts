import { AgentNonceEntity } from './agent-nonce.js';
import { ApiKeyEntity } from './api-key.js';
import { AuditEntryEntity } from './audit-entry.js';
import { ChunkAttemptEntity } from './chunk-attempt.js';
import { ChunkEntity } from './chunk.js';
import { EnrollmentTokenEntity } from './enrollment-token.js';
import { JobEntity } from './job.js';
import { NodeJobBlockEntity } from './node-job-block.js';
import { NodeEntity } from './node.js';
import { TierPriceEntity } from './tier-price.js';
import { UserEntity } from './user.js';

export * from './agent-nonce.js';
export * from './api-key.js';
export * from './audit-entry.js';
export * from './chunk-attempt.js';
export * from './chunk.js';
export * from './enrollment-token.js';
export * from './job.js';
export * from './node-job-block.js';
export * from './node.js';
export * from './tier-price.js';
export * from './user.js';

export const entities = [UserEntity, ApiKeyEntity, NodeEntity, EnrollmentTokenEntity, JobEntity, ChunkEntity, TierPriceEntity, AuditEntryEntity, ChunkAttemptEntity, NodeJobBlockEntity, AgentNonceEntity];

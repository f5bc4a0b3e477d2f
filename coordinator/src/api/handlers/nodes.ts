import { NodeState, type ApiRoutes } from '@cloudexport/shared';
import { NodeEntity, type NodeRow } from '../../db/entities/index.js';
import { createEnrollmentToken as createToken, enrollNode as enroll } from '../../fleet/enrollment.js';
import { ApiError } from '../api-error.js';
import type { Handler, HandlerInput } from '../build-router.js';
import { CONNECTED_WITHIN_MS } from '../dto.js';
import { nodeDtos } from '../node-figures.js';
import { nodeFilters } from '../node-filters.js';
import { recordAudit } from '../../audit/audit-log.js';
import { ownerScope } from '../owner-scope.js';
import { findPage } from '../pagination.js';
import { isAdmin, type Principal } from '../principal.js';
import { visibleNode } from '../visible-node.js';

export const listNodes: Handler<ApiRoutes['listNodes']> = async ({ em, query, principal, now }) => {
  const filters = nodeFilters(query);
  const where = { ...ownerScope(principal, query.ownerId, 'nodes'), ...(query.state ? { state: query.state } : {}), ...(filters.length ? { $and: filters } : {}) };
  const page = await findPage(em, NodeEntity, where, query, 'createdAt');
  return { items: await nodeDtos(em, page.rows, now, principal), nextCursor: page.nextCursor };
};

export const getNode: Handler<ApiRoutes['getNode']> = async ({ em, params, principal, now }) => {
  const [node] = await nodeDtos(em, [await visibleNode(em, params.id, principal)], now, principal);
  return node!;
};

type NodeCommandRoute = ApiRoutes['drainNode'] | ApiRoutes['disableNode'] | ApiRoutes['enableNode'] | ApiRoutes['revokeNode'];

/** Drain, disable, enable, revoke: one locked read-modify-write, audited, then the agent is told. */
function nodeCommand<R extends NodeCommandRoute>(action: string, apply: (node: NodeRow, principal: Principal, now: Date) => 'online' | 'draining' | 'disabled') {
  return (async (input: HandlerInput<R>) => {
    const { em, params, principal, now, deps, actor } = input;
    const { node, state, before } = await em.transactional(async (tx) => {
      const n = await visibleNode(tx, (params as { id: string }).id, principal, true);
      if (n.revokedAt) throw ApiError.conflict(`Node ${n.id} was revoked; enroll the machine again.`);
      const was = n.state;
      const s = apply(n, principal, now);
      n.updatedAt = now;
      recordAudit(tx, now, actor, { action: `node.${action}`, targetType: 'node', targetId: n.id, details: { from: was, to: n.state } });
      return { node: n, state: s, before: was };
    });
    let after = node;
    if (state === 'disabled' && node.currentChunkId) {
      await deps.lifecycle.requeue({ nodeId: node.id }, 'cancelled', `node ${action}d by ${actor.id}`);
      // the requeue freed it: show it without the chunk it no longer holds
      after = (await em.fork().findOne(NodeEntity, { id: node.id })) ?? node;
    }
    deps.bus.emit('nodeCommand', { nodeId: node.id, state, ...(node.revokedAt ? { revoked: true } : {}) });
    await deps.lifecycle.publishNodes([after], now);
    if (state === 'online' && before !== 'online') deps.bus.emit('work');
    const [dto] = await nodeDtos(em.fork(), [after], now, principal);
    return dto!;
  }) as Handler<R>;
}

export const drainNode = nodeCommand<ApiRoutes['drainNode']>('drain', (node) => {
  if (node.state === NodeState.disabled) throw ApiError.conflict(`Node ${node.id} is disabled; enable it first.`);
  node.state = NodeState.draining;
  return 'draining';
});

export const disableNode = nodeCommand<ApiRoutes['disableNode']>('disable', (node, principal) => {
  node.state = NodeState.disabled;
  node.disabledReason = `Disabled by an admin (${principal.email}).`;
  return 'disabled';
});

export const enableNode = nodeCommand<ApiRoutes['enableNode']>('enable', (node, principal, now) => {
  if (node.state === NodeState.disabled && !isAdmin(principal)) {
    throw ApiError.forbidden(`Node ${node.id} was disabled (${node.disabledReason ?? 'by an admin'}); only an admin can enable it.`);
  }
  const connected = !!node.lastHeartbeatAt && now.getTime() - node.lastHeartbeatAt.getTime() < CONNECTED_WITHIN_MS;
  node.state = node.currentChunkId ? NodeState.busy : connected ? NodeState.online : NodeState.offline;
  node.disabledReason = null;
  node.consecutiveFailures = 0;
  return 'online';
});

export const revokeNode = nodeCommand<ApiRoutes['revokeNode']>('revoke', (node, _p, now) => {
  node.revokedAt = now;
  node.state = NodeState.disabled;
  node.disabledReason = 'Revoked: its keys are no longer accepted.';
  return 'disabled';
});

export const createEnrollmentToken: Handler<ApiRoutes['createEnrollmentToken']> = async ({ em, body, principal, now, actor, ctx }) => {
  const { row, token } = await createToken(em, principal.userId, body.ttlMinutes, now, actor);
  const coordinator = `${ctx.protocol}://${ctx.host}`;
  return {
    id: row.id,
    token,
    expiresAt: row.expiresAt.toISOString(),
    installCommand: `npx cloudexport-agent enroll --coordinator ${coordinator} --token ${token} && npx cloudexport-agent run`,
  };
};

export const enrollNode: Handler<ApiRoutes['enrollNode']> = async ({ em, body, now, ctx }) => enroll(em, body, now, ctx.ip);

import type { EntityManager } from '@mikro-orm/postgresql';
import { DEFAULT_TIERS, microsToUsd, NodeState, usdToMicros, type PricedTier } from '@cloudexport/shared';
import { ApiError } from '../api/api-error.js';
import { TierPriceEntity, type TierPriceRow } from '../db/entities/index.js';

/** First start: the default tier table. Afterwards admins own it, so it is never overwritten. */
export async function seedDefaultTiers(em: EntityManager, now: Date): Promise<boolean> {
  if ((await em.count(TierPriceEntity, {})) > 0) return false;
  DEFAULT_TIERS.forEach((tier, position) => {
    em.create(TierPriceEntity, {
      id: tier.id,
      name: tier.name,
      pricePerMinuteMicros: usdToMicros(tier.pricePerMinuteUsd),
      models: [...tier.models],
      position,
      updatedAt: now,
    });
  });
  await em.flush();
  return true;
}

/** Cheapest first; equal prices keep the admin's order. */
export async function loadTiers(em: EntityManager): Promise<TierPriceRow[]> {
  return em.find(TierPriceEntity, {}, { orderBy: { pricePerMinuteMicros: 'asc', position: 'asc' } });
}

/** The tiers a job with this ceiling may use: every tier priced at or below it. Null if the ceiling is unknown. */
export function tiersWithin(tiers: TierPriceRow[], maxTier: string | undefined | null): TierPriceRow[] | null {
  if (!maxTier) return tiers;
  const ceiling = tiers.find((t) => t.id === maxTier);
  if (!ceiling) return null;
  return tiers.filter((t) => t.pricePerMinuteMicros <= ceiling.pricePerMinuteMicros);
}

export async function onlineNodesByTier(em: EntityManager): Promise<Map<string, number>> {
  const rows = await em.getConnection().execute<{ tier_id: string; n: string | number }[]>(
    'select tier_id, count(*) as n from nodes where state in (?, ?) and tier_id is not null group by tier_id',
    [NodeState.online, NodeState.busy],
    'all',
    em.getTransactionContext(),
  );
  return new Map(rows.map((r) => [r.tier_id, Number(r.n)]));
}

export async function pricedTiers(em: EntityManager, tiers: TierPriceRow[]): Promise<PricedTier[]> {
  const online = await onlineNodesByTier(em);
  return tiers.map((t) => ({ id: t.id, name: t.name, pricePerMinuteUsd: microsToUsd(t.pricePerMinuteMicros), onlineNodes: online.get(t.id) ?? 0 }));
}

/** A `maxTier` that names no tier is the caller's mistake: a 400 naming the field. */
export function unknownTier(id: string): ApiError {
  return ApiError.validation('body', [{ path: 'maxTier', message: `no tier "${id}"; GET /api/v1/tiers lists them` }]);
}

import { estimateCost, type ApiRoutes } from '@cloudexport/shared';
import { loadTiers, pricedTiers, tiersWithin, unknownTier } from '../../tiers/tier-table.js';
import type { Handler } from '../build-router.js';

export const createEstimate: Handler<ApiRoutes['createEstimate']> = async ({ em, body, deps }) => {
  const candidates = tiersWithin(await loadTiers(em), body.maxTier);
  if (!candidates) throw unknownTier(body.maxTier!);
  return estimateCost(body, await pricedTiers(em, candidates), { storageHours: deps.config.retentionDays * 24 });
};

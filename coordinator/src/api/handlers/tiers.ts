import { usdToMicros, type ApiRoutes } from '@cloudexport/shared';
import { TierPriceEntity } from '../../db/entities/index.js';
import { loadTiers } from '../../tiers/tier-table.js';
import { ApiError } from '../api-error.js';
import type { Handler } from '../build-router.js';
import { tierDto } from '../dto.js';

export const listTiers: Handler<ApiRoutes['listTiers']> = async ({ em }) => {
  return { items: (await loadTiers(em)).map(tierDto) };
};

export const updateTier: Handler<ApiRoutes['updateTier']> = async ({ em, params, body, now, audit }) => {
  const tier = await em.findOne(TierPriceEntity, { id: params.id });
  if (!tier) throw ApiError.notFound('tier', params.id);
  const before = tierDto(tier);
  if (body.name !== undefined) tier.name = body.name;
  if (body.pricePerMinuteUsd !== undefined) tier.pricePerMinuteMicros = usdToMicros(body.pricePerMinuteUsd);
  if (body.models !== undefined) tier.models = [...new Set(body.models)];
  tier.updatedAt = now;
  audit({
    action: 'tier.update',
    targetType: 'tier',
    targetId: tier.id,
    details: { before: { name: before.name, pricePerMinuteUsd: before.pricePerMinuteUsd, models: before.models }, after: body },
  });
  await em.flush();
  return tierDto(tier);
};

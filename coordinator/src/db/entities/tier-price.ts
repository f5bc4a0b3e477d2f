import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

export const TierPriceEntity = defineEntity({
  name: 'TierPrice',
  tableName: 'tier_prices',
  properties: {
    id: p.string().length(40).primary(),
    name: p.string().length(60),
    pricePerMinuteMicros: p.integer(),
    models: p.json<string[]>(),
    position: p.integer(),
    updatedAt: p.datetime(),
  },
});
export type TierPriceRow = InferEntity<typeof TierPriceEntity>;

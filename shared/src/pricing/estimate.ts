import type { Complexity, Estimate, EstimateBody, TierEstimate } from '../api/estimates.js';
import { nominalBitrateMbps, resolvePreset } from '../presets/presets.js';
import { roundUsd } from './money.js';

/** The seed's complexity factors. */
export const COMPLEXITY_FACTORS: Readonly<Record<Complexity, number>> = { plain: 1.0, standard: 1.5, heavy: 3.0 };
/** Added (not multiplied) when the project uses third-party plugins. */
export const THIRD_PARTY_PLUGIN_SURCHARGE = 2.0;
export const STORAGE_USD_PER_GB_HOUR = 0.001;
export const TRANSFER_USD_PER_GB = 0.05;
/** Bundles are kept for the retention period (7 days by default), so that is what storage costs. */
export const DEFAULT_STORAGE_HOURS = 7 * 24;
/** aerender's launch and project load, paid once per chunk a node takes. */
export const CHUNK_STARTUP_SECONDS = 30;

export function complexityFactor(complexity: Complexity, thirdPartyPlugins: boolean): number {
  return COMPLEXITY_FACTORS[complexity] + (thirdPartyPlugins ? THIRD_PARTY_PLUGIN_SURCHARGE : 0);
}

export interface PricedTier {
  id: string;
  name: string;
  pricePerMinuteUsd: number;
  /** Nodes of this tier online now; the ETA assumes at least one. */
  onlineNodes: number;
}

export interface EstimateOptions {
  storageHours?: number;
}

/**
 * The seed's formula, per tier:
 * GPU `duration × complexity × rate` + storage `bundle GB × hours × $0.001` + transfer `output GB × $0.05`.
 * `tiers` are the candidates (already filtered by the job's ceiling).
 */
export function estimateCost(body: EstimateBody, tiers: readonly PricedTier[], options: EstimateOptions = {}): Estimate {
  const storageHours = options.storageHours ?? DEFAULT_STORAGE_HOURS;
  const factor = complexityFactor(body.complexity, body.thirdPartyPlugins);
  const gpuMinutes = (body.durationSeconds / 60) * factor;
  const preset = resolvePreset(body.preset, body.custom);
  const outputGb = (nominalBitrateMbps(preset, body.fps) * 1e6 * body.durationSeconds) / 8 / 1e9;
  const bundleGb = body.bundleBytes / 1e9;
  const storageUsd = bundleGb * storageHours * STORAGE_USD_PER_GB_HOUR;
  const transferUsd = outputGb * TRANSFER_USD_PER_GB;

  const perTier = tiers.map((tier): TierEstimate => {
    const gpuUsd = gpuMinutes * tier.pricePerMinuteUsd;
    const parallel = Math.max(1, tier.onlineNodes);
    return {
      tierId: tier.id,
      name: tier.name,
      pricePerMinuteUsd: tier.pricePerMinuteUsd,
      onlineNodes: tier.onlineNodes,
      cost: {
        gpuUsd: roundUsd(gpuUsd),
        storageUsd: roundUsd(storageUsd),
        transferUsd: roundUsd(transferUsd),
        totalUsd: roundUsd(gpuUsd + storageUsd + transferUsd),
      },
      etaSeconds: Math.ceil((gpuMinutes * 60) / parallel + CHUNK_STARTUP_SECONDS),
    };
  });

  return {
    frames: Math.max(1, Math.round(body.durationSeconds * body.fps)),
    complexityFactor: factor,
    gpuMinutes: Math.round(gpuMinutes * 1000) / 1000,
    bundleGb: Math.round(bundleGb * 1e6) / 1e6,
    outputGb: Math.round(outputGb * 1e6) / 1e6,
    storageHours,
    currency: 'USD',
    tiers: perTier,
  };
}

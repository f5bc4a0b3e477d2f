import type { Estimate } from '@cloudexport/shared';
import { formatBytes, formatDuration, formatFps, formatUsd, table } from './format.js';
import type { RenderSettings } from './render-options.js';

export function describeRender(s: RenderSettings): string {
  const p = s.preset;
  const codec = `${p.width}×${p.height} ${p.codec}${p.bitrateMbps ? ` ${p.bitrateMbps} Mbit/s` : ''} ${p.container}`;
  return `"${s.comp.name}" frames ${s.compSpec.frameStart}-${s.compSpec.frameEnd} (${s.frames} at ${formatFps(s.compSpec.fps)} fps, ${s.comp.width}×${s.comp.height}), preset ${p.name} (${codec})`;
}

export function formatEstimate(estimate: Estimate, s: RenderSettings, bundleBytes: number): string {
  const lines = [
    `Estimate for ${describeRender(s)}`,
    `  complexity ×${estimate.complexityFactor} (${s.complexity}${s.thirdPartyPlugins ? ', third-party effects' : ''}), ${estimate.gpuMinutes >= 10 ? Math.round(estimate.gpuMinutes) : Number(estimate.gpuMinutes.toPrecision(2))} GPU-minutes, bundle ${formatBytes(bundleBytes)}`,
  ];
  if (estimate.tiers.length === 0) {
    lines.push(`  No GPU tier is priced${s.maxTier ? ` up to --max-tier ${s.maxTier}` : ''}: nothing can render it now.`);
    return lines.join('\n');
  }
  lines.push(
    table([
      ['tier', 'price/min', 'online', 'cost', 'ETA'],
      ...estimate.tiers.map((t) => [`${t.name} (${t.tierId})`, formatUsd(t.pricePerMinuteUsd), String(t.onlineNodes), formatUsd(t.cost.totalUsd), formatDuration(t.etaSeconds)]),
    ]),
  );
  return lines.join('\n');
}

/** "$0.42" or "$0.42–$1.70": what the artist may pay. */
export function costRange(estimate: Estimate): string {
  const costs = estimate.tiers.map((t) => t.cost.totalUsd);
  if (costs.length === 0) return 'an unknown amount';
  const lo = Math.min(...costs);
  const hi = Math.max(...costs);
  return lo === hi ? formatUsd(lo) : `${formatUsd(lo)}–${formatUsd(hi)}`;
}

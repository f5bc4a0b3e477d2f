/**
 * GPU model strings come in many spellings (`NVIDIA GeForce RTX 4090`, `RTX4090`,
 * `NVIDIA A100-SXM4-40GB`, `AMD Radeon(TM) RX 7900 XTX`). Tokens are lowercase runs of letters
 * or of digits, so `A100-SXM4-40GB` → a 100 sxm 4 40 gb and `RTX4090` → rtx 4090.
 */
export function gpuModelTokens(raw: string): string[] {
  return raw.toLowerCase().match(/[a-z]+|[0-9]+/g) ?? [];
}

/** Whether `pattern` occurs as a contiguous run of whole tokens in `model`. */
function containsRun(model: readonly string[], pattern: readonly string[]): boolean {
  if (pattern.length === 0 || pattern.length > model.length) return false;
  outer: for (let i = 0; i + pattern.length <= model.length; i++) {
    for (let j = 0; j < pattern.length; j++) if (model[i + j] !== pattern[j]) continue outer;
    return true;
  }
  return false;
}

/**
 * The tier holding the matching pattern with the most tokens, across all tiers, so `M2 Max`
 * beats `M2`, `RX 7900 XTX` and `RX 7900 XT` never mix, and `A100` never matches `RTX A1000`
 * (whole tokens: 1000 is not 100). On a tie the earlier tier wins. Null when nothing matches.
 */
export function matchTier<T extends { id: string; models: readonly string[] }>(gpuModel: string, tiers: readonly T[]): T | null {
  const model = gpuModelTokens(gpuModel);
  let best: { tier: T; length: number } | null = null;
  for (const tier of tiers) {
    for (const pattern of tier.models) {
      const tokens = gpuModelTokens(pattern);
      if (containsRun(model, tokens) && (!best || tokens.length > best.length)) best = { tier, length: tokens.length };
    }
  }
  return best?.tier ?? null;
}

/** Money is stored as integer micro-dollars so sums never drift; the API speaks decimal dollars. */
export function usdToMicros(usd: number): number {
  return Math.round(usd * 1_000_000);
}

export function microsToUsd(micros: number): number {
  return micros / 1_000_000;
}

/** Round to 1/100 of a cent: small chunks cost fractions of a cent and must not show as 0. */
export function roundUsd(usd: number): number {
  return Math.round(usd * 10_000) / 10_000;
}

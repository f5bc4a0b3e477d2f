/** `aerender version 24.1x15` → version '24.1', major 24. Tolerates `23.6.0x73` and any case. */
export function parseAerenderVersion(output: string): { version: string; major: number } | null {
  const match = /aerender\s+version\s+(\d+)((?:\.\d+)*)/i.exec(output);
  if (!match?.[1]) return null;
  return { version: `${match[1]}${match[2] ?? ''}`, major: Number.parseInt(match[1], 10) };
}

/** AE's marketing year → its major version. AE jumped from 18 (2021) to 22 (2022) to line up with the year. */
export function majorForAeYear(year: number): number {
  if (year <= 2020) return 17;
  if (year === 2021) return 18;
  return year - 2000;
}

/** The year in an install folder: `…/Adobe After Effects 2024/…` → 2024. */
export function aeYearFromPath(path: string): number | null {
  const match = /Adobe After Effects (20\d\d)(?!\d)/i.exec(path);
  return match?.[1] ? Number.parseInt(match[1], 10) : null;
}

// Which effects ship with After Effects, by match name. Effects by other vendors must be
// installed on the node too, and raise the price (+2.0 complexity). A heuristic: vendors pick
// their own prefixes, and the ones below are those of the effects AE installs itself.
const BUNDLED_PREFIXES = [
  'ADBE ', // Adobe
  'CC ', // CycoreFX, bundled since CS3
  'CS ', // Cycore (older names)
  'APC ', // Adobe Pro Color
  'ISL ', // Synthetic Aperture Color Finesse
  'EXtractoR',
  'IDentifier',
  'Keylight', // The Foundry's Keylight, bundled
  'VISINF ', // Grain effects
  'Mettle ', // SkyBox VR effects, bundled since CC 2018
];

export function isBundledEffect(matchName: string): boolean {
  return BUNDLED_PREFIXES.some((p) => matchName.startsWith(p));
}

/** The effects that probably need a third-party plugin on the node. */
export function thirdPartyEffects(matchNames: readonly string[]): string[] {
  return matchNames.filter((m) => !isBundledEffect(m));
}

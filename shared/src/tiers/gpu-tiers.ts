export { gpuModelTokens, matchTier } from './gpu-model-match.js';

export interface TierDefinition {
  id: string;
  name: string;
  pricePerMinuteUsd: number;
  /** Model patterns, matched on whole tokens: `RTX 4090`, `A100`, `M2 Max`. */
  models: readonly string[];
}

const nvidia = (...m: string[]) => m.map((x) => `RTX ${x}`);
const apple = (chips: string[], variants: string[]) => chips.flatMap((c) => variants.map((v) => (v ? `${c} ${v}` : c)));

/**
 * The default tier table (admins edit it later). Seed anchors: RTX 4090 at $0.50 per GPU-minute,
 * A100 at $2.00. Cheapest first.
 */
export const DEFAULT_TIERS: readonly TierDefinition[] = [
  {
    id: 'entry',
    name: 'Entry',
    pricePerMinuteUsd: 0.15,
    models: [
      'GTX 1050', 'GTX 1050 Ti', 'GTX 1060', 'GTX 1070', 'GTX 1070 Ti', 'GTX 1080', 'GTX 1650', 'GTX 1650 SUPER', 'GTX 1660', 'GTX 1660 Ti', 'GTX 1660 SUPER',
      ...nvidia('2060', '2060 SUPER', '3050', '3060', '3060 Laptop GPU', '3070 Laptop GPU', '4050', '4060', '4060 Laptop GPU', 'A2000', 'A4000 Laptop GPU'),
      'Tesla T4', 'T4',
      'RX 6500 XT', 'RX 6600', 'RX 6600 XT', 'RX 6650 XT', 'RX 7600', 'RX 7600 XT', 'Radeon Pro W6600',
      ...apple(['M1', 'M2', 'M3', 'M4'], ['']),
    ],
  },
  {
    id: 'mainstream',
    name: 'Mainstream',
    pricePerMinuteUsd: 0.3,
    models: [
      'GTX 1080 Ti',
      ...nvidia('2070', '2070 SUPER', '2080', '2080 SUPER', '2080 Ti', '3060 Ti', '3070', '3070 Ti', '3080 Laptop GPU', '4060 Ti', '4070', '4070 SUPER', '4070 Laptop GPU', '4080 Laptop GPU', '4090 Laptop GPU', '5060', '5060 Ti', 'A4000', 'A4500'),
      'Tesla V100', 'V100', 'L4',
      'RX 6700', 'RX 6700 XT', 'RX 6750 XT', 'RX 6800', 'RX 7700 XT', 'RX 7800 XT', 'Radeon Pro W6800', 'Radeon Pro W7600',
      ...apple(['M1', 'M2', 'M3', 'M4'], ['Pro']),
    ],
  },
  {
    id: 'high-end',
    name: 'High-end',
    pricePerMinuteUsd: 0.5,
    models: [
      ...nvidia('3080', '3080 Ti', '3090', '3090 Ti', '4070 Ti', '4070 Ti SUPER', '4080', '4080 SUPER', '4090', '4090 D', '5070', '5070 Ti', '5080', 'A5000', 'A5500'),
      'RX 6800 XT', 'RX 6900 XT', 'RX 6950 XT', 'RX 7900 GRE', 'RX 7900 XT', 'RX 7900 XTX', 'RX 9070', 'RX 9070 XT', 'Radeon Pro W7800',
      ...apple(['M1', 'M2', 'M3', 'M4'], ['Max']),
    ],
  },
  {
    id: 'workstation',
    name: 'Workstation',
    pricePerMinuteUsd: 1.0,
    models: [
      ...nvidia('5090', 'A6000', '6000 Ada', '5000 Ada', 'PRO 6000'),
      'Quadro RTX 8000', 'Quadro RTX 6000', 'L40', 'A40',
      'Radeon Pro W7900',
      ...apple(['M1', 'M2', 'M3'], ['Ultra']),
    ],
  },
  {
    id: 'datacenter',
    name: 'Datacenter',
    pricePerMinuteUsd: 2.0,
    models: ['A100', 'H100', 'H200', 'L40S', 'GH200', 'B200', 'MI250X', 'MI300X'],
  },
];

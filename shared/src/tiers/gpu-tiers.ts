export { gpuModelTokens, matchTier } from './gpu-model-match.js';

export interface TierDefinition {
  id: string;
  name: string;
  pricePerMinuteUsd: number;
  /** Model patterns, matched on whole tokens against the reported model: `RTX 4090`, `A100`, `Apple M2 Max`. */
  models: readonly string[];
}

const rtx = (...models: string[]) => models.map((m) => `RTX ${m}`);
const gtx = (...models: string[]) => models.map((m) => `GTX ${m}`);
const rx = (...models: string[]) => models.map((m) => `RX ${m}`);
const radeonPro = (...models: string[]) => models.map((m) => `Radeon Pro ${m}`);
// Apple chips keep their vendor word: a bare `M2` would also match `GTX 960M 2GB`.
const apple = (variant: string, ...chips: string[]) => chips.map((c) => `Apple ${c}${variant ? ` ${variant}` : ''}`);

/**
 * The default tier table, seeded on first start (admins own it afterwards). Cheapest first.
 * Seed anchors: RTX 4090 at $0.50 per GPU-minute, A100 at $2.00. Laptop parts sit a tier below
 * the desktop card of the same name (or in entry).
 */
export const DEFAULT_TIERS: readonly TierDefinition[] = [
  {
    id: 'entry',
    name: 'Entry',
    pricePerMinuteUsd: 0.15,
    models: [
      ...gtx('1050', '1050 Ti', '1060', '1070', '1070 Ti', '1080', '1630', '1650', '1650 Ti', '1650 SUPER', '1660', '1660 Ti', '1660 SUPER'),
      ...rtx('2050', '2060', '2060 SUPER', '3050', '3060', '3060 Laptop GPU', '3070 Laptop GPU', '3070 Ti Laptop GPU', '4050', '4060', '4060 Laptop GPU', '4070 Laptop GPU', '5050', '5060 Laptop GPU', '5070 Laptop GPU'),
      ...rtx('A400', 'A1000', 'A2000', 'A3000', 'A4000 Laptop GPU', '2000 Ada'),
      'T4', 'P100', 'P40',
      ...rx('6400', '6500 XT', '6600', '6600 XT', '6650 XT', '7600', '7600 XT'),
      ...radeonPro('W5500', 'W5700', 'W6400', 'W6600', 'W7500'),
      ...apple('', 'M1', 'M2', 'M3', 'M4'),
    ],
  },
  {
    id: 'mainstream',
    name: 'Mainstream',
    pricePerMinuteUsd: 0.3,
    models: [
      ...gtx('1080 Ti'),
      ...rtx('2070', '2070 SUPER', '2080', '2080 SUPER', '2080 Ti', '3060 Ti', '3070', '3070 Ti', '3080 Laptop GPU', '3080 Ti Laptop GPU'),
      ...rtx('4060 Ti', '4070', '4070 SUPER', '4080 Laptop GPU', '4090 Laptop GPU'),
      ...rtx('5060', '5060 Ti', '5070', '5070 Ti Laptop GPU', '5080 Laptop GPU', '5090 Laptop GPU'),
      ...rtx('A4000', 'A4500', 'A5000 Laptop GPU', 'A5500 Laptop GPU', '4000 Ada', '4000 SFF Ada', 'PRO 2000'),
      'Quadro RTX 4000', 'Quadro RTX 5000', 'V100', 'L4',
      ...rx('6700', '6700 XT', '6750 XT', '6800', '7700 XT', '7800 XT', '9060 XT'),
      ...radeonPro('W6800', 'W7600', 'W7700'),
      ...apple('Pro', 'M1', 'M2', 'M3', 'M4'),
    ],
  },
  {
    id: 'high-end',
    name: 'High-end',
    pricePerMinuteUsd: 0.5,
    models: [
      ...rtx('3080', '3080 Ti', '3090', '3090 Ti', '4070 Ti', '4070 Ti SUPER', '4080', '4080 SUPER', '4090', '4090 D', '5070 Ti', '5080', '5090'),
      ...rtx('A5000', 'A5500', '4500 Ada', 'PRO 4000', 'PRO 4500'),
      'Quadro RTX 6000', 'A10',
      ...rx('6800 XT', '6900 XT', '6950 XT', '7900 GRE', '7900 XT', '7900 XTX', '9070', '9070 XT'),
      ...radeonPro('W7800'),
      ...apple('Max', 'M1', 'M2', 'M3', 'M4'),
    ],
  },
  {
    id: 'workstation',
    name: 'Workstation',
    pricePerMinuteUsd: 1.0,
    models: [
      ...rtx('A6000', '5000 Ada', '6000 Ada', 'PRO 5000', 'PRO 6000'),
      'Quadro RTX 8000', 'L40', 'A40',
      ...radeonPro('W7900'),
      // Apple made no M4 Ultra.
      ...apple('Ultra', 'M1', 'M2', 'M3'),
    ],
  },
  {
    id: 'datacenter',
    name: 'Datacenter',
    pricePerMinuteUsd: 2.0,
    models: ['A100', 'A800', 'H100', 'H800', 'H200', 'GH200', 'B200', 'L40S', 'MI250X', 'MI300X'],
  },
];

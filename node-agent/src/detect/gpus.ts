import type { GpuInfo } from '@cloudexport/shared';
import type { Systeminformation } from 'systeminformation';
import { queryNvidiaSmi, type NvidiaSmiGpu } from './nvidia-smi.js';
import type { ProbeDeps } from './probe-deps.js';

export interface DetectedGpu extends GpuInfo {
  /** 0–100 at detection time, where the driver reports it. */
  utilizationPct?: number;
  /** Apple silicon: no VRAM of its own, `vramMb` is the shared system memory. */
  unifiedMemory?: boolean;
}

type Controller = Pick<Systeminformation.GraphicsControllerData, 'vendor' | 'model' | 'vram' | 'vramDynamic'> &
  Partial<Pick<Systeminformation.GraphicsControllerData, 'driverVersion' | 'memoryTotal' | 'utilizationGpu' | 'name'>>;

// Display adapters that cannot render anything: hypervisor and remote-desktop framebuffers,
// software rasterizers, and the BMC chips on server boards.
const NOT_A_RENDER_GPU = [
  /microsoft basic (display|render)/i,
  /microsoft remote display/i,
  /\b(llvmpipe|softpipe|swrast)\b/i,
  /vmware/i,
  /svga ii/i,
  /virtualbox/i,
  /hyper-v/i,
  /\bqxl\b/i,
  /virtio/i,
  /cirrus logic/i,
  /virtual display/i,
  /indirect display/i,
  /standard vga/i,
  /\baspeed\b/i,
  /matrox.*g200/i,
];

export function isVirtualAdapter(vendor: string, model: string): boolean {
  const text = `${vendor} ${model}`;
  return NOT_A_RENDER_GPU.some((re) => re.test(text));
}

/** One spelling per vendor, whatever the OS API said ("NVIDIA Corporation", "Advanced Micro Devices, Inc. [AMD/ATI]"). */
export function normalizeVendor(vendor: string, model: string): string {
  const text = `${vendor} ${model}`;
  if (/nvidia|geforce|quadro|tesla/i.test(text)) return 'NVIDIA';
  if (/advanced micro devices|\bamd\b|\bati\b|radeon/i.test(text)) return 'AMD';
  if (/intel/i.test(text)) return 'Intel';
  if (/apple/i.test(text)) return 'Apple';
  return vendor.trim() || 'Unknown';
}

/** Linux (lspci) names read `GA102 [GeForce RTX 3090]`: the marketing name is in the brackets. */
function cleanModel(model: string): string {
  const bracketed = /\[([^\]]+)\]\s*$/.exec(model.trim());
  return (bracketed?.[1] ?? model).trim();
}

function fromController(c: Controller, totalRamMb: number | undefined): DetectedGpu {
  const vendor = normalizeVendor(c.vendor, c.model);
  const gpu: DetectedGpu = {
    model: cleanModel(c.model || c.name || 'Unknown GPU'),
    vendor,
    vramMb: Math.max(0, Math.round(c.vram ?? c.memoryTotal ?? 0)),
    driver: c.driverVersion?.trim() || null,
  };
  // Only Apple silicon: an Intel iGPU's "shared memory" is not what AE can really use.
  if (vendor === 'Apple' && c.vram == null && totalRamMb !== undefined) {
    gpu.vramMb = Math.round(totalRamMb);
    gpu.unifiedMemory = true;
  }
  if (typeof c.utilizationGpu === 'number') gpu.utilizationPct = c.utilizationGpu;
  return gpu;
}

function fromNvidiaSmi(g: NvidiaSmiGpu): DetectedGpu {
  const gpu: DetectedGpu = { model: g.name, vendor: 'NVIDIA', vramMb: g.vramMb ?? 0, driver: g.driver };
  if (g.utilizationPct !== null) gpu.utilizationPct = g.utilizationPct;
  return gpu;
}

/**
 * systeminformation's controllers, with nvidia-smi's answer replacing every NVIDIA entry when
 * present: it gives the retail name and the driver version users know (536.23, not WMI's
 * 31.0.15.3623). Virtual adapters are dropped. Largest VRAM first.
 */
export function mergeGpus(controllers: readonly Controller[], smi: readonly NvidiaSmiGpu[] | null, opts: { totalRamMb?: number } = {}): DetectedGpu[] {
  const gpus: DetectedGpu[] = [];
  for (const c of controllers) {
    if (isVirtualAdapter(c.vendor, c.model)) continue;
    const gpu = fromController(c, opts.totalRamMb);
    if (smi !== null && gpu.vendor === 'NVIDIA') continue;
    gpus.push(gpu);
  }
  if (smi !== null) gpus.push(...smi.map(fromNvidiaSmi));
  return gpus.sort((a, b) => b.vramMb - a.vramMb);
}

export interface GpuDetection {
  gpus: DetectedGpu[];
  /** nvidia-smi ran and answered. */
  nvidiaSmi: boolean;
}

/** Both sources in parallel; either may fail alone without losing the other's answer. */
export async function detectGpuDetails(
  deps: Pick<ProbeDeps, 'exec' | 'platform' | 'si'>,
  opts: { totalRamMb?: number; timeoutMs?: number } = {},
): Promise<GpuDetection> {
  const [controllers, smi] = await Promise.all([
    deps.si.graphics().then(
      (g) => g.controllers,
      () => [],
    ),
    queryNvidiaSmi(deps, opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }).catch(() => null),
  ]);
  return { gpus: mergeGpus(controllers, smi, opts), nvidiaSmi: smi !== null };
}

export async function detectGpus(deps: Pick<ProbeDeps, 'exec' | 'platform' | 'si'>, opts: { totalRamMb?: number } = {}): Promise<DetectedGpu[]> {
  return (await detectGpuDetails(deps, opts)).gpus;
}

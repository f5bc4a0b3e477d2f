import { z } from 'zod';

export const gpuInfoSchema = z.object({
  model: z.string().max(200),
  vendor: z.string().max(100),
  vramMb: z.number().int().min(0).max(10_000_000),
  driver: z.string().max(100).nullable(),
});
export type GpuInfo = z.infer<typeof gpuInfoSchema>;

export const aeInstallSchema = z.object({
  version: z.string().max(50),
  major: z.number().int().min(0).max(99),
  path: z.string().max(1000),
});
export type AeInstall = z.infer<typeof aeInstallSchema>;

/** What a node says about itself at enrollment and on every connection. */
export const machineReportSchema = z
  .object({
    gpus: z.array(gpuInfoSchema).max(16),
    cpu: z.object({ model: z.string().max(200), cores: z.number().int().min(0).max(4096) }),
    ramMb: z.number().int().min(0).max(1e9),
    freeDiskMb: z.number().int().min(0).max(1e12),
    os: z.object({ platform: z.string().max(40), release: z.string().max(100), arch: z.string().max(40), hostname: z.string().max(255) }),
    aeInstalls: z.array(aeInstallSchema).max(32),
    ffmpeg: z.object({ path: z.string().max(1000), version: z.string().max(100), encoders: z.array(z.string().max(40)).max(100) }).nullable(),
    agentVersion: z.string().max(40),
  })
  .meta({ id: 'MachineReport' });
export type MachineReport = z.infer<typeof machineReportSchema>;

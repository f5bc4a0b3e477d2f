import type { MachineReport } from '@cloudexport/shared';
import type { MachineInfo } from './detect/machine.js';
import { AGENT_VERSION } from './version.js';

/** The wire shape of what detection found: exactly the fields the coordinator accepts. */
export function toMachineReport(info: MachineInfo): MachineReport {
  return {
    gpus: info.gpus.slice(0, 16).map((g) => ({ model: g.model.slice(0, 200), vendor: g.vendor.slice(0, 100), vramMb: Math.round(g.vramMb), driver: g.driver })),
    cpu: { model: info.cpu.model.slice(0, 200), cores: info.cpu.cores },
    ramMb: Math.round(info.ramMb),
    freeDiskMb: Math.round(info.freeDiskMb),
    os: info.os,
    aeInstalls: info.aeInstalls.slice(0, 32).map((a) => ({ version: a.version, major: a.major, path: a.path })),
    ffmpeg: info.ffmpeg ? { path: info.ffmpeg.path, version: info.ffmpeg.version.slice(0, 100), encoders: info.ffmpeg.encoders } : null,
    agentVersion: AGENT_VERSION,
  };
}

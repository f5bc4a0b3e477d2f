export type DoctorStatus = 'pass' | 'warn' | 'fail';

export interface DoctorCheck {
  id: string;
  title: string;
  status: DoctorStatus;
  detail: string;
  /** What the owner should do; set on every warn and fail that has a remedy. */
  fix?: string;
}

export interface DoctorReport {
  /** False when any check failed; warnings do not stop the node from taking work. */
  ok: boolean;
  checks: DoctorCheck[];
}

/** 24564 MB → "24 GB", 3072 → "3 GB", 1536 → "1.5 GB". */
export function formatGb(mb: number): string {
  return `${Number((mb / 1024).toFixed(1))} GB`;
}

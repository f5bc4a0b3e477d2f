import type { DoctorReport, DoctorStatus } from './doctor-check.js';

const MARK: Record<DoctorStatus, string> = { pass: '✔', warn: '!', fail: '✘' };

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** One line per check, its fix indented below, and a verdict line last. */
export function formatDoctorReport(report: DoctorReport): string {
  const lines: string[] = [];
  for (const check of report.checks) {
    lines.push(`${MARK[check.status]} ${check.title}: ${check.detail}`);
    if (check.fix && check.status !== 'pass') lines.push(`    Fix: ${check.fix}`);
  }
  const failed = report.checks.filter((c) => c.status === 'fail').length;
  const warned = report.checks.filter((c) => c.status === 'warn').length;
  lines.push('');
  if (!report.ok) {
    const warnings = warned > 0 ? ` and ${plural(warned, 'warning')}` : '';
    lines.push(`Not ready: ${plural(failed, 'check')} failed${warnings}. Fix the ✘ lines and run doctor again.`);
  } else if (warned > 0) {
    lines.push(`Ready to render, with ${plural(warned, 'warning')}.`);
  } else {
    lines.push('Ready to render.');
  }
  return lines.join('\n');
}

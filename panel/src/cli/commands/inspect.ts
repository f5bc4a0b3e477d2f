// `cloudexport inspect <project.aep>`: what the project holds and what would not render.
import type { Command } from 'commander';
import type { CollectedProject } from '../../bundle/collect.js';
import type { CliContext } from '../context.js';
import { Output } from '../context.js';
import { formatBytes, formatFps, plural, table } from '../format.js';
import { loadProject } from '../load-project.js';

export function inspectCommand(program: Command, ctx: CliContext): void {
  program
    .command('inspect')
    .description('list a project’s comps, footage (found or missing), effects, expression engine and bit depth')
    .argument('<project.aep>', 'the After Effects project')
    .option('--json', 'print the result as JSON')
    .action(async (projectPath: string, opts: { json?: boolean }) => {
      const out = new Output(opts.json === true, ctx);
      const collected = await loadProject(projectPath, ctx.cwd);
      out.result(inspection(collected), () => formatInspection(collected));
    });
}

export function inspection(c: CollectedProject) {
  return {
    project: c.projectPath,
    size: c.projectSize,
    bitsPerChannel: c.project.bitsPerChannel,
    expressionEngine: c.project.expressionEngine,
    compositions: c.project.compositions.map((comp) => ({
      id: comp.id,
      name: comp.name,
      width: comp.width,
      height: comp.height,
      fps: comp.frameRate,
      durationSeconds: comp.duration,
      frames: comp.frameCount,
      hasAudio: comp.hasAudioLayers,
    })),
    footage: {
      found: c.assets.map((a) => ({ originalPath: a.originalPath, localPath: a.localPath, size: a.size, role: a.role, foundBy: a.foundBy, usedBy: a.usedBy })),
      missing: c.missing.map((m) => ({ name: m.name, kind: m.kind, originalPath: m.originalPath, usedBy: m.usedBy })),
    },
    effects: c.effects,
    thirdPartyEffects: c.thirdPartyEffects,
    fonts: c.fonts,
    totalBytes: c.totalBytes,
  };
}

function usedIn(comps: string[]): string {
  return comps.length ? `used in ${comps.map((n) => `"${n}"`).join(', ')}` : 'used in no comp';
}

export function formatInspection(c: CollectedProject): string {
  const p = c.project;
  const lines = [`${c.projectPath} (${formatBytes(c.projectSize)}): ${p.bitsPerChannel ?? '?'} bpc, expressions: ${p.expressionEngine}`, ''];
  lines.push(`Compositions (${p.compositions.length}):`);
  lines.push(
    p.compositions.length
      ? table(p.compositions.map((comp) => [comp.name, `${comp.width}×${comp.height}`, `${formatFps(comp.frameRate)} fps`, `${comp.duration.toFixed(2)} s`, plural(comp.frameCount, 'frame')]))
      : '  none',
  );
  lines.push('', `Footage files: ${c.assets.length} found, ${c.missing.length} missing (solids need no file)`);
  for (const m of c.missing) {
    lines.push(`  MISSING  ${m.name}  ${m.originalPath ?? '(placeholder: no file)'}  — ${usedIn(m.usedBy)}`);
  }
  for (const a of c.assets) {
    lines.push(`  found    ${a.originalPath}\n           → ${a.localPath} (${formatBytes(a.size)}, ${a.role}, ${a.foundBy.replace(/-/g, ' ')}) — ${usedIn(a.usedBy)}`);
  }
  lines.push('', `Effects: ${c.effects.length ? c.effects.join(', ') : 'none'}`);
  if (c.thirdPartyEffects.length) lines.push(`  probably third-party (the node needs the plugin): ${c.thirdPartyEffects.join(', ')}`);
  lines.push(`Fonts: ${c.fonts.join(', ') || 'none'}`);
  lines.push(`Bundle size: ${formatBytes(c.totalBytes)} (project and found footage)`);
  return lines.join('\n');
}

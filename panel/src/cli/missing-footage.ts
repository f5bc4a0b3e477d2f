import type { AepComposition } from '@cloudexport/shared';
import { itemsUsedByComp, type CollectedProject, type MissingFootage } from '../bundle/collect.js';
import { plural } from './format.js';

/** Missing footage the comp renders (through precomps), and missing footage it does not touch. */
export function missingFor(collected: CollectedProject, comp: AepComposition): { blocking: MissingFootage[]; elsewhere: MissingFootage[] } {
  const used = itemsUsedByComp(collected.project, comp.id);
  return {
    blocking: collected.missing.filter((m) => used.has(m.footageId)),
    elsewhere: collected.missing.filter((m) => !used.has(m.footageId)),
  };
}

export function describeMissing(list: readonly MissingFootage[]): string {
  return list
    .map((m) => `  ${m.name} — ${m.originalPath ?? 'a placeholder (no file)'} — used in ${m.usedBy.length ? m.usedBy.map((n) => `"${n}"`).join(', ') : 'no comp directly'}`)
    .join('\n');
}

export function missingError(list: readonly MissingFootage[], comp: AepComposition): string {
  return [
    `${plural(list.length, 'footage file is', 'footage files are')} missing, so "${comp.name}" cannot render as it looks in After Effects:`,
    describeMissing(list),
    'Put the files back where the project expects them (or in the project’s folder), relink them in After Effects and save,',
    'or pass --skip-missing to submit without them. Nothing was uploaded.',
  ].join('\n');
}

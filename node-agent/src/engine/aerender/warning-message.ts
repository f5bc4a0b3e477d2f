// AE packs grouped warnings as `Grouped_Message_{plural|||singular###@0 detail-header}detail`.
const GROUPED = /Grouped_Message_\{([^}]*)\}(.*)$/s;
const FONT = /^(?:(.*?):\s*)?Font family:\s*([^,]+?)\s*(?:,\s*Font style:\s*(.+?))?\s*$/;

/** Strips aerender's level prefixes (`WARNING:`, `PROGRESS:`) and AE's `After Effects warning:` marker. */
function stripMarkers(line: string): string {
  return line
    .trim()
    .replace(/^(?:(?:WARNING|PROGRESS|ERROR):\s*)+/, '')
    .replace(/^After Effects warning:\s*/, '')
    .trim();
}

/** Turns a raw aerender warning line into a sentence an artist can act on. */
export function readableWarning(line: string): string {
  const text = stripMarkers(line);
  const grouped = GROUPED.exec(text);
  if (!grouped) return text;
  const [summaryPart = ''] = (grouped[1] ?? '').split('###');
  const [plural = '', singular = ''] = summaryPart.split('|||');
  const summary = (singular || plural).trim().replace(/\.$/, '');
  const detail = (grouped[2] ?? '').trim();
  const font = FONT.exec(detail);
  if (font?.[2]) {
    const name = [font[2], font[3]].filter(Boolean).join(' ');
    const where = font[1] ? ` (layer "${font[1]}")` : '';
    return `Missing font: ${name}${where}. Install it on the render node; until then After Effects substitutes another font.`;
  }
  if (summary && detail) return `${summary}: ${detail}`;
  return summary || detail || text;
}

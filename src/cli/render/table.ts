/**
 * Tables as DVC prints them (python-tabulate, which DVC calls with its own settings): plain text
 * for the terminal, GitHub-flavoured Markdown for `--md`. Every cell is text and left-aligned;
 * each column is as wide as its widest cell, and at least two wider than its header.
 *
 *   Path          accuracy    loss           | Path         | accuracy   |
 *   metrics.json  0.8571      0.1429         |--------------|------------|
 *                                            | metrics.json | 0.8571     |
 */

export interface Table {
  headers: string[];
  rows: string[][];
}

/** Cells are measured in code points (tabulate without the optional wcwidth package). */
function width(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function pad(s: string, w: number): string {
  return s + ' '.repeat(Math.max(0, w - width(s)));
}

function columnWidths(t: Table): number[] {
  return t.headers.map((h, i) => Math.max(width(h) + 2, ...t.rows.map((r) => width(r[i] ?? ''))));
}

/**
 * The table's text, ending with a newline; nothing for a plain table without rows (DVC prints
 * nothing then). Markdown ends with a blank line, as DVC's does.
 */
export function renderTable(t: Table, opts: { markdown?: boolean } = {}): string {
  if (t.rows.length === 0 && !opts.markdown) return '';
  const widths = columnWidths(t);
  const cells = (r: string[]) => widths.map((w, i) => pad(r[i] ?? '', w));
  if (opts.markdown) {
    const line = (r: string[]) => `| ${cells(r).join(' | ')} |`;
    const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
    return `${[line(t.headers), rule, ...t.rows.map(line)].join('\n')}\n\n`;
  }
  const line = (r: string[]) => cells(r).join('  ').trimEnd();
  return `${[line(t.headers), ...t.rows.map(line)].join('\n')}\n`;
}

/**
 * Lines up rows of cells into columns as wide as their widest cell, for the plain-text reports
 * a terminal or a cron mail shows: figures, however large, never push a column out of line.
 */

/**
 * One line per row, cells two spaces apart; a column whose `right` flag is set is aligned to
 * the right (figures), the others to the left. The last column is not padded.
 */
export function alignColumns(rows: string[][], right: boolean[], indent = ''): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, k) => {
      widths[k] = Math.max(widths[k] ?? 0, cell.length);
    });
  }
  return rows.map(
    (row) =>
      indent +
      row
        .map((cell, k) => {
          if (right[k]) return cell.padStart(widths[k]);
          return k === row.length - 1 ? cell : cell.padEnd(widths[k]);
        })
        .join('  ')
        .trimEnd(),
  );
}

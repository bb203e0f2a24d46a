/**
 * "Did you mean …?" for a name typed by hand (a playbook key, tier, task or check id): the
 * known name a typo most likely stands for, by edit distance with swapped neighbours as one edit.
 */

/** Edits from `a` to `b`: insert, delete, replace, or swap two neighbours (optimal alignment). */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, rows[i - 2][j - 2] + 1);
      }
      rows[i][j] = best;
    }
  }
  return rows[a.length][b.length];
}

/**
 * The candidate `value` most likely meant, ignoring case: one edit away for a name of up to
 * four characters, two for a longer one; undefined when none is that near (or it is exact).
 */
function closestName(value: string, candidates: readonly string[]): string | undefined {
  // Long inputs are not typos of a name, and would cost a large table.
  if (value.length > 200) return undefined;
  const wanted = value.toLowerCase();
  const limit = value.length <= 4 ? 1 : 2;
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    if (name === value) return undefined;
    if (Math.abs(name.length - value.length) > limit) continue;
    const distance = editDistance(wanted, name.toLowerCase());
    if (distance <= limit && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

/** ` Did you mean "tier"?`, or '' when nothing is near: to end a problem's message with. */
export function didYouMean(value: string, candidates: readonly string[]): string {
  const name = closestName(value, candidates);
  return name === undefined ? '' : ` Did you mean "${name}"?`;
}

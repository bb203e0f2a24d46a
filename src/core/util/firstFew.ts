/**
 * A list shortened for one line: its first few items, then how many more ("A, B, C, 2 more"),
 * so a summary names what it can and counts the rest.
 */

/** The first `limit` items joined by commas, then `beforeMore` and how many were left out. */
export function firstFew(items: readonly string[], limit = 3, beforeMore = ', '): string {
  const shown = items.slice(0, limit).join(', ');
  const more = items.length - limit;
  return more > 0 ? `${shown}${beforeMore}${more} more` : shown;
}

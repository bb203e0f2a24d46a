/**
 * A count with its noun ("1 migration", "2 indexes"), the one helper every summary, card and
 * tree description uses, so "1 migrations" never reaches a maintainer.
 */

/** `1 index`, `2 indexes`, `1,204 requests`: the count grouped by thousands, the noun agreeing. */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count.toLocaleString('en')} ${count === 1 ? one : many}`;
}

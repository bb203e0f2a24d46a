/**
 * A count with its noun ("1 migration", "2 indexes"), the one helper every summary, card and
 * tree description uses, so "1 migrations" never reaches a maintainer.
 */

/** `1 index`, `2 indexes`, `1,204 requests`: the count grouped by thousands, the noun agreeing. */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count.toLocaleString('en')} ${count === 1 ? one : many}`;
}

/**
 * `953 completed requests (of 956)`: a part of a whole, named by what sets it apart, so it reads
 * as a part and not as another count of the whole; `956 requests` when the part is the whole.
 */
export function pluralPart(count: number, total: number, kind: string, one: string): string {
  if (count >= total) return plural(count, one);
  return `${plural(count, `${kind} ${one}`)} (of ${total.toLocaleString('en')})`;
}

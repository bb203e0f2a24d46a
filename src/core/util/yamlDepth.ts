/**
 * Refuses YAML that nests too deeply before it is parsed. yaml's parser and visitors recurse once
 * per level, and near the end of the stack V8 may abort the whole process (a regular expression
 * that fails to compile for lack of memory) instead of throwing a RangeError: a 120 KB
 * config/database.yml of brackets killed `upkeep db`. Real playbooks and database.yml files nest
 * a handful of levels.
 */

/** Far above any real file, far below where the parser runs out of stack (about 800 levels). */
export const MAX_YAML_DEPTH = 100;

/** A quote starts a quoted scalar only where a token starts (`a'b` is a plain scalar). */
const TOKEN_START = /[\s[\]{},:?-]/;

/**
 * The 1-based number of the first line that may nest deeper than `limit`, or undefined. Each
 * line's depth is bounded from above without parsing: its indentation (a nested block is
 * indented further), the compact `- ` / `? ` entries that open it, and the flow brackets open at
 * that point outside quotes and comments.
 */
export function lineNestedTooDeep(text: string, limit = MAX_YAML_DEPTH): number | undefined {
  let flow = 0;
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index];
    const indent = /^[ \t]*/.exec(line)![0].length;
    const compact = /^(?:[-?][ \t]+)*/.exec(line.slice(indent))![0].replace(/[ \t]/g, '').length;
    const base = indent + compact;
    if (base + flow > limit) return index + 1;

    let quote = '';
    for (let at = indent; at < line.length; at++) {
      const char = line[at];
      if (quote) {
        if (char === quote) quote = '';
        continue;
      }
      const before = at === 0 ? ' ' : line[at - 1];
      if ((char === "'" || char === '"') && TOKEN_START.test(before)) quote = char;
      else if (char === '#' && /\s/.test(before)) break;
      else if (char === '[' || char === '{') {
        flow++;
        if (base + flow > limit) return index + 1;
      } else if ((char === ']' || char === '}') && flow > 0) flow--;
    }
  }
  return undefined;
}

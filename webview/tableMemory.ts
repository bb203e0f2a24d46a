/**
 * What the user set in each table of the page (its sort, its page, the rows whose "More" is
 * open), by the table's id: kept in the webview's state, so that a refresh, the panel hidden and
 * shown again (the page rebuilt) or a window reload finds each table as the user left it.
 */
import { boundedString, type TableViewState } from '../src/core/dashboard/protocol';
import { isRecord } from '../src/core/util/isRecord';

export interface TableMemory {
  sort?: { key: string; descending: boolean };
  page: number;
  /** Row keys (see `rowKeyText`), the last opened last. */
  open: Set<string>;
}

/**
 * Bounds on what is kept, and read back from a saved state: the state is written at every
 * scroll, and one from an older page or a hostile script must not cost the page its start.
 */
const MAX_TABLES = 40;
const MAX_OPEN = 40;
const MAX_ID = 200;
const MAX_SORT_KEY = 200;
const MAX_PAGE = 1_000_000;
/** A row key longer than this is kept as its start and a hash of the whole (`rowKeyText`). */
const MAX_ROW_KEY = 400;

/** In the order last changed, the last changed last; the first goes when there are too many. */
const memories = new Map<string, TableMemory>();
let onChange: (() => void) | undefined;

/** A 53-bit hash of a string (cyrb53): two long keys of one start stay apart. */
function hash(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ code, 2654435761);
    h2 = Math.imul(h2 ^ code, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}

/** A row's key as kept: a long one (a request's path, a query) bounded, still its own. */
export function rowKeyText(key: string): string {
  if (key.length <= MAX_ROW_KEY) return key;
  return `${key.slice(0, MAX_ROW_KEY - 16)}…#${hash(key)}`;
}

/** The table's memory, as last set; undefined when the user changed nothing in it. */
export function tableMemory(id: string): TableMemory | undefined {
  return memories.get(id);
}

/** Keeps what the user just set in a table, and saves it with the page's state. */
export function rememberTable(id: string, memory: TableMemory): void {
  while (memory.open.size > MAX_OPEN) memory.open.delete(memory.open.values().next().value!);
  memories.delete(id);
  memories.set(id, memory);
  while (memories.size > MAX_TABLES) memories.delete(memories.keys().next().value!);
  onChange?.();
}

/** What is kept, for vscode.setState. */
export function savedTables(): TableViewState[] {
  return Array.from(memories, ([id, memory]) => ({
    id,
    ...(memory.sort ? { sort: { ...memory.sort } } : {}),
    page: memory.page,
    open: [...memory.open],
  }));
}

/** One saved table, or undefined when its id is not one; a bad field falls back alone. */
function parseTable(value: unknown): [string, TableMemory] | undefined {
  if (!isRecord(value) || !boundedString(value.id, MAX_ID)) return undefined;
  const sort = value.sort;
  const page = value.page;
  const open = Array.isArray(value.open) ? value.open.slice(-MAX_OPEN) : [];
  return [
    value.id,
    {
      sort:
        isRecord(sort) &&
        boundedString(sort.key, MAX_SORT_KEY) &&
        typeof sort.descending === 'boolean'
          ? { key: sort.key, descending: sort.descending }
          : undefined,
      page:
        typeof page === 'number' && Number.isInteger(page) && page >= 0 && page <= MAX_PAGE
          ? page
          : 0,
      open: new Set(open.filter((key) => boundedString(key, MAX_ROW_KEY))),
    },
  ];
}

/**
 * Takes back the tables of a saved state (`vscode.getState().tables`), whatever it holds: what
 * is not a table's memory is left out, and only the last changed tables are read.
 */
export function restoreTables(saved: unknown, changed: () => void): void {
  memories.clear();
  onChange = changed;
  if (!Array.isArray(saved)) return;
  for (const entry of saved.slice(-MAX_TABLES)) {
    const table = parseTable(entry);
    if (!table) continue;
    memories.delete(table[0]);
    memories.set(...table);
  }
}

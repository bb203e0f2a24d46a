/**
 * A sortable, paged table: a real <table> with a caption and column headers, so screen readers
 * and keyboards work, and only one page of rows in the DOM, so 10,000 rows stay fast.
 */
import { compareIntegers, groupDigits } from '../src/core/util/figures';
import { controlsWrittenOut } from '../src/core/util/printable';
import {
  append,
  breakable,
  clip,
  formatNumber,
  formatText,
  formatTime,
  h,
  isInstant,
  plural,
  replaceChildren,
  shownText,
  shownTimeZone,
} from './dom';
import { rememberTable, rowKeyText, tableMemory, type TableMemory } from './tableMemory';

export interface Column<R> {
  key: string;
  label: string;
  numeric?: boolean;
  /** The value sorted on. */
  value(row: R): string | number | null;
  /** What the cell shows; by default the value as text. */
  cell?(row: R): Node | string;
  sortable?: boolean;
  /**
   * Left out in a narrow panel; its value is then in the title of the row's first cell, and
   * under the "More" button there that a keyboard and a screen reader reach.
   */
  optional?: boolean;
  /**
   * Left out in a panel narrower than this (px), as an optional column is under 1,000: in a
   * side panel what the row is about and its key figures keep the width, and the table does not
   * scroll sideways. Its value is then in the first cell's title and under its "More" too.
   */
  hideBelow?: 660 | 520 | 420;
  /** The cell shows an age ("5 min ago"), not a time: its header names no zone. */
  age?: boolean;
}

export interface TableOptions<R> {
  /**
   * The table's own name, the same at every refresh (`logs.actions`, `card.database.bloat`):
   * what the user set in it is kept under it. Not the caption, which two tables can share.
   */
  id: string;
  caption: string;
  columns: Column<R>[];
  rows: R[];
  pageSize?: number;
  sort?: { key: string; descending: boolean };
  empty?: string;
  /**
   * What tells a row apart across refreshes, for its "More" to stay open; by default its first
   * column's value (an action, a class name), not its place, which a sort moves. A table whose
   * first column repeats (a schema, a query's text) gives one; rows of one key still open apart.
   */
  rowKey?(row: R): string;
}

const DEFAULT_PAGE_SIZE = 50;

function compare(a: string | number | null, b: string | number | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  // A bigint comes as digits: 9223372036854775807 sorts after 42, not before it.
  return compareIntegers(a, b) ?? String(a).localeCompare(String(b));
}

/** Text longer than a cell shows whole: the rest is in the cell's title, up to this. */
const MAX_TITLE = 4000;

/**
 * A value as text: a number grouped, an instant in the one date format, '–' for none. Text is
 * one line, as a card's summary is: line breaks and tabs as spaces, other controls written out
 * (`\u001b`), so that a query's terminal escape or bidi override in Long-running queries shows.
 */
function cellText(value: string | number | null, numeric: boolean | undefined): string {
  if (value === null) return '–';
  if (typeof value === 'number') return formatNumber(value);
  if (numeric) return groupDigits(value);
  return formatText(controlsWrittenOut(value.replace(/\r\n|[\r\n\t\u2028\u2029]/g, ' ')));
}

/** A figure and its unit ("1984 kB", "119 ms"), which read as one. */
const FIGURE_WITH_UNIT = /^-?[\d.,]+ [A-Za-zµ%]+$/;

/** What a cell shows of a value, and the whole text when that is cut. */
function display(
  value: string | number | null,
  numeric: boolean | undefined,
): { content: Node | string; title?: string } {
  const text = cellText(value, numeric);
  const shown = clip(text);
  if (typeof value !== 'string' || numeric) return { content: shown };
  // A narrow column broke "1984 kB" between the number and its unit.
  if (FIGURE_WITH_UNIT.test(shown)) return { content: h('span', { className: 'quantity' }, shown) };
  // Names wrap after their punctuation, so a long path or class name fits a narrow panel.
  return { content: breakable(shown), title: shown === text ? undefined : clip(text, MAX_TITLE) };
}

/**
 * The width under which a column gives way, as the class its entry under a row's "More" button
 * has: styles.css shows the entry, and the button, only where the column is out. In a panel of
 * 210 px every column but the first gives way.
 */
function hiddenUnder(column: Column<unknown>, index: number): string | undefined {
  if (column.hideBelow) return `more-${column.hideBelow}`;
  if (column.optional) return 'more-optional';
  return index > 0 ? 'more-narrowest' : undefined;
}

function classOf(column: Column<unknown>, index: number, blank = false): string | undefined {
  return (
    [
      column.numeric && 'numeric',
      // In a panel of 210 px a row is its first cell; the rest is one "More" away.
      index > 0 && 'narrowest-out',
      column.optional && 'optional',
      column.hideBelow && `hide-below-${column.hideBelow}`,
      blank && 'blank',
    ]
      .filter(Boolean)
      .join(' ') || undefined
  );
}

/**
 * Whether no row has a value in the column (growth before the first week's snapshot): it then
 * takes the least width, not a share of the spare width as wide as its header.
 */
function isBlank<R>(column: Column<R>, rows: R[]): boolean {
  return !column.cell && rows.every((row) => column.value(row) === null);
}

/**
 * A column of instants (a slow request's time, an exception's last seen, a card's dates) names
 * the zone its times show in: "Time (Europe/Berlin)".
 */
function zoneLabelled<R>(column: Column<R>, rows: R[]): Column<R> {
  const values = rows
    .map((row) => column.value(row))
    .filter((value) => value !== null && value !== '');
  const instants = values.length > 0 && values.every((v) => typeof v === 'string' && isInstant(v));
  return instants && !column.age
    ? { ...column, label: `${column.label} (${shownTimeZone()})` }
    : column;
}

/**
 * A cell's text as shown: its own rendering where it has one ("150 ms", not "150"). An age is
 * its time in the shown zone: a tooltip's "5 min ago" would not be kept true, as the cell is.
 */
function cellShownText<R>(column: Column<R>, row: R): string {
  const value = column.value(row);
  if (column.age && typeof value === 'string' && isInstant(value)) {
    return `${formatTime(value)} (${shownTimeZone()})`;
  }
  if (!column.cell) return cellText(value, column.numeric);
  const shown = column.cell(row);
  return (typeof shown === 'string' ? shown : (shown.textContent ?? '')).trim();
}

/**
 * Each row's key, told apart from an earlier row of the same key by its count ("users",
 * "users\u0000#2"), in the rows' order as given, which a sort does not change.
 */
function rowKeys<R>(rows: R[], keyOf: (row: R) => string): Map<R, string> {
  const seen = new Map<string, number>();
  const keys = new Map<R, string>();
  for (const row of rows) {
    const key = keyOf(row);
    const count = (seen.get(key) ?? 0) + 1;
    seen.set(key, count);
    keys.set(row, rowKeyText(count === 1 ? key : `${key}\u0000#${count}`));
  }
  return keys;
}

/**
 * A sort button's label, its last word in a span that carries the sort arrow: the header wraps
 * between its words, never between "Count" and its "▼".
 */
function sortLabel(label: string): (Node | string)[] {
  const split = label.lastIndexOf(' ');
  const end = h('span', { className: 'sort-end' }, label.slice(split + 1));
  return split < 0 ? [end] : [label.slice(0, split + 1), end];
}

export function dataTable<R>(options: TableOptions<R>): HTMLElement {
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  // What the user set before this refresh (or before the panel was rebuilt), else the default;
  // a sort by a column the table no longer has gives way to its default.
  const kept = tableMemory(options.id);
  const memory: TableMemory = {
    sort: kept?.sort ?? options.sort,
    page: kept?.page ?? 0,
    open: new Set(kept?.open),
  };
  const sortable = (key: string | undefined): boolean =>
    options.columns.some((column) => column.key === key && column.sortable !== false);
  if (!sortable(memory.sort?.key)) memory.sort = options.sort;
  const remember = (): void => rememberTable(options.id, memory);
  let sort = memory.sort;
  let page = memory.page;
  let rows = options.rows;
  const keys = rowKeys(options.rows, (row) =>
    options.rowKey ? options.rowKey(row) : String(options.columns[0]?.value(row) ?? ''),
  );
  const keyOf = (row: R): string => keys.get(row) ?? '';

  const wrapper = h('div', { className: 'table-block' });
  if (rows.length === 0) {
    wrapper.append(h('p', { className: 'empty' }, options.empty ?? 'Nothing to show.'));
    return wrapper;
  }

  const columns = options.columns.map((column) => zoneLabelled(column, options.rows));
  const blank = columns.map((column) => isBlank(column, options.rows));
  const headCells = columns.map((column, index) => {
    const th = h('th', {
      attrs: { scope: 'col' },
      className: classOf(column, index, blank[index]),
    });
    if (column.sortable === false) {
      th.textContent = column.label;
      return th;
    }
    const button = h(
      'button',
      {
        className: 'sort',
        attrs: { type: 'button', title: `Sort by ${column.label}` },
        on: {
          click: () => {
            const descending = sort?.key === column.key ? !sort.descending : !!column.numeric;
            sort = { key: column.key, descending };
            memory.sort = sort;
            page = 0;
            memory.page = 0;
            remember();
            applySort();
            render();
          },
        },
      },
      ...sortLabel(column.label),
    );
    th.append(button);
    return th;
  });
  const tbody = h('tbody');
  // What a narrow panel leaves out of a row, for its first cell's title: "Column maximum: 2",
  // "p50: 150 ms" (as its cell shows it).
  const optionalValues = (row: R): string[] =>
    columns
      .filter((column) => column.optional || column.hideBelow)
      .map((column) => `${column.label}: ${clip(cellShownText(column, row))}`);
  // The same values for a keyboard and a screen reader, which never see a title: a "More" button
  // in the row's first cell opens a row under it listing each column that gives way, as its
  // cell shows it (a log line as the button that opens it). The button is there only in a panel
  // narrow enough to leave a column out, an icon (a word there widened the tables past the
  // panel), named for its row.
  const hidden = columns.flatMap((column, index) => {
    const under = hiddenUnder(column, index);
    return under ? [{ column, under }] : [];
  });
  const moreClass = ['row-more', ...new Set(hidden.map(({ under }) => `has-${under}`))].join(' ');
  const moreButton = (row: R, tr: HTMLTableRowElement): HTMLElement => {
    let values: HTMLElement | undefined;
    const name = clip(cellShownText(columns[0], row), 80);
    const key = keyOf(row);
    const show = (open: boolean): void => {
      values?.remove();
      values = open
        ? h(
            'tr',
            { className: `${moreClass} row-more-values` },
            h('td', { attrs: { colspan: String(columns.length) } }, moreList(row)),
          )
        : undefined;
      if (values) tr.after(values);
      button.setAttribute('aria-expanded', String(open));
    };
    const toggle = (): void => {
      const open = !values;
      show(open);
      memory.open.delete(key);
      if (open) memory.open.add(key);
      remember();
    };
    const button = h(
      'button',
      {
        className: `${moreClass} row-more-button`,
        attrs: {
          type: 'button',
          'aria-expanded': 'false',
          'aria-label': `More about ${name}`,
          title: 'The rest of this row',
        },
        on: { click: toggle },
      },
      h('span', { className: 'codicon codicon-ellipsis', attrs: { 'aria-hidden': 'true' } }),
    );
    // Open before, open again: a refresh, a sort or another page does not close it.
    if (memory.open.has(key)) show(true);
    return button;
  };
  const moreList = (row: R): HTMLElement =>
    h(
      'ul',
      null,
      ...hidden.map(({ column, under }) =>
        h(
          'li',
          { className: under },
          `${column.label}: `,
          column.cell ? column.cell(row) : display(column.value(row), column.numeric).content,
        ),
      ),
    );
  const status = h('span', { className: 'pager-status', attrs: { 'aria-live': 'polite' } });
  const previous = h(
    'button',
    {
      className: 'pager-button',
      attrs: { type: 'button', 'aria-label': 'Previous page' },
      on: { click: () => go(page - 1) },
    },
    '‹ Previous',
  );
  const next = h(
    'button',
    {
      className: 'pager-button',
      attrs: { type: 'button', 'aria-label': 'Next page' },
      on: { click: () => go(page + 1) },
    },
    'Next ›',
  );
  const pageCount = (): number => Math.max(1, Math.ceil(rows.length / pageSize));

  function go(target: number): void {
    page = Math.min(pageCount() - 1, Math.max(0, target));
    memory.page = page;
    remember();
    render();
  }

  function applySort(): void {
    if (!sort) return;
    const column = columns.find((candidate) => candidate.key === sort?.key);
    if (!column) return;
    const direction = sort.descending ? -1 : 1;
    rows = [...options.rows].sort((a, b) => direction * compare(column.value(a), column.value(b)));
  }

  function render(): void {
    columns.forEach((column, index) => {
      const state =
        sort?.key === column.key ? (sort.descending ? 'descending' : 'ascending') : 'none';
      headCells[index].setAttribute('aria-sort', state);
    });
    const start = page * pageSize;
    const slice = rows.slice(start, start + pageSize);
    replaceChildren(
      tbody,
      ...slice.map((row) =>
        h(
          'tr',
          null,
          ...columns.map((column, index) => {
            const { content, title } = column.cell
              ? { content: column.cell(row), title: undefined }
              : display(column.value(row), column.numeric);
            const titles = index === 0 ? [title, ...optionalValues(row)] : [title];
            const cell = h(index === 0 ? 'th' : 'td', {
              className: classOf(column, index, blank[index]),
              attrs: {
                scope: index === 0 ? 'row' : undefined,
                title: titles.filter(Boolean).join('\n') || undefined,
              },
            });
            append(cell, content);
            return cell;
          }),
        ),
      ),
    );
    if (hidden.length > 0) {
      for (const [index, tr] of Array.from(tbody.rows).entries()) {
        const header = tr.cells[0];
        // The row's header is read with each of its cells: its name stays what it shows.
        header.setAttribute('aria-label', shownText(clip(cellShownText(columns[0], slice[index]))));
        header.append(moreButton(slice[index], tr));
      }
    }
    // A table on one page shows all its rows; the count is for a screen reader (see below).
    status.textContent =
      rows.length > pageSize
        ? `Rows ${start + 1}–${start + slice.length} of ${rows.length}`
        : plural(rows.length, 'row');
    previous.disabled = page === 0;
    next.disabled = page >= pageCount() - 1;
  }

  applySort();
  // Fewer rows than at the last refresh: the last page there is.
  page = Math.min(page, pageCount() - 1);
  const table = h(
    'table',
    { className: 'data' },
    // The section's heading shows the title; the caption names the table for screen readers.
    h('caption', { className: 'visually-hidden' }, options.caption),
    h('thead', null, h('tr', null, ...headCells)),
    tbody,
  );
  wrapper.append(h('div', { className: 'table-scroll' }, table));
  if (rows.length > pageSize) {
    wrapper.append(h('div', { className: 'pager' }, previous, status, next));
  } else {
    // "Rows 1–14 of 14" under every short table was noise to the eye.
    status.classList.add('visually-hidden');
    wrapper.append(status);
  }
  render();
  return wrapper;
}

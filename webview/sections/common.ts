/**
 * Pieces every section uses: key figures, state badges and the card frame.
 */
import type { CardState, CardView, TableView } from '../../src/core/dashboard/protocol';
import { externalLink } from '../actions';
import { clip, formatText, h, isInstant, shownTimeZone } from '../dom';
import { dataTable } from '../table';

/**
 * A row of key figures as a description list (label, value) for screen readers; a figure's
 * `note` says what it rests on, under it ("over 3 requests: the slowest one").
 */
export function figures(
  items: { label: string; value: string; id?: string; note?: string }[],
): HTMLElement {
  const list = h('dl', { className: 'figures' });
  for (const item of items) {
    list.append(
      h(
        'div',
        { className: 'figure', attrs: { 'data-figure': item.id } },
        h('dt', null, item.label),
        // A value too long for its box ends in an ellipsis; the whole of it shows on hover.
        h('dd', { attrs: { title: item.value } }, item.value),
        item.note ? h('dd', { className: 'figure-note' }, item.note) : null,
      ),
    );
  }
  return list;
}

const STATE_ICON: Record<string, string> = {
  ok: 'pass',
  pass: 'pass',
  warn: 'warning',
  fail: 'error',
  error: 'error',
  skipped: 'circle-slash',
  never: 'circle-large-outline',
};

/** A state as an icon plus the word, so it never depends on colour alone. */
export function stateBadge(state: string): HTMLElement {
  return h(
    'span',
    { className: `state state-${state}` },
    h('span', {
      className: `codicon codicon-${STATE_ICON[state] ?? 'question'}`,
      attrs: { 'aria-hidden': 'true' },
    }),
    state.toUpperCase(),
  );
}

export function subheading(text: string): HTMLElement {
  return h('h3', null, text);
}

/** A figure and its unit ("1984 kB", "12 %"), or digits alone: what a row measures. */
const MEASURE = /^-?[\d.,]+(?:\s?[A-Za-zµ%]+)?$/;

/**
 * What names a card table's row across refreshes: its text that is not a measurement (a schema,
 * a table, an index), which a first column alone may not be ("public" in every row). A figure,
 * a size or an instant changes from one refresh to the next, and is left out.
 */
function cardRowKey(table: TableView, row: (string | number | null)[]): string {
  const names = row.filter(
    (value, index): value is string =>
      !table.columns[index]?.numeric &&
      typeof value === 'string' &&
      !MEASURE.test(value) &&
      !isInstant(value),
  );
  return names.length > 0 ? JSON.stringify(names) : String(row[0] ?? '');
}

/**
 * One card of the database or business section, with its state, fix and optional table; what
 * the user sets in its table is kept by section and card id (two cards can share a title).
 */
export function card(view: CardView, section: 'database' | 'business'): HTMLElement {
  const state: CardState = view.state;
  const body = h(
    'article',
    {
      className: `card card-${state}${view.table?.rows.length ? ' has-table' : ''}`,
      attrs: {
        'data-card': view.id,
        'aria-label': view.subtitle
          ? `${view.title}: ${view.subtitle.charAt(0).toLowerCase()}${view.subtitle.slice(1)}`
          : view.title,
      },
    },
    h('header', null, h('h3', null, view.title), stateBadge(state)),
    view.subtitle ? h('p', { className: 'subtitle' }, view.subtitle) : null,
    h('p', { className: 'summary' }, clip(view.summary, 2000)),
  );
  if (view.reason) body.append(h('p', { className: 'reason' }, clip(view.reason, 2000)));
  if (view.fixes?.length) {
    // One statement a line, as the text of upkeep db shows them: each can be copied whole.
    body.append(
      h('p', { className: 'fix' }, h('strong', null, `Fix (${view.fixes.length} statements):`)),
      h(
        'ul',
        { className: 'fixes' },
        ...view.fixes.slice(0, 50).map((fix) => h('li', null, h('code', null, clip(fix, 4000)))),
      ),
    );
    if (view.fixes.length > 50) {
      body.append(h('p', null, `and ${view.fixes.length - 50} more (upkeep db --format json)`));
    }
  } else if (view.fix) {
    body.append(h('p', { className: 'fix' }, h('strong', null, 'Fix: '), clip(view.fix, 4000)));
  }
  if (view.link) body.append(h('p', null, externalLink(view.link.label, view.link.url)));
  if (view.facts.length) {
    // A fact that is an instant names the zone it shows in, as a table's column does.
    const shown = (text: string): string =>
      isInstant(text) ? `${formatText(text)} (${shownTimeZone()})` : formatText(text);
    body.append(figures(view.facts.map((fact) => ({ ...fact, value: shown(fact.value) }))));
  }
  if (view.table) {
    const table = view.table;
    body.append(
      dataTable<(string | number | null)[]>({
        id: `card.${section}.${view.id}`,
        caption: view.title,
        rowKey: (row) => cardRowKey(table, row),
        pageSize: 10,
        rows: table.rows,
        columns: table.columns.map((column, index) => ({
          key: column.key,
          label: column.label,
          numeric: column.numeric,
          optional: column.optional,
          value: (row) => row[index] ?? null,
        })),
      }),
    );
  }
  return body;
}

/**
 * The Database section: every card with its state and fix, growth charts from the kept
 * snapshots, and the slowest queries, each with an "Explain" button.
 */
import type { DatabaseView } from '../../src/core/dashboard/protocol';
import { post } from '../actions';
import { timeChart } from '../chart';
import { formatMs } from '../../src/core/util/figures';
import { controlsWrittenOutInLines } from '../../src/core/util/printable';
import { breakable, clip, formatNumber, h } from '../dom';
import { dataTable } from '../table';
import { card, subheading } from './common';

export function renderDatabase(view: DatabaseView): Node[] {
  // "127.0.0.1:5432/demo_production" wraps after its "/" and "_" in a narrow panel.
  const nodes: Node[] = [h('p', { className: 'meta' }, 'Database: ', breakable(view.target))];
  const pending = (view.pending ?? []).map((entry) =>
    h(
      'article',
      {
        className: 'card card-loading',
        attrs: { 'data-pending-card': entry.id, 'aria-label': entry.title, 'aria-busy': 'true' },
      },
      h('header', null, h('h3', null, entry.title)),
      h(
        'p',
        { className: 'loading' },
        h('vscode-progress-ring', { attrs: { 'aria-hidden': 'true' } }),
        'Loading…',
      ),
    ),
  );
  nodes.push(
    h(
      'div',
      { className: 'cards' },
      ...view.cards.map((shown) => card(shown, 'database')),
      ...pending,
    ),
  );
  if (view.growth.length) {
    nodes.push(subheading('Growth'));
    nodes.push(h('div', { className: 'charts' }, ...view.growth.map((chart) => timeChart(chart))));
  }
  nodes.push(subheading('Slowest queries'));
  nodes.push(
    dataTable({
      id: 'database.slowQueries',
      caption: 'Slowest queries (pg_stat_statements)',
      // One text can be two queries (two roles', or two cut to the same first 2,000 characters).
      rowKey: (row) => row.key ?? row.query,
      rows: view.slowQueries,
      sort: { key: 'mean', descending: true },
      empty: 'No query statistics (is pg_stat_statements enabled?).',
      columns: [
        {
          key: 'query',
          label: 'Query',
          value: (row) => row.query,
          cell: (row) => {
            // Its lines as written; a terminal escape or bidi control in a comment written out.
            const query = controlsWrittenOutInLines(row.query);
            return h(
              'code',
              { className: 'sql', attrs: { title: clip(query, 2000) } },
              clip(query, 400),
            );
          },
        },
        { key: 'calls', label: 'Calls', numeric: true, value: (row) => row.calls },
        {
          key: 'mean',
          label: 'Mean',
          numeric: true,
          value: (row) => row.meanMs,
          cell: (row) => formatMs(row.meanMs),
        },
        {
          key: 'total',
          label: 'Total',
          numeric: true,
          // Under 420 px the query, its calls, its mean and Explain keep the width.
          hideBelow: 420,
          value: (row) => row.totalMs,
          cell: (row) => formatMs(row.totalMs),
        },
        {
          key: 'rows',
          label: 'Rows',
          numeric: true,
          hideBelow: 420,
          value: (row) => row.rows,
          cell: (row) => formatNumber(row.rows),
        },
        {
          key: 'explain',
          label: 'Plan',
          sortable: false,
          value: () => null,
          cell: (row) =>
            h(
              'vscode-button',
              {
                // Every row has one: the name says which query, not only "Explain".
                attrs: {
                  secondary: '',
                  'aria-label': `Explain ${clip(controlsWrittenOutInLines(row.query), 80)}`,
                },
                on: { click: () => post({ type: 'explainQuery', sql: row.query }) },
              },
              'Explain',
            ),
        },
      ],
    }),
  );
  return nodes;
}

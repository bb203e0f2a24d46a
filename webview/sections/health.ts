/**
 * The Health section: the latest result of every check, by tier, with time since it ran.
 */
import type { HealthView } from '../../src/core/dashboard/protocol';
import { locationButton } from '../actions';
import { clip, formatAge, formatMs, h } from '../dom';
import { dataTable } from '../table';
import { figures, stateBadge, subheading } from './common';

export function renderHealth(view: HealthView): Node[] {
  const counts = view.counts;
  const nodes: Node[] = [
    figures([
      { label: 'Pass', value: String(counts.pass), id: 'health-pass' },
      { label: 'Warn', value: String(counts.warn), id: 'health-warn' },
      { label: 'Fail', value: String(counts.fail + counts.error), id: 'health-fail' },
      { label: 'Not run yet', value: String(counts.never), id: 'health-never' },
    ]),
  ];
  if (view.tiers.length === 0) {
    nodes.push(h('p', { className: 'empty' }, 'No playbook loaded yet.'));
    return nodes;
  }
  for (const tier of view.tiers) {
    nodes.push(subheading(tier.title));
    nodes.push(
      dataTable({
        caption: `${tier.title} checks`,
        rows: tier.checks,
        pageSize: 25,
        columns: [
          { key: 'title', label: 'Check', value: (row) => row.title },
          {
            key: 'outcome',
            label: 'Outcome',
            value: (row) => row.outcome,
            cell: (row) => stateBadge(row.outcome),
          },
          { key: 'summary', label: 'Summary', value: (row) => row.summary },
          {
            key: 'ran',
            label: 'Last run',
            value: (row) => row.startedAt ?? null,
            cell: (row) => {
              const text = formatAge(row.startedAt);
              return row.startedAt ? h('time', { attrs: { datetime: row.startedAt } }, text) : text;
            },
          },
          {
            key: 'duration',
            label: 'Took',
            numeric: true,
            value: (row) => row.durationMs ?? null,
            cell: (row) => formatMs(row.durationMs),
          },
          {
            key: 'findings',
            label: 'Findings',
            sortable: false,
            value: (row) => row.findings.length,
            cell: (row) => {
              if (row.findings.length === 0) return '–';
              const list = h('ul', { className: 'findings' });
              for (const finding of row.findings.slice(0, 5)) {
                list.append(
                  h(
                    'li',
                    null,
                    clip(finding.message, 300),
                    finding.location ? ' ' : null,
                    finding.location
                      ? locationButton(finding.location.file, finding.location.line)
                      : null,
                  ),
                );
              }
              if (row.findings.length > 5) {
                list.append(h('li', null, `and ${row.findings.length - 5} more`));
              }
              return list;
            },
          },
        ],
      }),
    );
  }
  return nodes;
}

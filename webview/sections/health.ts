/**
 * The Health section: the latest result of every check, by tier, with time since it ran.
 */
import type { HealthView } from '../../src/core/dashboard/protocol';
import { describeOutcomes } from '../../src/core/dashboard/protocol';
import { locationButton } from '../actions';
import { formatMs } from '../../src/core/util/figures';
import {
  ageElement,
  breakable,
  clip,
  formatAge,
  formatNumber,
  formatText,
  formatTime,
  h,
  plural,
  shownTimeZone,
} from '../dom';
import { dataTable } from '../table';
import { figures, stateBadge } from './common';

export function renderHealth(view: HealthView): Node[] {
  const counts = view.counts;
  const nodes: Node[] = [
    figures([
      { label: 'Pass', value: formatNumber(counts.pass), id: 'health-pass' },
      { label: 'Warn', value: formatNumber(counts.warn), id: 'health-warn' },
      { label: 'Fail', value: formatNumber(counts.fail + counts.error), id: 'health-fail' },
      // Skipped checks (no database, untrusted workspace, a tool missing) are not passes.
      { label: 'Skipped', value: formatNumber(counts.skipped), id: 'health-skipped' },
      { label: 'Not run yet', value: formatNumber(counts.never), id: 'health-never' },
    ]),
  ];
  if (view.tiers.length === 0) {
    nodes.push(h('p', { className: 'empty' }, 'No playbook loaded yet.'));
    return nodes;
  }
  view.tiers.forEach((tier, index) => {
    const counts = describeOutcomes(tier.checks.map((check) => check.outcome));
    const troubled = tier.checks.some((check) => ['fail', 'error', 'warn'].includes(check.outcome));
    // The first tier and any tier with a problem start open; the rest stay one line each.
    const group = h(
      'details',
      { className: 'tier', attrs: { 'data-tier': tier.tierId } },
      h(
        'summary',
        null,
        h('span', { className: 'tier-title' }, tier.title),
        ` — ${plural(tier.checks.length, 'check')}: ${counts}`,
      ),
    );
    group.open = index === 0 || troubled;
    nodes.push(group);
    group.append(
      dataTable({
        id: `health.${tier.tierId}`,
        caption: `${tier.title} checks`,
        // Two checks can share a title; their ids differ.
        rowKey: (row) => row.checkId,
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
          {
            key: 'summary',
            label: 'Summary',
            value: (row) => row.summary,
            // The why, the fix or the next step a check gives, one click away from its summary.
            cell: (row) =>
              row.details
                ? h(
                    'div',
                    null,
                    clip(formatText(row.summary)),
                    h(
                      'details',
                      { className: 'check-details' },
                      h('summary', null, 'Details'),
                      h('pre', null, clip(row.details, 4000)),
                    ),
                  )
                : clip(formatText(row.summary)),
          },
          {
            key: 'ran',
            label: 'Last run',
            // A side panel keeps the findings in sight; when and how long give way.
            hideBelow: 660,
            value: (row) => row.startedAt ?? null,
            age: true,
            cell: (row) => {
              if (!row.startedAt) return formatAge(row.startedAt);
              // Relative in the cell, the one date format (and who ran it) in the tooltip.
              const from = row.from === 'commandLine' ? ', from the command line' : '';
              return ageElement(
                row.startedAt,
                {
                  attrs: {
                    datetime: row.startedAt,
                    title: `${formatTime(row.startedAt)} (${shownTimeZone()})${from}`,
                  },
                },
                'time',
              );
            },
          },
          {
            key: 'duration',
            label: 'Took',
            numeric: true,
            hideBelow: 660,
            value: (row) => row.durationMs ?? null,
            cell: (row) => formatMs(row.durationMs),
          },
          {
            key: 'findings',
            label: 'Findings',
            sortable: false,
            // Beside a name, an outcome and a summary it scrolled a 400 px panel sideways.
            hideBelow: 420,
            value: (row) => row.findings.length,
            cell: (row) => {
              if (row.findings.length === 0) return '–';
              const list = h('ul', { className: 'findings' });
              for (const finding of row.findings.slice(0, 5)) {
                list.append(
                  h(
                    'li',
                    null,
                    // "BookingsController#create" wraps after its "#" in a side panel.
                    breakable(clip(finding.message, 300)),
                    finding.location ? ' ' : null,
                    finding.location
                      ? locationButton(finding.location.file, finding.location.line)
                      : null,
                  ),
                );
              }
              if (row.findings.length > 5) {
                list.append(h('li', null, `and ${formatNumber(row.findings.length - 5)} more`));
              }
              return list;
            },
          },
        ],
      }),
    );
  });
  return nodes;
}

/**
 * The Business section: the onboarding funnel with drop-off, completion rate, time to complete,
 * sign-ups per day and retention.
 */
import type { BusinessView } from '../../src/core/dashboard/protocol';
import { barList, timeChart } from '../chart';
import { formatDuration, formatPercent } from '../../src/core/util/figures';
import { h } from '../dom';
import { card, figures } from './common';

/** The card's own wording ("1 d 10 h"), so the figure and the card's summary agree. */
function formatHours(hours: number | null): string {
  if (hours === null || !Number.isFinite(hours)) return '–';
  return formatDuration(hours * 3600);
}

export function renderBusiness(view: BusinessView): Node[] {
  const nodes: Node[] = [
    figures([
      {
        label: 'Onboarding completion',
        value: formatPercent(view.completionRatePercent),
        id: 'business-completion',
      },
      { label: 'Time to complete (average)', value: formatHours(view.timeToCompleteHours) },
      { label: 'Retention after 7 days', value: formatPercent(view.retentionPercent) },
    ]),
  ];
  const charts = h('div', { className: 'charts' });
  if (view.funnel.length) {
    charts.append(
      barList(
        // The onboarding card counts users at their step now; this one only narrows.
        'Users who reached each step',
        view.funnel.map((step, index) => {
          const previous = index > 0 ? view.funnel[index - 1].users : undefined;
          const drop =
            previous && previous > 0 ? ((previous - step.users) / previous) * 100 : undefined;
          // One hue for all: the steps are one population narrowing, and a step in red or
          // yellow would read as a failure.
          return {
            label: step.step,
            value: step.users,
            hue: 'blue' as const,
            note: drop === undefined ? undefined : `−${formatPercent(drop)} from previous step`,
          };
        }),
        'user',
      ),
    );
  }
  if (view.signupsPerDay) {
    charts.append(timeChart(view.signupsPerDay, { bars: true, atRest: 'total' }));
  }
  nodes.push(charts);
  if (view.cards.length) {
    const cards = view.cards.map((shown) => card(shown, 'business'));
    nodes.push(h('div', { className: 'cards' }, ...cards));
  }
  return nodes;
}

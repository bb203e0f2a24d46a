/**
 * The alerts strip at the top: every guideline threshold breached now.
 */
import type { AlertsView } from '../../src/core/dashboard/protocol';
import { ageElement, clip, h } from '../dom';
import { stateBadge } from './common';

export function renderAlerts(view: AlertsView): Node[] {
  if (view.alerts.length === 0) {
    return [h('p', { className: 'all-clear' }, stateBadge('ok'), ' No threshold is breached now.')];
  }
  return [
    h(
      'ul',
      { className: 'alerts' },
      ...view.alerts.map((alert) =>
        h(
          'li',
          { className: `alert alert-${alert.severity}`, attrs: { 'data-alert': alert.id } },
          stateBadge(alert.severity),
          // Reads as one sentence: "Error rate: 2.4 % of … (alert above 1 %)".
          h('strong', null, ` ${clip(alert.title, 500)}:`),
          h('span', null, ` ${clip(alert.detail, 1000)}`),
          // A check's figures are of its run: "in the last hour" half an hour ago.
          alert.ranAt
            ? h('span', { className: 'alert-age' }, ' — ran ', ageElement(alert.ranAt))
            : null,
        ),
      ),
    ),
  ];
}

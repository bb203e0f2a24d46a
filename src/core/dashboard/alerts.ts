/**
 * The Alerts strip: the guidelines' thresholds (from settings and the repo playbook) that the
 * current figures breach, plus failing checks and warning database cards. Recomputed whenever a
 * section arrives, from whatever sections are loaded so far.
 */
import type { UpkeepSettings } from '../settings';
import { formatMs, formatPercent } from '../util/figures';
import { plural, pluralPart } from '../util/plural';
import { describeWindow } from './protocol';
import type { AlertView, DatabaseView, HealthView, LogsView } from './protocol';

interface AlertInputs {
  thresholds: UpkeepSettings['thresholds'];
  logs?: LogsView;
  health?: HealthView;
  database?: DatabaseView;
}

// In the figures' own locale (util/figures), not the runtime's: one line must not mix 2.5 and 1,5.
const numbers = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

/** A threshold as set, with thousands separators and at most two decimals ("1,854", "2.43"). */
function fixed(value: number): string {
  return numbers.format(value);
}

/**
 * `text (note)`, or the note joined into the text's own closing parenthesis: "1 error in the last
 * hour (5xx: 1; the check failed)" rather than two parentheses in a row.
 */
function withNote(text: string, note: string): string {
  const trimmed = text.trim().replace(/\.$/, '');
  return trimmed.endsWith(')') ? `${trimmed.slice(0, -1)}; ${note})` : `${trimmed} (${note})`;
}

/**
 * "; most in BookingsController#show, 12 of its 102 requests": where to follow an error rate to,
 * or '' when no action answered 5xx. When several answered as many, none is "most": "; 1 each in
 * ErrorsController#show and 2 other actions".
 */
function mostFailing(logs: LogsView): string {
  const worst = logs.actions.reduce<LogsView['actions'][number] | undefined>(
    (best, action) => (action.errors > (best?.errors ?? 0) ? action : best),
    undefined,
  );
  if (!worst) return '';
  const others = logs.actions.filter(
    (action) => action !== worst && action.errors === worst.errors,
  ).length;
  if (others > 0) {
    return `; ${fixed(worst.errors)} each in ${worst.action} and ${plural(others, 'other action')}`;
  }
  const of = plural(worst.count, 'request');
  return `; most in ${worst.action}, ${fixed(worst.errors)} of its ${of}`;
}

/** The requests the average is over: `953 timed requests (of 956)` when some logged none. */
function timedOf(logs: LogsView): string {
  const { requests, timedRequests } = logs.totals;
  return pluralPart(timedRequests ?? requests, requests, 'timed', 'request');
}

/**
 * "in the last hour": the window the Logs figures are for. Beside a failing check's alert, which
 * speaks of its own window ("in the last 24 hours"), a figure without one read as the same.
 */
function inWindow(logs: LogsView): string {
  return logs.window.kind === 'range'
    ? 'in the chosen range'
    : `in the ${describeWindow(logs.window)}`;
}

export function computeAlerts(inputs: AlertInputs): AlertView[] {
  const { thresholds, logs, health, database } = inputs;
  const alerts: AlertView[] = [];

  if (logs && logs.totals.requests > 0) {
    const span = inWindow(logs);
    const rate = logs.totals.errorRatePercent;
    if (rate !== null && rate > thresholds.errorRateAlertPercent) {
      alerts.push({
        id: 'logs.errorRate',
        severity: 'fail',
        title: 'Error rate',
        detail:
          `${formatPercent(rate)} of completed requests ${span} answered 5xx ` +
          `(alert above ${fixed(thresholds.errorRateAlertPercent)} %)${mostFailing(logs)}`,
        section: 'logs',
      });
    } else if (rate !== null && rate > 0 && rate >= thresholds.errorRatePercent) {
      // The guidelines' goal is "< 0.1%": a rate at it misses it.
      alerts.push({
        id: 'logs.errorRate',
        severity: 'warn',
        title: 'Error rate',
        detail:
          `${formatPercent(rate)} of completed requests ${span} answered 5xx ` +
          `(guideline: below ${fixed(thresholds.errorRatePercent)} %)${mostFailing(logs)}`,
        section: 'logs',
      });
    }
    const avg = logs.totals.avgMs;
    if (avg !== null && avg > thresholds.avgResponseTimeMs) {
      alerts.push({
        id: 'logs.avgResponseTime',
        severity: 'fail',
        title: 'Average response time',
        detail:
          `${formatMs(avg)} over ${timedOf(logs)} ${span} ` +
          `(alert above ${formatMs(thresholds.avgResponseTimeMs)})`,
        section: 'logs',
      });
    } else if (avg !== null && avg >= thresholds.avgResponseTimeMs) {
      // The guidelines' goal is "Average < 2 seconds", their alert `avg_response_time > 2`.
      alerts.push({
        id: 'logs.avgResponseTime',
        severity: 'warn',
        title: 'Average response time',
        detail:
          `${formatMs(avg)} over ${timedOf(logs)} ${span} ` +
          `(guideline: below ${formatMs(thresholds.avgResponseTimeMs)})`,
        section: 'logs',
      });
    }
    // The summary counts requests at its own slow threshold (the same setting); the list holds
    // only the slowest few, so the count comes from the totals and the maximum from the list.
    const slowest = Math.max(0, ...logs.slowRequests.map((request) => request.durationMs));
    if (logs.totals.slowRequests > 0 && slowest > thresholds.slowRequestMs) {
      alerts.push({
        id: 'logs.slowRequests',
        severity: 'warn',
        title: 'Slow requests',
        detail:
          `${plural(logs.totals.slowRequests, 'request')} over ` +
          `${formatMs(thresholds.slowRequestMs)} ${span}, slowest ${formatMs(slowest)}`,
        section: 'logs',
      });
    }
  }

  for (const check of health?.tiers.flatMap((tier) => tier.checks) ?? []) {
    if (check.outcome !== 'fail' && check.outcome !== 'error') continue;
    // A threshold alert above already speaks for the check that measures the same figure.
    if (alerts.some((a) => a.id === check.checkId || a.id === `check:${check.checkId}`)) continue;
    alerts.push({
      id: `check:${check.checkId}`,
      severity: 'fail',
      title: check.title,
      detail: withNote(
        check.summary,
        check.outcome === 'fail' ? 'the check failed' : 'the check could not run',
      ),
      section: 'health',
      ...(check.startedAt ? { ranAt: check.startedAt } : {}),
    });
  }

  for (const card of database?.cards ?? []) {
    if (card.state !== 'warn') continue;
    alerts.push({
      id: `db:${card.id}`,
      severity: 'warn',
      title: card.title,
      detail: card.summary,
      section: 'database',
    });
  }

  // Failures first, then warnings, each in the order found.
  return [
    ...alerts.filter((a) => a.severity === 'fail'),
    ...alerts.filter((a) => a.severity === 'warn'),
  ];
}

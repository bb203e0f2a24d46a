/**
 * Maps a log summary (src/core/logs/summaryTypes.ts) to the Logs view-model: totals, charts
 * by hour with empty hours filled in (by 5 minutes for a window of 3 hours or less), the
 * slowest actions, exceptions, failed logins and suspicious requests by IP, slow requests with
 * their log line. The one place that knows the summary's shape.
 */
import type { LogSummary, RequestBucket } from '../logs/summaryTypes';
import type { ExceptionSummary } from '../logs/summaryTypes';
import {
  LIMITS,
  type ChartView,
  type ExceptionRowView,
  type LocationView,
  type LogsView,
  type LogWindow,
} from './protocol';
import { printableLine } from '../util/printable';
import { windowBehindLog } from '../logs/textReport';
import { formatZonedTime } from '../templates/zonedTime';
// Requests an hour needs for the chart to draw its percentile (a peak "p99" of 2 requests).
import { PERCENTILE_MIN_REQUESTS } from '../logs/sampleSize';

const HOUR_MS = 3600_000;
/** Hours drawn at most (a bit over a year); a longer span shows the hours that have requests. */
const MAX_FILLED_HOURS = 24 * 370;

function percent(share: number | null | undefined): number | null {
  return typeof share === 'number' && Number.isFinite(share)
    ? Math.round(share * 100_000) / 1000
    : null;
}

function finite(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

type HourRow = RequestBucket;

/** Every hour from the window's start to its end, so quiet hours show as zero, not as nothing. */
function hourAxis(rows: { hour: string }[], from: string | null, to: string | null): number[] {
  const known = rows.map((row) => Date.parse(row.hour)).filter(Number.isFinite);
  // The hours that have requests, when the window cannot be filled in.
  const knownHours = (): number[] => [...new Set(known)].sort((a, b) => a - b);
  const start = Date.parse(from ?? '') || Math.min(...known);
  const end = Date.parse(to ?? '') || Math.max(...known);
  if (!Number.isFinite(start) || !Number.isFinite(end) || end < start) return knownHours();
  const first = Math.floor(start / HOUR_MS) * HOUR_MS;
  const count = Math.floor((end - first) / HOUR_MS) + 1;
  if (count > MAX_FILLED_HOURS) return knownHours();
  return Array.from({ length: count }, (_, index) => first + index * HOUR_MS).filter(
    (hour) => hour < end || count === 1,
  );
}

/**
 * The charts' buckets: a short window's 5-minute slots when the summary has them (each whole,
 * from the window's start), else every hour of the window. A quiet one has no row.
 */
function bucketsOf(summary: LogSummary): {
  per: string;
  rows: (HourRow | undefined)[];
  times: number[];
} {
  const slots = summary.requests.perFiveMinutes;
  if (slots?.length) {
    return {
      per: '5 minutes',
      rows: slots.map((slot) => (slot.count > 0 ? slot : undefined)),
      times: slots.map((slot) => Math.floor(Date.parse(slot.start) / 1000)),
    };
  }
  const perHour = summary.requests.perHour;
  const byHour = new Map(perHour.map((row) => [Math.floor(Date.parse(row.hour) / HOUR_MS), row]));
  const hours = hourAxis(perHour, summary.window.from, summary.window.to);
  return {
    per: 'hour',
    rows: hours.map((hour) => byHour.get(Math.floor(hour / HOUR_MS))),
    times: hours.map((hour) => Math.floor(hour / 1000)),
  };
}

/**
 * The hours the window starts or ends inside (24 hours to 12:31: the 12:00 hours of both days),
 * by index: their counts cover part of an hour, and a last bar of 31 minutes read as a drop.
 */
function partHours(summary: LogSummary, per: string, times: number[]): Set<number> {
  const parts = new Set<number>();
  if (per !== 'hour' || times.length === 0) return parts;
  const from = Date.parse(summary.window.from ?? '');
  const to = Date.parse(summary.window.to ?? '');
  const last = times.length - 1;
  if (Number.isFinite(from) && times[0] * 1000 < from) parts.add(0);
  if (Number.isFinite(to) && times[last] * 1000 + HOUR_MS > to) parts.add(last);
  return parts;
}

/**
 * A series with the part hours apart, lighter, as the sign-ups' part days: the requests (a part
 * hour counts less than an hour) and the error rate (a part hour's rate rests on few requests).
 */
function partHourSeries(
  { label, partLabel, note }: { label: string; partLabel: string; note: string },
  values: (number | null)[],
  parts: Set<number>,
): Pick<ChartView, 'series' | 'note'> {
  if (parts.size === 0) return { series: [{ label, values }] };
  return {
    series: [
      { label, values: values.map((value, at) => (parts.has(at) ? null : value)) },
      {
        label: partLabel,
        values: values.map((value, at) => (parts.has(at) ? value : null)),
        faded: true,
      },
    ],
    note,
  };
}

export function hourlyCharts(
  summary: LogSummary,
): Pick<LogsView, 'requestsPerHour' | 'errorRate' | 'durations'> {
  const { per, rows, times } = bucketsOf(summary);
  const parts = partHours(summary, per, times);
  const requests = partHourSeries(
    {
      label: 'Requests',
      partLabel: 'of which part hours',
      note:
        'Lighter bars are part hours: the window starts or ends inside them, so they count ' +
        'less than an hour.',
    },
    rows.map((row) => row?.count ?? 0),
    parts,
  );
  // The errors of a part hour are drawn lighter too, as its requests (a solid red bar beside a
  // lighter one read as whole errors of a part hour); the one note says it for both.
  const errors = partHourSeries(
    { label: 'Errors (5xx)', partLabel: 'errors in part hours', note: '' },
    rows.map((row) => row?.errors ?? 0),
    parts,
  );

  const requestsPerHour: ChartView = {
    title: `Requests per ${per}`,
    unit: 'requests',
    figures: 'count',
    times,
    series: [...requests.series, ...errors.series],
    ...(requests.note ? { note: requests.note } : {}),
  };
  // 5xx over completed requests, as the summary's error rate (older saved summaries have no
  // `completed`).
  const completed = rows.map((row) =>
    row ? (typeof row.completed === 'number' ? row.completed : row.count) : 0,
  );
  const rate = partHourSeries(
    {
      label: 'Error rate',
      partLabel: 'in part hours',
      note:
        'Lighter points are part hours: the window starts or ends inside them, so their rate ' +
        "rests on part of an hour's requests.",
    },
    rows.map((row, at) =>
      row && completed[at] ? Math.round((row.errors / completed[at]) * 100_000) / 1000 : null,
    ),
    parts,
  );
  const errorRate: ChartView = {
    title: 'Error rate',
    unit: '%',
    figures: 'percent',
    times,
    ...rate,
    base: { label: 'Requests', unit: 'request', values: completed },
  };
  // Percentiles show when a summary carries them (older saved summaries have the mean only),
  // each for the hours with requests enough to have one (see PERCENTILE_MIN_REQUESTS).
  const durationSeries: ChartView['series'] = [
    { label: 'Mean', values: rows.map((row) => finite(row?.meanMs)) },
  ];
  let thinned = false;
  for (const key of ['p50Ms', 'p95Ms', 'p99Ms'] as const) {
    if (!rows.some((row) => typeof row?.[key] === 'number')) continue;
    const values = rows.map((row, at) => {
      const value = finite(row?.[key]);
      const enough = completed[at] >= PERCENTILE_MIN_REQUESTS[key];
      if (value !== null && !enough) thinned = true;
      return enough ? value : null;
    });
    durationSeries.push({ label: key.replace('Ms', ''), values });
  }
  const durations: ChartView = {
    title: 'Duration over time',
    unit: 'ms',
    figures: 'durationMs',
    times,
    series: durationSeries,
    base: { label: 'Requests', unit: 'request', values: completed },
    ...(thinned
      ? {
          note:
            `p95 shows for ${per === 'hour' ? 'hours' : 'slots'} of ` +
            `${PERCENTILE_MIN_REQUESTS.p95Ms} requests or more, p99 for ` +
            `${PERCENTILE_MIN_REQUESTS.p99Ms} or more: over fewer, either is the slowest ` +
            'request, not a percentile.',
        }
      : {}),
  };
  return { requestsPerHour, errorRate, durations };
}

/** `app/models/user.rb:12` as a place to open; undefined for a frame without a line. */
function frameLocation(frame: string | null): LocationView | undefined {
  const match = frame ? /^(.+?):(\d+)(?::|$)/.exec(frame) : null;
  return match ? { file: match[1], line: Number(match[2]) } : undefined;
}

/**
 * A bug report's title for an exception: its class, the action it was raised in and its
 * message, on one line and short enough for the title box ("NoMethodError in
 * BookingsController#show: undefined method `name' for nil").
 */
function exceptionBugTitle(exception: ExceptionSummary): string {
  const action = exception.actions[0] ? ` in ${exception.actions[0]}` : '';
  const message = exception.message.replace(/\s+/g, ' ').trim();
  const title = `${exception.className}${action}${message ? `: ${message}` : ''}`;
  // The class and message are the request's to choose: one printable line, cut whole.
  return printableLine(title, LIMITS.title);
}

/**
 * The lines a bug report started from an exception row keeps of it: how often and what, the
 * actions, when last (in `timeZone`, the schedule's, as the report's other times), the app frame
 * and the log line, so the report carries its evidence.
 */
export function exceptionEvidence(row: ExceptionRowView, timeZone: string): string[] {
  const at = (where: { file: string; line?: number }): string =>
    where.line === undefined ? where.file : `${where.file}:${where.line}`;
  const last = Date.parse(row.lastAt);
  const lines = [`${row.count}× ${row.className}${row.lastMessage ? `: ${row.lastMessage}` : ''}`];
  if (row.actions.length > 0) lines.push(`Raised in: ${row.actions.join(', ')}`);
  if (Number.isFinite(last)) {
    lines.push(`Last seen: ${formatZonedTime(new Date(last), timeZone)}`);
  }
  if (row.frame) lines.push(`App frame: ${at(row.frame)}`);
  if (row.location) lines.push(`Log line: ${at(row.location)}`);
  return lines;
}

function exceptionRow(exception: ExceptionSummary): ExceptionRowView {
  const row: ExceptionRowView = {
    className: exception.className,
    count: exception.count,
    lastMessage: exception.message,
    lastAt: exception.lastSeen ?? '',
    actions: exception.actions,
    bugTitle: exceptionBugTitle(exception),
  };
  const frame = frameLocation(exception.frame);
  if (frame) row.frame = frame;
  if (exception.file) row.location = { file: exception.file, line: exception.line ?? undefined };
  return row;
}

export function logsView(summary: LogSummary, window: LogWindow): LogsView {
  const completed = summary.requests.completed;
  const errors5xx = summary.statusClasses['5xx'] ?? 0;

  // Requests by IP, each once whatever kinds it matched; the example is the IP's first row's.
  const requestsByIp = new Map(summary.suspiciousRequests.byIp.map((r) => [r.ip, r.count]));
  const suspiciousByIp = new Map<string, { count: number; example: string }>();
  for (const entry of summary.suspicious) {
    if (suspiciousByIp.has(entry.ip)) continue;
    const count = requestsByIp.get(entry.ip) ?? entry.count;
    suspiciousByIp.set(entry.ip, { count, example: `${entry.kind}: ${entry.path}` });
  }

  const warnings = [...summary.warnings];
  for (const source of summary.sources) {
    const name = source.path ?? source.pattern;
    // The summary warns of most read errors itself; most reasons name their file already
    // ("log/production.log does not exist …").
    if (source.error && !warnings.includes(source.error)) {
      warnings.push(source.error.includes(name) ? source.error : `${name}: ${source.error}`);
    } else if (source.missing && !source.error) {
      warnings.push(`${source.pattern}: no file matches`);
    }
  }

  const behind = windowBehindLog(summary);
  return {
    window,
    from: summary.window.from ?? summary.span.first ?? summary.generatedAt,
    to: summary.window.to ?? summary.span.last ?? summary.generatedAt,
    totals: {
      requests: summary.requests.total,
      errors: errors5xx,
      errorRatePercent: completed > 0 ? percent(summary.errorRate) : null,
      completedRequests: completed,
      timedRequests: summary.duration.count,
      avgMs: summary.duration.count > 0 ? finite(summary.duration.meanMs) : null,
      p50Ms: summary.duration.count > 0 ? finite(summary.duration.p50Ms) : null,
      p95Ms: summary.duration.count > 0 ? finite(summary.duration.p95Ms) : null,
      p99Ms: summary.duration.count > 0 ? finite(summary.duration.p99Ms) : null,
      slowRequests: summary.slowRequests,
      slowRequestMs: summary.slowRequestMs,
    },
    ...hourlyCharts(summary),
    // Requests with no Completed line (cut off, or still running) have no status; counted
    // here too, the mix adds up to the Requests figure above it.
    statusMix: Object.entries({
      ...summary.statusClasses,
      incomplete: summary.requests.incomplete,
    })
      .filter(([, count]) => count > 0)
      .map(([status, count]) => ({ status, count })),
    actions: summary.actions.map((action) => ({
      action: action.name,
      count: action.count,
      p50Ms: finite(action.p50Ms),
      p95Ms: finite(action.p95Ms),
      p99Ms: finite(action.p99Ms),
      dbSharePercent: percent(action.dbShare),
      errors: action.errors,
    })),
    exceptions: summary.exceptions.map(exceptionRow),
    failedLogins: summary.failedLogins.byIp.map((entry) => ({ ip: entry.ip, count: entry.count })),
    suspicious: [...suspiciousByIp].map(([ip, entry]) => ({ ip, ...entry })),
    slowRequests: summary.slowest.map((request) => ({
      at: request.at ?? '',
      action: request.action ?? '–',
      path: [request.method, request.path].filter(Boolean).join(' ') || '–',
      status: request.status,
      durationMs: request.durationMs,
      location: {
        file: request.file,
        line: request.line ?? undefined,
      },
    })),
    sources: summary.sources
      .filter((source) => source.path && !source.skipped)
      .map((source) => source.path as string),
    warnings,
    ...(behind ? { behind } : {}),
  };
}

/**
 * The Logs section for the chosen window: key figures, charts, the slowest actions, exceptions,
 * failed logins and suspicious requests by IP, and slow requests that open the log at their line.
 */
import type {
  ActionRowView,
  ExceptionRowView,
  LocationView,
  LogsView,
  SlowRequestView,
} from '../../src/core/dashboard/protocol';
import { describeWindow } from '../../src/core/dashboard/protocol';
import { bugReportButton, locationButton } from '../actions';
import { barList, timeChart } from '../chart';
import type { ChartHue } from '../theme';
import { formatMs, formatPercent } from '../../src/core/util/figures';
import {
  actionSample,
  figureSamples,
  PERCENTILE_MIN_REQUESTS,
  percentileSample,
  type PercentileKey,
} from '../../src/core/logs/sampleSize';
import { breakable, clip, formatNumber, formatTime, h, plural, shownTimeZone } from '../dom';
import { dataTable, type Column } from '../table';
import { figures, subheading } from './common';

/** Status classes keep one colour each, by meaning, whatever else the mix holds. */
const STATUS_HUES: Record<string, ChartHue> = {
  '1xx': 'purple',
  '2xx': 'green',
  '3xx': 'blue',
  '4xx': 'yellow',
  '5xx': 'red',
  unknown: 'orange',
  incomplete: 'orange',
};

/** A row's log line, as a button that opens it: slow requests and exceptions. */
function logLineColumn<R extends { location?: LocationView }>(hideBelow: 660 | 420): Column<R> {
  return {
    key: 'where',
    hideBelow,
    label: 'Log line',
    sortable: false,
    value: (row) => row.location?.file ?? null,
    cell: (row) => (row.location ? locationButton(row.location.file, row.location.line) : '–'),
  };
}

/**
 * An action's percentile, and when its requests are too few to have one what it is: "1.2 s"
 * over "slowest of 3" (the whole in the title). Sorted on the figure still.
 */
function actionPercentile(row: ActionRowView, key: PercentileKey): Node | string {
  const figure = formatMs(row[key]);
  const short = actionSample(key, row);
  if (!short) return figure;
  return h(
    'span',
    { attrs: { title: percentileSample(key, row.count) } },
    figure,
    h('span', { className: 'sample-note' }, ` (${short})`),
  );
}

/**
 * The Exceptions table's empty state: of a window with 5xx answers, that none was logged as an
 * exception, not a calm "No exception" (a lograge line or a router timeout logs no exception).
 */
function noExceptionText(errors: number): string {
  if (errors === 0) return 'No exception in this window.';
  return `No exception logged in this window, yet ${plural(errors, 'request')} answered 5xx.`;
}

export function renderLogs(view: LogsView): Node[] {
  const totals = view.totals;
  // What the window's percentiles and error rate rest on, when that is few requests.
  const samples = figureSamples(totals);
  const fewPerAction = view.actions.some(
    (row) => actionSample('p95Ms', row) || actionSample('p99Ms', row),
  );
  const unread = view.sources.length === 0;
  const nodes: Node[] = [
    h(
      'p',
      { className: 'meta' },
      // A range's own description is two ISO instants; the formatted ones follow anyway.
      `${view.window.kind === 'range' ? 'chosen range' : describeWindow(view.window)}: ` +
        `${formatTime(view.from)} – ${formatTime(view.to)} (times in ${shownTimeZone()})`,
    ),
    // With no log read, the figures below read as a quiet window: why comes first, in sight.
    ...(unread
      ? view.warnings.map((warning) => h('p', { className: 'warning' }, clip(warning, 1000)))
      : []),
    // A window of zeros from a log whose newest entry is older: an old copy, or a log the app
    // no longer writes, not a quiet day.
    ...(view.behind ? [h('p', { className: 'warning' }, clip(view.behind, 1000))] : []),
    figures([
      { label: 'Requests', value: formatNumber(totals.requests), id: 'log-requests' },
      { label: 'Errors (5xx)', value: formatNumber(totals.errors), id: 'log-errors' },
      {
        label: 'Error rate',
        value: formatPercent(totals.errorRatePercent),
        id: 'log-error-rate',
        note: samples.errorRate,
      },
      { label: 'Average', value: formatMs(totals.avgMs), id: 'log-avg' },
      { label: 'p50', value: formatMs(totals.p50Ms), id: 'log-p50' },
      {
        label: 'p95',
        value: formatMs(totals.p95Ms),
        id: 'log-p95',
        note: samples.p95Ms,
      },
      {
        label: 'p99',
        value: formatMs(totals.p99Ms),
        id: 'log-p99',
        note: samples.p99Ms,
      },
      {
        label: 'Slow requests',
        value: formatNumber(totals.slowRequests),
        id: 'log-slow',
        // Slow is a setting: 0 over a threshold of 30 s is not 0 over 1 s.
        note:
          totals.slowRequestMs === undefined ? undefined : `over ${formatMs(totals.slowRequestMs)}`,
      },
    ]),
    h(
      'div',
      { className: 'charts' },
      // Hours (5-minute slots) add up to the window's counts; for rates and durations the
      // worst one matters.
      timeChart(view.requestsPerHour, { bars: true, atRest: 'total' }),
      timeChart(view.errorRate, { atRest: 'peak' }),
      timeChart(view.durations, { atRest: 'peak' }),
      barList(
        'Status mix',
        view.statusMix.map((entry) => ({
          label: entry.status,
          value: entry.count,
          hue: STATUS_HUES[entry.status],
        })),
        'request',
      ),
    ),
    subheading('Slowest actions'),
    dataTable({
      id: 'logs.actions',
      caption: 'Slowest actions',
      rows: view.actions,
      sort: { key: 'p95', descending: true },
      columns: [
        { key: 'action', label: 'Action', value: (row) => row.action },
        {
          key: 'count',
          label: 'Requests',
          numeric: true,
          // Under 520 px the action's name, p95, errors and database share keep the width.
          hideBelow: 520,
          value: (row) => row.count,
        },
        { key: 'errors', label: 'Errors (5xx)', numeric: true, value: (row) => row.errors },
        {
          key: 'p50',
          label: 'p50',
          numeric: true,
          // A side panel keeps p95 (the sort) and the database share; p50 and p99 give way.
          hideBelow: 660,
          value: (row) => row.p50Ms,
          cell: (row) => formatMs(row.p50Ms),
        },
        {
          key: 'p95',
          label: 'p95',
          numeric: true,
          value: (row) => row.p95Ms,
          cell: (row) => actionPercentile(row, 'p95Ms'),
        },
        {
          key: 'p99',
          label: 'p99',
          numeric: true,
          hideBelow: 660,
          value: (row) => row.p99Ms,
          cell: (row) => actionPercentile(row, 'p99Ms'),
        },
        {
          key: 'db',
          label: 'Database share',
          numeric: true,
          hideBelow: 420,
          value: (row) => row.dbSharePercent,
          cell: (row) => formatPercent(row.dbSharePercent),
        },
      ],
    }),
    ...(fewPerAction
      ? [
          h(
            'p',
            { className: 'table-note', attrs: { 'data-note': 'actions' } },
            `An action's p95 over fewer than ${PERCENTILE_MIN_REQUESTS.p95Ms} requests, or ` +
              `its p99 over fewer than ${PERCENTILE_MIN_REQUESTS.p99Ms}, is its slowest ` +
              'request, not a percentile.',
          ),
        ]
      : []),
    subheading('Slowest requests'),
    dataTable({
      id: 'logs.slowRequests',
      caption: 'Slowest requests',
      rows: view.slowRequests,
      sort: { key: 'duration', descending: true },
      empty: 'No slow request in this window.',
      // Two requests can come in the same second: the time alone does not tell them apart.
      rowKey: (row) => JSON.stringify([row.at, row.action, row.path, row.status]),
      columns: [
        { key: 'at', label: 'Time', value: (row) => row.at, cell: (row) => formatTime(row.at) },
        { key: 'action', label: 'Action', value: (row) => row.action },
        // The action names the route; its path gives way in the narrowest panels.
        { key: 'path', label: 'Path', hideBelow: 520, value: (row) => row.path },
        {
          key: 'status',
          label: 'Status',
          numeric: true,
          hideBelow: 660,
          value: (row) => row.status,
        },
        {
          key: 'duration',
          label: 'Duration',
          numeric: true,
          value: (row) => row.durationMs,
          cell: (row) => formatMs(row.durationMs),
        },
        // Under 420 px the request's time, action and duration keep the width.
        logLineColumn<SlowRequestView>(420),
      ],
    }),
    subheading('Exceptions'),
    dataTable({
      id: 'logs.exceptions',
      caption: 'Exceptions by class',
      rows: view.exceptions,
      sort: { key: 'count', descending: true },
      empty: noExceptionText(totals.errors),
      columns: [
        {
          key: 'class',
          label: 'Exception',
          value: (row) => row.className,
          // The report starts from the exception itself, in sight however narrow the panel.
          cell: (row) =>
            h(
              'div',
              null,
              breakable(clip(row.className)),
              h('div', null, bugReportButton(row.bugTitle)),
            ),
        },
        { key: 'count', label: 'Count', numeric: true, value: (row) => row.count },
        { key: 'message', label: 'Last message', value: (row) => row.lastMessage },
        {
          key: 'at',
          label: 'Last seen',
          hideBelow: 660,
          value: (row) => row.lastAt,
          cell: (row) => formatTime(row.lastAt),
        },
        {
          key: 'actions',
          label: 'Actions',
          hideBelow: 660,
          value: (row) => row.actions.join(', ') || null,
        },
        {
          key: 'frame',
          label: 'Where',
          sortable: false,
          hideBelow: 420,
          value: (row) => row.frame?.file ?? null,
          cell: (row) => (row.frame ? locationButton(row.frame.file, row.frame.line) : '–'),
        },
        // Where in the code stays in a side panel (under 420 px it gives way too); the log line
        // gives way there.
        logLineColumn<ExceptionRowView>(660),
      ],
    }),
    h(
      'div',
      { className: 'two-columns' },
      h(
        'div',
        null,
        subheading('Failed logins by IP'),
        dataTable({
          id: 'logs.failedLogins',
          caption: 'Failed logins by IP',
          rows: view.failedLogins,
          sort: { key: 'count', descending: true },
          empty: 'No failed login in this window.',
          columns: [
            { key: 'ip', label: 'IP', value: (row) => row.ip },
            { key: 'count', label: 'Failed logins', numeric: true, value: (row) => row.count },
          ],
        }),
      ),
      h(
        'div',
        null,
        subheading('Suspicious requests by IP'),
        dataTable({
          id: 'logs.suspicious',
          caption: 'Suspicious requests by IP',
          rows: view.suspicious,
          sort: { key: 'count', descending: true },
          empty: 'No suspicious request in this window.',
          columns: [
            { key: 'ip', label: 'IP', value: (row) => row.ip },
            { key: 'count', label: 'Requests', numeric: true, value: (row) => row.count },
            { key: 'example', label: 'Example', value: (row) => row.example },
          ],
        }),
      ),
    ),
  ];
  if (!unread) {
    nodes.push(
      h(
        'details',
        { className: 'sources' },
        h('summary', null, `Log sources (${formatNumber(view.sources.length)})`),
        h('ul', null, ...view.sources.map((source) => h('li', null, clip(source, 500)))),
        ...view.warnings.map((warning) => h('p', { className: 'warning' }, clip(warning, 1000))),
      ),
    );
  }
  return nodes;
}

/**
 * The plain-text form of a log summary, for `upkeep logs` and the output channel: the figures a
 * maintainer reads first at the top, details and file:line links below.
 */
import { formatMs, formatPercent, formatUtc } from '../util/figures';
import { firstFew } from '../util/firstFew';
import { plural } from '../util/plural';
import { printable } from '../util/printable';
import { alignColumns } from '../util/textColumns';
import {
  PERCENTILE_MIN_REQUESTS,
  percentileSample,
  rateSample,
  type PercentileKey,
} from './sampleSize';
import type { LogSummary } from './summaryTypes';

const number = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

function n(value: number): string {
  return number.format(value);
}

function where(file: string, line: number | null, offset: number): string {
  return line ? `${file}:${line}` : `${file} @byte ${offset}`;
}

function size(bytes: number): string {
  return bytes >= 1048576 ? `${n(bytes / 1048576)} MB` : `${n(bytes / 1024)} KB`;
}

function percent(share: number | null): string {
  return share === null ? '—' : formatPercent(share * 100);
}

/** Counts like "2× A, 1× B", for one-line summaries. */
export function countsLine(rows: { className: string; count: number }[], limit = 3): string {
  return firstFew(
    rows.map((r) => `${r.count}× ${r.className}`),
    limit,
  );
}

/**
 * For a window that holds no request while the log read has entries before or after it: when
 * the newest one is from. A log copied from a server, or one the app no longer writes (Rails 7.1
 * and later log to STDOUT), otherwise reads as a quiet window of zeros; so does a log written by
 * a machine whose clock is ahead, all its entries after the window's end.
 */
export function windowBehindLog(s: LogSummary): string | undefined {
  const from = Date.parse(s.window.from ?? '');
  const to = Date.parse(s.window.to ?? '');
  const newest = Date.parse(s.lastEntry ?? '');
  if (s.requests.total > 0) return undefined;
  const at = formatUtc(s.lastEntry);
  if (newest < from) return `Nothing in this window: the newest entry read is from ${at}.`;
  if (newest >= to) {
    return `Nothing in this window: the newest entry read is from ${at}, after its end.`;
  }
  return undefined;
}

/** " (over 3 requests: the slowest one)" after a figure; empty when it needs no word. */
function sampleOf(note: string | undefined): string {
  return note ? ` (${note})` : '';
}

export function formatSummaryText(s: LogSummary): string {
  const out: string[] = [];
  const range =
    s.window.from || s.window.to
      ? ` (${formatUtc(s.window.from)} → ${formatUtc(s.window.to)})`
      : '';
  out.push(`Log summary: ${s.window.label}${range}`);

  for (const source of s.sources) {
    if (source.missing || source.error) {
      out.push(`  ! ${source.error ?? `${source.pattern}: missing`}`);
      continue;
    }
    const extra = source.skipped
      ? ', skipped: last changed before the window'
      : source.seeked
        ? `, read ${size(source.bytesRead)} from the window's start`
        : '';
    out.push(
      `  source ${source.stdin ? 'standard input' : source.path} ` +
        `(${size(source.bytes)}${source.gzip ? ', gzip' : ''}${extra})`,
    );
  }
  out.push(`  times: ${s.timeZone.note}`);
  out.push(`  span: ${formatUtc(s.span.first)} → ${formatUtc(s.span.last)}`);
  const behind = windowBehindLog(s);
  if (behind) out.push(`  note: ${behind}`);
  out.push('');

  const c = s.statusClasses;
  out.push(
    `Requests  ${n(s.requests.total)} (${n(s.requests.incomplete)} incomplete) · ` +
      `2xx ${n(c['2xx'])} · 3xx ${n(c['3xx'])} · 4xx ${n(c['4xx'])} · 5xx ${n(c['5xx'])} · ` +
      `error rate ${percent(s.requests.completed > 0 ? s.errorRate : null)}` +
      // Over few requests, what the rate is of: 50 % of 2 requests is no outage.
      (s.requests.completed > 0 ? sampleOf(rateSample(c['5xx'], s.requests.completed)) : ''),
  );
  // A window with no timed request has no durations: 0 ms would read as measured.
  const d = s.duration;
  const ms = (value: number): string => (d.count > 0 ? formatMs(value) : '—');
  // A percentile of few requests says what it is: a p99 of 3 is the slowest of them.
  const pct = (key: PercentileKey): string => ms(d[key]) + sampleOf(percentileSample(key, d.count));
  out.push(
    `Duration  mean ${ms(d.meanMs)} · p50 ${ms(d.p50Ms)} · p95 ${pct('p95Ms')} · ` +
      `p99 ${pct('p99Ms')} · max ${ms(d.maxMs)} · ` +
      `${n(s.slowRequests)} over ${formatMs(s.slowRequestMs)}`,
  );
  out.push(
    `Errors    ${n(s.errors.total)}` +
      (s.errors.total
        ? ` (${countsLine(s.errors.byClass)}), last ${formatUtc(s.errors.lastSeen)}`
        : ''),
  );

  if (s.actions.length) {
    out.push('', 'Actions (by total time)');
    // An action's percentile over too few requests to be one is marked, and said below.
    let marked = false;
    const pct = (a: (typeof s.actions)[number], key: PercentileKey): string => {
      const few = percentileSample(key, a.count) !== undefined;
      marked ||= few;
      return `${formatMs(a[key])}${few ? '*' : ''}`;
    };
    const rows = s.actions
      .slice(0, 15)
      .map((a) => [
        n(a.count),
        a.errors ? n(a.errors) : '—',
        formatMs(a.meanMs),
        pct(a, 'p95Ms'),
        pct(a, 'p99Ms'),
        percent(a.viewShare),
        percent(a.dbShare),
        a.name,
      ]);
    // The 5xx beside the count: an error-rate alert is followed to its actions here.
    const header = ['count', '5xx', 'mean', 'p95', 'p99', 'view', 'db', 'action'];
    const right = [true, true, true, true, true, true, true, false];
    out.push(...alignColumns([header, ...rows], right, '  '));
    if (marked) {
      out.push(
        `  * over fewer than ${PERCENTILE_MIN_REQUESTS.p95Ms} requests (p95) or ` +
          `${PERCENTILE_MIN_REQUESTS.p99Ms} (p99): the slowest one, not a percentile`,
      );
    }
  }
  if (s.slowest.length) {
    out.push('', 'Slowest requests');
    // Duration and status in columns; the rest, of any length, follows as one cell.
    const rows = s.slowest.map((r) => [
      formatMs(r.durationMs),
      String(r.status ?? '—'),
      `${r.action ?? '—'}  ${r.method ?? ''} ${r.path ?? ''}  ${formatUtc(r.at)}  ` +
        where(r.file, r.line, r.offset),
    ]);
    out.push(...alignColumns(rows, [true, false, false], '  '));
  }
  if (s.exceptions.length) {
    out.push('', 'Exceptions');
    for (const e of s.exceptions) {
      out.push(`  ${String(e.count).padStart(5)}× ${e.className}: ${e.message.slice(0, 120)}`);
      if (e.actions.length) out.push(`         in ${firstFew(e.actions)}`);
      out.push(
        `         first ${formatUtc(e.firstSeen)}, last ${formatUtc(e.lastSeen)}` +
          `${e.frame ? `, at ${e.frame}` : ''}  ${where(e.file, e.line, e.offset)}`,
      );
    }
  }
  if (s.routingErrors.total) {
    out.push('', `Routing errors  ${n(s.routingErrors.total)}`);
    for (const r of s.routingErrors.paths.slice(0, 10)) {
      out.push(`  ${String(r.count).padStart(5)}  ${r.method} ${r.path}`);
    }
  }
  if (s.failedLogins.total) {
    const { total, ips } = s.failedLogins;
    out.push('', `Failed logins  ${n(total)} from ${plural(ips, 'IP')}`);
    for (const r of s.failedLogins.byIp.slice(0, 10)) {
      out.push(`  ${String(r.count).padStart(5)}  ${r.ip}`);
    }
  }
  if (s.suspicious.length) {
    const { total, ips } = s.suspiciousRequests;
    out.push('', `Suspicious requests  ${n(total)} from ${plural(ips, 'IP')}`);
    for (const r of s.suspicious.slice(0, 20)) {
      out.push(
        `  ${String(r.count).padStart(5)}  ${r.kind.padEnd(14)} ${r.ip}  ` +
          `${r.path.slice(0, 100)}  ${where(r.file, r.line, r.offset)}`,
      );
    }
  }
  if (s.bursts.length) {
    out.push('', 'Bursts of 401/403/422');
    for (const b of s.bursts.slice(0, 10)) {
      const statuses = Object.entries(b.statuses)
        .map(([k, v]) => `${v}× ${k}`)
        .join(', ');
      const span = `${formatUtc(b.from)} → ${formatUtc(b.to)}`;
      out.push(`  ${String(b.count).padStart(5)}  ${b.ip}  ${span}  (${statuses})`);
    }
  }
  if (s.sql.requestsWithSql) {
    out.push(
      '',
      `SQL  ${n(s.sql.queries)} queries + ${n(s.sql.cached)} cached ` +
        `in ${n(s.sql.requestsWithSql)} requests, ${n(s.sql.meanPerRequest)} per request`,
    );
    for (const p of s.nPlusOne.slice(0, 10)) {
      out.push(
        `  N+1? ${p.maxRepeats}× ${p.name} in ${p.action ?? '—'} ` +
          `(${plural(p.requests, 'request')})${p.source ? ` ↳ ${p.source}` : ''}  ` +
          where(p.file, p.line, p.offset),
      );
      out.push(`        ${p.statement.slice(0, 140)}`);
    }
  }
  const a = s.assembly;
  // Heroku router lines counted as the app's own requests (no request id), not again.
  const joined = a.routerJoined
    ? `, ${plural(a.routerJoined, 'Heroku router line')} joined to the app's untagged requests`
    : '';
  out.push(
    '',
    `Assembly  ${plural(a.linesRead, 'line')}: ${plural(a.byRequestId, 'request')} by ` +
      `request id, ${n(a.byProcess)} by process and order, ${n(a.singleLine)} single-line, ` +
      `${plural(a.orphanLines, 'line')} in no request` +
      joined +
      `${a.outsideWindow ? `, ${plural(a.outsideWindow, 'request')} outside the window` : ''}`,
  );
  for (const warning of s.warnings) out.push(`warning: ${warning}`);
  // The parser already replaces control characters; this keeps the terminal safe even for a
  // summary that did not come from it (a saved JSON file, for example) and for file names (a
  // line break in one started a line of its own), and drops the bidirectional controls that
  // would turn the rest of a line around.
  return out.map((line) => printable(line, '\uFFFD')).join('\n') + '\n';
}

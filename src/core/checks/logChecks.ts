/**
 * The log checks of the playbook (errors in the last hour, slow requests, error rate, response
 * time, N+1 queries, failed logins, suspicious requests). Checks of one run share one parse per
 * window through `context.shared`; a missing log is `skipped` with how to fix it.
 */
import { summarizeLogs, type LogSummary } from '../logs/summary';
import { printable } from '../util/printable';
import type { ExceptionSummary } from '../logs/summaryTypes';
import { countsLine } from '../logs/textReport';
import { parseWindow } from '../logs/window';
import { formatMs, formatPercent, formatUtc } from '../util/figures';
import { firstFew } from '../util/firstFew';
import { plural, pluralPart } from '../util/plural';
import type { CheckContext, CheckDefinition, CheckReport, Finding } from './types';

type WindowSpec = '1h' | '24h' | '7d';

const LABELS: Record<WindowSpec, string> = {
  '1h': 'the last hour',
  '24h': 'the last 24 hours',
  '7d': 'the last 7 days',
};

/** One parse per window and source set, whichever check asks first. */
export function sharedSummary(context: CheckContext, spec: WindowSpec): Promise<LogSummary> {
  const { sources, timeZone } = context.settings.logs;
  const key = `logs:${spec}:${timeZone ?? ''}:${sources.join('\n')}`;
  let pending = context.shared.get(key) as Promise<LogSummary> | undefined;
  if (!pending) {
    pending = summarizeLogs({
      workspace: context.workspace,
      sources,
      window: parseWindow(spec, context.clock),
      timeZone,
      slowRequestMs: context.settings.thresholds.slowRequestMs,
      // An untrusted repo's settings could name any file on the machine.
      confineToWorkspace: !context.trusted,
      clock: context.clock,
      signal: context.signal,
      log: context.log.child('logs'),
      surface: context.surface,
    }).then((summary) => {
      warnOnce(context, summary);
      return summary;
    });
    context.shared.set(key, pending);
  }
  return pending;
}

/** The warnings each run said, by the run's shared map: every window reads the same files. */
const warnedIn = new WeakMap<CheckContext['shared'], Set<string>>();

/**
 * Says what the reader worked around (junk after a .gz's data, a decompression limit, lines cut
 * short) in the run's log, once a run: no check result carries the summary's warnings, so the
 * CLI's stderr (and the editor's output channel) is where they are seen. Not when nothing was
 * read: the checks then skip or fail with the sources' own messages.
 */
function warnOnce(context: CheckContext, summary: LogSummary): void {
  if (!summary.sources.some((source) => source.path && !source.error)) return;
  let said = warnedIn.get(context.shared);
  if (!said) warnedIn.set(context.shared, (said = new Set()));
  const unread = summary.sources.flatMap((source) => (source.error ? [source.error] : []));
  for (const warning of new Set([...unread, ...summary.warnings])) {
    if (said.has(warning)) continue;
    said.add(warning);
    // One line: a log file's name may hold a line break, which would forge a line of output.
    context.log.warn(printable(warning));
  }
}

/**
 * Skips when nothing could be read, with the sources' own messages (what to set). A log that is
 * there and cannot be read (its permissions, something that is no file) is a configuration gap
 * instead, as a missing database password is: skipped, cron went on passing with no log read.
 * An untrusted workspace's log outside it is refused on purpose, and skips.
 */
function unreadable(summary: LogSummary, trusted: boolean): CheckReport | undefined {
  const read = summary.sources.filter((s) => s.path && !s.error);
  if (read.length > 0) return undefined;
  const reasons = summary.sources.map((s) => s.error).filter(Boolean);
  if (trusted && summary.sources.some((s) => s.error && !s.missing)) {
    return {
      outcome: 'error',
      summary: 'Log file cannot be read',
      details: reasons.join('\n'),
      configProblem: true,
    };
  }
  return {
    outcome: 'skipped',
    summary: 'No log file to read',
    details: reasons.join('\n') || 'No log sources are configured (upkeep.logs.sources).',
  };
}

/** For a quiet hour: when the log last changed, since a stopped app also logs no errors. */
function lastWritten(summary: LogSummary): string | undefined {
  const times = summary.sources.map((s) => s.modifiedAt).filter((t): t is string => Boolean(t));
  return times.sort().pop();
}

/** `2026-12-04 11:30 UTC`: a log's last change or entry, to the minute. */
function toMinute(iso: string): string {
  return `${formatUtc(iso).slice(0, 16)} UTC`;
}

/** `16 hours ago`, `3 days ago`: whole units, rounded down. */
function ago(iso: string, now: Date): string {
  const hours = Math.max(0, Math.floor((now.getTime() - Date.parse(iso)) / 3_600_000));
  return hours < 48
    ? `${plural(hours, 'hour')} ago`
    : `${plural(Math.floor(hours / 24), 'day')} ago`;
}

/**
 * An hour without a single entry: the newest entry read (else the file's last change, when
 * nothing older was read) is before the window. A live production app logs every request, so
 * "no errors" would say nothing; a copied or rotated-away log, or an app that stopped or logs
 * elsewhere, warns with when its last entry was. Undefined when the log is current.
 */
function staleLog(summary: LogSummary, now: Date): CheckReport | undefined {
  const from = summary.window.from;
  const written = lastWritten(summary);
  const newest = summary.lastEntry ?? written;
  if (!from || !newest || newest >= from) return undefined;
  const when = toMinute(newest);
  const what = summary.lastEntry ? 'the last is from' : 'the log was last written at';
  return {
    outcome: 'warn',
    summary: `No log entries in the last hour: ${what} ${when} (${ago(newest, now)})`,
    details:
      'A production app in use logs every request: is the app running, and does it log to ' +
      'this file? (Rails 7.1 and later log to STDOUT unless told otherwise: set ' +
      'upkeep.logs.sources to where the log is.) An app nobody used in the last hour warns ' +
      'too.',
    values: {
      errors: 0,
      requests: 0,
      serverErrors: 0,
      lastEntryAt: summary.lastEntry,
      lastWrittenAt: written ?? null,
    },
  };
}

function n(value: number): string {
  return new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 }).format(value);
}

function findingAt(
  location: { file: string; line: number | null },
  message: string,
  severity: Finding['severity'],
  code: string,
): Finding {
  return {
    message,
    severity,
    file: location.file,
    line: location.line ?? undefined,
    source: 'upkeep logs',
    code,
  };
}

/** An exception at its log line, for the Problems panel and the CLI's FINDINGS. */
function exceptionFinding(e: ExceptionSummary): Finding {
  return findingAt(
    e,
    `${e.count}× ${e.className}: ${e.message.slice(0, 200)}${e.frame ? ` (at ${e.frame})` : ''}`,
    'error',
    e.className,
  );
}

/**
 * An editor command a check's details name: said to be the editor's where the CLI shows them,
 * since `upkeep` has no such command.
 */
function editorCommand(context: CheckContext, command: string): string {
  return context.surface === 'cli' ? `${command} in the editor` : command;
}

/** The dashboard's names for the windows of its Log window picker. */
const PICKED: Record<WindowSpec, string> = {
  '1h': 'Last hour',
  '24h': 'Last 24 hours',
  '7d': 'Last 7 days',
};

/**
 * Where to read a window's requests, in the words of where the details are read: in the editor
 * a table of the dashboard's Logs section with that window picked, on the command line
 * `upkeep logs`, which the editor has no way to run; `findings` (Problems, the CLI's FINDINGS)
 * come first when the findings are at log lines.
 */
function whereToRead(
  context: CheckContext,
  spec: WindowSpec,
  table: string,
  findings: boolean,
): string {
  const editor =
    `${findings ? 'Problems, or ' : ''}${table} in the dashboard's Logs section, ` +
    `Log window "${PICKED[spec]}"`;
  const cli = `${findings ? 'the findings, or ' : ''}upkeep logs --window ${spec}`;
  if (context.surface === 'cli') return cli;
  if (context.surface === 'editor') return editor;
  return `${editor}; on the command line, upkeep logs --window ${spec}`;
}

/** Lines of the error rate's details: at most this many actions and exceptions each. */
const SERVER_ERROR_LINES = 5;

/**
 * Where the 5xx of a window come from and what to do: the actions that answered them (of how
 * many requests), the exceptions logged in those actions (class, message, the app's frame, the
 * log line), and the next step. An exception only seen in actions without a 5xx (a 404's
 * RecordNotFound, a RoutingError) is left out: it is not what the rate counts.
 */
function serverErrorDetails(
  s: LogSummary,
  context: CheckContext,
): { details: string; findings: Finding[] } {
  const failing = s.actions.filter((a) => a.errors > 0).sort((a, b) => b.errors - a.errors);
  const names = new Set(failing.map((a) => a.name));
  const exceptions = s.exceptions.filter((e) => e.actions.some((name) => names.has(name)));
  const lines: string[] = [];
  if (failing.length) {
    const counts = failing.map((a) => `${a.name} ${n(a.errors)} of ${plural(a.count, 'request')}`);
    lines.push(`5xx by action: ${firstFew(counts, SERVER_ERROR_LINES)}.`);
  }
  for (const e of exceptions.slice(0, SERVER_ERROR_LINES)) {
    const where = [e.frame ? `at ${e.frame}` : '', `${e.file}${e.line ? `:${e.line}` : ''}`]
      .filter(Boolean)
      .join(', ');
    lines.push(
      `${n(e.count)}× ${e.className}: ${e.message.slice(0, 200)} ` +
        `(${e.actions.filter((name) => names.has(name)).join(', ')}) ${where}`,
    );
  }
  // A 5xx that logged no exception (`head :service_unavailable`, a timeout middleware's 503)
  // leaves no finding to point at.
  const where = whereToRead(context, '24h', 'Exceptions', exceptions.length > 0);
  lines.push(
    `Next: read the request at its log line (${where}), fix and test it, and keep the record ` +
      `with ${editorCommand(context, '"Upkeep: New Bug Report…"')}.`,
  );
  return { details: lines.join('\n'), findings: exceptions.slice(0, 20).map(exceptionFinding) };
}

async function withSummary(
  context: CheckContext,
  spec: WindowSpec,
  judge: (summary: LogSummary) => CheckReport,
): Promise<CheckReport> {
  const summary = await sharedSummary(context, spec);
  return unreadable(summary, context.trusted) ?? judge(summary);
}

const errorsLastHour: CheckDefinition = {
  id: 'logs.errorsLastHour',
  title: 'Errors in the last hour',
  description: '5xx responses, exceptions and ERROR/FATAL lines in the last hour.',
  run: (context) =>
    withSummary(context, '1h', (s) => {
      const values = {
        errors: s.errors.total,
        requests: s.requests.total,
        serverErrors: s.statusClasses['5xx'],
      };
      if (s.errors.total === 0) {
        const stale = s.requests.total === 0 ? staleLog(s, context.clock.now()) : undefined;
        if (stale) return stale;
        const written = s.requests.total === 0 ? lastWritten(s) : undefined;
        const quiet = written ? `; the log was last written at ${toMinute(written)}` : '';
        return {
          outcome: 'pass',
          summary: `No errors in the last hour (${plural(s.requests.total, 'request')}${quiet})`,
          values,
        };
      }
      const findings = s.exceptions.slice(0, 20).map(exceptionFinding);
      return {
        outcome: s.statusClasses['5xx'] > 0 ? 'fail' : 'warn',
        summary:
          `${n(s.errors.total)} error${s.errors.total === 1 ? '' : 's'} in the last hour ` +
          `(${countsLine(s.errors.byClass)})`,
        details: s.errors.lastSeen ? `Last at ${formatUtc(s.errors.lastSeen)}.` : undefined,
        values,
        findings,
      };
    }),
};

const slowRequests: CheckDefinition = {
  id: 'logs.slowRequests',
  title: 'Slow requests',
  description: 'Requests slower than the slow-request threshold in the last 24 hours.',
  run: (context) =>
    withSummary(context, '24h', (s) => {
      const limit = context.settings.thresholds.slowRequestMs;
      const values = {
        slowRequests: s.slowRequests,
        requests: s.requests.total,
        thresholdMs: limit,
        maxMs: s.duration.maxMs,
      };
      // A day without a timed request says nothing about speed (its "max" would read 0 ms).
      if (s.duration.count === 0) {
        return { outcome: 'skipped', summary: `No timed requests in ${LABELS['24h']}`, values };
      }
      if (s.slowRequests === 0) {
        return {
          outcome: 'pass',
          summary:
            `No request took over ${formatMs(limit)} in ${LABELS['24h']} ` +
            `(max ${formatMs(s.duration.maxMs)})`,
          values,
        };
      }
      const worst = s.slowest[0];
      const listed = s.slowest.filter((r) => r.durationMs > limit);
      // The summary keeps the slowest few: said, or a list of 10 reads as all of 17.
      const few =
        listed.length < s.slowRequests
          ? `The findings are the ${listed.length} slowest of the ${n(s.slowRequests)}. `
          : '';
      return {
        outcome: 'warn',
        summary:
          `${plural(s.slowRequests, 'request')} took over ${formatMs(limit)} ` +
          `in ${LABELS['24h']}; ` +
          `slowest ${formatMs(worst.durationMs)} in ${worst.action ?? worst.path ?? '?'}`,
        details:
          few +
          (context.surface === 'cli'
            ? 'Next: open the slowest at its log line (the findings); upkeep logs --window 24h ' +
              'gives each action\'s p95 and database time, and "Upkeep: Explain Query" in the ' +
              'editor shows the plan of a slow query.'
            : 'Next: open the slowest at its log line ' +
              `(${whereToRead(context, '24h', 'Slowest requests', true)}); ` +
              "the dashboard's Slowest actions gives each action's p95 and database share, " +
              'and "Upkeep: Explain Query" shows the plan of a slow query.'),
        values,
        findings: listed.map((r) =>
          findingAt(
            r,
            (
              `${formatMs(r.durationMs)} ${r.status ?? ''} ` +
              `${r.action ?? ''} ${r.method ?? ''} ${r.path ?? ''}`
            )
              .replace(/\s+/g, ' ')
              .trim(),
            'warning',
            'slow-request',
          ),
        ),
      };
    }),
};

const errorRate: CheckDefinition = {
  id: 'logs.errorRate',
  title: 'Error rate',
  description: 'Share of 5xx responses in the last 24 hours against the guideline (< 0.1 %).',
  run: (context) =>
    withSummary(context, '24h', (s) => {
      const { errorRatePercent, errorRateAlertPercent } = context.settings.thresholds;
      const rate = s.errorRate * 100;
      const values = {
        errorRatePercent: Math.round(rate * 1000) / 1000,
        serverErrors: s.statusClasses['5xx'],
        requests: s.requests.completed,
        allRequests: s.requests.total,
      };
      if (s.requests.completed === 0) {
        return { outcome: 'skipped', summary: `No completed requests in ${LABELS['24h']}`, values };
      }
      const over = pluralPart(s.requests.completed, s.requests.total, 'completed', 'request');
      const text =
        `${formatPercent(rate)} of ${over} failed with 5xx ` +
        `in ${LABELS['24h']} (${plural(s.statusClasses['5xx'], 'request')})`;
      if (rate > errorRateAlertPercent) {
        return {
          outcome: 'fail',
          summary: `${text}; alert above ${errorRateAlertPercent} %`,
          values,
          ...serverErrorDetails(s, context),
        };
      }
      // The guidelines' goal is "< 0.1%": a rate at it misses it (their alert is strict: > 1 %).
      if (rate > 0 && rate >= errorRatePercent) {
        return {
          outcome: 'warn',
          summary: `${text}; goal under ${errorRatePercent} %`,
          values,
          ...serverErrorDetails(s, context),
        };
      }
      return { outcome: 'pass', summary: text, values };
    }),
};

const avgResponseTime: CheckDefinition = {
  id: 'logs.avgResponseTime',
  title: 'Average response time',
  description: 'Mean request duration in the last 24 hours against the guideline (< 2 s).',
  run: (context) =>
    withSummary(context, '24h', (s) => {
      const limit = context.settings.thresholds.avgResponseTimeMs;
      const d = s.duration;
      const values = {
        meanMs: d.meanMs,
        p50Ms: d.p50Ms,
        p95Ms: d.p95Ms,
        p99Ms: d.p99Ms,
        requests: d.count,
        allRequests: s.requests.total,
        limitMs: limit,
      };
      if (d.count === 0) {
        return { outcome: 'skipped', summary: `No timed requests in ${LABELS['24h']}`, values };
      }
      // The guidelines' goal is "Average < 2 seconds for all endpoints" and their alert
      // `avg_response_time > 2`: a mean at the limit misses the goal (a warning), one above it
      // fails.
      const slowActions = s.actions.filter((a) => a.meanMs >= limit);
      const findings = slowActions.map<Finding>((a) => ({
        message:
          `${a.name}: mean ${formatMs(a.meanMs)} over ${n(a.count)} requests ` +
          `(p95 ${formatMs(a.p95Ms)}, ` +
          `db ${a.dbShare === null ? '—' : formatPercent(a.dbShare * 100)})`,
        severity: 'warning',
        source: 'upkeep logs',
        code: 'slow-action',
      }));
      const text =
        `Mean ${formatMs(d.meanMs)}, p95 ${formatMs(d.p95Ms)} ` +
        `over ${pluralPart(d.count, s.requests.total, 'timed', 'request')} in ${LABELS['24h']}`;
      if (d.meanMs > limit) {
        return { outcome: 'fail', summary: `${text}; limit ${formatMs(limit)}`, values, findings };
      }
      if (d.meanMs >= limit) {
        return {
          outcome: 'warn',
          summary: `${text}; goal under ${formatMs(limit)}`,
          values,
          findings,
        };
      }
      if (slowActions.length) {
        return {
          outcome: 'warn',
          summary:
            `${text}; ${plural(slowActions.length, 'action')} ` +
            `${slowActions.length === 1 ? 'averages' : 'average'} ${formatMs(limit)} or more`,
          values,
          findings,
        };
      }
      return { outcome: 'pass', summary: text, values };
    }),
};

const nPlusOne: CheckDefinition = {
  id: 'logs.nPlusOne',
  title: 'N+1 queries',
  description:
    'The same SQL repeated in one request (needs a log with SQL lines, e.g. development).',
  run: (context) =>
    withSummary(context, '7d', (s) => {
      if (s.sql.requestsWithSql === 0) {
        return {
          outcome: 'skipped',
          summary: 'No SQL lines in the log',
          details:
            'Production logs at :info level do not show SQL. ' +
            'Add log/development.log (or a log at :debug level) to upkeep.logs.sources ' +
            'to look for N+1 queries.',
        };
      }
      const values = {
        hints: s.nPlusOne.length,
        requestsWithSql: s.sql.requestsWithSql,
        queries: s.sql.queries,
      };
      if (s.nPlusOne.length === 0) {
        return {
          outcome: 'pass',
          summary:
            `No repeated queries in ${plural(s.sql.requestsWithSql, 'request')} with SQL ` +
            `(${LABELS['7d']})`,
          values,
        };
      }
      const top = s.nPlusOne[0];
      return {
        outcome: 'warn',
        summary:
          `${s.nPlusOne.length} likely N+1 quer${s.nPlusOne.length === 1 ? 'y' : 'ies'}; ` +
          `worst ${top.maxRepeats}× ${top.name} in ${top.action ?? '?'}` +
          `${top.source ? ` (${top.source})` : ''}`,
        values,
        findings: s.nPlusOne.map((p) =>
          findingAt(
            p,
            `${p.maxRepeats}× ${p.name} in ${p.action ?? '?'}` +
              `${p.source ? ` from ${p.source}` : ''}: ${p.statement.slice(0, 200)}`,
            'warning',
            'n-plus-one',
          ),
        ),
      };
    }),
};

/**
 * A day without a single request says nothing of who tried to sign in or probe the app (a copied
 * or stale log): skipped, as Slow requests and Average response time skip a day with no timed
 * request, rather than a pass reading "none".
 */
function noRequests(s: LogSummary, values: CheckReport['values']): CheckReport | undefined {
  if (s.requests.total > 0) return undefined;
  return { outcome: 'skipped', summary: `No requests in ${LABELS['24h']}`, values };
}

const FAILED_LOGINS_PER_IP = 5;
const FAILED_LOGINS_TOTAL = 20;

const failedLogins: CheckDefinition = {
  id: 'logs.failedLogins',
  title: 'Failed logins',
  description: 'Failed sign-ins in the last 24 hours, by IP.',
  run: (context) =>
    withSummary(context, '24h', (s) => {
      const f = s.failedLogins;
      // Addresses, all of them: byIp lists 50, and credential stuffing comes from thousands.
      const values = { failedLogins: f.total, ips: f.ips };
      if (f.total === 0) {
        return (
          noRequests(s, values) ?? {
            outcome: 'pass',
            summary: `No failed logins in ${LABELS['24h']}`,
            values,
          }
        );
      }
      const top = f.byIp[0];
      const text =
        `${plural(f.total, 'failed login')} in ${LABELS['24h']} ` +
        `from ${plural(f.ips, 'IP')}; ` +
        `most ${top.count} from ${top.ip}`;
      const noisy = f.byIp.filter((r) => r.count >= FAILED_LOGINS_PER_IP);
      const findings = noisy.map<Finding>((r) => ({
        message: `${r.count} failed logins from ${r.ip}`,
        severity: 'warning',
        source: 'upkeep logs',
        code: 'failed-logins',
      }));
      const outcome = noisy.length || f.total >= FAILED_LOGINS_TOTAL ? 'warn' : 'pass';
      if (outcome === 'pass') return { outcome, summary: text, values, findings };
      const who = (noisy.length ? noisy : [top]).slice(0, 3).map((r) => r.ip);
      return {
        outcome,
        summary: text,
        details:
          `Next: read what ${who.join(', ')} tried ` +
          `(${whereToRead(context, '24h', 'Failed logins by IP', false)}). ` +
          'Many accounts from one address is password guessing: ' +
          'block it at the proxy or throttle sign-ins (Rack::Attack); one account tried many ' +
          'times: tell its owner.',
        values,
        findings,
      };
    }),
};

const suspiciousRequests: CheckDefinition = {
  id: 'logs.suspiciousRequests',
  title: 'Suspicious requests',
  description: 'SQL injection, XSS, path traversal and scanner probes in the last 24 hours, by IP.',
  run: (context) =>
    withSummary(context, '24h', (s) => {
      // Requests, each once: one that is SQL injection and XSS too is one request.
      const total = s.suspiciousRequests.total;
      const ips = s.suspiciousRequests.ips;
      const values = { suspicious: total, ips, bursts: s.bursts.length };
      if (total === 0 && s.bursts.length === 0) {
        return (
          noRequests(s, values) ?? {
            outcome: 'pass',
            summary: `No suspicious requests in ${LABELS['24h']}`,
            values,
          }
        );
      }
      const kinds = new Map<string, number>();
      for (const r of s.suspicious) kinds.set(r.kind, (kinds.get(r.kind) ?? 0) + r.count);
      const kindText = [...kinds.entries()]
        .sort((a, b) => b[1] - a[1])
        .map(([k, c]) => `${c}× ${k}`)
        .join(', ');
      const findings = s.suspicious.map((r) =>
        findingAt(
          r,
          `${r.count}× ${r.kind} from ${r.ip}, e.g. ${r.path.slice(0, 200)}`,
          'warning',
          r.kind,
        ),
      );
      for (const b of s.bursts) {
        findings.push({
          message: `${b.count} responses 401/403/422 to ${b.ip} between ${b.from} and ${b.to}`,
          severity: 'warning',
          source: 'upkeep logs',
          code: 'burst',
        });
      }
      const parts = [
        total
          ? `${plural(total, 'suspicious request')} from ${plural(ips, 'IP')} (${kindText})`
          : '',
        s.bursts.length ? `${plural(s.bursts.length, 'burst')} of 401/403/422` : '',
      ]
        .filter(Boolean)
        .join('; ');
      return {
        outcome: 'warn',
        summary: `${parts} in ${LABELS['24h']}`,
        details:
          'Next: check they were refused (4xx), not answered 2xx, at their log lines ' +
          `(${whereToRead(context, '24h', 'Suspicious requests by IP', true)}). ` +
          'A 2xx to an injection or traversal probe ' +
          "needs that action's code reviewed; scanners after /.env or /wp-login.php are noise " +
          'to block at the proxy.',
        values,
        findings,
      };
    }),
};

/** Each quotes the log (exception messages, paths, SQL): a password logged there is hidden. */
export const logChecks: CheckDefinition[] = [
  errorsLastHour,
  slowRequests,
  errorRate,
  avgResponseTime,
  nPlusOne,
  failedLogins,
  suspiciousRequests,
].map((check) => ({ ...check, quotesOthersText: true }));

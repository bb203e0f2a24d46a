/**
 * "Save as Report": the dashboard's figures, alerts and check results as a Markdown maintenance
 * report, written into docs/maintenance/reports/ under a dated name that never replaces a file.
 */
import * as path from 'node:path';
import { escapeMarkdownHtml } from '../templates/markdown';
import { formatDuration, formatMs, formatPercent } from '../util/figures';
import { controlsWrittenOut, startOf } from '../util/printable';
import { writeNewFile } from '../templates/newFile';
import { formatZonedDate } from '../templates/zonedTime';
import { actionSample, figureSamples } from '../logs/sampleSize';
import type { ActionRowView, LogWindow, SectionDataMap, SectionId } from './protocol';
import { describeWindow, SECTION_IDS } from './protocol';

export const REPORTS_FOLDER = 'docs/maintenance/reports';

/** Cells longer than this are cut: a report is for reading, not for 1 MB query texts. */
const MAX_CELL = 300;

export interface ReportInput {
  generatedAt: Date;
  author: string;
  workspaceName: string;
  window: LogWindow;
  sections: Partial<SectionDataMap>;
  /** Sections that could not be loaded, with the reason. */
  errors: Partial<Record<SectionId, string>>;
  /** Dates and numbers are written in this locale (BCP 47); the runtime's by default. */
  locale?: string;
  /** Dates are written in this IANA time zone; the runtime's by default. */
  timeZone?: string;
}

/** The report's one date format and its number format, from the reader's locale. */
interface Formats {
  instant(iso: string | Date): string;
  number(value: number): string;
  /** The IANA zone the instants are written in, named once in the report's header. */
  timeZone: string;
}

function formatsOf(input: ReportInput): Formats {
  const dates = new Intl.DateTimeFormat(input.locale, {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: input.timeZone,
  });
  const numbers = new Intl.NumberFormat(input.locale, { maximumFractionDigits: 2 });
  return {
    instant: (value) => {
      const at = typeof value === 'string' ? Date.parse(value) : value.getTime();
      return Number.isFinite(at) ? dates.format(at) : String(value);
    },
    number: (value) => (Number.isFinite(value) ? numbers.format(value) : String(value)),
    timeZone: dates.resolvedOptions().timeZone,
  };
}

/**
 * One table cell: pipes escaped, line breaks and tabs folded to spaces, other controls written
 * out (`\u001b`: the report is committed and read with cat or git show, whose terminal would act
 * on an escape sequence in a statement's comment or a log line; a `\u202e` would turn the rest
 * of the line around), HTML neutralised with backslash escapes (shared with the templates:
 * `<script>` stays text, `<ada@example.com>` reads as typed), images left as text (a log line's
 * `![](https://...)` would load when the report is previewed), long text cut.
 */
export function markdownCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === '') return '–';
  let text = String(value)
    .replace(/\r\n|[\r\n\t\u2028\u2029]/g, ' ')
    .trim();
  if (text.length > MAX_CELL) text = `${startOf(text, MAX_CELL)}…`;
  // Backslashes right before a pipe are doubled too, so data cannot unescape the cell border.
  return escapeMarkdownHtml(controlsWrittenOut(text))
    .replace(/(\\*)\|/g, (_match, slashes: string) => `${slashes}${slashes}\\|`)
    .replace(/!\[/g, '!\\[');
}

/** Inline text outside tables: one line, HTML neutralised. */
function inline(value: string): string {
  return markdownCell(value).replace(/\\\|/g, '|');
}

function tableOf(formats: Formats) {
  return (headers: string[], rows: (string | number | null | undefined)[][]): string => {
    if (rows.length === 0) return '_None._\n';
    const cellOf = (value: string | number | null | undefined): string =>
      markdownCell(typeof value === 'number' ? formats.number(value) : value);
    const head = `| ${headers.map(markdownCell).join(' | ')} |`;
    const rule = `| ${headers.map(() => '---').join(' | ')} |`;
    const body = rows.map((row) => `| ${row.map(cellOf).join(' | ')} |`);
    return [head, rule, ...body].join('\n') + '\n';
  };
}

/**
 * Calendar date `YYYY-MM-DD` of an instant, for the file name and the title: in `timeZone`, as
 * the report's Date line, else in the runtime's zone.
 */
export function localDate(at: Date, timeZone?: string): string {
  if (timeZone) return formatZonedDate(at, timeZone);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`;
}

/** What every section writer uses: the report's formats and its table maker. */
interface Writing {
  formats: Formats;
  table: ReturnType<typeof tableOf>;
}

/** Each section's heading and writer, in the report's order. */
const SECTIONS: {
  [K in SectionId]: {
    heading: string;
    write: (data: SectionDataMap[K], writing: Writing) => string[];
  };
} = {
  alerts: { heading: 'Alerts', write: alertsSection },
  health: { heading: 'Check results', write: healthSection },
  logs: { heading: 'Logs', write: logsSection },
  database: { heading: 'Database', write: databaseSection },
  business: { heading: 'Business', write: businessSection },
};

export function buildReport(input: ReportInput): string {
  const { sections, errors } = input;
  const formats = formatsOf(input);
  const writing: Writing = { formats, table: tableOf(formats) };
  const out: string[] = [];
  out.push(`# Maintenance report ${localDate(input.generatedAt, input.timeZone)}`, '');
  out.push(`- Workspace: ${inline(input.workspaceName)}`);
  out.push(`- Made by: ${inline(input.author)}`);
  // Every time below is in this zone, as the dashboard's are; a reader elsewhere needs it named.
  out.push(`- Date: ${formats.instant(input.generatedAt)} (times in ${formats.timeZone})`);
  const window = input.window;
  const windowText =
    window.kind === 'range'
      ? `${formats.instant(window.from)} – ${formats.instant(window.to)}`
      : describeWindow(window);
  out.push(`- Log window: ${inline(windowText)}`, '');

  const section = <K extends SectionId>(id: K): void => {
    const { heading, write } = SECTIONS[id];
    out.push(`## ${heading}`, '');
    const data = sections[id];
    if (data) out.push(...write(data as SectionDataMap[K], writing));
    else out.push(`_Not available: ${inline(errors[id] ?? 'not loaded')}_`, '');
  };
  for (const id of SECTION_IDS) section(id);
  return out.join('\n').replace(/\n{3,}/g, '\n\n');
}

function alertsSection(alerts: SectionDataMap['alerts'], { formats, table }: Writing): string[] {
  if (alerts.alerts.length === 0) return ['No threshold is breached.\n'];
  // A failing check's figures are of its run, as the dashboard's "— ran 30 min ago" says.
  const ran = (at: string | undefined): string => {
    const instant = at ? new Date(at) : undefined;
    return instant && !Number.isNaN(instant.getTime()) ? formats.instant(instant) : '';
  };
  return [
    table(
      ['Severity', 'Alert', 'Detail', 'Check ran'],
      alerts.alerts.map((alert) => [
        alert.severity.toUpperCase(),
        alert.title,
        alert.detail,
        ran(alert.ranAt),
      ]),
    ),
  ];
}

function healthSection(health: SectionDataMap['health'], { formats, table }: Writing): string[] {
  const out: string[] = [];
  for (const tier of health.tiers) {
    out.push(`### ${inline(tier.title)}`, '');
    out.push(
      table(
        ['Check', 'Outcome', 'Summary', 'Ran at'],
        tier.checks.map((check) => [
          check.title,
          check.outcome.toUpperCase(),
          check.summary,
          check.startedAt ? formats.instant(check.startedAt) : 'never',
        ]),
      ),
    );
  }
  if (health.tiers.length === 0) out.push('_No check has run yet._', '');
  return out;
}

function logsSection(logs: SectionDataMap['logs'], { formats, table }: Writing): string[] {
  const ms = formatMs;
  const pct = formatPercent;
  const { totals } = logs;
  // What a figure of few requests rests on, beside it, as the dashboard says it under it.
  const samples = figureSamples(totals);
  const noted = (figure: string, note: string | undefined): string =>
    note ? `${figure} (${note})` : figure;
  const actionMs = (action: ActionRowView, key: 'p95Ms' | 'p99Ms'): string =>
    noted(ms(action[key]), actionSample(key, action));
  return [
    `From ${formats.instant(logs.from)} to ${formats.instant(logs.to)}.`,
    '',
    table(
      ['Requests', 'Errors (5xx)', 'Error rate', 'Average', 'p50', 'p95', 'p99'],
      [
        [
          totals.requests,
          totals.errors,
          noted(pct(totals.errorRatePercent), samples.errorRate),
          ms(totals.avgMs),
          ms(totals.p50Ms),
          noted(ms(totals.p95Ms), samples.p95Ms),
          noted(ms(totals.p99Ms), samples.p99Ms),
        ],
      ],
    ),
    '### Slowest actions',
    '',
    table(
      ['Action', 'Requests', 'Errors (5xx)', 'p50', 'p95', 'p99', 'Database share'],
      [...logs.actions]
        .sort((a, b) => (b.p95Ms ?? 0) - (a.p95Ms ?? 0))
        .slice(0, 10)
        .map((a) => [
          a.action,
          a.count,
          a.errors,
          ms(a.p50Ms),
          actionMs(a, 'p95Ms'),
          actionMs(a, 'p99Ms'),
          pct(a.dbSharePercent),
        ]),
    ),
    '### Exceptions',
    '',
    table(
      ['Exception', 'Count', 'Last message', 'Actions', 'Where'],
      logs.exceptions
        .slice(0, 20)
        .map((e) => [
          e.className,
          e.count,
          e.lastMessage,
          e.actions.join(', '),
          e.frame ? `${e.frame.file}${e.frame.line ? `:${e.frame.line}` : ''}` : '',
        ]),
    ),
    '### Failed logins by IP',
    '',
    table(
      ['IP', 'Failed logins'],
      logs.failedLogins.slice(0, 20).map((f) => [f.ip, f.count]),
    ),
    '### Suspicious requests by IP',
    '',
    table(
      ['IP', 'Requests', 'Example'],
      logs.suspicious.slice(0, 20).map((s) => [s.ip, s.count, s.example]),
    ),
  ];
}

function databaseSection(database: SectionDataMap['database'], { table }: Writing): string[] {
  return [
    `Database: ${inline(database.target)}`,
    '',
    table(
      ['Card', 'State', 'Summary', 'Fix'],
      database.cards.map((card) => [
        card.title,
        card.state.toUpperCase(),
        card.summary,
        card.fixes?.join(' ') ?? card.fix,
      ]),
    ),
    '### Slowest queries',
    '',
    table(
      ['Query', 'Calls', 'Mean', 'Total'],
      [...database.slowQueries]
        .sort((a, b) => b.meanMs - a.meanMs)
        .slice(0, 10)
        .map((q) => [q.query, q.calls, formatMs(q.meanMs), formatMs(q.totalMs)]),
    ),
  ];
}

function businessSection(business: SectionDataMap['business'], { table }: Writing): string[] {
  const out = [
    table(
      ['Onboarding completion', 'Time to complete (average)', 'Retention after 7 days'],
      [
        [
          formatPercent(business.completionRatePercent),
          business.timeToCompleteHours === null
            ? '–'
            : formatDuration(business.timeToCompleteHours * 3600),
          formatPercent(business.retentionPercent),
        ],
      ],
    ),
  ];
  if (business.funnel.length) {
    out.push(
      '### Users who reached each step',
      '',
      table(
        ['Step', 'Users'],
        business.funnel.map((step) => [step.step, step.users]),
      ),
    );
  }
  return out;
}

/**
 * Writes the report as `YYYY-MM-DD-maintenance-report.md` (or `-2`, `-3`, … when taken) in the
 * workspace's reports folder and returns its absolute path. Never replaces a file.
 */
export async function writeReport(
  workspace: string,
  markdown: string,
  at: Date,
  timeZone?: string,
): Promise<string> {
  const folder = path.join(workspace, REPORTS_FOLDER);
  const name = `${localDate(at, timeZone)}-maintenance-report`;
  return writeNewFile(workspace, folder, name, '.md', markdown);
}

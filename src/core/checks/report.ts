/**
 * A run's results as the CLI prints them: a text table, stable JSON (docs/check-json.md) or
 * JUnit XML for CI, and the exit code CI understands.
 */
import { formatMs } from '../util/figures';
import { printable, printableJson, startOf } from '../util/printable';
import { plural } from '../util/plural';
import type { CheckOutcome, CheckResult } from './types';

export type FailOn = 'warn' | 'fail';

/**
 * 0 when nothing failed; 1 on a fail or error (or a warn with `--fail-on warn`); 2 when only
 * configuration problems stopped checks.
 */
/** The results that fail the run: failed or errored, or warned too with `--fail-on warn`. */
export function failingResults(results: CheckResult[], failOn: FailOn = 'fail'): CheckResult[] {
  const bad: CheckOutcome[] = failOn === 'warn' ? ['fail', 'error', 'warn'] : ['fail', 'error'];
  return results.filter((result) => bad.includes(result.outcome));
}

export function exitCodeFor(results: CheckResult[], failOn: FailOn = 'fail'): 0 | 1 | 2 {
  const failed = failingResults(results, failOn);
  if (failed.length === 0) return 0;
  return failed.every((result) => result.configProblem) ? 2 : 1;
}

export function countOutcomes(results: CheckResult[]): Record<CheckOutcome, number> {
  const counts: Record<CheckOutcome, number> = { pass: 0, warn: 0, fail: 0, error: 0, skipped: 0 };
  for (const result of results) counts[result.outcome]++;
  return counts;
}

/** Lines of a check's details the table shows; the JSON and JUnit reports carry them all. */
const DETAIL_LINES = 12;

/**
 * A plain table: check, outcome, summary, duration; then findings, the details of checks that
 * did not pass (what is wrong and what to do: the password hint, the table, the fix, where the
 * log is), each text once, and a count line. Summaries are clipped to `width`; `Infinity`
 * (output to a file or a mail, where nothing wraps) keeps them whole.
 */
export function formatTable(results: CheckResult[], options: { width?: number } = {}): string {
  const width = options.width ?? 120;
  const rows = results.map((r) => [
    r.checkId,
    r.outcome.toUpperCase(),
    printable(r.summary),
    formatMs(r.durationMs),
  ]);
  const header = ['CHECK', 'OUTCOME', 'SUMMARY', 'DURATION'];
  const idWidth = Math.max(header[0].length, ...rows.map((r) => r[0].length));
  const outcomeWidth = Math.max(header[1].length, ...rows.map((r) => r[1].length));
  const durationWidth = Math.max(header[3].length, ...rows.map((r) => r[3].length));
  const longest = Math.max(header[2].length, ...rows.map((r) => r[2].length));
  const room = Math.max(20, width - idWidth - outcomeWidth - durationWidth - 6);
  const summaryWidth = Math.min(longest, room);
  // Between characters: half an emoji would print as a replacement character.
  const clip = (text: string): string =>
    text.length > summaryWidth ? `${startOf(text, summaryWidth - 1)}…` : text;
  const line = (cells: string[]): string =>
    [
      cells[0].padEnd(idWidth),
      cells[1].padEnd(outcomeWidth),
      clip(cells[2]).padEnd(summaryWidth),
      cells[3].padStart(durationWidth),
    ]
      .join('  ')
      .trimEnd();

  const out = [line(header), ...rows.map(line)];
  const findings = results.flatMap((r) =>
    (r.findings ?? []).map((f) => ({ check: r.checkId, ...f })),
  );
  if (findings.length) {
    out.push('', 'FINDINGS');
    for (const finding of findings.slice(0, 200)) {
      // A finding about the project as a whole (no file) starts with its severity.
      const where = finding.file
        ? `${printable(finding.file)}${finding.line ? `:${finding.line}` : ''}` +
          `${finding.column ? `:${finding.column}` : ''}  `
        : '';
      out.push(`${where}${finding.severity}  ${printable(finding.message)}  [${finding.check}]`);
    }
    if (findings.length > 200) out.push(`… and ${findings.length - 200} more (use --format json)`);
  }
  // Skips count too: their details say how to set the check up (where the log is, the password).
  const explained = results.filter((r) => r.details && r.outcome !== 'pass');
  if (explained.length) {
    out.push('', 'DETAILS');
    const shown = new Map<string, string>();
    for (const r of explained) {
      const id = printable(r.checkId);
      const details = r.details ?? '';
      const first = shown.get(details);
      if (first) {
        // Ten database checks skipped for one missing password say it once.
        out.push(`${id} (${r.outcome}): same as ${first}`);
        continue;
      }
      shown.set(details, id);
      const lines = details.split(/\r?\n/).filter((text) => text.trim() !== '');
      out.push(`${id} (${r.outcome})`);
      for (const text of lines.slice(0, DETAIL_LINES)) out.push(`  ${printable(text)}`);
      if (lines.length > DETAIL_LINES) {
        out.push(`  … ${lines.length - DETAIL_LINES} more lines (use --format json)`);
      }
    }
  }
  const counts = countOutcomes(results);
  out.push(
    '',
    `${results.length} check${results.length === 1 ? '' : 's'}: ` +
      `${counts.pass} pass, ${counts.warn} warn, ` +
      `${counts.fail} fail, ${counts.error} error, ${counts.skipped} skipped`,
  );
  return out.join('\n') + '\n';
}

/**
 * What went wrong in a run beside its checks, and counts in its exit code: an error of the repo
 * playbook (what it names was left out), or results `--save` could not keep.
 */
export interface RunProblem {
  /** `stopped`: bad usage or configuration stopped the run before any check. */
  kind: 'playbook' | 'save' | 'stopped';
  message: string;
}

export interface JsonReport {
  /** Bumped only when a field changes meaning or disappears; new fields may appear. */
  schemaVersion: 1;
  tool: 'upkeep';
  workspace: string;
  selection: { tier?: string; task?: string; check?: string };
  startedAt: string;
  durationMs: number;
  trusted: boolean;
  counts: Record<CheckOutcome, number>;
  exitCode: number;
  /** Only when there are any. */
  problems?: RunProblem[];
  results: CheckResult[];
}

/** The stable JSON document (see docs/check-json.md); keys in a fixed order. */
export function toJsonReport(
  report: Omit<JsonReport, 'schemaVersion' | 'tool' | 'counts'>,
): string {
  const document: JsonReport = {
    schemaVersion: 1,
    tool: 'upkeep',
    workspace: report.workspace,
    selection: report.selection,
    startedAt: report.startedAt,
    durationMs: report.durationMs,
    trusted: report.trusted,
    counts: countOutcomes(report.results),
    exitCode: report.exitCode,
    ...(report.problems?.length ? { problems: report.problems } : {}),
    results: report.results.map((r) => ({
      checkId: r.checkId,
      title: r.title,
      outcome: r.outcome,
      summary: r.summary,
      ...(r.details !== undefined ? { details: r.details } : {}),
      values: r.values ?? {},
      findings: r.findings ?? [],
      startedAt: r.startedAt,
      durationMs: r.durationMs,
      ...(r.cancelled ? { cancelled: true } : {}),
      ...(r.waitsForTrust ? { waitsForTrust: true } : {}),
    })),
  };
  return printableJson(document) + '\n';
}

/**
 * What escapeXml keeps as written in text: the whitespace of a report of several lines. A CR is
 * a reference there too, since a parser reads a raw one as a line feed.
 */
const KEPT_IN_TEXT = '\t\n';

/**
 * Escapes text for XML content; drops characters XML 1.0 forbids, and writes DEL, C1, bidi
 * controls and line separators as references (`&#x9b;`): the same text to a parser, nothing a
 * terminal showing the report acts on.
 */
export function escapeXml(text: string): string {
  return escapeXmlText(text, KEPT_IN_TEXT);
}

/**
 * escapeXml for an attribute value, whose tabs and line breaks are references too: a parser
 * reads a raw one there as a space.
 */
function escapeXmlAttribute(text: string): string {
  return escapeXmlText(text, '');
}

function escapeXmlText(text: string, kept: string): string {
  const escaped = text
    .replace(/[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
  return printable(escaped, (char) => (kept.includes(char) ? char : reference(char)));
}

/** `&#10;` for a tab or line break (the form XML writers use), `&#x9b;` for the others. */
function reference(char: string): string {
  const code = char.charCodeAt(0);
  return code < 0x20 ? `&#${code};` : `&#x${code.toString(16)};`;
}

export interface JunitOptions {
  failOn?: FailOn;
  name?: string;
  cancelled?: string;
  problems?: RunProblem[];
  /**
   * When the run started (ISO 8601), the suite's timestamp; else the first check's start. A run
   * stopped before any check has none: without it the suite would be dated 1970.
   */
  startedAt?: string;
  /** The run's wall time, the suite's time; else the checks' durations added up. */
  durationMs?: number;
}

/**
 * A suite's `timestamp` as the JUnit schema of Ant and Jenkins has it: xs:dateTime to the second
 * with no zone (`2026-12-04T10:00:00`), which that schema's pattern requires; the time is UTC.
 */
function junitTimestamp(iso: string): string {
  const time = new Date(iso);
  if (Number.isNaN(time.getTime())) return escapeXmlAttribute(iso);
  return time.toISOString().slice(0, 19);
}

/**
 * JUnit XML: one testsuite, one testcase per check. fail → <failure>, error → <error>,
 * skipped → <skipped>; a warn passes unless `--fail-on warn`, then it is a <failure>. A run
 * cancelled (by a signal, which `cancelled` names, or with checks it did not finish) adds an
 * <error> testcase of its own that lists those checks, so that a report of passes and skips
 * does not read as a clean run.
 */
export function toJunit(results: CheckResult[], options: JunitOptions = {}): string {
  const failOn = options.failOn ?? 'fail';
  const isFailure = (r: CheckResult): boolean =>
    r.outcome === 'fail' || (failOn === 'warn' && r.outcome === 'warn');
  const unfinished = results.filter((r) => r.cancelled).map((r) => r.checkId);
  const cancelled =
    options.cancelled ??
    (unfinished.length ? `cancelled: ${plural(unfinished.length, 'check')} did not finish` : '');
  // Beside the checks, each an <error> testcase: a CI report that reads green while the job
  // exits 2 hides why.
  const runErrors = [
    ...(cancelled
      ? [
          {
            name: 'run',
            type: 'cancelled',
            message: cancelled,
            body: unfinished.length ? `did not finish: ${unfinished.join(', ')}` : cancelled,
          },
        ]
      : []),
    ...problemTestcases(options.problems ?? []),
  ];
  const failures = results.filter(isFailure).length;
  const errors = results.filter((r) => r.outcome === 'error').length + runErrors.length;
  const skipped = results.filter((r) => r.outcome === 'skipped').length;
  const seconds = (ms: number): string => (ms / 1000).toFixed(3);
  // Checks run side by side: their durations add up to more than the run took.
  const total = options.durationMs ?? results.reduce((sum, r) => sum + r.durationMs, 0);
  const name = escapeXmlAttribute(options.name ?? 'upkeep');
  const tests = results.length + runErrors.length;

  const attributes =
    `name="${name}" tests="${tests}" failures="${failures}" ` +
    `errors="${errors}" skipped="${skipped}" time="${seconds(total)}"`;
  const timestamp = junitTimestamp(
    options.startedAt ?? results[0]?.startedAt ?? new Date(0).toISOString(),
  );
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites ${attributes}>`,
    `  <testsuite ${attributes} timestamp="${timestamp}">`,
  ];
  for (const result of results) {
    const [group] = result.checkId.split('.');
    const open =
      `    <testcase classname="upkeep.${escapeXmlAttribute(group)}" ` +
      `name="${escapeXmlAttribute(result.checkId)}" time="${seconds(result.durationMs)}">`;
    const body = [
      result.details,
      ...(result.findings ?? []).map(
        (f) => `${f.file ?? '-'}${f.line ? `:${f.line}` : ''} ${f.severity}: ${f.message}`,
      ),
    ]
      .filter(Boolean)
      .join('\n');
    const message = escapeXmlAttribute(`${result.outcome}: ${result.summary}`);
    let inner = '';
    if (isFailure(result)) {
      inner =
        `      <failure message="${message}" type="${result.outcome}">` +
        `${escapeXml(body)}</failure>`;
    } else if (result.outcome === 'error') {
      inner = `      <error message="${message}" type="error">${escapeXml(body)}</error>`;
    } else if (result.outcome === 'skipped') {
      // Its details say what to set up so that it runs (where the log is, the password).
      inner =
        `      <skipped message="${escapeXmlAttribute(result.summary)}"/>` +
        (body ? `\n      <system-out>${escapeXml(body)}</system-out>` : '');
    } else {
      inner =
        '      <system-out>' +
        escapeXml(`${result.outcome}: ${result.summary}${body ? `\n${body}` : ''}`) +
        '</system-out>';
    }
    lines.push(open, inner, '    </testcase>');
  }
  for (const error of runErrors) {
    lines.push(
      `    <testcase classname="upkeep" name="${error.name}" time="0.000">`,
      `      <error message="${escapeXmlAttribute(error.message)}" type="${error.type}">` +
        `${escapeXml(error.body)}</error>`,
      '    </testcase>',
    );
  }
  lines.push('  </testsuite>', '</testsuites>');
  return lines.join('\n') + '\n';
}

/**
 * One testcase per kind of problem: `upkeep` / `playbook` with every error, `upkeep` / `save`,
 * `upkeep` / `run` for what stopped the run.
 */
function problemTestcases(
  problems: RunProblem[],
): { name: string; type: string; message: string; body: string }[] {
  const playbook = problems.filter((p) => p.kind === 'playbook').map((p) => p.message);
  const save = problems.filter((p) => p.kind === 'save').map((p) => p.message);
  return [
    ...(playbook.length
      ? [
          {
            name: 'playbook',
            type: 'playbook',
            message:
              `.upkeep/playbook.yaml has ${plural(playbook.length, 'error')}: what ` +
              `${playbook.length === 1 ? 'it names' : 'they name'} was left out of the run`,
            body: playbook.join('\n'),
          },
        ]
      : []),
    ...save.map((message) => ({ name: 'save', type: 'save', message, body: message })),
    ...problems
      .filter((p) => p.kind === 'stopped')
      .map(({ message }) => ({ name: 'run', type: 'stopped', message, body: message })),
  ];
}

/**
 * Pure parsers of the reports the external tools write (RSpec JSON, RuboCop JSON, Brakeman JSON,
 * bundler-audit JSON, SimpleCov's .last_run.json, `rails zeitwerk:check` text) into findings.
 * Kept apart from running the tools so the tests feed them real reports.
 */
import { UpkeepError } from '../util/errors';
import { position, relativePath } from './findings';
import type { Finding } from './types';

/** Tools print banners or warnings around their JSON; take the outermost object. */
export function extractJson<T>(text: string, tool: string): T {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start === -1 || end < start) {
    throw new UpkeepError('parse', `${tool} printed no JSON report`, firstWords(text));
  }
  try {
    return JSON.parse(text.slice(start, end + 1)) as T;
  } catch (error) {
    throw new UpkeepError(
      'parse',
      `${tool}'s report is not valid JSON: ${(error as Error).message}`,
    );
  }
}

function firstWords(text: string): string | undefined {
  const line = text.trim().split('\n')[0];
  return line ? `It said: ${line.slice(0, 200)}` : undefined;
}

/** A list in a report: absent is empty, anything else that is not a list is a parse error. */
function list<T>(value: unknown, what: string): T[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new UpkeepError('parse', `${what} is not a list`);
  return value as T[];
}

/**
 * The list a report cannot be without (Brakeman's `warnings`, bundler-audit's `results`): JSON
 * without it is some other report, or none, and must not read as a clean one.
 */
function requiredList<T>(report: unknown, key: string, tool: string): T[] {
  const value =
    report && typeof report === 'object' ? (report as Record<string, unknown>)[key] : undefined;
  if (!Array.isArray(value)) {
    throw new UpkeepError('parse', `${tool}'s report has no ${key} list`);
  }
  return value as T[];
}

/** What a finding says of a place its report gave outside the workspace, which it drops. */
const OUTSIDE = ', at a path outside the workspace';

/**
 * A report's file and line, the file workspace-relative. A path outside the workspace keeps
 * neither (a line means nothing without its file), and `outside` is set for the message to say
 * so: the finding stays, its place is not followed.
 */
function place(
  file: unknown,
  line: unknown,
  workspace?: string,
): { file?: string; line?: number; outside: boolean } {
  const relative = relativePath(file, workspace);
  if (relative === undefined) {
    return { outside: typeof file === 'string' && file !== '' };
  }
  return { file: relative, line: position(line), outside: false };
}

/** Report text as one line: strings as they are, numbers and the like as text. */
function asText(value: unknown, fallback = ''): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return fallback;
}

// RSpec ---------------------------------------------------------------------------------------

interface RspecReport {
  examples?: {
    full_description?: string;
    status?: string;
    file_path?: string;
    line_number?: number;
    exception?: { class?: string; message?: string; backtrace?: string[] };
  }[];
  summary?: {
    example_count?: number;
    failure_count?: number;
    pending_count?: number;
    duration?: number;
    errors_outside_of_examples_count?: number;
  };
  summary_line?: string;
}

export interface RspecSummary {
  examples: number;
  failures: number;
  pending: number;
  errorsOutsideExamples: number;
  durationSeconds: number;
  summaryLine: string;
  findings: Finding[];
}

export function parseRspecJson(text: string, workspace?: string): RspecSummary {
  const report = extractJson<RspecReport>(text, 'rspec');
  const findings: Finding[] = [];
  const examples = list<NonNullable<RspecReport['examples']>[number]>(
    report.examples,
    'rspec examples',
  );
  for (const example of examples) {
    if (!example || example.status !== 'failed') continue;
    const message = asText(example.exception?.message, 'failed').trim().split('\n')[0];
    const at = place(example.file_path, example.line_number, workspace);
    findings.push({
      message:
        `${asText(example.full_description, 'example')}: ${message}` + (at.outside ? OUTSIDE : ''),
      severity: 'error',
      file: at.file,
      line: at.line,
      source: 'rspec',
      code: asText(example.exception?.class) || undefined,
    });
  }
  const summary = report.summary && typeof report.summary === 'object' ? report.summary : {};
  const count = (value: unknown, fallback: number): number =>
    typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : fallback;
  return {
    examples: count(summary.example_count, examples.length),
    failures: count(summary.failure_count, findings.length),
    pending: count(summary.pending_count, 0),
    errorsOutsideExamples: count(summary.errors_outside_of_examples_count, 0),
    durationSeconds: Math.round(count(summary.duration, 0) * 10) / 10,
    summaryLine: asText(report.summary_line),
    findings,
  };
}

// RuboCop -------------------------------------------------------------------------------------

interface OffenseShape {
  severity?: unknown;
  message?: unknown;
  cop_name?: unknown;
  location?: { start_line?: unknown; start_column?: unknown; line?: unknown; column?: unknown };
}

interface RubocopReport {
  files?: { path: unknown; offenses?: OffenseShape[] }[];
  summary?: { offense_count?: number; target_file_count?: number; inspected_file_count?: number };
}

const RUBOCOP_SEVERITY: Record<string, Finding['severity']> = {
  fatal: 'error',
  error: 'error',
  warning: 'warning',
  convention: 'info',
  refactor: 'info',
  info: 'info',
};

export function parseRubocopJson(
  text: string,
  workspace?: string,
): { files: number; findings: Finding[] } {
  const report = extractJson<RubocopReport>(text, 'rubocop');
  const findings: Finding[] = [];
  for (const file of list<NonNullable<RubocopReport['files']>[number]>(
    report.files,
    'rubocop files',
  )) {
    if (!file || typeof file.path !== 'string') {
      throw new UpkeepError('parse', 'rubocop report has a file without a path');
    }
    for (const offense of list<OffenseShape>(file.offenses, 'rubocop offenses')) {
      if (!offense || typeof offense !== 'object') continue;
      const location =
        offense.location && typeof offense.location === 'object' ? offense.location : {};
      const at = place(file.path, position(location.start_line) ?? location.line, workspace);
      findings.push({
        message:
          (asText(offense.message) || asText(offense.cop_name) || 'offense') +
          (at.outside ? OUTSIDE : ''),
        severity: RUBOCOP_SEVERITY[asText(offense.severity)] ?? 'warning',
        file: at.file,
        line: at.line,
        column: at.file
          ? (position(location.start_column) ?? position(location.column))
          : undefined,
        source: 'rubocop',
        code: asText(offense.cop_name) || undefined,
      });
    }
  }
  const inspected = report.summary?.inspected_file_count;
  const files =
    typeof inspected === 'number'
      ? inspected
      : Array.isArray(report.files)
        ? report.files.length
        : 0;
  return { files, findings };
}

// Brakeman ------------------------------------------------------------------------------------

interface BrakemanReport {
  scan_info?: { brakeman_version?: string; rails_version?: string; security_warnings?: number };
  warnings?: {
    warning_type?: string;
    warning_code?: number;
    check_name?: string;
    message?: string;
    file?: string;
    line?: number | null;
    confidence?: string | number;
    link?: string;
  }[];
  errors?: { error?: string; location?: string }[];
}

/** Brakeman's confidence: High (0), Medium (1), Weak/Low (2). */
function brakemanSeverity(confidence: string | number | undefined): Finding['severity'] {
  if (confidence === 'High' || confidence === 0) return 'error';
  return 'warning';
}

export function parseBrakemanJson(
  text: string,
  workspace?: string,
): { findings: Finding[]; high: number; errors: string[]; version?: string } {
  const report = extractJson<BrakemanReport>(text, 'brakeman');
  const warnings = requiredList<NonNullable<BrakemanReport['warnings']>[number]>(
    report,
    'warnings',
    'brakeman',
  );
  const findings = warnings
    .filter((warning) => warning && typeof warning === 'object')
    .map((warning): Finding => {
      const at = place(warning.file, warning.line, workspace);
      return {
        message:
          `${asText(warning.warning_type) || asText(warning.check_name) || 'Warning'}: ` +
          `${asText(warning.message)} (${asText(warning.confidence, '?')} confidence)` +
          (at.outside ? OUTSIDE : ''),
        severity: brakemanSeverity(warning.confidence),
        file: at.file,
        line: at.line,
        source: 'brakeman',
        code: asText(warning.check_name) || undefined,
      };
    });
  return {
    findings,
    high: findings.filter((f) => f.severity === 'error').length,
    errors: list<{ error?: unknown; location?: unknown }>(report.errors, 'brakeman errors').map(
      (e) => `${asText(e?.error)} ${asText(e?.location)}`.trim(),
    ),
    version: asText(report.scan_info?.brakeman_version) || undefined,
  };
}

// bundler-audit -------------------------------------------------------------------------------

interface BundlerAuditReport {
  results?: {
    type?: string;
    gem?: { name?: unknown; version?: unknown };
    source?: unknown;
    advisory?: {
      id?: unknown;
      cve?: unknown;
      ghsa?: unknown;
      title?: unknown;
      patched_versions?: unknown;
      /** From the CVSS score (0.9): none, low, medium, high, critical; null without one. */
      criticality?: unknown;
    };
  }[];
}

/**
 * The 1-based line of `    name (version)` in Gemfile.lock's specs, else of the gem's dependency
 * line.
 */
export function gemfileLockLine(lock: string, gem: string, version?: string): number | undefined {
  const lines = lock.split(/\r?\n/);
  const escaped = gem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // One run of `[^)]` at most: `[^)]+[^)]*` tried every split of a long unclosed line.
  const versionPattern = version ? version.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : '[^)]';
  const exact = new RegExp(`^ {4}${escaped} \\(${versionPattern}[^)]*\\)`);
  const any = new RegExp(`^\\s+${escaped}( |$)`);
  const index = lines.findIndex((line) => exact.test(line));
  if (index !== -1) return index + 1;
  const fallback = lines.findIndex((line) => any.test(line));
  return fallback === -1 ? undefined : fallback + 1;
}

/** The version Gemfile.lock's specs lock a gem at (`    rack (2.2.8)`), when they list it. */
export function lockedVersion(lock: string, gem: string): string | undefined {
  const escaped = gem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^ {4}${escaped} \\(([^)\\r\\n]+)\\)`, 'm').exec(lock)?.[1];
}

/**
 * The 1-based line of the first merge conflict marker in Gemfile.lock (`<<<<<<<`, `=======`,
 * `>>>>>>>` or diff3's `|||||||` opening a line), which Bundler refuses to read.
 */
/** What a check says of a Gemfile.lock with conflict markers, whichever check reads it. */
export const LOCK_CONFLICT_SUMMARY =
  'Gemfile.lock has merge conflict markers: resolve them, then run bundle install';

export function gemfileLockConflictLine(lock: string): number | undefined {
  const index = lock.split(/\r?\n/).findIndex((line) => /^(?:<{7}|={7}|>{7}|\|{7})/.test(line));
  return index === -1 ? undefined : index + 1;
}

/** bundler-audit's ratings, the most severe first. */
export const CRITICALITIES = ['critical', 'high', 'medium', 'low', 'none'] as const;
export type Criticality = (typeof CRITICALITIES)[number];

export function parseBundlerAuditJson(
  text: string,
  gemfileLock = '',
): { findings: Finding[]; criticality: Partial<Record<Criticality, number>> } {
  const report = extractJson<BundlerAuditReport>(text, 'bundle-audit');
  const results = requiredList<NonNullable<BundlerAuditReport['results']>[number]>(
    report,
    'results',
    'bundle-audit',
  );
  const criticality: Partial<Record<Criticality, number>> = {};
  const findings = results
    .filter((result) => result && typeof result === 'object')
    .map((result): Finding => {
      if (result.type === 'insecure_source') {
        const source = asText(result.source);
        return {
          message: `insecure gem source ${source}: use https`,
          severity: 'warning',
          file: 'Gemfile.lock',
          line: source ? lineContaining(gemfileLock, source) : undefined,
          source: 'bundler-audit',
        };
      }
      const gem = asText(result.gem?.name, '?');
      const version = asText(result.gem?.version);
      const advisory =
        result.advisory && typeof result.advisory === 'object' ? result.advisory : {};
      const id = advisory.cve
        ? `CVE-${asText(advisory.cve)}`
        : asText(advisory.ghsa) || asText(advisory.id);
      const patched = Array.isArray(advisory.patched_versions)
        ? advisory.patched_versions.map((v) => asText(v)).filter(Boolean)
        : [asText(advisory.patched_versions)].filter(Boolean);
      const fix = patched.length ? `; upgrade to ${patched.join(', ')}` : '';
      const rated = CRITICALITIES.find((level) => level === asText(advisory.criticality));
      if (rated) criticality[rated] = (criticality[rated] ?? 0) + 1;
      const ids = rated ? `${id}, ${rated}` : id;
      return {
        message: `${gem} ${version}: ${asText(advisory.title) || 'vulnerable'} (${ids})${fix}`,
        severity: 'error',
        file: 'Gemfile.lock',
        line: gemfileLockLine(gemfileLock, gem, version || undefined),
        source: 'bundler-audit',
        code: asText(advisory.id) || undefined,
      };
    });
  return { findings, criticality };
}

function lineContaining(text: string, needle: string): number | undefined {
  const index = text.split(/\r?\n/).findIndex((line) => line.includes(needle));
  return index === -1 ? undefined : index + 1;
}

// SimpleCov -----------------------------------------------------------------------------------

/**
 * Line (and branch) coverage from coverage/.last_run.json, old (`covered_percent`) or new shape.
 */
export function parseSimplecovLastRun(text: string): { line: number; branch?: number } {
  const report = extractJson<{
    result?: { line?: number; branch?: number; covered_percent?: number };
  }>(text, 'SimpleCov');
  const line = report.result?.line ?? report.result?.covered_percent;
  if (typeof line !== 'number') {
    throw new UpkeepError('parse', 'coverage/.last_run.json has no line coverage');
  }
  return { line, branch: report.result?.branch };
}

// Zeitwerk ------------------------------------------------------------------------------------

/** `expected file app/models/x.rb to define constant X, but didn't` lines of zeitwerk:check. */
export function parseZeitwerkOutput(text: string, workspace?: string): Finding[] {
  const findings: Finding[] = [];
  for (const match of text.matchAll(
    /expected file (\S+) to define constant (\S+?),? but didn't/g,
  )) {
    findings.push({
      message: `expected to define constant ${match[2]}`,
      severity: 'error',
      file: relativePath(match[1], workspace),
      line: 1,
      source: 'zeitwerk',
    });
  }
  return findings;
}

/**
 * Pure parsers of the reports the external tools write (RSpec JSON, RuboCop JSON, Brakeman JSON,
 * bundler-audit JSON, SimpleCov's .last_run.json, `rails zeitwerk:check` text) into findings.
 * Kept apart from running the tools so the tests feed them real reports.
 */
import { UpkeepError } from '../util/errors';
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

/** Tools report paths as `./spec/x_spec.rb` or absolute; findings want workspace-relative. */
export function relativePath(file: string, workspace?: string): string {
  let result = file.replace(/\\/g, '/');
  if (workspace) {
    const root = workspace.replace(/\\/g, '/').replace(/\/$/, '') + '/';
    if (result.startsWith(root)) result = result.slice(root.length);
  }
  return result.replace(/^\.\//, '');
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
  for (const example of report.examples ?? []) {
    if (example.status !== 'failed') continue;
    const message = (example.exception?.message ?? 'failed').trim().split('\n')[0];
    findings.push({
      message: `${example.full_description ?? 'example'}: ${message}`,
      severity: 'error',
      file: example.file_path ? relativePath(example.file_path, workspace) : undefined,
      line: example.line_number,
      source: 'rspec',
      code: example.exception?.class,
    });
  }
  const summary = report.summary ?? {};
  return {
    examples: summary.example_count ?? report.examples?.length ?? 0,
    failures: summary.failure_count ?? findings.length,
    pending: summary.pending_count ?? 0,
    errorsOutsideExamples: summary.errors_outside_of_examples_count ?? 0,
    durationSeconds: Math.round((summary.duration ?? 0) * 10) / 10,
    summaryLine: report.summary_line ?? '',
    findings,
  };
}

// RuboCop -------------------------------------------------------------------------------------

interface RubocopReport {
  files?: {
    path: string;
    offenses?: {
      severity?: string;
      message?: string;
      cop_name?: string;
      location?: { start_line?: number; start_column?: number; line?: number; column?: number };
    }[];
  }[];
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
  for (const file of report.files ?? []) {
    for (const offense of file.offenses ?? []) {
      findings.push({
        message: offense.message ?? offense.cop_name ?? 'offense',
        severity: RUBOCOP_SEVERITY[offense.severity ?? ''] ?? 'warning',
        file: relativePath(file.path, workspace),
        line: offense.location?.start_line ?? offense.location?.line,
        column: offense.location?.start_column ?? offense.location?.column,
        source: 'rubocop',
        code: offense.cop_name,
      });
    }
  }
  return { files: report.summary?.inspected_file_count ?? report.files?.length ?? 0, findings };
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
  const findings = (report.warnings ?? []).map((warning): Finding => ({
    message: `${warning.warning_type ?? warning.check_name ?? 'Warning'}: ${warning.message ?? ''} (${warning.confidence ?? '?'} confidence)`,
    severity: brakemanSeverity(warning.confidence),
    file: warning.file ? relativePath(warning.file, workspace) : undefined,
    line: warning.line ?? undefined,
    source: 'brakeman',
    code: warning.check_name,
  }));
  return {
    findings,
    high: findings.filter((f) => f.severity === 'error').length,
    errors: (report.errors ?? []).map((e) => `${e.error ?? ''} ${e.location ?? ''}`.trim()),
    version: report.scan_info?.brakeman_version,
  };
}

// bundler-audit -------------------------------------------------------------------------------

interface BundlerAuditReport {
  results?: {
    type?: string;
    gem?: { name?: string; version?: string };
    source?: string;
    advisory?: {
      id?: string;
      cve?: string | null;
      ghsa?: string | null;
      title?: string;
      criticality?: string | null;
      patched_versions?: string[];
      url?: string;
    };
  }[];
}

/** The 1-based line of `    name (version)` in Gemfile.lock's specs, else of the gem's dependency line. */
export function gemfileLockLine(lock: string, gem: string, version?: string): number | undefined {
  const lines = lock.split(/\r?\n/);
  const escaped = gem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const exact = new RegExp(
    `^ {4}${escaped} \\(${version ? version.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : '[^)]+'}[^)]*\\)`,
  );
  const any = new RegExp(`^\\s+${escaped}( |$)`);
  const index = lines.findIndex((line) => exact.test(line));
  if (index !== -1) return index + 1;
  const fallback = lines.findIndex((line) => any.test(line));
  return fallback === -1 ? undefined : fallback + 1;
}

export function parseBundlerAuditJson(text: string, gemfileLock = ''): { findings: Finding[] } {
  const report = extractJson<BundlerAuditReport>(text, 'bundle-audit');
  const findings = (report.results ?? []).map((result): Finding => {
    if (result.type === 'insecure_source') {
      return {
        message: `insecure gem source ${result.source ?? ''}: use https`,
        severity: 'warning',
        file: 'Gemfile.lock',
        line: result.source ? lineContaining(gemfileLock, result.source) : undefined,
        source: 'bundler-audit',
      };
    }
    const gem = result.gem?.name ?? '?';
    const advisory = result.advisory ?? {};
    const id = advisory.cve ? `CVE-${advisory.cve}` : (advisory.ghsa ?? advisory.id ?? '');
    const fix = advisory.patched_versions?.length
      ? `; upgrade to ${advisory.patched_versions.join(', ')}`
      : '';
    return {
      message: `${gem} ${result.gem?.version ?? ''}: ${advisory.title ?? 'vulnerable'} (${id})${fix}`,
      severity: 'error',
      file: 'Gemfile.lock',
      line: gemfileLockLine(gemfileLock, gem, result.gem?.version),
      source: 'bundler-audit',
      code: advisory.id,
    };
  });
  return { findings };
}

function lineContaining(text: string, needle: string): number | undefined {
  const index = text.split(/\r?\n/).findIndex((line) => line.includes(needle));
  return index === -1 ? undefined : index + 1;
}

// SimpleCov -----------------------------------------------------------------------------------

/** Line (and branch) coverage from coverage/.last_run.json, old (`covered_percent`) or new shape. */
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

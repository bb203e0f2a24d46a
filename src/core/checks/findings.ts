/**
 * Keeps findings honest: tool reports may only point inside the workspace, and whatever
 * produced a finding, its lines and columns are positive integers and its message is text.
 */
import * as path from 'node:path';
import type { Finding } from './types';

/**
 * Tools report paths as `./spec/x_spec.rb` or absolute; findings want workspace-relative. A path
 * that leads outside the workspace (absolute elsewhere, or climbing with `..`) gives undefined:
 * a hostile report must not aim the Problems panel or the CLI output at other files.
 */
export function relativePath(file: unknown, workspace?: string): string | undefined {
  if (typeof file !== 'string' || !file) return undefined;
  let result = file.replace(/\\/g, '/');
  if (workspace) {
    const root = workspace.replace(/\\/g, '/').replace(/\/$/, '') + '/';
    if (result.startsWith(root)) result = result.slice(root.length);
  }
  result = path.posix.normalize(result.replace(/^\.\//, ''));
  if (
    result.startsWith('/') ||
    result === '..' ||
    result.startsWith('../') ||
    /^[a-z]:/i.test(result)
  ) {
    return undefined;
  }
  return result === '.' ? undefined : result;
}

/** A line or column from a report: a positive integer, else absent. */
export function position(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 && value < 1e9
    ? value
    : undefined;
}

const SEVERITIES = new Set<Finding['severity']>(['error', 'warning', 'info']);

/**
 * A finding fit to show: bad positions are dropped, a missing message or unknown severity gets a
 * plain default. Paths are kept as given (a log source may be configured outside the workspace);
 * the tool parsers confine theirs with `relativePath`, the editor shows only workspace files.
 */
export function sanitizeFinding(finding: Finding): Finding {
  const clean: Finding = {
    message:
      typeof finding.message === 'string' ? finding.message : String(finding.message ?? 'finding'),
    severity: SEVERITIES.has(finding.severity) ? finding.severity : 'warning',
  };
  if (typeof finding.file === 'string' && finding.file) clean.file = finding.file;
  const line = position(finding.line);
  if (line !== undefined) clean.line = line;
  const column = position(finding.column);
  if (column !== undefined) clean.column = column;
  if (typeof finding.source === 'string') clean.source = finding.source;
  if (typeof finding.code === 'string' || typeof finding.code === 'number') {
    clean.code = String(finding.code);
  }
  return clean;
}

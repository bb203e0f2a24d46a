/**
 * The guidelines' maintenance tiers as severities of a bug report, and the time by which a
 * response is due. Response times are elapsed time: "within 24 hours" is 24 real hours even when a
 * daylight-saving change makes the wall clock show 23 or 25 of them.
 */

export type SeverityId = 'critical' | 'high' | 'medium' | 'low';

interface Severity {
  id: SeverityId;
  /** The tier's name as the guidelines write it. */
  label: string;
  responseMs: number;
  /** "1 hour", "1 week": how the guidelines say it. */
  responseTime: string;
  /** The guidelines' impact examples, shown when picking a severity. */
  impact: string;
}

const HOUR_MS = 60 * 60 * 1000;

export const SEVERITIES: readonly Severity[] = [
  {
    id: 'critical',
    label: 'Critical',
    responseMs: HOUR_MS,
    responseTime: '1 hour',
    impact: 'System down, data loss, security breach',
  },
  {
    id: 'high',
    label: 'High',
    responseMs: 4 * HOUR_MS,
    responseTime: '4 hours',
    impact: 'Major functionality broken, poor performance',
  },
  {
    id: 'medium',
    label: 'Medium',
    responseMs: 24 * HOUR_MS,
    responseTime: '24 hours',
    impact: 'Minor bugs, UI issues, non-critical features',
  },
  {
    id: 'low',
    label: 'Low',
    responseMs: 7 * 24 * HOUR_MS,
    responseTime: '1 week',
    impact: 'Documentation updates, minor improvements',
  },
];

/** Pre-selected when asking: most bugs are Medium, and Critical must be a deliberate choice. */
export const DEFAULT_SEVERITY: SeverityId = 'medium';

export function severityById(id: SeverityId): Severity {
  const found = SEVERITIES.find((severity) => severity.id === id);
  if (!found) throw new RangeError(`unknown severity ${String(id)}`);
  return found;
}

/** Finds a severity by its id or label in any case ("High", "high", "HIGH"). */
export function parseSeverity(text: string): Severity | undefined {
  const wanted = text.trim().toLowerCase();
  return SEVERITIES.find((severity) => severity.id === wanted);
}

/** The instant a response is due for a bug reported at `createdAt`. */
export function responseDue(createdAt: Date, severity: SeverityId): Date {
  return new Date(createdAt.getTime() + severityById(severity).responseMs);
}

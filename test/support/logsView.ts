/**
 * A dashboard Logs view with nothing in it, for tests that fill in only the parts they are about
 * (the alerts, the saved report).
 */
import type { LogsView } from '../../src/core/dashboard/protocol';

export function emptyLogsView(overrides: Partial<LogsView> = {}): LogsView {
  const chart = { title: '', unit: '', times: [], series: [] };
  return {
    window: { kind: '24h' },
    from: '',
    to: '',
    totals: {
      requests: 0,
      errors: 0,
      errorRatePercent: null,
      avgMs: null,
      p50Ms: null,
      p95Ms: null,
      p99Ms: null,
      slowRequests: 0,
    },
    requestsPerHour: chart,
    errorRate: chart,
    durations: chart,
    statusMix: [],
    actions: [],
    exceptions: [],
    failedLogins: [],
    suspicious: [],
    slowRequests: [],
    sources: [],
    warnings: [],
    ...overrides,
  };
}

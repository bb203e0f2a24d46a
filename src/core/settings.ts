/**
 * Upkeep's settings as plain data. The editor reads them from the `upkeep.*` configuration,
 * the CLI from the workspace's `.vscode/settings.json` and flags; the core only sees this shape.
 */

export interface UpkeepSettings {
  database: {
    /** A connection URL without its password; the password lives in secret storage. */
    url?: string;
    railsEnvironment: string;
    /** Which database of a multi-database Rails config (`primary`, `replica`, ...). */
    name?: string;
    statementTimeoutMs: number;
    lockTimeoutMs: number;
    connectTimeoutMs: number;
    /** A production connection needs the database name typed before maintenance runs. */
    production: boolean;
  };
  logs: {
    /** Files or globs, relative to the workspace; rotated `.gz` files are read too. */
    sources: string[];
    /** IANA zone for timestamps without an offset; the machine's zone when unset. */
    timeZone?: string;
  };
  thresholds: {
    avgResponseTimeMs: number;
    errorRatePercent: number;
    errorRateAlertPercent: number;
    memoryMb: number;
    slowRequestMs: number;
  };
  health: {
    url?: string;
    /** The sign-in page, on the health URL's origin (Devise's by default). */
    signInPath: string;
  };
  checks: { parallelism: number; timeoutSeconds: number };
  backups: { pattern?: string; maxAgeHours: number; drillTargetUrl?: string };
  templates: { bugFolder: string; featureFolder: string };
  schedule: {
    /** IANA zone the team's days, weeks and months run in; the machine's zone when unset. */
    timeZone?: string;
  };
  state: {
    /** Where checklist progress and task history are kept: the editor's storage or the repo. */
    location: 'workspaceStorage' | 'repository';
  };
}

/** The guidelines' own numbers are the defaults. */
export const defaultSettings: UpkeepSettings = {
  database: {
    railsEnvironment: 'development',
    statementTimeoutMs: 5000,
    lockTimeoutMs: 1000,
    connectTimeoutMs: 5000,
    production: false,
  },
  logs: { sources: ['log/production.log'] },
  thresholds: {
    avgResponseTimeMs: 2000,
    errorRatePercent: 0.1,
    errorRateAlertPercent: 1,
    memoryMb: 1000,
    slowRequestMs: 1000,
  },
  health: { signInPath: '/users/sign_in' },
  checks: { parallelism: 4, timeoutSeconds: 120 },
  backups: { maxAgeHours: 26 },
  templates: { bugFolder: 'docs/maintenance/bugs', featureFolder: 'docs/maintenance/features' },
  schedule: {},
  state: { location: 'workspaceStorage' },
};

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

/** Defaults overlaid with whatever a caller knows; unknown keys are ignored. */
export function resolveSettings(partial: DeepPartial<UpkeepSettings> = {}): UpkeepSettings {
  const merged = structuredClone(defaultSettings) as unknown as Record<
    string,
    Record<string, unknown>
  >;
  for (const [section, values] of Object.entries(partial)) {
    if (!values || typeof values !== 'object' || !Object.hasOwn(merged, section)) continue;
    for (const [key, value] of Object.entries(values)) {
      // `__proto__` would replace the section's prototype rather than set a key.
      if (value !== undefined && key !== '__proto__') merged[section][key] = value;
    }
  }
  return merged as unknown as UpkeepSettings;
}

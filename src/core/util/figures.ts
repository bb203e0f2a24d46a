/**
 * How a figure is written for people: percentages, durations and sizes. The checks, the cards,
 * the alerts, the saved report and the dashboard webview all use these, so one figure reads the
 * same wherever it appears. JSON outputs keep their numbers; only text goes through here.
 */

const oneDecimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
const twoDecimals = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

/**
 * `48.6 %`, `1.3 %`, `0.05 %`, `25 %`: one decimal, two below 1 % so a small rate is not read
 * as none, and `< 0.01 %` below that (3 errors in 100,000 requests read `0 %`); `–` when there
 * is no figure.
 */
export function formatPercent(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  if (value > 0 && value < 0.005) return '< 0.01 %';
  const format = value !== 0 && Math.abs(value) < 1 ? twoDecimals : oneDecimal;
  return `${format.format(value)} %`;
}

/**
 * `0.6 ms`, `850 ms`, `1.9 s`, `12.3 s`: response, query and run times; `–` when there is no
 * figure. Below a millisecond one decimal stays: a round trip or a query's mean read `0 ms`;
 * below that `< 0.1 ms` (a lookup run 50,000 times, 0.002 ms each, read `0 ms`).
 */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms > 0 && ms < 0.05) return '< 0.1 ms';
  if (Math.abs(ms) < 0.95) return `${oneDecimal.format(ms)} ms`;
  return Math.abs(ms) < 999.5 ? `${Math.round(ms)} ms` : `${oneDecimal.format(ms / 1000)} s`;
}

/** `45 s`, `12 min`, `3 h 5 min`, `1 d 10 h`: a duration as a person reads it. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

/** `1.2 GB`-style sizes, as pg_size_pretty prints them. */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 10 * 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${Math.round(value)} ${units[unit]}`;
}

/** `2026-12-05 06:42:53 UTC` from an ISO instant, as `upkeep logs` writes times; `—` for none. */
export function formatUtc(iso: string | null | undefined): string {
  return iso ? iso.replace('T', ' ').replace(/(\.\d+)?Z$/, ' UTC') : '—';
}

/** Whether a value is an integer written as digits: how a bigint past 2^53 comes from pg. */
export function isIntegerText(value: unknown): value is string {
  return typeof value === 'string' && /^-?\d+$/.test(value);
}

/** `9,223,372,036,854,775,807`: exact thousands separators for an integer given as text. */
export function groupDigits(value: string): string {
  return isIntegerText(value) ? BigInt(value).toLocaleString('en') : value;
}

/**
 * Orders two integers given as numbers or as digits (a bigint past 2^53 comes as text) by
 * their value; undefined when either is something else.
 */
export function compareIntegers(a: unknown, b: unknown): number | undefined {
  const big = (value: unknown): bigint | undefined =>
    (typeof value === 'number' && Number.isInteger(value)) || isIntegerText(value)
      ? BigInt(value)
      : undefined;
  const x = big(a);
  const y = big(b);
  if (x === undefined || y === undefined) return undefined;
  return x < y ? -1 : x > y ? 1 : 0;
}

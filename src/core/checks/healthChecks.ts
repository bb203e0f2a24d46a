/**
 * Health checks that need neither logs nor the database: the health URL (status, latency, TLS
 * certificate expiry), the sign-in page on the same origin (served over HTTPS, no redirect to
 * http://) and the production e-mail delivery configuration read from Ruby source.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { TLSSocket } from 'node:tls';
import fg from 'fast-glob';
import { isLoopbackHost } from '../util/hosts';
import { redact } from '../util/logger';
import { plural } from '../util/plural';
import { readWorkspaceFile, withoutRubyComment } from './files';
import type { CheckContext, CheckDefinition, CheckReport, Finding } from './types';

const DAY_MS = 24 * 60 * 60 * 1000;
export const CERTIFICATE_WARN_DAYS = 14;

export interface HealthProbe {
  status?: number;
  latencyMs: number;
  /** ISO date the server's certificate ends, for https. */
  certificateValidTo?: string;
  /** Why the certificate is not trusted, when it is not (expired, self-signed, wrong name). */
  certificateProblem?: string;
  error?: string;
  timedOut?: boolean;
  /** The `Location` header of a redirect, as sent. */
  location?: string;
}

export interface HealthUrlOptions {
  /** How long to wait for an answer before the check fails (not errors): a hang is a finding. */
  requestTimeoutMs?: number;
  /** Extra trusted certificates (PEM), for a private CA. */
  ca?: string;
}

/** One GET of the URL: status and latency, and the certificate of an https server. */
export function probeUrl(
  url: URL,
  signal: AbortSignal,
  options: HealthUrlOptions = {},
): Promise<HealthProbe> {
  const timeoutMs = options.requestTimeoutMs ?? 10_000;
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);

  return new Promise((resolve) => {
    const client = url.protocol === 'https:' ? https : http;
    let certificateValidTo: string | undefined;
    let certificateProblem: string | undefined;
    let settled = false;
    const settle = (probe: HealthProbe): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      request.destroy();
      resolve({ certificateValidTo, certificateProblem, ...probe });
    };

    // rejectUnauthorized is off so that an expired or untrusted certificate is reported as a
    // finding with its dates, instead of an opaque connection error.
    const request = client.request(url, {
      method: 'GET',
      headers: { 'user-agent': 'upkeep-health-check', accept: '*/*' },
      rejectUnauthorized: false,
      ca: options.ca,
      agent: false,
    });
    request.on('socket', (socket) => {
      socket.on('secureConnect', () => {
        const tls = socket as TLSSocket;
        const certificate = tls.getPeerCertificate();
        if (certificate?.valid_to) {
          certificateValidTo = new Date(certificate.valid_to).toISOString();
        }
        if (!tls.authorized) certificateProblem = String(tls.authorizationError ?? 'not trusted');
      });
    });
    request.on('response', (response) => {
      response.resume();
      const location = response.headers.location;
      settle({ status: response.statusCode, latencyMs: elapsed(), ...(location && { location }) });
    });
    request.on('error', (error) => settle({ latencyMs: elapsed(), error: error.message }));

    const timer = setTimeout(
      () =>
        settle({ latencyMs: elapsed(), timedOut: true, error: `no answer within ${timeoutMs} ms` }),
      timeoutMs,
    );
    const onAbort = (): void => settle({ latencyMs: elapsed(), error: 'cancelled' });
    signal.addEventListener('abort', onAbort, { once: true });
    request.end();
  });
}

type Problem = { outcome: 'warn' | 'fail'; text: string };

/** Turns a probe into a report; pure, so the thresholds are easy to test. */
export function judgeProbe(
  url: string,
  probe: HealthProbe,
  now: Date,
  slowMs: number,
  more: Problem[] = [],
): CheckReport {
  const values: CheckReport['values'] = {
    url,
    status: probe.status ?? null,
    latencyMs: probe.latencyMs,
  };
  if (probe.status === undefined) {
    return {
      outcome: 'fail',
      summary: `${url} did not answer: ${probe.error ?? 'no response'}`,
      values: { ...values, timedOut: probe.timedOut ?? false },
    };
  }

  const problems: Problem[] = [...more];
  if (probe.status >= 400) problems.push({ outcome: 'fail', text: `status ${probe.status}` });
  if (probe.latencyMs > slowMs) {
    problems.push({ outcome: 'warn', text: `slow: ${probe.latencyMs} ms (> ${slowMs} ms)` });
  }
  if (probe.certificateValidTo) {
    // Whole days, rounded toward zero both ways: 25.6 days ago reads "25 days ago".
    const left = (Date.parse(probe.certificateValidTo) - now.getTime()) / DAY_MS;
    const days = left >= 0 ? Math.floor(left) : -Math.floor(-left);
    values.certificateDaysLeft = days;
    values.certificateValidTo = probe.certificateValidTo;
    if (days < 0) {
      problems.push({ outcome: 'fail', text: `certificate expired ${plural(-days, 'day')} ago` });
    } else if (days < CERTIFICATE_WARN_DAYS) {
      problems.push({ outcome: 'warn', text: `certificate expires in ${plural(days, 'day')}` });
    }
  }
  if (probe.certificateProblem && !/expired/i.test(probe.certificateProblem)) {
    problems.push({
      outcome: 'fail',
      text: `certificate not trusted (${probe.certificateProblem})`,
    });
  }

  const outcome = problems.some((p) => p.outcome === 'fail')
    ? 'fail'
    : problems.length
      ? 'warn'
      : 'pass';
  const certificate =
    values.certificateDaysLeft !== undefined && outcome === 'pass'
      ? `, certificate valid ${values.certificateDaysLeft} more days`
      : '';
  const summary = problems.length
    ? `${url}: ${problems.map((p) => p.text).join('; ')}`
    : `${url} answered ${probe.status} in ${probe.latencyMs} ms${certificate}`;
  return { outcome, summary, values };
}

/** upkeep.health.url as an http(s) URL, or the report that says why there is none. */
function configuredUrl(context: CheckContext, skipped: string): URL | CheckReport {
  const configured = context.settings.health.url;
  if (!configured) return { outcome: 'skipped', summary: skipped };
  let url: URL;
  try {
    url = new URL(configured);
  } catch {
    const summary = `upkeep.health.url is not a URL: ${redact(configured)}`;
    return { outcome: 'error', summary, configProblem: true };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return {
      outcome: 'error',
      summary: 'upkeep.health.url must be http or https',
      configProblem: true,
    };
  }
  return url;
}

export function healthUrlCheck(options: HealthUrlOptions = {}): CheckDefinition {
  return {
    id: 'health.url',
    title: 'Health URL answers',
    description: 'GETs the health URL: status, latency and days until the TLS certificate expires.',
    async run(context: CheckContext): Promise<CheckReport> {
      const url = configuredUrl(context, 'no health URL configured (upkeep.health.url)');
      if (!(url instanceof URL)) return url;
      const probe = await probeUrl(url, context.signal, options);
      // A health URL behind basic auth or with a token: the report shows it without them.
      return judgeProbe(
        redact(url.toString()),
        probe,
        context.clock.now(),
        context.settings.thresholds.slowRequestMs,
      );
    },
  };
}

export interface SignInOptions extends HealthUrlOptions {
  /** Replaces the request (tests: prove nothing is sent). */
  probe?: (url: URL, signal: AbortSignal) => Promise<HealthProbe>;
}

/**
 * The guidelines' `curl -I https://.../users/sign_in`: the sign-in page of the app whose health
 * URL is configured answers, over HTTPS, and does not send people to http://.
 */
export function healthSignInCheck(options: SignInOptions = {}): CheckDefinition {
  return {
    id: 'health.signIn',
    title: 'Sign-in page answers over HTTPS',
    description:
      "GETs the sign-in page (upkeep.health.signInPath, /users/sign_in) on the health URL's " +
      'origin: fails on an error status, a redirect to http://, or a page not served over HTTPS.',
    async run(context: CheckContext): Promise<CheckReport> {
      const base = configuredUrl(context, 'no app URL configured (upkeep.health.url)');
      if (!(base instanceof URL)) return base;
      const signInPath = context.settings.health.signInPath;
      const url = signInUrl(base, signInPath);
      if (!url) {
        return {
          outcome: 'error',
          summary:
            `upkeep.health.signInPath must be a path on the app, such as /users/sign_in: ` +
            `"${signInPath.slice(0, 80)}"`,
          configProblem: true,
        };
      }
      const shown = redact(url.toString());

      const more: Problem[] = [];
      if (url.protocol !== 'https:') {
        // This machine: a development server may use plain http, worth a warning and no more.
        if (!isLoopbackHost(url.hostname)) {
          // Nothing is sent: the answer would not change the verdict, and the page is a form
          // that would take passwords in clear.
          return {
            outcome: 'fail',
            summary: `${shown} is not HTTPS: set upkeep.health.url to the app's https:// address`,
            values: { url: shown, https: false },
          };
        }
        more.push({ outcome: 'warn', text: 'not HTTPS (a local server)' });
      }
      const probe = await (options.probe ?? ((u, s) => probeUrl(u, s, options)))(
        url,
        context.signal,
      );
      let redirect: string | undefined;
      const target = redirectTarget(probe, url);
      if (target) {
        redirect = redact(target.toString());
        if (target.protocol === 'http:' && url.protocol === 'https:') {
          more.push({ outcome: 'fail', text: `redirects to ${redirect}` });
        }
      }
      const report = judgeProbe(
        shown,
        probe,
        context.clock.now(),
        context.settings.thresholds.slowRequestMs,
        more,
      );
      report.values = { ...report.values, https: url.protocol === 'https:' };
      if (probe.status === 404) {
        report.summary +=
          `; set upkeep.health.signInPath to the app's sign-in page ` +
          `(${signInPath.slice(0, 80)} is not found)`;
      }
      if (redirect) {
        report.values.redirectsTo = redirect;
        if (report.outcome === 'pass') report.summary += `; redirects to ${redirect}`;
      }
      return report;
    },
  };
}

/** Where a 3xx answer sends the browser; a Location that is no URL counts as none. */
function redirectTarget(probe: HealthProbe, from: URL): URL | undefined {
  if (!probe.location || probe.status === undefined || probe.status >= 400) return undefined;
  try {
    return new URL(probe.location, from);
  } catch {
    return undefined;
  }
}

/** The sign-in page on the app's origin; undefined for a path that would leave it. */
export function signInUrl(base: URL, signInPath: string): URL | undefined {
  if (!/^\/(?![/\\])/.test(signInPath) || signInPath.includes('\\')) return undefined;
  try {
    const url = new URL(signInPath, base.origin);
    return url.origin === base.origin ? url : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// E-mail delivery: read, never run, the Ruby that configures Action Mailer.

export interface MailerSettingLine {
  file: string;
  line: number;
  text: string;
}

export interface MailerConfig {
  deliveryMethod?: MailerSettingLine & { method: string };
  smtpSettings?: MailerSettingLine & {
    body: string;
    referencesEnv: boolean;
    literalSecret?: number;
  };
  performDeliveries?: MailerSettingLine & { value: boolean };
}

const DELIVERY_METHOD = /config\.action_mailer\.delivery_method\s*=\s*:?["']?(\w+)/;
const SMTP_SETTINGS = /config\.action_mailer\.smtp_settings\s*=/;
const PERFORM_DELIVERIES = /config\.action_mailer\.perform_deliveries\s*=\s*(true|false)/;
const ENV_REFERENCE = /\bENV\s*(\[|\.fetch)|Rails\.application\.credentials|\bcredentials\./;
const LITERAL_PASSWORD = /\bpassword\s*(:|=>)\s*["'][^"']+["']/;

/**
 * Finds Action Mailer settings in the given Ruby sources. Later files win, as in Rails where
 * the environment file overrides application.rb. Comment lines are ignored.
 */
export function parseMailerConfig(files: { file: string; text: string }[]): MailerConfig {
  const config: MailerConfig = {};
  for (const { file, text } of files) {
    const lines = text.split(/\r?\n/);
    for (let index = 0; index < lines.length; index++) {
      const raw = lines[index];
      const code = withoutRubyComment(raw);
      if (!code.trim()) continue;
      const at = { file, line: index + 1, text: raw.trim() };

      const method = DELIVERY_METHOD.exec(code);
      if (method) config.deliveryMethod = { ...at, method: method[1] };
      const perform = PERFORM_DELIVERIES.exec(code);
      if (perform) config.performDeliveries = { ...at, value: perform[1] === 'true' };

      if (SMTP_SETTINGS.test(code)) {
        const body = collectHash(lines, index);
        const secretOffset = body.lines.findIndex((l) => LITERAL_PASSWORD.test(l));
        config.smtpSettings = {
          ...at,
          body: body.lines.join('\n'),
          referencesEnv: ENV_REFERENCE.test(body.lines.join('\n')),
          literalSecret: secretOffset === -1 ? undefined : index + 1 + secretOffset,
        };
      }
    }
  }
  return config;
}

/**
 * The lines of a `{ ... }` hash starting on `start`, by brace depth (strings rarely hold braces).
 */
function collectHash(lines: string[], start: number): { lines: string[] } {
  const collected: string[] = [];
  let depth = 0;
  let opened = false;
  for (let index = start; index < lines.length && index < start + 60; index++) {
    const line = withoutRubyComment(lines[index]);
    collected.push(line);
    for (const char of line) {
      if (char === '{') {
        depth++;
        opened = true;
      } else if (char === '}') depth--;
    }
    if (opened && depth <= 0) break;
    if (!opened && index > start) break;
  }
  return { lines: collected };
}

const MAILER_SOURCES = [
  'config/application.rb',
  'config/initializers/*mail*.rb',
  'config/initializers/smtp*.rb',
  'config/environments/production.rb',
];

export const healthEmailCheck: CheckDefinition = {
  id: 'health.email',
  title: 'E-mail delivery configured',
  description:
    'Reads config/environments/production.rb and friends (without ' +
    'running Ruby) for the delivery method and SMTP settings.',
  async run(context: CheckContext): Promise<CheckReport> {
    const files: { file: string; text: string }[] = [];
    for (const pattern of MAILER_SOURCES) {
      const matches = await fg(pattern, { cwd: context.workspace, onlyFiles: true });
      for (const file of matches.sort()) {
        // Untrusted, a file linked out of the folder throws `untrusted`: the check waits.
        const text = await readWorkspaceFile(context, file);
        if (text !== undefined) files.push({ file, text });
      }
    }
    if (!files.some((f) => f.file === 'config/environments/production.rb')) {
      return { outcome: 'skipped', summary: 'no config/environments/production.rb' };
    }
    return judgeMailerConfig(parseMailerConfig(files));
  },
};

export function judgeMailerConfig(config: MailerConfig): CheckReport {
  const findings: Finding[] = [];
  const method = config.deliveryMethod?.method;
  const values = {
    deliveryMethod: method ?? null,
    smtpReferencesEnv: config.smtpSettings?.referencesEnv ?? null,
  };

  if (config.smtpSettings?.literalSecret) {
    findings.push({
      message: 'SMTP password written in the source; read it from ENV or credentials',
      severity: 'error',
      file: config.smtpSettings.file,
      line: config.smtpSettings.literalSecret,
      source: 'health.email',
    });
    return { outcome: 'fail', summary: 'SMTP password is written in the source', values, findings };
  }
  if (config.performDeliveries && !config.performDeliveries.value) {
    findings.push({
      message: 'perform_deliveries is false: production sends no e-mail',
      severity: 'warning',
      file: config.performDeliveries.file,
      line: config.performDeliveries.line,
      source: 'health.email',
    });
    return { outcome: 'warn', summary: 'production does not deliver e-mail', values, findings };
  }
  if (!method) {
    return {
      outcome: 'warn',
      summary: 'no delivery_method set for production (Rails falls back to SMTP on localhost)',
      values,
    };
  }
  if (method === 'test' || method === 'file') {
    findings.push({
      message: `delivery_method :${method} in production keeps e-mail from leaving the server`,
      severity: 'error',
      file: config.deliveryMethod!.file,
      line: config.deliveryMethod!.line,
      source: 'health.email',
    });
    return {
      outcome: 'fail',
      summary: `delivery method :${method} in production`,
      values,
      findings,
    };
  }
  if (method === 'smtp' && !config.smtpSettings) {
    return { outcome: 'warn', summary: 'delivery method :smtp but no smtp_settings', values };
  }
  if (method === 'smtp' && !config.smtpSettings!.referencesEnv) {
    return {
      outcome: 'warn',
      summary: 'delivery method :smtp; smtp_settings take nothing from ENV or credentials',
      values,
    };
  }
  const env = config.smtpSettings?.referencesEnv ? ', settings from ENV/credentials' : '';
  return { outcome: 'pass', summary: `delivery method :${method}${env}`, values };
}

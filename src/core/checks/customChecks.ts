/**
 * Custom checks from the repo's `.upkeep/playbook.yaml`: a shell command, a read-only SQL query
 * or an HTTP URL, each with expectations. All three wait for workspace trust: shell and SQL run
 * repo code, and a URL from the repo could aim Upkeep at any host (as upkeep.health.url, which
 * VS Code restricts in untrusted workspaces).
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { DbSession } from '../db/session';
import { PLAYBOOK_FILE } from '../playbook/loader';
import type { CustomCheckExpect, CustomCheckSpec } from '../playbook/model';
import { describeError } from '../util/errors';
import { redact } from '../util/logger';
import { testPattern } from './safeRegex';
import { runTool } from './toolProcess';
import type { CheckContext, CheckDefinition, CheckReport } from './types';

/** What POSIX shells exit with when they cannot find the command. */
const SHELL_NOT_FOUND = 127;

/** Gives a SQL check the run's read-only database session (shared with the db.* checks). */
export type SessionProvider = (context: CheckContext) => Promise<DbSession>;

/**
 * Reads `$.a.b[0]` or `a.b.0` from a JSON value. Hand-written: the playbook only allows plain
 * member and index steps, which a JSONPath library would over-serve. Only the value's own
 * members are read: `constructor.name` or `__proto__` of a parsed body is nothing, not
 * JavaScript's `Object`.
 */
export function readJsonPath(value: unknown, jsonPath: string): unknown {
  const steps = jsonPath
    .replace(/^\$\.?/, '')
    .replace(/\[(\d+)\]/g, '.$1')
    .replace(/\[["']([^"']+)["']\]/g, '.$1')
    .split('.')
    .filter(Boolean);
  let current: unknown = value;
  for (const step of steps) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, step)) {
      return undefined;
    }
    current = (current as Record<string, unknown>)[step];
  }
  return current;
}

function sameValue(actual: unknown, expected: CustomCheckExpect['equals']): boolean {
  if (actual === expected) return true;
  // YAML `equals: 1` must match a JSON "1" or a SQL bigint returned as text.
  if (actual === null || actual === undefined || expected === null || expected === undefined) {
    return false;
  }
  return String(actual) === String(expected);
}

function show(value: unknown): string {
  const text =
    typeof value === 'string' ? JSON.stringify(value) : String(JSON.stringify(value) ?? 'nothing');
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Checks the expectations that apply to text output; returns what failed. */
async function checkText(
  expect: CustomCheckExpect,
  text: string,
  signal: AbortSignal,
  cut = false,
): Promise<string[]> {
  const problems: string[] = [];
  if (expect.pattern !== undefined) {
    // The pattern comes from the repo: tested off the main thread, with its own time limit.
    let matched: boolean;
    try {
      matched = await testPattern(expect.pattern, 'm', text, { signal });
    } catch (error) {
      if (signal.aborted) throw error;
      return [describeError(error)];
    }
    if (!matched) problems.push(`output does not match /${expect.pattern}/`);
  }
  if (expect.jsonPath !== undefined && cut) {
    problems.push(
      `${expect.jsonPath} cannot be read: the body is over ${MAX_HTTP_BODY / 1024 / 1024} MiB, ` +
        'only its start was read',
    );
  } else if (expect.jsonPath !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return [...problems, 'output is not JSON'];
    }
    const actual = readJsonPath(parsed, expect.jsonPath);
    if (expect.equals !== undefined && !sameValue(actual, expect.equals)) {
      problems.push(`${expect.jsonPath} is ${show(actual)}, expected ${show(expect.equals)}`);
    } else if (
      expect.equals === undefined &&
      (actual === undefined || actual === null || actual === false)
    ) {
      problems.push(`${expect.jsonPath} is ${show(actual)}`);
    }
  }
  return problems;
}

function verdict(
  problems: string[],
  passSummary: string,
  values: CheckReport['values'],
): CheckReport {
  if (problems.length) return { outcome: 'fail', summary: problems.join('; '), values };
  return { outcome: 'pass', summary: passSummary, values };
}

/**
 * The most of a response body an http check reads. A health endpoint answers in a few KB; a
 * URL that streams without end (a log tail, a misconfigured proxy) is cut here, not held in
 * memory until the check's timeout.
 */
export const MAX_HTTP_BODY = 1024 * 1024;

interface HttpAnswer {
  status: number;
  body: string;
  /** The body was longer than MAX_HTTP_BODY: `body` is its start, the rest was not read. */
  cut: boolean;
}

/**
 * One GET, its status and body; a redirect is answered, not followed. Node's http, as health.url
 * uses, not fetch(): fetch refuses the Fetch standard's "bad ports" (6000, 6665-6669, 10080...)
 * without connecting, so a service that answers there read "did not answer: bad port".
 */
function getText(url: URL, signal: AbortSignal): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const request = client.get(
      url,
      { signal, agent: false, headers: { accept: '*/*' } },
      (response) => {
        const status = response.statusCode ?? 0;
        const chunks: Buffer[] = [];
        let length = 0;
        response.on('data', (chunk: Buffer) => {
          if (length > MAX_HTTP_BODY) return;
          length += chunk.length;
          if (length <= MAX_HTTP_BODY) {
            chunks.push(chunk);
            return;
          }
          // Enough: the answer is settled before the socket goes, so its close is no error.
          chunks.push(chunk.subarray(0, chunk.length - (length - MAX_HTTP_BODY)));
          resolve({ status, body: Buffer.concat(chunks).toString(), cut: true });
          request.destroy();
        });
        response.on('error', reject);
        response.on('end', () =>
          resolve({ status, body: Buffer.concat(chunks).toString(), cut: false }),
        );
        response.on('close', () => {
          if (!response.complete) {
            reject(new Error('the connection closed before the whole answer'));
          }
        });
      },
    );
    request.on('error', reject);
  });
}

export function customCheck(spec: CustomCheckSpec, sessionFor?: SessionProvider): CheckDefinition {
  const base = {
    id: spec.id,
    title: spec.title,
    description: spec.description,
    origin: 'playbook' as const,
    timeoutMs: spec.timeoutSeconds ? spec.timeoutSeconds * 1000 : undefined,
  };
  const expect = spec.expect ?? {};

  switch (spec.kind) {
    case 'shell':
      return {
        ...base,
        needsTrust: true,
        async run(context) {
          const output = await runTool({
            command: spec.command,
            args: [],
            shell: true,
            cwd: context.workspace,
            signal: context.signal,
            log: context.log,
            env: context.env,
          });
          const wanted = expect.exitCode ?? 0;
          // The shell's "not found": nothing was checked, so no verdict on what it would check.
          if (output.exitCode === SHELL_NOT_FOUND && wanted !== SHELL_NOT_FOUND) {
            const said = output.stderr.trim().split('\n')[0]?.slice(0, 120) ?? '';
            return {
              outcome: 'error',
              summary: `command not found (exit code ${SHELL_NOT_FOUND})${said ? `: ${said}` : ''}`,
              values: { exitCode: output.exitCode },
              details: [
                output.stderr.slice(-2000).trim(),
                `Install it, or correct the command of ${spec.id} in ${PLAYBOOK_FILE}.`,
              ]
                .filter(Boolean)
                .join('\n'),
            };
          }
          const problems =
            output.exitCode === wanted
              ? []
              : [`exit code ${output.exitCode ?? output.killedBy}, expected ${wanted}`];
          problems.push(...(await checkText(expect, output.stdout, context.signal)));
          const firstLine = output.stdout.trim().split('\n')[0]?.slice(0, 120) ?? '';
          const values = { exitCode: output.exitCode };
          if (problems.length) {
            // What the command said helps more than the expectation alone.
            const said = firstLine || output.stderr.trim().split('\n')[0]?.slice(0, 120);
            const summary = `${problems.join('; ')}${said ? ` — output: ${said}` : ''}`;
            return {
              outcome: 'fail',
              summary,
              values,
              details: output.stderr.slice(-2000) || undefined,
            };
          }
          return {
            outcome: 'pass',
            summary: `exit code ${output.exitCode}${firstLine ? `: ${firstLine}` : ''}`,
            values,
          };
        },
      };

    case 'sql':
      return {
        ...base,
        needsTrust: true,
        async run(context) {
          if (!sessionFor) {
            return {
              outcome: 'skipped',
              summary: 'no database session is available for SQL checks',
            };
          }
          const session = await sessionFor(context);
          // The tag names the check in messages and the query's comment; the starter playbook's
          // ids already begin with "custom.".
          const tag = spec.id.startsWith('custom.') ? spec.id : `custom.${spec.id}`;
          // As arrays: an object of `SELECT 1 AS a, 2 AS a` holds only the last `a`.
          const { rows } = await session.queryArrays(tag.slice(0, 64), spec.sql, {
            params: [],
            signal: context.signal,
            oneStatement: true,
          });
          const first = rows[0]?.[0];
          const cell = first === undefined || first === null ? '' : String(first);
          const problems: string[] = [];
          if (expect.equals !== undefined && !sameValue(first ?? null, expect.equals)) {
            problems.push(`first cell is ${show(first ?? null)}, expected ${show(expect.equals)}`);
          }
          if (expect.pattern !== undefined) {
            problems.push(...(await checkText({ pattern: expect.pattern }, cell, context.signal)));
          }
          return verdict(
            problems,
            `${rows.length} row${rows.length === 1 ? '' : 's'}, first cell ${show(first ?? null)}`,
            {
              rows: rows.length,
              firstCell:
                typeof first === 'number' || typeof first === 'boolean'
                  ? first
                  : first === undefined || first === null
                    ? null
                    : String(first),
            },
          );
        },
      };

    case 'http':
      return {
        ...base,
        needsTrust: true,
        async run(context) {
          const started = performance.now();
          let response: HttpAnswer;
          try {
            response = await getText(new URL(spec.url), context.signal);
          } catch (error) {
            if (context.signal.aborted) throw error;
            // An error's message may repeat the URL, with any password or token in it.
            return {
              outcome: 'fail',
              summary: redact(`${spec.url} did not answer: ${(error as Error).message}`),
            };
          }
          const latencyMs = Math.round(performance.now() - started);
          const problems: string[] = [];
          const statusOk =
            expect.status !== undefined
              ? response.status === expect.status
              : response.status >= 200 && response.status < 300;
          if (!statusOk) {
            problems.push(`status ${response.status}, expected ${expect.status ?? '2xx'}`);
          }
          problems.push(...(await checkText(expect, response.body, context.signal, response.cut)));
          const values = { status: response.status, latencyMs };
          const summary = `status ${response.status} in ${latencyMs} ms`;
          if (!response.cut) return verdict(problems, summary, values);
          // Said whatever the verdict: a pattern was looked for in the body's start only.
          const cut = `body cut at ${MAX_HTTP_BODY / 1024 / 1024} MiB`;
          if (!problems.length) return verdict(problems, `${summary}, ${cut}`, values);
          return verdict(expect.jsonPath ? problems : [...problems, cut], summary, values);
        },
      };
  }
}

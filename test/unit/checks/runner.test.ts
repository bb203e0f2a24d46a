/**
 * The check engine: parallelism limit, per-check timeout, cancellation, throws turned into
 * `error` results, untrusted skips, and one log line per check without secrets.
 */
import { strict as assert } from 'node:assert';
import { runChecks, UNTRUSTED_SUMMARY } from '../../../src/core/checks/runner';
import type { CheckDefinition } from '../../../src/core/checks/types';
import { resolveSettings } from '../../../src/core/settings';
import { fixedClock } from '../../../src/core/util/clock';
import { createLogger } from '../../../src/core/util/logger';

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });

function context(lines: string[] = [], trusted = true): Parameters<typeof runChecks>[1] {
  return {
    workspace: '/nonexistent',
    settings: resolveSettings(),
    clock: fixedClock('2026-12-04T10:00:00Z'),
    log: createLogger((level, line) => lines.push(`${level} ${line}`)),
    trusted,
  };
}

describe('runChecks', () => {
  it('runs every check whatever a settings file says the limits are', async () => {
    // Security review: the editor read upkeep.checks.* from the folder's settings unchecked;
    // "parallelism": "x" ran no check at all and said nothing, "timeoutSeconds": -1 timed out all.
    const definitions: CheckDefinition[] = ['a', 'b'].map((id) => ({
      id: `test.${id}`,
      title: id,
      async run() {
        await sleep(5);
        return { outcome: 'pass', summary: 'ok' };
      },
    }));
    for (const checks of [
      { parallelism: 'x', timeoutSeconds: 120 },
      { parallelism: 0, timeoutSeconds: -1 },
      { parallelism: Infinity, timeoutSeconds: Number.NaN },
    ]) {
      const options = context();
      options.settings = resolveSettings({ checks: checks as never });
      const results = await runChecks(definitions, options);
      assert.deepEqual(
        results.map((result) => result.outcome),
        ['pass', 'pass'],
        JSON.stringify(checks),
      );
    }
  });

  it("takes the CLI's --parallelism as given, above the setting's range too", async () => {
    let active = 0;
    let peak = 0;
    const definitions: CheckDefinition[] = Array.from({ length: 20 }, (_, index) => ({
      id: `test.p${index}`,
      title: `P${index}`,
      async run() {
        peak = Math.max(peak, ++active);
        await sleep(10);
        active--;
        return { outcome: 'pass', summary: 'ok' };
      },
    }));
    await runChecks(definitions, context(), { parallelism: 100 });
    assert.equal(peak, 20, '--parallelism 100 fell back to the default');
  });

  it('runs no more checks at once than the limit and keeps the given order', async () => {
    let active = 0;
    let peak = 0;
    const definitions: CheckDefinition[] = Array.from({ length: 7 }, (_, index) => ({
      id: `test.c${index}`,
      title: `C${index}`,
      async run() {
        active++;
        peak = Math.max(peak, active);
        await sleep(20 + (7 - index) * 3);
        active--;
        return { outcome: 'pass', summary: `done ${index}` };
      },
    }));
    const results = await runChecks(definitions, context(), { parallelism: 3 });
    assert.equal(peak, 3);
    assert.deepEqual(
      results.map((r) => r.checkId),
      definitions.map((d) => d.id),
    );
    assert.ok(
      results.every((r) => r.durationMs >= 15),
      'durations are measured',
    );
    assert.equal(results[0].startedAt, '2026-12-04T10:00:00.000Z');
  });

  it('turns a throw into an error result and keeps running the others', async () => {
    const results = await runChecks(
      [
        {
          id: 'a',
          title: 'A',
          run: async () => {
            throw new Error('boom\nsecond line');
          },
        },
        { id: 'b', title: 'B', run: async () => ({ outcome: 'pass', summary: 'fine' }) },
      ],
      context(),
    );
    assert.deepEqual(
      results.map((r) => [r.outcome, r.summary]),
      [
        ['error', 'boom'],
        ['pass', 'fine'],
      ],
    );
  });

  it('times out a check, even one that ignores its signal', async () => {
    let sawAbort = false;
    const started = Date.now();
    const results = await runChecks(
      [
        {
          id: 'polite',
          title: 'P',
          run: async (c) => {
            await sleep(10_000, c.signal).catch((e) => {
              sawAbort = true;
              throw e;
            });
            return { outcome: 'pass', summary: '' };
          },
        },
        { id: 'rude', title: 'R', run: () => new Promise(() => undefined) },
      ],
      context(),
      { timeoutMs: 150 },
    );
    // The rude check would never end; timed out after 150 ms, this takes some 160 ms.
    assert.ok(Date.now() - started < 5000, `${Date.now() - started} ms`);
    assert.ok(sawAbort, 'the check saw its signal abort');
    for (const result of results) {
      assert.equal(result.outcome, 'error');
      assert.equal(result.summary, 'timed out after 150 ms');
      assert.equal(result.values?.timedOut, true);
    }
  });

  it('gives a definition its own timeout unless the run sets one for all', async () => {
    const slow: CheckDefinition = {
      id: 's',
      title: 'S',
      timeoutMs: 50,
      run: (c) => sleep(300, c.signal).then(() => ({ outcome: 'pass', summary: 'ok' })),
    };
    assert.equal((await runChecks([slow], context()))[0].outcome, 'error');
    assert.equal((await runChecks([slow], context(), { timeoutMs: 2000 }))[0].outcome, 'pass');
  });

  it('cancels running checks and skips the waiting ones', async () => {
    const controller = new AbortController();
    const definitions: CheckDefinition[] = Array.from({ length: 4 }, (_, index) => ({
      id: `c${index}`,
      title: `C${index}`,
      run: (c) => sleep(5000, c.signal).then(() => ({ outcome: 'pass' as const, summary: '' })),
    }));
    setTimeout(() => controller.abort(), 50);
    const results = await runChecks(definitions, context(), {
      parallelism: 2,
      signal: controller.signal,
    });
    assert.deepEqual(
      results.map((r) => [r.outcome, r.summary, r.cancelled]),
      [
        ['skipped', 'cancelled', true],
        ['skipped', 'cancelled', true],
        ['skipped', 'cancelled before it started', true],
        ['skipped', 'cancelled before it started', true],
      ],
    );
  });

  it('marks only the checks a cancel stopped, not one whose summary says cancelled', async () => {
    const says: CheckDefinition = {
      id: 'custom.says',
      title: 'Says cancelled',
      run: async () => ({ outcome: 'skipped', summary: 'cancelled' }),
    };
    const [result] = await runChecks([says], context());
    assert.equal(result.summary, 'cancelled');
    assert.equal(result.cancelled, undefined);
  });

  it('skips checks that need trust in an untrusted workspace without running them', async () => {
    let ran = false;
    const results = await runChecks(
      [
        {
          id: 'tool',
          title: 'Tool',
          needsTrust: true,
          run: async () => {
            ran = true;
            return { outcome: 'pass', summary: '' };
          },
        },
        {
          id: 'file',
          title: 'File',
          run: async (c) => ({ outcome: 'pass', summary: `trusted=${c.trusted}` }),
        },
      ],
      context([], false),
    );
    assert.equal(ran, false);
    assert.deepEqual(
      results.map((r) => [r.outcome, r.summary, r.waitsForTrust]),
      [
        ['skipped', UNTRUSTED_SUMMARY, true],
        ['pass', 'trusted=false', undefined],
      ],
    );
  });

  it('marks only the checks the engine held for trust, not one whose summary says so', async () => {
    const says: CheckDefinition = {
      id: 'custom.says',
      title: 'Says it waits',
      run: async () => ({ outcome: 'skipped', summary: UNTRUSTED_SUMMARY }),
    };
    const [result] = await runChecks([says], context([], false));
    assert.equal(result.summary, UNTRUSTED_SUMMARY);
    assert.equal(result.waitsForTrust, undefined);
  });

  it('logs one info line per check with outcome and duration, with secrets redacted', async () => {
    const lines: string[] = [];
    await runChecks(
      [
        {
          id: 'db',
          title: 'DB',
          run: async () => ({
            outcome: 'fail',
            summary: 'cannot reach postgres://app:hunter2@db:5432/x',
          }),
        },
      ],
      context(lines),
    );
    const line = lines.find((l) => l.includes('db: fail'));
    assert.ok(line, lines.join('\n'));
    assert.match(line, /^info \[checks\] db: fail in \d+ ms/);
    assert.ok(!lines.join('\n').includes('hunter2'));
  });

  it('reports progress and closes shared resources once at the end', async () => {
    const progress: string[] = [];
    let closedWith: string[] = [];
    await runChecks(
      [
        {
          id: 'a',
          title: 'A',
          run: async (c) => {
            c.shared.set('session', Promise.resolve(1));
            return { outcome: 'pass', summary: '' };
          },
        },
        { id: 'b', title: 'B', run: async () => ({ outcome: 'warn', summary: '' }) },
      ],
      context(),
      {
        parallelism: 1,
        onProgress: ({ done, total, result }) =>
          progress.push(`${done}/${total} ${result.checkId}`),
        onFinished: async (shared) => {
          closedWith = [...shared.keys()];
        },
      },
    );
    assert.deepEqual(progress, ['1/2 a', '2/2 b']);
    assert.deepEqual(closedWith, ['session']);
  });

  it('turns a malformed report into an error', async () => {
    const results = await runChecks(
      [{ id: 'x', title: 'X', run: async () => undefined as never }],
      context(),
    );
    assert.equal(results[0].outcome, 'error');
  });
});

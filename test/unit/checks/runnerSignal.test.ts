/**
 * The check engine and the caller's AbortSignal: every check running at once listens to it, and
 * Node warns of a leak past 10 listeners, so a run at the setting's own maximum of 16 printed
 * "MaxListenersExceededWarning" into every cron mail.
 */
import { strict as assert } from 'node:assert';
import { runChecks } from '../../../src/core/checks/runner';
import type { CheckDefinition } from '../../../src/core/checks/types';
import { resolveSettings } from '../../../src/core/settings';
import { fixedClock } from '../../../src/core/util/clock';
import { createLogger } from '../../../src/core/util/logger';

describe('runChecks and the caller’s signal', () => {
  it('runs 16 checks at once on one signal without a listener-leak warning', async () => {
    const definitions: CheckDefinition[] = Array.from({ length: 16 }, (_, index) => ({
      id: `test.s${index}`,
      title: `S${index}`,
      run: () =>
        new Promise((resolve) => setTimeout(() => resolve({ outcome: 'pass', summary: 'ok' }), 20)),
    }));
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(`${warning.name}: ${warning.message}`);
    };
    process.on('warning', onWarning);
    try {
      const results = await runChecks(
        definitions,
        {
          workspace: '/nonexistent',
          settings: resolveSettings({ checks: { parallelism: 16 } as never }),
          clock: fixedClock('2026-12-04T10:00:00Z'),
          log: createLogger(() => undefined),
          trusted: true,
        },
        { signal: new AbortController().signal },
      );
      assert.equal(results.filter((r) => r.outcome === 'pass').length, 16);
      // Node emits the warning on a later tick.
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    assert.deepEqual(warnings, []);
  });
});

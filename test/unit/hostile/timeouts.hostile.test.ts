/**
 * Timeouts and limits out of range: a timeout past what a Node timer holds (24.8 days) used to
 * fire at once, so `--timeout 9999999` timed every check out; a zero or negative timeout or
 * parallelism in `.vscode/settings.json` did the same. They fall back to working values instead.
 */
import { strict as assert } from 'node:assert';
import { runChecks } from '../../../src/core/checks/runner';
import type { CheckDefinition } from '../../../src/core/checks/types';
import { settingsFromJson } from '../../../src/core/checks/workspaceSettings';
import { defaultSettings, resolveSettings } from '../../../src/core/settings';
import { fixedClock } from '../../../src/core/util/clock';
import { silentLogger } from '../../../src/core/util/logger';

const slowPass: CheckDefinition = {
  id: 'test.slow',
  title: 'Slow',
  run: () =>
    new Promise((resolve) => setTimeout(() => resolve({ outcome: 'pass', summary: 'ok' }), 30)),
};

describe('hostile timeouts and limits', () => {
  it('a timeout longer than a timer holds does not time the check out at once', async () => {
    const context = {
      workspace: '/nonexistent',
      settings: resolveSettings({ checks: { timeoutSeconds: 1e10 } }),
      clock: fixedClock('2026-12-04T10:00:00Z'),
      log: silentLogger,
      trusted: true,
    };
    const [flag] = await runChecks([slowPass], context, { timeoutMs: 9_999_999_000 });
    assert.equal(flag.outcome, 'pass', flag.summary);
    const [setting] = await runChecks([slowPass], context);
    assert.equal(setting.outcome, 'pass', setting.summary);
  });

  it('zero, negative or endless numbers in settings.json fall back to the defaults', () => {
    for (const value of [0, -5, 1e300]) {
      const settings = settingsFromJson(
        {
          'upkeep.checks.timeoutSeconds': value,
          'upkeep.checks.parallelism': value,
          'upkeep.database.connectTimeoutMs': value,
          'upkeep.database.statementTimeoutMs': value,
          'upkeep.database.lockTimeoutMs': value,
        },
        { trusted: true },
      );
      assert.deepEqual(settings.checks, defaultSettings.checks, String(value));
      assert.equal(settings.database.connectTimeoutMs, defaultSettings.database.connectTimeoutMs);
      assert.equal(
        settings.database.statementTimeoutMs,
        defaultSettings.database.statementTimeoutMs,
      );
      assert.equal(settings.database.lockTimeoutMs, defaultSettings.database.lockTimeoutMs);
    }
    const fine = settingsFromJson(
      { 'upkeep.checks.timeoutSeconds': 1800, 'upkeep.checks.parallelism': 2 },
      { trusted: true },
    );
    assert.deepEqual(fine.checks, { timeoutSeconds: 1800, parallelism: 2 });
  });
});

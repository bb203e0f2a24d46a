/**
 * The registry against the shared vocabulary: every check id the playbook may name is
 * implemented, tiers and tasks select the right checks, custom checks join, and an id this build
 * lacks becomes a clear skip instead of a crash.
 */
import { strict as assert } from 'node:assert';
import {
  builtinChecks,
  checksForTask,
  checksForTasks,
  checksForTier,
  createRegistry,
  settingsForPlaybook,
  withDatabaseHealth,
} from '../../../src/core/checks/registry';
import { runChecks } from '../../../src/core/checks/runner';
import { BUILTIN_CHECK_IDS } from '../../../src/core/playbook/checkIds';
import { defaultPlaybook } from '../../../src/core/playbook/defaultPlaybook';
import type { Playbook } from '../../../src/core/playbook/model';
import { resolveSettings } from '../../../src/core/settings';
import { systemClock } from '../../../src/core/util/clock';
import { silentLogger } from '../../../src/core/util/logger';

describe('check registry', () => {
  it('implements exactly the built-in check ids of the shared vocabulary, once each', () => {
    const ids = builtinChecks().map((definition) => definition.id);
    assert.equal(new Set(ids).size, ids.length, 'no id twice');
    assert.deepEqual([...ids].sort(), [...BUILTIN_CHECK_IDS].sort());
    for (const definition of builtinChecks()) {
      assert.ok(definition.title, `${definition.id} has a title`);
    }
  });

  it('marks every check that runs repo code as needing trust', () => {
    const trusting = builtinChecks()
      .filter((definition) => definition.needsTrust)
      .map((definition) => definition.id);
    for (const id of [
      'tools.rspec',
      'tools.rubocop',
      'tools.brakeman',
      'tools.bundlerAudit',
      'tools.zeitwerk',
    ]) {
      assert.ok(trusting.includes(id), id);
    }
  });

  it('selects the checks of a tier and of a task, once each, in playbook order', () => {
    const playbook = defaultPlaybook();
    const daily = checksForTier(playbook, 'daily').map((definition) => definition.id);
    assert.ok(daily.includes('health.url') && daily.includes('logs.errorsLastHour'));
    assert.equal(new Set(daily).size, daily.length);
    assert.ok(!daily.includes('tools.brakeman'));

    const weekly = checksForTask(playbook, 'weekly.codeQuality')?.map(
      (definition) => definition.id,
    );
    assert.ok(weekly?.includes('tools.brakeman'));
    assert.equal(checksForTask(playbook, 'no.such.task'), undefined);

    const both = checksForTasks(playbook, ['daily.health', 'daily.health', 'weekly.codeQuality']);
    assert.equal(new Set(both.map((d) => d.id)).size, both.length);
  });

  it('runs health.database first with database checks that lack it, once', () => {
    const playbook = defaultPlaybook();
    const registry = createRegistry(playbook);
    const ids = (definitions: { id: string }[]): string[] => definitions.map((d) => d.id);
    // The weekly tier has database checks and no health.database of its own.
    const weekly = checksForTier(playbook, 'weekly', registry);
    assert.ok(!ids(weekly).includes('health.database'));
    const run = withDatabaseHealth(weekly, registry);
    assert.deepEqual(ids(run), ['health.database', ...ids(weekly)]);
    // Already there (the daily tier), or no database check: as it was.
    const daily = checksForTier(playbook, 'daily', registry);
    assert.deepEqual(ids(withDatabaseHealth(daily, registry)), ids(daily));
    const docs = checksForTask(playbook, 'weekly.documentation', registry) ?? [];
    assert.deepEqual(ids(withDatabaseHealth(docs, registry)), ids(docs));
  });

  it('adds the playbook custom checks and its thresholds', () => {
    const playbook: Playbook = {
      ...defaultPlaybook(),
      customChecks: [
        { id: 'custom.queue', title: 'Queue', kind: 'shell', command: 'true', expect: {} },
      ],
      thresholds: { memoryMb: 1500 },
    };
    const registry = createRegistry(playbook);
    assert.equal(registry.get('custom.queue')?.origin, 'playbook');
    assert.equal(registry.get('custom.queue')?.needsTrust, true);
    const settings = settingsForPlaybook(
      resolveSettings({ thresholds: { memoryMb: 800, slowRequestMs: 700 } }),
      playbook,
    );
    assert.equal(settings.thresholds.memoryMb, 1500);
    assert.equal(settings.thresholds.slowRequestMs, 700);
  });

  it('turns an id this build lacks into a skipped result', async () => {
    const playbook = defaultPlaybook();
    playbook.tasks[0] = { ...playbook.tasks[0], checks: ['future.check'] };
    const registry = createRegistry(playbook, { builtins: [] });
    const [result] = await runChecks(checksForTier(playbook, playbook.tasks[0].tier, registry), {
      workspace: '/nonexistent',
      settings: resolveSettings(),
      clock: systemClock,
      log: silentLogger,
      trusted: true,
    });
    assert.deepEqual(
      [result.checkId, result.outcome, result.summary],
      ['future.check', 'skipped', 'check future.check is not available in this version of Upkeep'],
    );
  });
});

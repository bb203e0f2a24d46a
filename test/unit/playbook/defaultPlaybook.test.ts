/**
 * The default playbook covers the guidelines: every tier with its schedule-table team, every
 * section the issue names, only known check ids, and guideline links to headings that exist.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { defaultPlaybook, GUIDELINES_FILE } from '../../../src/core/playbook/defaultPlaybook';
import { isBuiltinCheckId } from '../../../src/core/playbook/checkIds';
import { findTask, tasksOfTier } from '../../../src/core/playbook/model';
import { findHeadingLine } from '../../../src/core/playbook/guidelines';

const root = path.join(__dirname, '../../..');

describe('default playbook', () => {
  const playbook = defaultPlaybook();

  it('has the tiers and teams of the schedule table', () => {
    assert.deepEqual(
      playbook.tiers.map((tier) => [tier.id, tier.team, tier.period]),
      [
        ['daily', 'Operations Team', 'day'],
        ['weekly', 'Development Team', 'week'],
        ['monthly', 'Security Team', 'month'],
        ['quarterly', 'Architecture Team', 'quarter'],
        ['annual', 'Management Team', 'year'],
        ['onDemand', 'On-call Developer', 'none'],
      ],
    );
    for (const task of playbook.tasks) {
      assert.equal(task.team, playbook.tiers.find((tier) => tier.id === task.tier)?.team);
    }
  });

  it('covers every section the issue lists', () => {
    const expected: Record<string, string[]> = {
      daily: [
        'Health monitoring',
        'Log monitoring',
        'Performance monitoring',
        'Security monitoring',
      ],
      weekly: [
        'Database maintenance',
        'Query optimization',
        'Code quality',
        'Documentation updates',
      ],
      monthly: [
        'Security updates and patches',
        'Security testing',
        'Performance tuning',
        'Caching review',
        'Backup verification and recovery drill',
      ],
      quarterly: [
        'Architecture review',
        'Database and table growth',
        'Technology stack versions',
        'User-experience review',
      ],
      annual: ['Long-term planning', 'Disaster recovery test'],
      onDemand: ['Bug-fix workflow', 'Feature workflow'],
    };
    for (const [tier, titles] of Object.entries(expected)) {
      const actual = tasksOfTier(playbook, tier as never).map((task) => task.title);
      for (const title of titles) assert.ok(actual.includes(title), `${tier}: ${title}`);
    }
    const docs = findTask(playbook, 'weekly.documentation')!;
    for (const item of [
      'Update API documentation for any changes',
      'Review user guides for accuracy',
      'Update technical documentation',
      'Add comments for complex code',
      'Update deployment guides',
    ]) {
      assert.ok(
        docs.items.some((candidate) => candidate.title === item),
        item,
      );
    }
    assert.deepEqual(
      findTask(playbook, 'onDemand.bugFix')!.items.map((item) => item.id),
      ['reproduce', 'isolate', 'fix', 'test', 'document'],
    );
    assert.deepEqual(
      findTask(playbook, 'onDemand.feature')!.items.map((item) => item.id),
      ['plan', 'design', 'develop', 'test', 'deploy', 'monitor'],
    );
    assert.deepEqual(
      playbook.severities.map((severity) => [severity.title, severity.responseHours]),
      [
        ['Critical', 1],
        ['High', 4],
        ['Medium', 24],
        ['Low', 168],
      ],
    );
    assert.deepEqual(findTask(playbook, 'annual.disasterRecovery')!.records, [
      { id: 'recoveryMinutes', title: 'Recovery time', unit: 'minutes' },
    ]);
  });

  it('uses only built-in check ids, listed on the task of every item that uses them', () => {
    for (const task of playbook.tasks) {
      for (const id of task.checks) assert.ok(isBuiltinCheckId(id), `${task.id}: ${id}`);
      for (const item of task.items) {
        for (const id of item.checks ?? []) {
          assert.ok(task.checks.includes(id), `${task.id}: ${id}`);
        }
      }
    }
  });

  it("gives the troubleshooting guide's issues and debug commands an item each", () => {
    // "Troubleshooting Guide": Database, Performance and Authentication Issues, then Debug
    // Commands (Debug Mode; System Debug: resources, disk space, network connections).
    const items = findTask(playbook, 'onDemand.troubleshooting')!.items.map((item) => item.id);
    for (const id of ['connections', 'locks', 'slowQueries', 'memory', 'sessions']) {
      assert.ok(items.includes(id), id);
    }
    for (const id of ['debugMode', 'resources', 'disk']) assert.ok(items.includes(id), id);
  });

  it('keeps manual work manual: architecture and caching review have no checks', () => {
    assert.deepEqual(findTask(playbook, 'quarterly.architecture')!.checks, []);
    assert.deepEqual(findTask(playbook, 'monthly.caching')!.checks, []);
  });

  it('links every task and tier to a heading of the bundled guidelines', () => {
    const bundled = readFileSync(path.join(root, GUIDELINES_FILE), 'utf8');
    // The project's shared folder stands beside the repository (as in CI); elsewhere it is absent.
    const shared = path.join(root, '../shared/guidelines/maintenance-guidelines.md');
    // The bundled copy is the team's file; keep it in step when the guidelines change.
    try {
      assert.equal(bundled, readFileSync(shared, 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    for (const node of [...playbook.tiers, ...playbook.tasks]) {
      const section = node.guideline!.section;
      assert.ok(findHeadingLine(bundled, section) !== undefined, `${node.id}: ${section}`);
    }
  });

  it('gives unique task ids and unique item ids within a task', () => {
    const ids = playbook.tasks.map((task) => task.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const task of playbook.tasks) {
      const itemIds = task.items.map((item) => item.id);
      assert.equal(new Set(itemIds).size, itemIds.length, task.id);
    }
  });
});

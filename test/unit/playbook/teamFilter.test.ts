/**
 * Filter by Team… on a playbook whose repo file names owners (as Set Owner writes them): the
 * owners are offered after the tiers' teams, and filtering by one shows that owner's tasks.
 */
import { strict as assert } from 'node:assert';
import { defaultPlaybook } from '../../../src/core/playbook/defaultPlaybook';
import { applyPlaybookText } from '../../../src/core/playbook/loader';
import { filterChoices, isTaskOf } from '../../../src/core/playbook/model';

const PLAYBOOK = [
  'version: 1',
  'tasks:',
  '  - id: daily.logs',
  '    owner: "Sam O\'Neil"',
  '  - id: weekly.documentation',
  '    owner: Ann',
  '  - id: monthly.backups',
  '    owner: Ann',
  '',
].join('\n');

describe('team filter', () => {
  const { playbook, problems } = applyPlaybookText(defaultPlaybook(), PLAYBOOK);
  const teams = [...new Set(defaultPlaybook().tasks.map((task) => task.team))];

  it("offers the tiers' teams, then each owner once", () => {
    assert.deepEqual(problems, []);
    assert.deepEqual(filterChoices(playbook), [
      ...teams.map((name) => ({ name, kind: 'team' })),
      { name: "Sam O'Neil", kind: 'owner' },
      { name: 'Ann', kind: 'owner' },
    ]);
  });

  it("shows an owner's tasks, and a team's tasks whoever owns them", () => {
    const of = (name: string): string[] =>
      playbook.tasks.filter((task) => isTaskOf(task, name)).map((task) => task.id);
    assert.deepEqual(of('Ann'), ['weekly.documentation', 'monthly.backups']);
    assert.deepEqual(of("Sam O'Neil"), ['daily.logs']);
    const logsTeam = playbook.tasks.find((task) => task.id === 'daily.logs')?.team ?? '';
    assert.ok(of(logsTeam).includes('daily.logs'));
  });
});

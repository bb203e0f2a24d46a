/**
 * The Maintenance tree's actions in the manifest: every inline button of a row (run a tier's or
 * a task's checks, mark done, run a check, new bug report) is also in the row's context menu,
 * which Shift+F10 opens, so each one is reachable without a mouse; the view's title bar keeps
 * few buttons, so its title is not cut short in a narrow side bar.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

interface MenuEntry {
  command: string;
  when?: string;
  group?: string;
}

const manifest = JSON.parse(
  readFileSync(path.join(__dirname, '../../../package.json'), 'utf8'),
) as {
  contributes: {
    menus: Record<string, MenuEntry[]>;
    commands: { command: string; title: string }[];
  };
};

describe('Maintenance tree row menus', () => {
  const entries = manifest.contributes.menus['view/item/context'];
  const isInline = (entry: MenuEntry): boolean => /^inline(@|$)/.test(entry.group ?? '');

  it('puts every inline button of a row in its context menu too', () => {
    const inline = entries.filter(isInline);
    assert.ok(inline.length >= 5, 'the tree has inline buttons');
    const missing = inline.filter(
      (button) =>
        !entries.some(
          (entry) =>
            !isInline(entry) && entry.command === button.command && entry.when === button.when,
        ),
    );
    assert.deepEqual(
      missing.map((entry) => `${entry.command} (${entry.when})`),
      [],
      'inline only, out of reach from the keyboard',
    );
  });
});

describe('Mark Task Done on a row', () => {
  // The tree sets `task.<status>.<task id>` (src/vscode/tree/playbookTree.ts).
  const entries = manifest.contributes.menus['view/item/context'].filter(
    (entry) => entry.command === 'upkeep.markTaskDone',
  );
  const offered = (contextValue: string): string[] =>
    entries
      .filter((entry) => holdsOnRow(entry.when, contextValue))
      .map((entry) => entry.group ?? '');

  it('is offered on a task to do, inline and in the menu', () => {
    for (const status of ['due', 'overdue', 'snoozed', 'onDemand']) {
      assert.deepEqual(offered(`task.${status}.weekly.database`), ['1_run@2', 'inline@2'], status);
    }
  });

  it('is not offered on a task done for this period, as the palette leaves it out', () => {
    // Its ✓ beside "done 06:56 by …" read as not done yet, and a second run replaced the
    // completion the row and its hover show (who, when, the note) with a new one.
    assert.deepEqual(offered('task.done.weekly.database'), []);
  });
});

/** Whether a row's `when` (`view == …` and `viewItem =~ /…/` terms) holds on a tree row. */
function holdsOnRow(when: string | undefined, contextValue: string): boolean {
  return (when ?? 'true').split('&&').every((raw) => {
    const term = raw.trim();
    if (term === 'view == upkeep.maintenance') return true;
    const match = /^viewItem =~ \/(.+)\/$/.exec(term);
    assert.ok(match, `a term this test does not read: ${term}`);
    return new RegExp(match[1]).test(contextValue);
  });
}

describe('Maintenance tree row titles', () => {
  const entries = manifest.contributes.menus['view/item/context'];
  const palette = manifest.contributes.menus.commandPalette;
  const titleOf = (id: string): string | undefined =>
    manifest.contributes.commands.find((entry) => entry.command === id)?.title;
  // On a row these still ask before acting: a note, how long, whom, a confirmation, a title.
  const askingOnRow = [
    'upkeep.markTaskDone',
    'upkeep.snoozeTask',
    'upkeep.resetTask',
    'upkeep.setTaskOwner',
    'upkeep.newBugReport',
    'upkeep.newFeatureSpec',
    // The password, before the check runs again.
    'upkeep.setPasswordAndRunCheck',
  ];

  it('ends a title with "…" only where the row\'s command still asks for more', () => {
    // Run Check… and Run Task's Checks… ran the row's at once; Run Tier's Checks has no "…".
    const asking = entries.filter(
      (entry) => titleOf(entry.command)?.endsWith('…') && !askingOnRow.includes(entry.command),
    );
    assert.deepEqual([...new Set(asking.map((entry) => titleOf(entry.command)))], []);
  });

  it('keeps the palette\'s "…" titles, which ask which task or check, out of the rows', () => {
    const rowOnly = [...new Set(entries.map((entry) => entry.command))].filter(
      (id) => !askingOnRow.includes(id),
    );
    for (const id of rowOnly) {
      const hidden = palette.find((entry) => entry.command === id)?.when === 'false';
      assert.ok(hidden, `${id} (${titleOf(id)}) would show in the palette without its "…"`);
    }
    assert.deepEqual(
      [titleOf('upkeep.runCheck'), titleOf('upkeep.runThisCheck')],
      ['Run Check…', 'Run Check'],
    );
  });
});

/**
 * Whether a `when` clause of the shape the manifest uses here (terms joined by `&&`, each a
 * `key == value`, a key or a negated key) holds in `context`.
 */
function holds(when: string | undefined, context: Record<string, string | boolean>): boolean {
  return (when ?? 'true').split('&&').every((raw) => {
    const term = raw.trim();
    const equals = /^([\w.]+) == ([\w.]+)$/.exec(term);
    if (equals) return context[equals[1]] === equals[2];
    if (term.startsWith('!')) return !context[term.slice(1)];
    return term === 'true' || Boolean(context[term]);
  });
}

describe('Maintenance view title bar', () => {
  const idle = { view: 'upkeep.maintenance', 'upkeep.checksRunning': false };
  const busy = { ...idle, 'upkeep.checksRunning': true };
  const shown = (context: Record<string, string | boolean>): MenuEntry[] =>
    manifest.contributes.menus['view/title'].filter((entry) => holds(entry.when, context));
  const entries = shown(idle);
  const isButton = (entry: MenuEntry): boolean => /^navigation(@|$)/.test(entry.group ?? '');
  const inline = entries.filter(isButton);

  it('shows two buttons, the most used, next to the title', () => {
    // With the editor's own Collapse All and "…" buttons that makes four icons, which leave
    // "Upkeep: Maintenance" whole in a 300 px side bar; six cut it to "Upkeep: Mainte…"
    // (test/e2e/dashboard.e2e.test.ts measures it in the editor).
    assert.deepEqual(
      inline.map((entry) => entry.command),
      ['upkeep.runDueChecks', 'upkeep.openDashboard'],
    );
  });

  it('turns Run All Due Checks into Cancel Running Checks while checks run', () => {
    // The editor sets upkeep.checksRunning (src/vscode/checks/register.ts) for as long as a run
    // lasts, so the stop button sits where the run button was and the bar keeps two buttons.
    assert.deepEqual(
      shown(busy)
        .filter(isButton)
        .map((entry) => entry.command),
      ['upkeep.cancelChecks', 'upkeep.openDashboard'],
    );
  });

  it('keeps every other action in the "…" menu, grouped and ordered', () => {
    const overflow = entries.filter((entry) => !inline.includes(entry));
    assert.deepEqual(
      overflow.map((entry) => `${entry.group} ${entry.command}`),
      [
        '1_tree@1 upkeep.filterByTeam',
        '1_tree@2 upkeep.refresh',
        '2_setup@1 upkeep.openPlaybook',
        '2_setup@2 upkeep.configureDatabase',
      ],
    );
  });
});

describe('Command palette', () => {
  const palette = manifest.contributes.menus.commandPalette;

  // Without a tree row these pick a task (src/vscode/tree/commands.ts and checks/register.ts).
  const taskCommands = [
    'upkeep.runTaskChecks',
    'upkeep.markTaskDone',
    'upkeep.snoozeTask',
    'upkeep.resetTask',
    'upkeep.setTaskOwner',
    'upkeep.showTaskHistory',
    'upkeep.openGuideline',
  ];

  it("offers a task's commands, each of which asks for the task when run from it", () => {
    // "when": "false" would leave that pick, and README's "run the checks ... of a task", unused.
    assert.deepEqual(
      taskCommands.map((command) => [
        command,
        palette.find((entry) => entry.command === command)?.when,
      ]),
      taskCommands.map((command) => [command, 'upkeep.ready']),
    );
  });

  it('ends the title of a command that asks for more input with "…", as the editor does', () => {
    const asking = [
      ...taskCommands,
      'upkeep.runCheck',
      'upkeep.filterByTeam',
      'upkeep.chooseAppFolder',
      'upkeep.configureDatabase',
      'upkeep.setDatabasePassword',
      'upkeep.selectRailsEnvironment',
      'upkeep.runDatabaseMaintenance',
      'upkeep.runRecoveryDrill',
      'upkeep.newBugReport',
      'upkeep.newFeatureSpec',
    ];
    const titleOf = (id: string): string | undefined =>
      manifest.contributes.commands.find((entry) => entry.command === id)?.title;
    assert.deepEqual(
      asking.filter((id) => !titleOf(id)?.endsWith('…')).map((id) => `${id}: ${titleOf(id)}`),
      [],
    );
  });

  it('offers Cancel Running Checks only while checks run', () => {
    const cancel = palette.find((entry) => entry.command === 'upkeep.cancelChecks');
    assert.equal(holds(cancel?.when, { 'upkeep.checksRunning': true }), true);
    assert.equal(holds(cancel?.when, { 'upkeep.checksRunning': false }), false);
  });
});

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
) as { contributes: { menus: Record<string, MenuEntry[]> } };

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

describe('Maintenance view title bar', () => {
  const entries = manifest.contributes.menus['view/title'].filter(
    (entry) => entry.when === 'view == upkeep.maintenance',
  );
  const inline = entries.filter((entry) => /^navigation(@|$)/.test(entry.group ?? ''));

  it('shows two buttons, the most used, next to the title', () => {
    // With the editor's own Collapse All and "…" buttons that makes four icons, which leave
    // "Upkeep: Maintenance" whole in a 300 px side bar; six cut it to "Upkeep: Mainte…"
    // (test/e2e/dashboard.e2e.test.ts measures it in the editor).
    assert.deepEqual(
      inline.map((entry) => entry.command),
      ['upkeep.runDueChecks', 'upkeep.openDashboard'],
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

  it("offers a task's commands, each of which asks for the task when run from it", () => {
    // Without a tree row these pick a task (src/vscode/tree/commands.ts and checks/register.ts);
    // "when": "false" would leave that pick, and README's "run the checks ... of a task", unused.
    const taskCommands = [
      'upkeep.runTaskChecks',
      'upkeep.markTaskDone',
      'upkeep.snoozeTask',
      'upkeep.resetTask',
      'upkeep.showTaskHistory',
      'upkeep.openGuideline',
    ];
    assert.deepEqual(
      taskCommands.map((command) => [
        command,
        palette.find((entry) => entry.command === command)?.when,
      ]),
      taskCommands.map((command) => [command, 'upkeep.ready']),
    );
  });
});

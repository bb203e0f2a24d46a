/**
 * The Maintenance tree's row actions in the manifest: every inline button (run a tier's or a
 * task's checks, mark done, run a check, new bug report) is also in the row's context menu,
 * which Shift+F10 opens, so each one is reachable without a mouse.
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

/**
 * The Get Started walkthrough and the welcome views in the manifest: every command a link or a
 * completion event names exists, and every step's page is a file the extension ships.
 */
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '../../..');

interface Step {
  id: string;
  description: string;
  media: { markdown?: string; image?: string };
  completionEvents?: string[];
}

const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  contributes: {
    commands: { command: string }[];
    views: Record<string, { id: string }[]>;
    viewsWelcome: { contents: string }[];
    walkthroughs: { id: string; steps: Step[] }[];
  };
};

const contributes = manifest.contributes;
const views = Object.values(contributes.views).flat();
const known = new Set([
  ...contributes.commands.map((entry) => entry.command),
  ...views.map((view) => `${view.id}.focus`),
  'vscode.openFolder',
]);

const WALKTHROUGH_EDITOR = 'gettingStartedPage';
const contextKeys = [
  ...readFileSync(path.join(ROOT, 'src/vscode/walkthrough.ts'), 'utf8').matchAll(
    /'(upkeep\.walkthrough\.\w+)'/g,
  ),
].map((match) => match[1]);

function linkedCommands(markdown: string): string[] {
  return [...markdown.matchAll(/\]\(command:([\w.]+)/g)].map((match) => match[1]);
}

describe('Get Started walkthrough', () => {
  const [walkthrough] = contributes.walkthroughs;

  it('walks from the database to the checks, the tree, the dashboard and the playbook', () => {
    assert.equal(walkthrough.id, 'upkeep.gettingStarted');
    assert.deepEqual(
      walkthrough.steps.map((step) => step.id),
      ['database', 'checks', 'tree', 'dashboard', 'playbook'],
    );
  });

  it('links only commands the extension contributes, and completes on them', () => {
    const texts = [
      ...walkthrough.steps.map((step) => step.description),
      ...contributes.viewsWelcome.map((welcome) => welcome.contents),
    ];
    const unknown = texts.flatMap(linkedCommands).filter((command) => !known.has(command));
    assert.deepEqual(unknown, []);
    for (const step of walkthrough.steps) {
      assert.ok(linkedCommands(step.description).length > 0, `${step.id} has a button`);
      for (const event of step.completionEvents ?? []) {
        const [kind, name] = [
          event.slice(0, event.indexOf(':')),
          event.slice(event.indexOf(':') + 1),
        ];
        const checks: Record<string, () => boolean> = {
          onCommand: () => known.has(name),
          onView: () => views.some((v) => v.id === name),
          // A key the extension sets when the user does what the step asks, read while the
          // walkthrough is the active editor (see src/vscode/walkthrough.ts).
          onContext: () =>
            contextKeys.some((key) => name === `${key} && activeEditor == ${WALKTHROUGH_EDITOR}`),
        };
        const exists = checks[kind];
        assert.ok(exists, `unexpected completion event ${event}`);
        assert.ok(exists(), event);
      }
    }
  });

  it('ticks every step for work done before the walkthrough was first opened', () => {
    // The editor counts onCommand: and onView: only from then on; a key the extension keeps
    // says what was done whenever it was (see src/vscode/walkthrough.ts).
    const without = walkthrough.steps
      .filter((step) => !(step.completionEvents ?? []).some((e) => e.startsWith('onContext:')))
      .map((step) => step.id);
    assert.deepEqual(without, []);
  });

  it('ticks the database step on a connection saved or reached, not on its picker opening', () => {
    // An onCommand: event ticked it as the picker opened, also when it was then cancelled.
    const database = walkthrough.steps.find((step) => step.id === 'database');
    assert.deepEqual(database?.completionEvents, [
      `onContext:upkeep.walkthrough.databaseSetUp && activeEditor == ${WALKTHROUGH_EDITOR}`,
    ]);
  });

  it('shows a page the .vsix carries for every step', () => {
    const ignored = readFileSync(path.join(ROOT, '.vscodeignore'), 'utf8');
    assert.match(ignored, /^!media\/\*\*$/m, 'media/ is shipped');
    for (const step of walkthrough.steps) {
      const page = step.media.markdown ?? step.media.image ?? '';
      assert.ok(page.startsWith('media/'), step.id);
      assert.ok(existsSync(path.join(ROOT, page)), page);
    }
  });
});

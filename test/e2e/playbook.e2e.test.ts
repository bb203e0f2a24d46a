/**
 * The Maintenance tree in a real editor (code-server): ticking the checklist items of a task marks
 * it done and lowers the container badge and the status bar count; the state is still there after
 * a reload; a broken `.upkeep/playbook.yaml` shows a problem at the right line and column; with
 * `upkeep.schedule.timeZone` set, the rows tell times on the team's clock.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { startCodeServer, type RunningCodeServer } from '../../scripts/lib/codeServer';
import { defaultPlaybook } from '../../src/core/playbook/defaultPlaybook';
import { findTier } from '../../src/core/playbook/model';
import { needsAttention, taskStatus } from '../../src/core/playbook/schedule';
import { machineTimeZone } from '../../src/core/util/timeZone';
import {
  acceptQuickInputRow,
  expandTreeItem,
  launchBrowser,
  openViewContainer,
  openWorkbench,
  readOutputChannel,
  readProblems,
  readTreeItem,
  runCommand,
  runCommandAndPick,
  screenshot,
  showTreeHover,
  treeItem,
  waitForNotification,
  type EditorBrowser,
} from './support/editor';

const ROOT = path.join(__dirname, '../..');
const VIEW = 'Maintenance';
const USER = 'Pat Playbook';
/**
 * What the badge counts on first open: the periodic tasks overdue or due soon today (all daily
 * ones; weekly ones from Friday; monthly and longer in the last week), less `left`.
 */
function dueSoonOnFirstOpen(...left: string[]): number {
  const book = defaultPlaybook();
  const now = new Date();
  const fresh = { since: now.toISOString(), ticks: {}, history: [] };
  return book.tasks.filter((task) => {
    const tier = findTier(book, task.tier)!;
    return (
      !left.includes(task.id) && needsAttention(taskStatus(tier, fresh, now, machineTimeZone()))
    );
  }).length;
}

describe('playbook tree in a real editor', function () {
  let workspace: string;
  let server: RunningCodeServer;
  let browser: EditorBrowser;
  let page: Page;

  before(async function () {
    assert.ok(existsSync(path.join(ROOT, 'dist/extension.js')), 'build first: npm run build');
    workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-e2e-playbook-'));
    const git = (...args: string[]): void => {
      execFileSync('git', args, { cwd: workspace, stdio: 'ignore' });
    };
    git('init', '-q');
    git('config', 'user.name', USER);
    git('config', 'user.email', 'pat@example.com');
    await fs.writeFile(path.join(workspace, 'README.md'), '# A Rails app\n');

    server = await startCodeServer({ workspace, extensionDir: ROOT });
    browser = await launchBrowser({ viewport: { width: 1280, height: 1000 } });
    page = browser.page;
    await openWorkbench(page, server.url);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page) {
      const file = path.join(os.tmpdir(), 'upkeep-e2e-playbook-failure.png');
      await screenshot(page, file).catch(() => undefined);
      console.log(`screenshot of the failure: ${file}`);
      const output = await readOutputChannel(page, 'Upkeep').catch((error: Error) => error.message);
      console.log(`--- Upkeep output ---\n${output}\n---`);
    }
  });

  after(async function () {
    await browser?.close();
    await server?.stop();
    if (workspace) await fs.rm(workspace, { recursive: true, force: true });
  });

  it('ticking every item of a task marks it done and lowers the badge', async function () {
    await openViewContainer(page, 'Upkeep');
    await waitForBadge(page, dueSoonOnFirstOpen());
    await statusBarItem(page, `${dueSoonOnFirstOpen()} due soon`).waitFor();

    const task = treeItem(page, VIEW, 'Log monitoring');
    assert.equal((await readTreeItem(task)).description, 'due today');
    await expandTreeItem(task);

    // A screen reader reads the row, not its checkbox: the row says whether the item is done.
    const errorsItem = treeItem(page, VIEW, 'Errors in the last hour reviewed');
    assert.equal(
      await errorsItem.getAttribute('aria-label'),
      'Errors in the last hour reviewed, not done',
    );
    await tick(errorsItem, description(task, /^due today · 1\/2$/));
    await waitForBadge(page, dueSoonOnFirstOpen());
    assert.match(
      (await errorsItem.getAttribute('aria-label')) ?? '',
      new RegExp(`^Errors in the last hour reviewed, done, \\d\\d:\\d\\d by ${USER}$`),
    );

    await tick(
      treeItem(page, VIEW, 'Slow requests (over 1 s) reviewed'),
      description(task, new RegExp(`^done \\d\\d:\\d\\d by ${USER}$`)),
    );
    await waitForBadge(page, dueSoonOnFirstOpen('daily.logs'));
    await statusBarItem(page, `${dueSoonOnFirstOpen('daily.logs')} due soon`).waitFor();
    await keepScreenshot(page, 'tree-ticked');
  });

  it('keeps the ticks and the completion after the window reloads', async function () {
    await page.reload({ waitUntil: 'domcontentloaded' });
    await openWorkbench(page, server.url);
    await openViewContainer(page, 'Upkeep');

    await waitForBadge(page, dueSoonOnFirstOpen('daily.logs'));
    const task = treeItem(page, VIEW, 'Log monitoring');
    await waitForDescription(task, new RegExp(`^done \\d\\d:\\d\\d by ${USER}$`));
    await expandTreeItem(task);
    const item = treeItem(page, VIEW, 'Errors in the last hour reviewed');
    assert.equal(await checkbox(item).getAttribute('aria-checked'), 'true');
  });

  it('marks a task done from the command palette, without the mouse', async function () {
    const task = treeItem(page, VIEW, 'Health monitoring');
    const done = description(task, new RegExp(`^done \\d\\d:\\d\\d by ${USER}$`));
    for (let attempt = 1; ; attempt++) {
      await markDoneWithKeyboard(page, 'Health monitoring');
      if (attempt === 2) break;
      const marked = await done
        .waitFor({ timeout: 8_000 })
        .then(() => true)
        .catch(() => false);
      if (marked) break;
      // Seen twice (CI and a local run, 2 in ~15): the Enter on the focused task row closed the
      // pick and nothing was marked, like the lost checkbox clicks of `tick`. A second try
      // marks it.
      console.log('    (the Enter on the task pick was lost)');
    }

    await waitForBadge(page, dueSoonOnFirstOpen('daily.logs', 'daily.health'));
    await done.waitFor();
  });

  it('tells a check from its namesake checklist item, and says what it checks', async function () {
    const task = treeItem(page, VIEW, 'Health monitoring');
    await expandTreeItem(task);
    const rows = page
      .locator('.monaco-list-row[role="treeitem"]', { hasText: 'Database connectivity' })
      .filter({ hasNot: page.locator('[role="checkbox"]') });
    const check = rows.first();
    await description(check, /^check · not run yet$/).waitFor();
    assert.equal(
      await check.getAttribute('aria-label'),
      'Check Database connectivity: not run yet',
    );

    const hover = page.locator('.context-view .hover-contents').filter({ hasText: 'Not run yet' });
    await showTreeHover(check, hover);
    const text = (await hover.textContent()) ?? '';
    assert.match(text, /Check: Database connectivity/);
    assert.match(text, /Connects as configured, runs SELECT 1/);
    await page.mouse.move(900, 900);
  });

  it('shows the last result of the checks on their tree rows', async function () {
    await runCommand(page, 'Upkeep: Run Daily Checks');
    const task = treeItem(page, VIEW, 'Log monitoring');
    await expandTreeItem(task);
    // No log/production.log in this workspace: the check reports it rather than passing.
    const checkRow = treeItem(page, VIEW, 'Errors in the last hour');
    await description(
      checkRow,
      /^check · (pass|warn|fail|error|skipped) · (just now|\d+ min ago)$/,
    ).waitFor({
      timeout: 120_000,
    });
    const info = await readTreeItem(checkRow);
    assert.doesNotMatch(info.description, /^check · pass/, 'there is no log to pass on');
    // What to do, in the editor's words: the setting, not the CLI's `upkeep logs FILE`.
    const hover = page.locator('.context-view .hover-contents').filter({ hasText: 'STDOUT' });
    await showTreeHover(checkRow, hover);
    const text = (await hover.textContent()) ?? '';
    assert.match(text, /Point Upkeep at your logs with the upkeep\.logs\.sources setting/, text);
    assert.doesNotMatch(text, /upkeep logs|pass files/, text);
    await keepScreenshot(page, 'check-result');
  });

  it(
    'shows a broken .upkeep/playbook.yaml in the Problems panel ' + 'at the right line',
    async function () {
      await fs.mkdir(path.join(workspace, '.upkeep'), { recursive: true });
      await fs.writeFile(
        path.join(workspace, '.upkeep/playbook.yaml'),
        'version: 1\ndisable:\n  - monthly.caching\nthresholds:\n  memoryMb: lots\n',
      );

      // The rest of the file still applies: one monthly task fewer (counted if due soon).
      await waitForBadge(page, dueSoonOnFirstOpen('daily.logs', 'daily.health', 'monthly.caching'));
      await treeItem(page, VIEW, '.upkeep/playbook.yaml: 1 problem').waitFor();

      const problems = await readProblems(page);
      const problem = problems.find((candidate) => /thresholds\.memoryMb/.test(candidate.message));
      assert.ok(problem, `no playbook problem among ${JSON.stringify(problems)}`);
      assert.equal(problem.file, 'playbook.yaml');
      assert.equal(problem.severity, 'error');
      assert.deepEqual([problem.line, problem.column], [5, 13]);
      await keepScreenshot(page, 'problems');
    },
  );
});

/** With UPKEEP_E2E_SCREENSHOTS set to a folder, keeps a picture of each step for review. */
async function keepScreenshot(page: Page, name: string): Promise<void> {
  const folder = process.env.UPKEEP_E2E_SCREENSHOTS;
  if (folder) await screenshot(page, path.join(folder, `playbook-${name}.png`));
}

describe('playbook state kept in the repo, in a real editor', function () {
  const BROKEN = '{ "version": 1, "tasks": {\n  "daily.logs": \n';
  let workspace: string;
  let server: RunningCodeServer;
  let browser: EditorBrowser;
  let page: Page;

  before(async function () {
    workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-e2e-state-'));
    execFileSync('git', ['init', '-q'], { cwd: workspace });
    execFileSync('git', ['config', 'user.name', USER], { cwd: workspace });
    await fs.mkdir(path.join(workspace, '.upkeep'));
    await fs.writeFile(path.join(workspace, '.upkeep/state.json'), BROKEN);

    server = await startCodeServer({
      workspace,
      extensionDir: ROOT,
      userSettings: { 'upkeep.state.location': 'repository' },
    });
    browser = await launchBrowser({ viewport: { width: 1280, height: 1000 } });
    page = browser.page;
    await openWorkbench(page, server.url);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page) {
      const file = path.join(os.tmpdir(), 'upkeep-e2e-state-failure.png');
      await screenshot(page, file).catch(() => undefined);
      console.log(`screenshot of the failure: ${file}`);
      const output = await readOutputChannel(page, 'Upkeep').catch((error: Error) => error.message);
      console.log(`--- Upkeep output ---\n${output}\n---`);
      console.log(await extensionHostLog(server.userDataDir));
    }
  });

  after(async function () {
    await browser?.close();
    await server?.stop();
    if (workspace) await fs.rm(workspace, { recursive: true, force: true });
  });

  it(
    'reports a broken state file, keeps it as a backup ' + 'and writes ticks to .upkeep/state.json',
    async function () {
      await openViewContainer(page, 'Upkeep');
      await waitForNotification(page, 'the checklist state file was broken');

      const names = await fs.readdir(path.join(workspace, '.upkeep'));
      const backup = names.find((name) => name.startsWith('state.json.corrupt-'));
      assert.ok(backup, `no backup among ${names.join(', ')}`);
      assert.equal(await fs.readFile(path.join(workspace, '.upkeep', backup), 'utf8'), BROKEN);

      const task = treeItem(page, VIEW, 'Log monitoring');
      await expandTreeItem(task);
      await tick(
        treeItem(page, VIEW, 'Errors in the last hour reviewed'),
        description(task, /^due today · 1\/2$/),
      );

      const state = JSON.parse(
        await fs.readFile(path.join(workspace, '.upkeep/state.json'), 'utf8'),
      );
      assert.equal(state.tasks['daily.logs'].ticks.errors.by, USER);
      assert.equal(await fs.readFile(path.join(workspace, '.upkeep', backup), 'utf8'), BROKEN);
    },
  );

  it('shows a tick another window wrote to the shared file', async function () {
    const file = path.join(workspace, '.upkeep/state.json');
    const state = JSON.parse(await fs.readFile(file, 'utf8'));
    state.tasks['daily.logs'].ticks.slow = { at: new Date().toISOString(), by: 'Other Window' };
    await fs.writeFile(`${file}.tmp`, JSON.stringify(state, null, 2));
    await fs.rename(`${file}.tmp`, file);

    const item = treeItem(page, VIEW, 'Slow requests (over 1 s) reviewed');
    await item.locator('.label-description', { hasText: /by Other Window$/ }).waitFor();
    assert.equal(await checkbox(item).getAttribute('aria-checked'), 'true');
  });

  it('keeps what was found with a weekly task marked done, in its history', async function () {
    await runCommandAndPick(page, 'Upkeep: Mark Task Done…', 'Code quality');
    const note = page.locator('.quick-input-widget .quick-input-box input');
    await page.locator('.quick-input-widget', { hasText: 'What was found or done?' }).waitFor();
    await note.fill('3 RuboCop offenses fixed, Brakeman clean');
    await note.press('Enter');

    const file = path.join(workspace, '.upkeep/state.json');
    let history: { action: string; note?: string }[] = [];
    for (let attempt = 0; attempt < 30 && !history.length; attempt++) {
      const state = JSON.parse(await fs.readFile(file, 'utf8'));
      history = state.tasks['weekly.codeQuality']?.history ?? [];
      if (!history.length) await page.waitForTimeout(500);
    }
    assert.deepEqual(
      history.map((entry) => [entry.action, entry.note]),
      [['done', '3 RuboCop offenses fixed, Brakeman clean']],
    );

    // The task's hover says it too: it showed who and when, and the note was nowhere in sight.
    const hover = page
      .locator('.context-view .hover-contents')
      .filter({ hasText: 'Note: 3 RuboCop offenses fixed, Brakeman clean' });
    await showTreeHover(treeItem(page, VIEW, 'Code quality'), hover);
    await page.mouse.move(900, 900);
  });

  it("shows a tick's time on the team's clock with upkeep.schedule.timeZone", async function () {
    const state = JSON.parse(await fs.readFile(path.join(workspace, '.upkeep/state.json'), 'utf8'));
    const at = new Date(state.tasks['daily.logs'].ticks.errors.at);
    // Zones whose clocks differ from almost any machine's by a part of an hour; the one whose
    // date is the machine's, so the tick still belongs to today there.
    const machine = machineTimeZone();
    const zone = ['Asia/Kathmandu', 'America/St_Johns'].find(
      (candidate) =>
        dateIn(candidate, at) === dateIn(machine, at) &&
        dateIn(candidate, new Date()) === dateIn(machine, new Date()) &&
        clockIn(candidate, at) !== clockIn(machine, at),
    );
    if (!zone) this.skip();

    await fs.mkdir(path.join(workspace, '.vscode'), { recursive: true });
    await fs.writeFile(
      path.join(workspace, '.vscode/settings.json'),
      JSON.stringify({ 'upkeep.schedule.timeZone': zone }),
    );
    // A remote editor's machine is often on UTC while its team is not: the row follows the team.
    const item = treeItem(page, VIEW, 'Errors in the last hour reviewed');
    await description(item, new RegExp(`^${clockIn(zone, at)} by ${USER}$`)).waitFor();
  });
});

/** The parts of a wall clock in `zone` at `instant`, read by Intl, not by the product's code. */
function wallIn(zone: string, instant: Date): Record<string, string> {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
  });
  return Object.fromEntries(
    format.formatToParts(instant).map((part) => [part.type, part.value.padStart(2, '0')]),
  );
}

/** `HH:MM` in `zone` at `instant`, as the tree writes a time of today. */
function clockIn(zone: string, instant: Date): string {
  const wall = wallIn(zone, instant);
  return `${wall.hour}:${wall.minute}`;
}

function dateIn(zone: string, instant: Date): string {
  const wall = wallIn(zone, instant);
  return `${wall.year}-${wall.month}-${wall.day}`;
}

/** The extension host's own log: errors the extension did not catch end up there. */
async function extensionHostLog(userDataDir: string): Promise<string> {
  const found: string[] = [];
  const walk = async (folder: string): Promise<void> => {
    for (const entry of await fs.readdir(folder, { withFileTypes: true }).catch(() => [])) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (/exthost\.log$/.test(entry.name)) found.push(await fs.readFile(full, 'utf8'));
    }
  };
  await walk(path.join(userDataDir, 'logs'));
  return `--- extension host log ---\n${found.join('\n').split('\n').slice(-60).join('\n')}\n---`;
}

/** Upkeep: Mark Task Done… from the palette, the task typed and taken with Enter. */
async function markDoneWithKeyboard(page: Page, title: string): Promise<void> {
  await page.locator('.monaco-workbench').press('F1');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor();
  await page.keyboard.type('>Upkeep: Mark Task Done');
  await acceptQuickInputRow(page, 'Upkeep: Mark Task Done…');
  await page
    .locator('.quick-input-widget .quick-input-box input[placeholder="Mark which task done?"]')
    .waitFor();
  await page.keyboard.type(title);
  await acceptQuickInputRow(page, title);
}

function checkbox(row: Locator): Locator {
  return row.locator('[role="checkbox"]').first();
}

/**
 * Ticks an item with its checkbox and waits for `effect` (what the extension shows once it has
 * stored the tick). Seen on a loaded machine: the first click on a freshly expanded row flips the
 * checkbox in the workbench but never reaches the extension host (its log shows no event). Then
 * the label is clicked, which runs the item's command (what Enter does) and ticks it the other
 * way; the effect is still what proves the extension stored it.
 */
async function tick(row: Locator, effect: Locator): Promise<void> {
  const box = checkbox(row);
  await box.waitFor();
  assert.equal(await box.getAttribute('aria-checked'), 'false');
  // The hover of the previous checkbox ("Untick") would sit over this one and take the click.
  const page = row.page();
  await page.mouse.move(900, 900);
  await page.locator('.context-view .hover-contents').waitFor({ state: 'hidden' });
  await box.click();
  const stored = await effect
    .waitFor({ timeout: 8_000 })
    .then(() => true)
    .catch(() => false);
  if (stored) return;
  console.log(`    (the checkbox click on "${await row.getAttribute('aria-label')}" was lost)`);
  await row.locator('.label-name').click();
  await effect.waitFor();
}

function description(row: Locator, pattern: RegExp): Locator {
  return row.locator('.label-description', { hasText: pattern });
}

async function waitForDescription(row: Locator, pattern: RegExp): Promise<void> {
  await description(row, pattern).waitFor();
}

function statusBarItem(page: Page, text: string): Locator {
  return page.locator('.part.statusbar .statusbar-item', { hasText: text }).first();
}

/** The number on the Upkeep activity bar entry; no badge counts as 0. */
async function waitForBadge(page: Page, count: number): Promise<void> {
  const tab = page
    .locator('.part.activitybar li.action-item[role="tab"]')
    .filter({ has: page.locator('a[aria-label^="Upkeep"]') })
    .first();
  const badge = tab.locator('.badge-content');
  const deadline = Date.now() + 30_000;
  let last = '';
  while (Date.now() < deadline) {
    last = (await badge.count()) ? ((await badge.first().textContent()) ?? '').trim() : '';
    if ((last || '0') === String(count)) return;
    await page.waitForTimeout(250);
  }
  throw new Error(`the Upkeep badge shows "${last}", expected ${count}`);
}

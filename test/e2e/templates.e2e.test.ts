/**
 * The template commands in a real editor (code-server): New Bug Report creates the file, opens it
 * and selects the first tab stop; typing and Tab fill the fields; the saved file holds no snippet
 * syntax. The Ruby bug-fix comment and a repo template with an unknown variable are covered too.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { startCodeServer, type RunningCodeServer } from '../../scripts/lib/codeServer';
import {
  acceptQuickInputRow,
  launchBrowser,
  openWorkbench,
  pickQuickInput,
  quickInputLabels,
  runCommand,
  screenshot,
  waitForNotification,
  type EditorBrowser,
} from './support/editor';

const ROOT = path.join(__dirname, '../..');
const TITLE = 'Checkout fails after midnight';
const BUGS = 'docs/maintenance/bugs';

describe('templates in a real editor', function () {
  let workspace: string;
  let server: RunningCodeServer;
  let browser: EditorBrowser;
  let page: Page;

  before(async function () {
    assert.ok(
      existsSync(path.join(ROOT, 'dist/extension.js')),
      'build the extension first: npm run build',
    );
    workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-e2e-templates-'));
    const git = (...args: string[]): void => {
      execFileSync('git', args, { cwd: workspace, stdio: 'ignore' });
    };
    git('init', '-q', '-b', 'fix/checkout');
    git('config', 'user.name', 'Erin Editor');
    git('config', 'user.email', 'erin@example.com');
    await fs.mkdir(path.join(workspace, 'app/models'), { recursive: true });
    await fs.writeFile(
      path.join(workspace, 'app/models/booking.rb'),
      'class Booking < ApplicationRecord\n  def total\n    price\n  end\n' +
        '  def discount\n    0\n  end\nend\n',
    );
    await fs.mkdir(path.join(workspace, '.upkeep/templates'), { recursive: true });
    await fs.writeFile(
      path.join(workspace, '.upkeep/templates/feature-spec.md'),
      '# {{title}}\n\nTicket: {{ticket}}\n\n## Requirements\n- {{field:First requirement}}\n',
    );

    server = await startCodeServer({ workspace, extensionDir: ROOT });
    browser = await launchBrowser();
    page = browser.page;
    await openWorkbench(page, server.url);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page) {
      const file = path.join(os.tmpdir(), 'upkeep-e2e-templates-failure.png');
      await screenshot(page, file).catch(() => undefined);
      console.log(`screenshot of the failure: ${file}`);
    }
  });

  after(async function () {
    await browser?.close();
    await server?.stop();
    if (workspace) await fs.rm(workspace, { recursive: true, force: true });
  });

  it('creates a bug report, opens it and selects the first tab stop', async function () {
    await newBugReport(page, TITLE, 'High');

    const file = await waitForFile(
      path.join(workspace, BUGS),
      /-checkout-fails-after-midnight\.md$/,
    );
    assert.match(path.basename(file), /^\d{4}-\d{2}-\d{2}-checkout-fails-after-midnight\.md$/);
    // The file appears before its text does (it is created exclusively, then written).
    const written = await waitForContent(file, '# Bug:');
    assert.match(written, /^# Bug: Checkout fails after midnight$/m);
    assert.match(written, /^- Severity: High \(response within 4 hours\)$/m);
    assert.match(
      written,
      /^- Response due: \d{4}-\d{2}-\d{2} \d{2}:\d{2} [+-]\d{2}:\d{2} \(.+\)$/m,
    );
    assert.match(written, / by Erin Editor <erin@example\.com>$/m);
    assert.match(written, /^- Branch: fix\/checkout$/m);
    assert.doesNotMatch(written, /\$\{|\{\{/);

    await editorShowsFirstField(page, path.basename(file));

    // Typing replaces the first field; Tab moves to the next one.
    await page.keyboard.type('Open the booking page at 00:05');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Pay with a saved card');
    await page.keyboard.press('Control+S');

    const saved = await waitForContent(file, 'Pay with a saved card');
    assert.match(
      saved,
      /^1\. Open the booking page at 00:05\n2\. Pay with a saved card\n3\. \[Step 3\]$/m,
    );
    assert.doesNotMatch(saved, /\$\{|\{\{/);
  });

  it('never overwrites: the same title again gets a -2 file', async function () {
    await newBugReport(page, TITLE, 'Low');
    const second = await waitForFile(
      path.join(workspace, BUGS),
      /-checkout-fails-after-midnight-2\.md$/,
    );
    await editorShowsFirstField(page, path.basename(second));
    assert.match(
      await waitForContent(second, '- Severity:'),
      /^- Severity: Low \(response within 1 week\)$/m,
    );
    const files = await fs.readdir(path.join(workspace, BUGS));
    const first = files.find((name) => /-midnight\.md$/.test(name));
    assert.ok(first, `first report missing among ${files.join(', ')}`);
    assert.match(
      await fs.readFile(path.join(workspace, BUGS, first), 'utf8'),
      /Pay with a saved card/,
    );
  });

  it(
    'Enter at the severity step files a Medium bug, ' + 'the list still reads Critical to Low',
    async function () {
      await runCommand(page, 'Upkeep: New Bug Report…');
      await typeIntoInputBox(page, 'Enter keeps the default');
      const active = page.locator('.quick-input-widget .monaco-list-row.focused .label-name');
      await active.filter({ hasText: 'Medium' }).waitFor();
      const tiers = ['Critical', 'High', 'Medium', 'Low'];
      // The rows also carry each tier's impact as a detail line; only the tiers' order matters.
      const labels = await quickInputLabels(page);
      assert.deepEqual(
        labels.filter((label) => tiers.includes(label)),
        tiers,
      );
      await page.locator('.quick-input-widget .quick-input-box input').press('Enter');

      const file = await waitForFile(path.join(workspace, BUGS), /-enter-keeps-the-default\.md$/);
      assert.match(
        await waitForContent(file, '- Severity:'),
        /^- Severity: Medium \(response within 24 hours\)$/m,
      );
      await editorShowsFirstField(page, path.basename(file));
    },
  );

  it('inserts the bug-fix comment above the code in a Ruby file', async function () {
    await runCommand(page, 'Go to File...');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.fill('booking.rb');
    await acceptQuickInputRow(page, 'booking.rb');
    // The next palette must not catch this one while it is still closing.
    await input.waitFor({ state: 'hidden' });
    await page.locator('.tabs-container .tab.active', { hasText: 'booking.rb' }).waitFor();

    await runCommand(page, 'Upkeep: Insert Bug-Fix Comment');
    await page
      .locator('.part.statusbar [id="status.editor.selection"]')
      .filter({ hasText: '(19 selected)' }) // "[Brief description]"
      .waitFor();
    await page.keyboard.type('Total ignores discounts');
    await page.keyboard.press('Control+S');

    const file = path.join(workspace, 'app/models/booking.rb');
    const saved = await waitForContent(file, 'Total ignores discounts');
    assert.ok(
      saved.startsWith('# Bug: Total ignores discounts\n# Steps to reproduce:\n# 1. [Step 1]\n'),
      saved,
    );
    assert.match(saved, /^# Documentation: \[Related documentation updates\]\nclass Booking/m);

    // Inside a method the block follows the code's indentation and goes above the statement.
    await runCommand(page, 'Go to Line/Column...');
    await input.fill(':16:9');
    await input.press('Enter');
    await input.waitFor({ state: 'hidden' });
    await runCommand(page, 'Upkeep: Insert Bug-Fix Comment');
    await page
      .locator('.part.statusbar [id="status.editor.selection"]')
      .filter({ hasText: 'Ln 16, Col 31 (19 selected)' })
      .waitFor();
    await page.keyboard.type('Price can be nil');
    await page.keyboard.press('Control+S');

    const nested = await waitForContent(file, 'Price can be nil');
    assert.match(
      nested,
      new RegExp(
        /\n  def total\n    # Bug: Price can be nil\n    # Steps to reproduce:\n(.*\n)*/.source +
          /    # Documentation: \[Related documentation updates\]\n    price\n  end\n/.source,
      ),
    );

    // Right after an `end` the block stands apart from it by one empty line (no whitespace on
    // it), as RuboCop wants.
    await runCommand(page, 'Go to Line/Column...');
    await input.fill(':31:5');
    await input.press('Enter');
    await input.waitFor({ state: 'hidden' });
    await runCommand(page, 'Upkeep: Insert Bug-Fix Comment');
    await page
      .locator('.part.statusbar [id="status.editor.selection"]')
      .filter({ hasText: 'Ln 32, Col 29 (19 selected)' })
      .waitFor();
    await page.keyboard.type('Discount is never applied');
    await page.keyboard.press('Control+S');

    const apart = await waitForContent(file, 'Discount is never applied');
    assert.match(
      apart,
      new RegExp(
        /\n    price\n  end\n\n  # Bug: Discount is never applied\n(.*\n)*/.source +
          /  # Documentation: \[Related documentation updates\]\n  def discount\n/.source,
      ),
    );
    // Nor on the empty lines inside the indented blocks (the editor's re-indenting put it there).
    assert.doesNotMatch(apart, /[ \t]$/m, 'a line ends in whitespace');
  });

  it('offers the bug-fix comment as the upkeep-bug snippet in Ruby', async function () {
    // booking.rb is still open and ends with an empty line.
    await page.locator('.tabs-container .tab.active', { hasText: 'booking.rb' }).waitFor();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('upkeep-bu');
    await page.keyboard.press('Control+Space');
    // Enter takes the focused suggestion, which may be another while the list still fills.
    const suggestion = page.locator('.suggest-widget .monaco-list-row.focused', {
      hasText: 'upkeep-bug',
    });
    await suggestion.first().waitFor();
    await page.keyboard.press('Enter');
    await page
      .locator('.part.statusbar [id="status.editor.selection"]')
      .filter({ hasText: '(19 selected)' })
      .waitFor();
    await page.keyboard.type('Typed from the prefix');
    await page.keyboard.press('Control+S');

    const file = path.join(workspace, 'app/models/booking.rb');
    const saved = await waitForContent(file, 'Typed from the prefix');
    assert.match(
      saved,
      /\nend\n# Bug: Typed from the prefix\n# Steps to reproduce:\n# 1\. \[Step 1\]\n/,
    );
  });

  it('uses a repo template and names its unknown variable', async function () {
    await runCommand(page, 'Upkeep: New Feature Spec…');
    await typeIntoInputBox(page, 'Team calendars');

    const message = await waitForNotification(page, 'unknown variables');
    assert.match(message, /\.upkeep\/templates\/feature-spec\.md/);
    assert.match(message, /\{\{ticket\}\}/);
    const file = path.join(workspace, 'docs/maintenance/features/team-calendars.md');
    const written = await waitForContent(file, 'Team calendars');
    assert.equal(
      written,
      '# Team calendars\n\nTicket: {{ticket}}\n\n## Requirements\n- [First requirement]\n',
    );
  });
});

/**
 * Waits for the editor to show `name` with "[Step 1]" (8 characters, line 10) selected; the
 * status bar names the end of the selection. Also the sign that the command has finished, so
 * the next palette is not closed by the editor taking focus.
 */
async function editorShowsFirstField(page: Page, name: string): Promise<void> {
  await page.locator('.tabs-container .tab.active', { hasText: name }).waitFor();
  await page
    .locator('.part.statusbar [id="status.editor.selection"]')
    .filter({ hasText: 'Ln 10, Col 12 (8 selected)' })
    .waitFor();
}

async function newBugReport(page: Page, title: string, severity: string): Promise<void> {
  await runCommand(page, 'Upkeep: New Bug Report…');
  await typeIntoInputBox(page, title);
  await pickQuickInput(page, severity);
}

/** Types into the input box a command opened and accepts it. */
async function typeIntoInputBox(page: Page, text: string): Promise<void> {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor();
  await input.fill(text);
  // The validation message shows the file name once the title is accepted as valid.
  await page.locator('.quick-input-widget', { hasText: 'never replaces a file' }).waitFor();
  await input.press('Enter');
}

async function waitForFile(folder: string, name: RegExp, timeout = 30_000): Promise<string> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const names = await fs.readdir(folder).catch(() => [] as string[]);
    const found = names.find((entry) => name.test(entry));
    if (found) return path.join(folder, found);
    if (Date.now() > deadline) throw new Error(`no ${name} in ${folder}: ${names.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function waitForContent(file: string, text: string, timeout = 30_000): Promise<string> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const content = await fs.readFile(file, 'utf8').catch(() => '');
    if (content.includes(text)) return content;
    if (Date.now() > deadline) throw new Error(`${file} never contained "${text}":\n${content}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('templates in an untrusted workspace (Restricted Mode)', function () {
  let workspace: string;
  let server: RunningCodeServer;
  let browser: EditorBrowser;

  before(async function () {
    workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-e2e-untrusted-'));
    execFileSync('git', ['init', '-q', '-b', 'hotfix/restricted'], { cwd: workspace });
    // Git must not read this repository's config in Restricted Mode.
    execFileSync('git', ['config', 'user.name', 'Repo Config Author'], { cwd: workspace });
    await fs.mkdir(path.join(workspace, '.upkeep/templates'), { recursive: true });
    await fs.writeFile(
      path.join(workspace, '.upkeep/templates/bug-report.md'),
      '# {{title}}\n\n' +
        'Severity: {{tier}}\n' +
        'Response due: {{deadline}}\n' +
        'Branch: {{branch}}\n' +
        'By: {{author}}\n\n' +
        '{{field:What happened}}\n',
    );
    server = await startCodeServer({ workspace, extensionDir: ROOT, workspaceTrust: true });
    browser = await launchBrowser();
    await openWorkbench(browser.page, server.url);
    await browser.page.locator('.part.statusbar', { hasText: 'Restricted Mode' }).waitFor();
  });

  after(async function () {
    await browser?.close();
    await server?.stop();
    if (workspace) await fs.rm(workspace, { recursive: true, force: true });
  });

  it(
    'still creates a bug report from the repo template, ' + 'reading git without running it there',
    async function () {
      const page = browser.page;
      await newBugReport(page, 'Restricted report', 'Critical');

      const file = await waitForFile(path.join(workspace, BUGS), /-restricted-report\.md$/);
      await page.locator('.tabs-container .tab.active', { hasText: path.basename(file) }).waitFor();
      await page
        .locator('.part.statusbar [id="status.editor.selection"]')
        .filter({ hasText: '(15 selected)' }) // "[What happened]"
        .waitFor();
      const written = await fs.readFile(file, 'utf8');
      assert.match(written, /^# Restricted report\n\nSeverity: Critical\n/);
      assert.match(written, /^Branch: hotfix\/restricted$/m);
      assert.doesNotMatch(written, /Repo Config Author/);
    },
  );
});

/**
 * Playwright helpers that drive code-server's workbench the way a person would: the command
 * palette, the activity bar, tree views, webviews, the Problems panel and output channels.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  chromium,
  type BrowserContext,
  type Frame,
  type Locator,
  type Page,
} from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Long enough for a first extension activation on a busy two-core machine. */
const DEFAULT_TIMEOUT = 30_000;

export interface EditorBrowser {
  readonly context: BrowserContext;
  /** The first tab, ready to `goto` a code-server URL. */
  readonly page: Page;
  /** Closes Chromium and removes its temporary profile. */
  close(): Promise<void>;
}

export interface LaunchOptions {
  /** Defaults to 1280×800, wide enough for a side bar, an editor and a panel. */
  viewport?: { width: number; height: number };
  /** Defaults to `/usr/bin/chromium` (Debian's package), or `$UPKEEP_E2E_CHROMIUM`. */
  executablePath?: string;
}

export interface TreeItemInfo {
  label: string;
  description: string;
  /** What a screen reader hears; tree views put the tooltip or accessibility label here. */
  ariaLabel: string;
  /** `undefined` for a leaf. */
  expanded: boolean | undefined;
}

export interface Problem {
  severity: 'error' | 'warning' | 'info' | 'unknown';
  message: string;
  /** The file the problem is in, as the panel's file row shows it. */
  file: string;
  /** 1-based, as the panel shows `[Ln 3, Col 1]`; 0 when the row has none. */
  line: number;
  column: number;
  /** The whole row as a screen reader hears it, with line and column. */
  ariaLabel: string;
}

/**
 * Starts Debian's Chromium headless with a fresh profile. Host resolution is limited to the
 * loopback names, so nothing the workbench tries to fetch can leave the machine.
 */
export async function launchBrowser(options: LaunchOptions = {}): Promise<EditorBrowser> {
  const executablePath = options.executablePath ?? process.env.UPKEEP_E2E_CHROMIUM ?? CHROMIUM_PATH;
  try {
    await fs.access(executablePath);
  } catch {
    throw new Error(`no Chromium at ${executablePath}: run apt-get install -y chromium`);
  }

  // Playwright takes the profile folder as an argument; `--user-data-dir` in args is refused.
  const profile = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    viewport: options.viewport ?? { width: 1280, height: 800 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      '--disable-quic',
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1',
    ],
  });
  context.setDefaultTimeout(DEFAULT_TIMEOUT);
  // Reading an output channel goes through the clipboard: the editor renders only visible lines.
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const page = context.pages()[0] ?? (await context.newPage());

  return {
    context,
    page,
    close: async () => {
      await context.close();
      await fs.rm(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Opens the code-server URL and waits for the workbench to be laid out. Extensions may still be
 * starting: `runCommand` and the locators below wait for what they need, and a test should
 * wait for what it expects rather than for a fixed time.
 */
export async function openWorkbench(page: Page, url: string, timeout = 60_000): Promise<void> {
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout });
  await waitForWorkbench(page, timeout);
}

export async function waitForWorkbench(page: Page, timeout = 60_000): Promise<void> {
  await page.locator('.monaco-workbench .part.activitybar').waitFor({ timeout });
  await page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout });
  // Status bar entries are added once the workbench has restored its parts and contributions.
  await page
    .locator('.part.statusbar .statusbar-item')
    .first()
    .waitFor({ state: 'attached', timeout });
}

/**
 * Developer: Reload Window, then waits for the workbench again. It shuts the workbench down
 * properly (its state saved), as a user's reload does.
 */
export async function reloadWindow(page: Page, timeout = 60_000): Promise<void> {
  const reloaded = page.waitForEvent('framenavigated', {
    predicate: (navigated) => navigated === page.mainFrame(),
    timeout,
  });
  await runCommand(page, 'Developer: Reload Window');
  await reloaded;
  await waitForWorkbench(page, timeout);
}

/**
 * Runs a command from the palette by its full title as the palette shows it, e.g.
 * `Upkeep: Run Daily Checks`. Right after the workbench opens, extensions may not be scanned
 * yet and the palette does not refresh an open list, so it is reopened until the command
 * shows up or the timeout passes.
 */
export async function runCommand(
  page: Page,
  title: string,
  timeout = DEFAULT_TIMEOUT,
): Promise<void> {
  const deadline = Date.now() + timeout;
  const row = quickInputRow(page, title);
  for (;;) {
    const input = await openQuickInput(page);
    // The input found may be a quick pick of the previous command that is closing (seen in CI:
    // inert, then hidden): fill fails, and the palette is opened again.
    const filled = await input
      .fill(`>${title}`, { timeout: 5_000 })
      .then(() => true)
      .catch(() => false);
    if (!filled) {
      if (Date.now() >= deadline) throw new Error(`the palette did not take "${title}"`);
      await page.keyboard.press('Escape');
      continue;
    }
    const remaining = Math.max(deadline - Date.now(), 1);
    const found = await row
      .waitFor({ timeout: Math.min(remaining, 3_000) })
      .then(() => true)
      .catch(() => false);
    // Something taking the focus the moment the row shows (an editor opening, a notification)
    // closes the palette under the click (CI): the click never lands, and it is opened again.
    const clicked =
      found &&
      (await row
        .click({ timeout: 5_000 })
        .then(() => true)
        .catch(() => false));
    if (clicked) break;
    if (found) {
      if (Date.now() >= deadline) throw new Error(`the palette closed before "${title}" ran`);
      continue;
    }
    const shown = await quickInputLabels(page);
    await page.keyboard.press('Escape');
    // Reopening while the palette is still closing would type into a vanishing input.
    await input.waitFor({ state: 'hidden' });
    if (Date.now() >= deadline) {
      throw new Error(`no command "${title}" in the palette; it shows: ${shown.join(' | ')}`);
    }
  }

  // Done when the palette closes, or when the command replaced it with a quick pick of its own.
  await page.waitForFunction((typed) => {
    const box = document.querySelector<HTMLInputElement>(
      '.quick-input-widget .quick-input-box input',
    );
    return !box || box.offsetParent === null || box.value !== typed;
  }, `>${title}`);
}

/** Picks an entry of a quick pick that is already open (one a command showed), by its label. */
export async function pickQuickInput(page: Page, label: string): Promise<void> {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor();
  await input.fill(label);
  const row = quickInputRow(page, label);
  await row.click();
}

/**
 * Runs a command that shows a quick pick first, and picks `label` in it, or each of `labels` in
 * the picks it shows one after the other: for a command whose run, cancelled at any of these
 * picks, did nothing. Something taking the focus as a pick shows (seen in CI: a dashboard still
 * loading, a tree refreshing after a change) closes it at once, inert, then hidden, before or
 * under the fill or the click: then the command runs again from its first pick, with a logged
 * line, up to three runs. A pick that stays open without the row is not run again: it fails
 * with the rows it lists. `timeout` is runCommand's, for a palette that waits on activation.
 */
export async function runCommandAndPick(
  page: Page,
  title: string,
  labels: string | readonly string[],
  timeout = DEFAULT_TIMEOUT,
): Promise<void> {
  const steps = typeof labels === 'string' ? [labels] : labels;
  const input = page.locator('.quick-input-widget .quick-input-box input');
  for (let attempt = 1; ; attempt++) {
    const last = attempt === 3;
    await runCommand(page, title, timeout);
    let closedAt = '';
    for (const label of steps) {
      // A pick the command builds from files or the database may take seconds to show: an
      // earlier run waits 10 s for it (another run costs nothing), the last one 20 s.
      const filled = await input
        .fill(label, { timeout: last ? 20_000 : 10_000 })
        .then(() => true)
        .catch(() => false);
      const outcome = filled
        ? await clickPickRow(page, input, quickInputRow(page, label))
        : 'closed';
      if (outcome === 'clicked') continue;
      if (outcome === 'missing') {
        // Open all along, without the row: the product's doing, not the editor's.
        await input.fill('');
        const offered = await quickInputLabels(page);
        throw new Error(
          `the pick of "${title}" has no row "${label}" to click; it lists: ${offered.join(' | ')}`,
        );
      }
      closedAt = label;
      break;
    }
    if (!closedAt) return;
    if (last) {
      throw new Error(
        `"${title}" showed no pick, or it closed before "${closedAt}" was picked, 3 times`,
      );
    }
    console.log(
      `    (no pick of "${title}" took "${closedAt}": it closed, or never showed; again)`,
    );
    await page.keyboard.press('Escape');
  }
}

/**
 * Clicks `row` of the open quick pick once it shows: `closed` when the pick closed first,
 * `missing` when it stays open for the default timeout without a row that takes the click.
 */
async function clickPickRow(
  page: Page,
  input: Locator,
  row: Locator,
): Promise<'clicked' | 'closed' | 'missing'> {
  const deadline = Date.now() + DEFAULT_TIMEOUT;
  while (Date.now() < deadline) {
    // A row the filter re-renders is found again by the locator; a click under a closing pick
    // fails, and the next round sees the pick gone.
    const clicked =
      (await row.isVisible()) &&
      (await row
        .click({ timeout: 5_000 })
        .then(() => true)
        .catch(() => false));
    if (clicked) return 'clicked';
    if (!(await input.isVisible())) return 'closed';
    await page.waitForTimeout(100);
  }
  return 'missing';
}

/**
 * Presses Enter in the open quick input once its row labelled `label` is the focused one. Enter
 * takes the focused row, and a row can show before the filter (or the extension's new items)
 * moved the focus to it: seen in CI, Enter then took another row or none.
 */
export async function acceptQuickInputRow(page: Page, label: string): Promise<void> {
  await quickInputRow(page, label, { focused: true }).waitFor();
  await page.locator('.quick-input-widget .quick-input-box input').press('Enter');
}

/** The labels the open quick input lists, for assertions and error messages. */
export async function quickInputLabels(page: Page): Promise<string[]> {
  const labels = page.locator('.quick-input-widget .monaco-list-row .label-name');
  return (await labels.allTextContents()).map((text) => text.trim());
}

/**
 * Shows a view container (e.g. `Upkeep`) by clicking its activity bar entry. Clicking an
 * entry that is already open would close the side bar, so an open one is left as it is.
 */
export async function openViewContainer(page: Page, title: string): Promise<void> {
  // The entry's link is labelled "Title" or "Title (keybinding)"; a bare prefix would take
  // "Upkeep Smoke" for "Upkeep".
  const name = cssString(title);
  // With a badge the label reads "Title - 3 tasks due".
  const link = page.locator(
    `a.action-label[aria-label="${name}"], a[aria-label^="${name} ("], a[aria-label^="${name} - "]`,
  );
  const tab = page.locator('.part.activitybar li.action-item[role="tab"]').filter({ has: link });
  await tab.first().waitFor();
  if ((await tab.first().getAttribute('aria-selected')) !== 'true') {
    await tab.first().click();
  }
  await page.locator('.part.sidebar').waitFor();
}

/**
 * The pane of a view in the side bar or panel, by the view's name (`Checklist`, not the
 * container's). Its header is hidden when it is the only view of its container, but it is
 * still in the DOM, so this works either way.
 */
export function viewPane(page: Page, viewTitle: string): Locator {
  const title = page.locator('.pane-header h3.title', { hasText: exactText(viewTitle) });
  return page.locator('.pane').filter({ has: title }).first();
}

/** Expands a view that is collapsed (its header says `aria-expanded="false"`). */
export async function expandView(page: Page, viewTitle: string): Promise<Locator> {
  const pane = viewPane(page, viewTitle);
  await pane.waitFor();
  const header = pane.locator('.pane-header').first();
  if ((await header.getAttribute('aria-expanded')) === 'false') {
    await header.click();
  }
  return pane;
}

/**
 * A row of a tree view by its label (exact, case-sensitive). Trees render only the rows in
 * sight: a row scrolled out of view is not found, so keep the view tall or the tree short.
 */
export function treeItem(page: Page, viewTitle: string, label: string): Locator {
  return viewPane(page, viewTitle)
    .locator('.monaco-list-row[role="treeitem"]')
    .filter({ has: page.locator('.label-name', { hasText: exactText(label) }) })
    .first();
}

/**
 * Waits for a row under `parent`, the last top-level row of a tree, whose children may fill in
 * late (the extension loads them after the tree first shows). Trees render only the rows in
 * sight, so until the row shows this keeps `parent` expanded (a click that landed elsewhere
 * while the workbench was still laying out is made up for) and presses End, which scrolls the
 * tree to its bottom.
 */
export async function waitForLastRows(
  page: Page,
  viewTitle: string,
  parent: string,
  label: string,
  timeout = 30_000,
): Promise<Locator> {
  const row = treeItem(page, viewTitle, label);
  const parentRow = treeItem(page, viewTitle, parent);
  const list = viewPane(page, viewTitle).locator('.monaco-list').first();
  const deadline = Date.now() + timeout;
  while (!(await row.isVisible())) {
    if (Date.now() > deadline) {
      const rows = await viewPane(page, viewTitle)
        .locator('.monaco-list-row[role="treeitem"]')
        .evaluateAll((found) =>
          found.map(
            (row) => `${row.getAttribute('aria-label')} (${row.getAttribute('aria-expanded')})`,
          ),
        );
      throw new Error(
        `No row "${label}" under "${parent}" in the ${viewTitle} tree after ${timeout} ms; ` +
          `the rows in sight: ${rows.join(' | ')}`,
      );
    }
    if (
      (await parentRow.isVisible()) &&
      (await parentRow.getAttribute('aria-expanded')) === 'false'
    ) {
      // A click toggles the row; the next round reads the state again before clicking more.
      await parentRow.click();
    } else {
      await list.focus();
      await page.keyboard.press('End');
    }
    await page.waitForTimeout(250);
  }
  return row;
}

/**
 * Opens a tree row (a leaf is left as it is). A refresh of the tree (a check run or a state
 * change it shows) can swallow the click, or close the row again: it is clicked until it stays
 * open (once, in a fresh-clone CI run, it never opened).
 */
export async function expandTreeItem(row: Locator): Promise<void> {
  await row.waitFor();
  if ((await row.getAttribute('aria-expanded')) === null) return;
  let clicks = 0;
  await actUntilShown(
    async () => {
      await row.waitFor();
      if ((await row.getAttribute('aria-expanded')) !== 'false') return;
      if (clicks++ > 0) {
        console.log(`    (the tree row "${await row.getAttribute('aria-label')}" did not open)`);
      }
      await row.click();
    },
    row.locator('xpath=self::*[@aria-expanded="true"]'),
    { attempts: 5, eachMs: 5_000 },
  );
}

/** All rows a tree view renders now, top to bottom. */
export async function treeItems(page: Page, viewTitle: string): Promise<TreeItemInfo[]> {
  const rows = viewPane(page, viewTitle).locator('.monaco-list-row[role="treeitem"]');
  await rows.first().waitFor();
  const infos: TreeItemInfo[] = [];
  for (const row of await rows.all()) {
    infos.push(await readTreeItem(row));
  }
  return infos;
}

/** The label, description and state of one tree row (a locator from `treeItem`). */
export async function readTreeItem(row: Locator): Promise<TreeItemInfo> {
  await row.waitFor();
  const label = await row.locator('.label-name').first().textContent();
  const description = row.locator('.label-description');
  const expanded = await row.getAttribute('aria-expanded');
  return {
    label: (label ?? '').trim(),
    description:
      (await description.count()) > 0 ? ((await description.textContent()) ?? '').trim() : '',
    ariaLabel: (await row.getAttribute('aria-label')) ?? '',
    expanded: expanded === null ? undefined : expanded === 'true',
  };
}

/**
 * The document inside a webview panel or view. Each webview is an outer iframe (VS Code's
 * host page, `.../webview/browser/pre/index.html?id=…&extensionId=…`) holding an inner
 * `#active-frame` with the extension's HTML; the inner one is what a test reads. The outer
 * frames float over the workbench and hidden ones stay in the DOM, so this picks a visible one
 * and, when given, one whose document contains `contains` (a CSS selector).
 */
export async function webviewFrame(
  page: Page,
  options: { extensionId?: string; contains?: string; timeout?: number } = {},
): Promise<Frame> {
  const deadline = Date.now() + (options.timeout ?? DEFAULT_TIMEOUT);
  const extensionId = options.extensionId?.toLowerCase();
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      if (await isWantedWebview(frame, extensionId, options.contains)) {
        return frame;
      }
    }
    await page.waitForTimeout(250);
  }
  const seen = page.frames().map((frame) => `${frame.name() || '(unnamed)'} ${frame.url()}`);
  throw new Error(
    `no visible webview matched ${JSON.stringify(options)}; frames:\n${seen.join('\n')}`,
  );
}

/** Runs the command that opens a webview panel and returns the frame with its content. */
export async function openWebview(
  page: Page,
  commandTitle: string,
  options: { extensionId?: string; contains?: string; timeout?: number } = {},
): Promise<Frame> {
  await runCommand(page, commandTitle);
  return webviewFrame(page, options);
}

/** The text of an element inside a webview, e.g. `webviewText(frame, 'h1')`. */
export async function webviewText(frame: Frame, selector: string): Promise<string> {
  const element = frame.locator(selector).first();
  await element.waitFor();
  return ((await element.textContent()) ?? '').trim();
}

/** Shows the Problems panel and reads the problems it renders (the rows in sight). */
export async function readProblems(page: Page): Promise<Problem[]> {
  await runCommand(page, 'View: Focus Problems (Errors, Warnings, Infos)');
  const panel = page.locator('.markers-panel');
  await panel.waitFor();
  const problems: Problem[] = [];
  let file = '';
  for (const row of await panel.locator('.monaco-list-row').all()) {
    const icon = row.locator('.marker-icon');
    if ((await icon.count()) === 0) {
      file = ((await row.locator('.label-name').first().textContent()) ?? '').trim();
      continue;
    }
    const position = (await row.locator('.marker-line').first().textContent()) ?? '';
    const [, line, column] = /Ln (\d+), Col (\d+)/.exec(position) ?? [];
    problems.push({
      severity: severityFromClass((await icon.first().getAttribute('class')) ?? ''),
      message: ((await row.locator('.marker-message').first().textContent()) ?? '').trim(),
      file,
      line: Number(line ?? 0),
      column: Number(column ?? 0),
      ariaLabel: (await row.getAttribute('aria-label')) ?? '',
    });
  }
  return problems;
}

/**
 * Shows an output channel by name (e.g. `Upkeep`) and returns its whole text. The output view
 * is an editor that renders only the lines in sight, so the text is copied through the
 * clipboard (`launchBrowser` grants the permission).
 */
export async function readOutputChannel(page: Page, channel: string): Promise<string> {
  await runCommandAndPick(page, 'Output: Show Output Channels...', channel);
  const editor = page.locator('.part.panel .output-view .monaco-editor').first();
  await editor.waitFor();
  await editor.locator('.view-lines').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Control+C');
  return page.evaluate(() => navigator.clipboard.readText());
}

/** Waits for a notification toast whose message contains `text`, and returns its message. */
export async function waitForNotification(
  page: Page,
  text: string,
  timeout = DEFAULT_TIMEOUT,
): Promise<string> {
  const message = page
    .locator('.notifications-toasts .notification-list-item-message')
    .filter({ hasText: text })
    .first();
  await message.waitFor({ timeout });
  return ((await message.textContent()) ?? '').trim();
}

/**
 * Does `act` until `shown` appears, waiting `eachMs` after each try, at most `attempts` times
 * (the last wait is the default one): for an editor on a loaded machine, which now and then
 * drops a pointer move or a click that lands while a view re-renders.
 */
export async function actUntilShown(
  act: () => Promise<void>,
  shown: Locator,
  { attempts, eachMs }: { attempts: number; eachMs: number },
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await act();
    if (attempt === attempts) return shown.waitFor();
    const appeared = await shown
      .waitFor({ timeout: eachMs })
      .then(() => true)
      .catch(() => false);
    if (appeared) return;
  }
}

/**
 * Hovers a tree `row` until `hover` shows. On a loaded machine code-server sometimes drops the
 * pointer move that starts a hover (seen in CI), so the pointer leaves and comes back a few times.
 */
export async function showTreeHover(row: Locator, hover: Locator): Promise<void> {
  const page = row.page();
  await actUntilShown(
    async () => {
      await page.mouse.move(900, 900);
      await row.locator('.label-name').hover();
    },
    hover,
    { attempts: 4, eachMs: 8_000 },
  );
}

/**
 * After a failed test (`name` names its screenshot): the window as a PNG in the temporary
 * folder, and the Upkeep output channel printed, for a run nobody watched.
 */
export async function reportFailure(page: Page, name: string): Promise<void> {
  const shot = path.join(os.tmpdir(), `upkeep-e2e-${name}-failure.png`);
  await screenshot(page, shot).catch(() => undefined);
  console.log(`screenshot of the failure: ${shot}`);
  const output = await readOutputChannel(page, 'Upkeep').catch((error: Error) => error.message);
  console.log(`--- Upkeep output ---\n${output}\n---`);
}

/** Saves a PNG of the whole window, creating the folder if needed. */
export async function screenshot(page: Page, file: string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  // Toasts and panels fade in; a frozen animation would leave them half transparent.
  await page.screenshot({ path: file, animations: 'disabled' });
}

async function openQuickInput(page: Page): Promise<Locator> {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  const deadline = Date.now() + DEFAULT_TIMEOUT;
  while (!(await input.isVisible())) {
    // F1 is the palette in the browser too; Ctrl+Shift+P may be taken by a browser shortcut.
    await page.locator('.monaco-workbench').press('F1');
    // A press that lands while the last quick pick is still closing is lost (seen in a full
    // run: the input stayed hidden for 30 s), so it is pressed again.
    const shown = await input
      .waitFor({ timeout: 5_000 })
      .then(() => true)
      .catch(() => false);
    if (shown) break;
    if (Date.now() >= deadline) throw new Error('the command palette did not open');
    await page.keyboard.press('Escape');
  }
  return input;
}

function quickInputRow(page: Page, label: string, { focused = false } = {}): Locator {
  return page
    .locator(`.quick-input-widget .monaco-list-row${focused ? '.focused' : ''}`)
    .filter({ has: page.locator('.label-name', { hasText: exactText(label) }) })
    .first();
}

async function isWantedWebview(
  frame: Frame,
  extensionId: string | undefined,
  contains: string | undefined,
): Promise<boolean> {
  const host = frame.parentFrame();
  if (!host || !host.url().includes('/webview/browser/pre/index.html')) {
    return false;
  }
  if (extensionId && !host.url().toLowerCase().includes(`extensionid=${extensionId}`)) {
    return false;
  }
  try {
    // The content is written into a frame created as `pending-frame` and renamed when shown;
    // Playwright keeps the name a frame had when attached, so ask the element for its id.
    const element = await frame.frameElement();
    if ((await element.getAttribute('id')) !== 'active-frame') {
      return false;
    }
    if (!(await (await host.frameElement()).isVisible())) {
      return false;
    }
    return contains ? (await frame.locator(contains).count()) > 0 : true;
  } catch {
    // The frame went away while we looked (a webview reloading); the caller polls again.
    return false;
  }
}

function severityFromClass(className: string): Problem['severity'] {
  if (/\berror\b/.test(className)) {
    return 'error';
  }
  if (/\bwarning\b/.test(className)) {
    return 'warning';
  }
  return /\binfo\b/.test(className) ? 'info' : 'unknown';
}

/** A pattern matching exactly `text` after trimming, for Playwright's `hasText`. */
function exactText(text: string): RegExp {
  return new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
}

function cssString(text: string): string {
  return text.replace(/["\\]/g, '\\$&');
}

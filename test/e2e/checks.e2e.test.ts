/**
 * The check engine in a real editor (code-server) on the demo workspace: "Run Daily Checks" puts
 * a Brakeman finding into the Problems panel at its file and line (Brakeman added to a daily task
 * by the repo playbook, `bundle` a fake on PATH that prints a real Brakeman report); in an
 * untrusted workspace the same run starts none of the repo's commands; a run of `upkeep check
 * --save` in a terminal shows in the tree as from the command line (and a saved file is not read
 * before trust); Cancel Running Checks leaves a check's last real result in the tree; trusting
 * the folder offers to run the checks that waited for it; Run Task's Checks… names each task's
 * tier as the tree does; and the recovery drill asks first, showing target and dump, then
 * restores a real pg_dump into a scratch database.
 */
import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, promises as fs, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import {
  openViewContainer,
  readProblems,
  readTreeItem,
  runCommand,
  runCommandAndPick,
  screenshot,
  treeItem,
  waitForNotification,
} from './support/editor';
import { readLogChannel, startDemoEditor, type DemoEditor } from './support/demoEditor';
import { Client } from 'pg';
import { createDatabase, debianServer } from '../support/postgres';

const ROOT = path.join(__dirname, '../..');
const ARTEFACTS = path.join(ROOT, 'test-results');
const BRAKEMAN_REPORT = path.join(ROOT, 'test/fixtures/tools/brakeman_two_findings.json');

/**
 * The tree row of a check under the Security monitoring task (expanded if need be), once its
 * description and screen-reader label match `wanted`; fails with the last read after 45 s.
 */
async function securityCheckRow(page: Page, title: string, wanted: RegExp): Promise<string> {
  await openViewContainer(page, 'Upkeep');
  const task = treeItem(page, 'Maintenance', 'Security monitoring');
  let read = '';
  for (let attempt = 0; attempt < 45; attempt++) {
    if ((await task.isVisible()) && (await task.getAttribute('aria-expanded')) === 'false') {
      await task.click();
    }
    const row = treeItem(page, 'Maintenance', title);
    if (await row.isVisible()) {
      const info = await readTreeItem(row);
      read = `${info.description} | ${info.ariaLabel}`;
      if (wanted.test(read)) return read;
    }
    await page.waitForTimeout(1000);
  }
  assert.fail(`the "${title}" row never read ${wanted}; last: "${read}"`);
}

/** Waits up to `seconds` for `file` to exist; fails saying what it waited for. */
async function waitForFile(file: string, what: string, seconds = 60): Promise<void> {
  for (let attempt = 0; attempt < seconds; attempt++) {
    if (existsSync(file)) return;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  assert.fail(`${what} never happened (no ${file})`);
}

/** A result of `custom.marker` as `upkeep check --save` keeps it, from five minutes ago. */
async function writeSavedResult(folder: string, summary: string): Promise<void> {
  const result = {
    checkId: 'custom.marker',
    title: 'Leaves a marker',
    outcome: 'fail',
    summary,
    startedAt: new Date(Date.now() - 300_000).toISOString(),
    durationMs: 40,
  };
  await fs.writeFile(
    path.join(folder, '.upkeep/results.json'),
    JSON.stringify({ version: 1, results: { 'custom.marker': [result] } }),
  );
}

/** Adds Brakeman to the daily security task and a custom check that would leave a marker. */
async function prepareWorkspace(folder: string, marker: string): Promise<void> {
  await fs.mkdir(path.join(folder, '.upkeep'), { recursive: true });
  await fs.writeFile(
    path.join(folder, '.upkeep/playbook.yaml'),
    `version: 1
checks:
  - id: custom.marker
    title: Leaves a marker
    kind: shell
    command: touch '${marker}'
    expect: {}
tasks:
  - id: daily.security
    addChecks: [tools.brakeman, custom.marker]
`,
  );
  const lock = path.join(folder, 'Gemfile.lock');
  const text = await fs.readFile(lock, 'utf8');
  await fs.writeFile(lock, text.replace(/^ {2}specs:\n/m, '  specs:\n    brakeman (6.1.2)\n'));
  const view = Array.from({ length: 30 }, (_, index) => `<p>line ${index + 1}</p>`).join('\n');
  await fs.mkdir(path.join(folder, 'app/views/users'), { recursive: true });
  await fs.writeFile(path.join(folder, 'app/views/users/show.html.erb'), `${view}\n`);
}

describe('checks in a real editor', function () {
  this.timeout(600_000);
  let temp: string;
  let marker: string;
  /** While it exists, the fake `bundle` says it started, then hangs until killed. */
  let slow: string;
  let started: string;
  let savedPath: string | undefined;

  before(async () => {
    assert.ok(existsSync(path.join(ROOT, 'dist/extension.js')), 'build first: npm run build');
    temp = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-e2e-checks-'));
    marker = path.join(temp, 'repo-command-ran');
    slow = path.join(temp, 'slow');
    started = path.join(temp, 'bundle-started');
    // A fake `bundle` on the editor's PATH: it prints the real report and marks that it ran.
    const bin = path.join(temp, 'bin');
    await fs.mkdir(bin);
    await fs.writeFile(
      path.join(bin, 'bundle'),
      `#!/bin/sh\ntouch '${marker}'\n` +
        `if [ -e '${slow}' ]; then touch '${started}'; sleep 300; fi\n` +
        `cat '${BRAKEMAN_REPORT}'\nexit 3\n`,
      { mode: 0o755 },
    );
    savedPath = process.env.PATH;
    process.env.PATH = `${bin}:${savedPath ?? ''}`;
    // The editor's server otherwise replaces PATH with a login shell's, dropping the fake;
    // VSCODE_CLI=1 tells it the environment already is the user's (see resolveShellEnv).
    process.env.VSCODE_CLI = '1';
  });

  after(async () => {
    process.env.PATH = savedPath;
    delete process.env.VSCODE_CLI;
    await fs.rm(temp, { recursive: true, force: true });
  });

  describe('trusted', () => {
    let demo: DemoEditor;
    before(async () => {
      demo = await startDemoEditor({ prepare: (folder) => prepareWorkspace(folder, marker) });
    });
    after(async () => {
      await demo?.stop();
    });

    it('puts the Brakeman finding into the Problems panel at its line', async () => {
      const { page } = demo;
      await runCommand(page, 'Upkeep: Run Daily Checks');
      for (let attempt = 0; attempt < 90; attempt++) {
        if (/tools\.brakeman: \w+ in/.test(await readLogChannel(demo.userDataDir, 'Upkeep'))) break;
        await page.waitForTimeout(2000);
      }
      // The log checks add many findings; the panel renders only the rows in sight, so filter it.
      await readProblems(page);
      const filter = page
        .locator('.markers-panel-action-filter input, .viewpane-filter input')
        .first();
      await filter.fill('Dynamic Render Path');
      let problems: Awaited<ReturnType<typeof readProblems>> = [];
      for (let attempt = 0; attempt < 15; attempt++) {
        problems = await readProblems(page);
        if (problems.some((p) => /Dynamic Render Path/.test(p.message))) break;
        await page.waitForTimeout(1000);
      }
      const finding = problems.find(
        (p) => p.file === 'show.html.erb' && /Dynamic Render Path/.test(p.message),
      );
      const log = await readLogChannel(demo.userDataDir, 'Upkeep');
      assert.ok(
        finding,
        `${JSON.stringify(problems, null, 1)}\n${log
          .split('\n')
          .filter((l) => /brakeman|checks\]/.test(l))
          .join('\n')}`,
      );
      assert.equal(finding.line, 19);
      assert.equal(finding.severity, 'warning');
      // The source column says "Upkeep" once, then who found it: no "upkeep upkeep logs".
      const row = page
        .locator('.markers-panel .monaco-list-row', { hasText: 'Dynamic Render Path' })
        .first();
      const rowText = (await row.textContent()) ?? '';
      assert.match(rowText, /Upkeep: brakeman/, rowText);
      assert.doesNotMatch(rowText, /upkeep upkeep/i, rowText);
      await fs.mkdir(ARTEFACTS, { recursive: true });
      await screenshot(page, path.join(ARTEFACTS, 'checks-problems.png'));

      // A task whose checks fail says so on its own row, so a collapsed tree shows it.
      await openViewContainer(page, 'Upkeep');
      const task = treeItem(page, 'Maintenance', 'Log monitoring');
      await task
        .locator('.label-description', { hasText: /· \d+ checks? failing$/ })
        .waitFor({ timeout: 30_000 });
      assert.match((await readTreeItem(task)).description, /^due today · \d+ checks? failing$/);
      await screenshot(page, path.join(ARTEFACTS, 'tree-failing-checks.png'));

      await fs.stat(marker);
      const output = await readLogChannel(demo.userDataDir, 'Upkeep');
      assert.match(output, /tools\.brakeman: warn in \d+ ms — 2 security warnings/);
      assert.doesNotMatch(output, new RegExp(demo.database.password));
    });

    it('shows what upkeep check --save wrote meanwhile, as from the command line', async () => {
      const { page } = demo;
      const folder = demo.workspace.folder;
      // A hand-broken file first: a warning, and the editor's own results stay.
      writeFileSync(path.join(folder, '.upkeep/results.json'), '{"version":1,"res');
      let output = '';
      for (let attempt = 0; attempt < 30; attempt++) {
        output = await readLogChannel(demo.userDataDir, 'Upkeep');
        if (/results\.json is not JSON/.test(output)) break;
        await page.waitForTimeout(1000);
      }
      assert.match(
        output,
        /\[checks\] \.upkeep\/results\.json is not JSON; the editor shows its own results only/,
      );

      // The real CLI, as a maintainer runs it in a terminal of the same repo.
      const run = spawnSync(
        process.execPath,
        [path.join(ROOT, 'bin/upkeep.js'), 'check', '--check', 'custom.marker', '--save'],
        { cwd: folder, encoding: 'utf8' },
      );
      assert.equal(run.status, 0, run.stderr);
      const saved = JSON.parse(await fs.readFile(path.join(folder, '.upkeep/results.json'), 'utf8'))
        .results['custom.marker'] as Array<{ summary: string }>;
      assert.equal(saved.length, 1, 'the broken file was set aside by the CLI, not merged');

      const label = await securityCheckRow(page, 'Leaves a marker', /from the command line/);
      assert.match(
        label,
        new RegExp(
          String.raw`^check · pass · (just now|\d+ min ago) \| Check Leaves a marker: pass, ` +
            String.raw`[^,]+, from the command line\. `,
        ),
      );
      output = await readLogChannel(demo.userDataDir, 'Upkeep');
      assert.match(output, /\.upkeep\/results\.json: \d+ results? of \d+ checks? saved by the/);
      await screenshot(page, path.join(ARTEFACTS, 'tree-saved-result.png'));

      // The editor never wrote the file: still exactly what the CLI left.
      const after = JSON.parse(
        await fs.readFile(path.join(folder, '.upkeep/results.json'), 'utf8'),
      );
      assert.deepEqual(after.results['custom.marker'], saved);
    });

    it("keeps a check's last real result when Cancel Running Checks stops it", async () => {
      const { page } = demo;
      const title = 'Brakeman security scan';
      // The first run's warn, with its figures: what a cancelled run must not replace.
      const warned = new RegExp(
        String.raw`^check · warn · [^|]+\| Check ${title}: warn, [^.]+\. 2 security warnings`,
      );
      await securityCheckRow(page, title, warned);

      await fs.writeFile(slow, '');
      try {
        await runCommandAndPick(page, 'Upkeep: Run Check…', title);
        await waitForFile(started, 'Brakeman starting');
        await runCommand(page, 'Upkeep: Cancel Running Checks');
        const message = await waitForNotification(page, `${title}: skipped`, 30_000);
        assert.equal(message, `Upkeep: ${title}: skipped — cancelled.`);
      } finally {
        await fs.rm(slow, { force: true });
      }
      // A result kept would redraw the row within a second; give it longer than that.
      await page.waitForTimeout(3000);
      await securityCheckRow(page, title, warned);
      const output = await readLogChannel(demo.userDataDir, 'Upkeep');
      assert.match(output, /checks cancelled by the user/);
      assert.match(output, /tools\.brakeman: skipped in \d+ ms — cancelled/);
    });

    it("names each task's tier and counts its checks in Run Task's Checks…", async () => {
      const { page } = demo;
      // The pick read "onDemand · 1 checks": the tier's id where the tree says On demand.
      const input = page.locator('.quick-input-widget .quick-input-box input');
      /** The placeholder of the pick a command opened, once the palette's is gone. */
      const pickPlaceholder = async (): Promise<string | null> => {
        await page.waitForFunction(() => {
          const box = document.querySelector<HTMLInputElement>(
            '.quick-input-widget .quick-input-box input',
          );
          return box && !box.value && box.placeholder !== 'Type the name of a command to run.';
        });
        return input.getAttribute('placeholder');
      };
      await runCommand(page, "Upkeep: Run Task's Checks…");
      assert.equal(await pickPlaceholder(), "Run which task's checks?");
      await input.fill('workflow');
      const rows = page.locator('.quick-input-widget .monaco-list-row');
      // Read once the filter took: the first row shown may still be one of the whole list's.
      await rows.filter({ hasText: 'workflow' }).first().waitFor();
      const labels = await rows.evaluateAll((found) =>
        found.map((row) => row.getAttribute('aria-label')),
      );
      await page.keyboard.press('Escape');
      assert.ok(labels.includes('Bug-fix workflow, On demand · 1 check'), labels.join(' | '));

      await runCommand(page, 'Upkeep: Run Check…');
      assert.equal(await pickPlaceholder(), 'Run which check?');
      await page.keyboard.press('Escape');
    });
  });

  describe('untrusted', () => {
    let demo: DemoEditor;
    before(async () => {
      await fs.rm(marker, { force: true });
      demo = await startDemoEditor({
        workspaceTrust: true,
        prepare: async (folder) => {
          await prepareWorkspace(folder, marker);
          // Committed to the repo: it must not show (it could hide a failure or fake a drill).
          await writeSavedResult(folder, 'committed by someone else');
        },
      });
    });
    after(async () => {
      await demo?.stop();
    });

    it('runs none of the repo commands and says the checks wait for trust', async () => {
      const { page } = demo;
      const label = await securityCheckRow(
        page,
        'Leaves a marker',
        /^check · not run yet \| Check Leaves a marker: not run yet$/,
      );
      assert.doesNotMatch(label, /committed by someone else|from the command line/);
      assert.match(
        await readLogChannel(demo.userDataDir, 'Upkeep'),
        /\.upkeep\/results\.json is not read until you trust this folder/,
      );
      await runCommand(page, 'Upkeep: Run Daily Checks');
      let output = '';
      for (let attempt = 0; attempt < 60; attempt++) {
        output = await readLogChannel(demo.userDataDir, 'Upkeep');
        if (/custom\.marker: skipped/.test(output) && /tools\.brakeman: skipped/.test(output)) {
          break;
        }
        await page.waitForTimeout(2000);
      }
      assert.match(output, /tools\.brakeman: skipped in \d+ ms — waits for workspace trust/);
      assert.match(output, /custom\.marker: skipped in \d+ ms — waits for workspace trust/);
      await assert.rejects(fs.stat(marker), 'no repo command ran');
    });

    it('offers to run the checks that waited, once the folder is trusted', async () => {
      const { page } = demo;
      await runCommand(page, 'Workspaces: Manage Workspace Trust');
      await page.getByText('You are in Restricted Mode').first().waitFor();
      await page
        .locator('.workspace-trust-editor .monaco-button', { hasText: /^Trust$/ })
        .first()
        .click();
      const message = await waitForNotification(page, 'waited for workspace trust', 60_000).catch(
        async (error: Error) => {
          const log = await readLogChannel(demo.userDataDir, 'Upkeep');
          const said = log.split('\n').filter((line) => /workspace trusted/.test(line));
          throw new Error(`${error.message}\nthe log says: ${said.join(' | ') || 'nothing'}`);
        },
      );
      // At least Brakeman and the custom check: both ran nothing, and said so by their result.
      const waiting = Number(
        /^Upkeep: (\d+) checks waited for workspace trust\.$/.exec(message)?.[1],
      );
      assert.ok(waiting >= 2, message);
      await page
        .locator('.notifications-toasts .notification-list-item', { hasText: message })
        .locator('.monaco-button', { hasText: 'Run Them' })
        .first()
        .click();
      await waitForFile(marker, 'the custom check running after trust');
    });
  });

  describe('recovery drill', () => {
    let demo: DemoEditor;
    let targetAdmin: string;
    let savedPassword: string | undefined;

    before(async () => {
      // The dump comes from Debian's PostgreSQL 15 (its pg_dump cannot read the embedded 17);
      // the drill target is that same Debian server, not the monitored embedded one.
      const debian = await debianServer();
      const source = await createDatabase(debian, 'drill_source');
      const client = new Client({ connectionString: source });
      await client.connect();
      await client.query(
        'CREATE TABLE invoices (id serial PRIMARY KEY, total int); ' +
          'INSERT INTO invoices (total) SELECT g FROM generate_series(1, 321) g',
      );
      await client.end();
      targetAdmin = debian.url('postgres');
      const target = new URL(targetAdmin);
      savedPassword = process.env.PGPASSWORD;
      process.env.PGPASSWORD = decodeURIComponent(target.password);

      demo = await startDemoEditor({
        prepare: async (folder) => {
          await fs.mkdir(path.join(folder, 'backups'), { recursive: true });
          const url = new URL(source);
          execFileSync('/usr/bin/pg_dump', [
            '-Fc',
            '-h',
            url.hostname,
            '-p',
            url.port,
            '-U',
            url.username,
            '-f',
            path.join(folder, 'backups/nightly.dump'),
            url.pathname.slice(1),
          ]);
          await fs.mkdir(path.join(folder, '.vscode'), { recursive: true });
          const drillTargetUrl = `postgres://${target.username}@127.0.0.1:${target.port}/postgres`;
          await fs.writeFile(
            path.join(folder, '.vscode/settings.json'),
            JSON.stringify({
              'upkeep.backups.pattern': 'backups/*.dump',
              'upkeep.backups.drillTargetUrl': drillTargetUrl,
            }),
          );
        },
      });
    });

    after(async () => {
      await demo?.stop();
      if (savedPassword === undefined) delete process.env.PGPASSWORD;
      else process.env.PGPASSWORD = savedPassword;
    });

    it(
      'asks with the target and the dump, restores, compares ' + 'and drops the scratch database',
      async () => {
        const { page } = demo;
        await runCommand(page, 'Upkeep: Run Backup Recovery Drill…');
        const dialog = page.locator('.monaco-dialog-box');
        await dialog.waitFor({ timeout: 60_000 });
        const text = (await dialog.textContent()) ?? '';
        assert.match(text, /Run the backup recovery drill\?/);
        // Named from the workspace folder, as `upkeep drill` names it.
        assert.match(text, /Dump: backups\/nightly\.dump/);
        assert.match(
          text,
          new RegExp(`Target: postgres@127\\.0\\.0\\.1:${new URL(targetAdmin).port}/postgres`),
        );
        assert.doesNotMatch(text, /monitored database server/);
        // The statements it runs there, with the scratch database's own name.
        const scratch = /CREATE DATABASE "(upkeep_drill_\d{14}_\d+)";/.exec(text)?.[1];
        assert.ok(scratch, text);
        assert.match(text, new RegExp(`-d ${scratch} .*backups/nightly\\.dump`));
        assert.match(text, new RegExp(`DROP DATABASE IF EXISTS "${scratch}" WITH \\(FORCE\\);`));
        await fs.mkdir(ARTEFACTS, { recursive: true });
        await screenshot(page, path.join(ARTEFACTS, 'checks-drill-confirmation.png'));
        await dialog.locator('.monaco-button', { hasText: 'Run Drill' }).first().click();

        let output = '';
        for (let attempt = 0; attempt < 60; attempt++) {
          output = await readLogChannel(demo.userDataDir, 'Upkeep');
          if (/recovery drill: (ok|failed)/.test(output)) break;
          await page.waitForTimeout(2000);
        }
        assert.match(output, /recovery drill: ok, restore \d+ ms, 1 table\b/);
        assert.match(output, new RegExp(`into ${scratch} on 127\\.0\\.0\\.1:`));
        assert.doesNotMatch(output, new RegExp(process.env.PGPASSWORD ?? 'no-password'));

        const client = new Client({ connectionString: targetAdmin });
        await client.connect();
        const left = await client.query(
          "SELECT datname FROM pg_database WHERE datname LIKE 'upkeep_drill_%'",
        );
        await client.end();
        assert.deepEqual(left.rows, [], 'the scratch database is dropped');

        // A later run reports the recorded drill instead of running one.
        await runCommand(page, 'Upkeep: Run Annual Checks');
        for (let attempt = 0; attempt < 60; attempt++) {
          output = await readLogChannel(demo.userDataDir, 'Upkeep');
          if (/backups\.recoveryDrill: \w+ in/.test(output)) break;
          await page.waitForTimeout(2000);
        }
        assert.match(
          output,
          /backups\.recoveryDrill: pass in \d+ ms — last drill today: recovery took [\d.]+ s/,
        );
      },
    );
  });
});

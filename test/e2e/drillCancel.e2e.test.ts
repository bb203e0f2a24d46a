/**
 * A recovery drill cancelled in a real editor (code-server): Cancel on its progress notification,
 * while pg_restore restores a real pg_dump into the scratch database, stops it, says so in an
 * information message (no error, nothing recorded) and drops the scratch database.
 *
 * The dump and the drill target are Debian's PostgreSQL 15; no monitored database is set, so the
 * drill reaches no other server. A `pg_restore` first on the editor's PATH waits before the
 * restore (after a marker file says it started), so that Cancel lands while it runs.
 */
import { strict as assert } from 'node:assert';
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { admin, createDatabase, debianServer, pgDump } from '../support/postgres';
import { reportFailure, runCommand, waitForNotification } from './support/editor';
import { startFolderEditor, type FolderEditor } from './support/folderEditor';

const PG_RESTORE = '/usr/lib/postgresql/15/bin/pg_restore';

describe('a recovery drill cancelled in a real editor', function () {
  let editor: FolderEditor;
  let page: Page;
  let bin: string;
  let marker: string;
  let targetAdmin: string;
  const saved = {
    PATH: process.env.PATH,
    PGPASSWORD: process.env.PGPASSWORD,
    VSCODE_CLI: process.env.VSCODE_CLI,
  };

  before(async function () {
    this.timeout(180_000);
    const debian = await debianServer();
    const source = await createDatabase(debian, 'drill_cancel_e2e');
    await admin(
      source,
      'CREATE TABLE invoices (id serial PRIMARY KEY, total int); ' +
        'INSERT INTO invoices (total) SELECT g FROM generate_series(1, 321) g',
    );
    targetAdmin = debian.url('postgres');
    const target = new URL(targetAdmin);

    // The restore into the scratch database waits until it is stopped; the rest runs as is.
    bin = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-e2e-drill-bin-'));
    marker = path.join(bin, 'restoring');
    await fs.writeFile(
      path.join(bin, 'pg_restore'),
      [
        '#!/bin/sh',
        'case " $* " in',
        `  *" -d "*) touch "${marker}"; sleep 120 & pid=$!;`,
        "    trap 'kill $pid; exit 143' TERM INT; wait $pid ;;",
        'esac',
        `exec ${PG_RESTORE} "$@"`,
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    // code-server, and so the extension host, starts with this process's environment; without
    // VSCODE_CLI=1 its server takes a login shell's PATH instead, without the waiting pg_restore.
    process.env.PATH = `${bin}${path.delimiter}${saved.PATH ?? ''}`;
    process.env.VSCODE_CLI = '1';
    process.env.PGPASSWORD = decodeURIComponent(target.password);

    const drillTarget = `postgres://${target.username}@127.0.0.1:${target.port}/postgres`;
    const settings = {
      'upkeep.backups.pattern': 'backups/*.dump',
      'upkeep.backups.drillTargetUrl': drillTarget,
    };
    editor = await startFolderEditor(
      {
        '.upkeep/playbook.yaml': 'version: 1\n',
        '.vscode/settings.json': JSON.stringify(settings),
      },
      { rails: false },
    );
    page = editor.page;
    await fs.mkdir(path.join(editor.folder, 'backups'));
    pgDump(source, path.join(editor.folder, 'backups/nightly.dump'));
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page) await reportFailure(page, 'drill-cancel');
  });

  after(async function () {
    await editor?.stop();
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    if (bin) await fs.rm(bin, { recursive: true, force: true });
  });

  it('stops the restore, says it was cancelled and drops the scratch database', async function () {
    this.timeout(120_000);
    await runCommand(page, 'Upkeep: Run Backup Recovery Drill…');
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 60_000 });
    const confirmation = (await dialog.textContent()) ?? '';
    const scratch = /CREATE DATABASE "(upkeep_drill_\d{14}_\d+)";/.exec(confirmation)?.[1];
    assert.ok(scratch, 'the confirmation names the scratch database');
    // And when the dump was written, and how long ago (this suite dumped it a moment ago),
    // before anything is created.
    assert.match(
      confirmation,
      /Written: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC, less than an hour ago/,
    );
    await dialog.locator('.monaco-button', { hasText: 'Run Drill' }).first().click();

    const deadline = Date.now() + 60_000;
    while (!existsSync(marker)) {
      assert.ok(Date.now() < deadline, 'pg_restore never started the restore');
      await page.waitForTimeout(200);
    }
    const scratchNow = await scratchDatabases();
    assert.deepEqual(scratchNow, [scratch], 'the restore runs into the scratch database');

    await page
      .locator('.notifications-toasts .notification-toast')
      .filter({ hasText: 'Upkeep: recovery drill' })
      .getByRole('button', { name: 'Cancel' })
      .click();
    const message = await waitForNotification(page, 'recovery drill cancelled', 60_000);
    assert.equal(message, 'Upkeep: recovery drill cancelled; nothing was recorded.');
    // An information message: the user stopped it; nothing failed.
    const toast = page
      .locator('.notifications-toasts .notification-toast')
      .filter({ hasText: 'recovery drill cancelled' });
    assert.equal(await toast.locator('.codicon-info').count(), 1, 'an information message');
    assert.equal(await toast.locator('.codicon-error').count(), 0, 'not an error');
    assert.deepEqual(await scratchDatabases(), [], 'the scratch database is dropped');
  });

  async function scratchDatabases(): Promise<string[]> {
    const rows = await admin<{ datname: string }>(
      targetAdmin,
      "SELECT datname FROM pg_database WHERE datname LIKE 'upkeep\\_drill\\_%' ORDER BY 1",
    );
    return rows.map((row) => row.datname);
  }
});

/**
 * backups.latest on a plain SQL dump holding a line longer than a JavaScript string can be: a
 * row's large bytea is one line of hex in pg_dump's COPY data. The dump is Debian's pg_dump 15
 * output of a real server, its one row of data widened to 600 MiB (a sparse file: no disk used).
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { backupsLatestCheck } from '../../../src/core/checks/backupChecks';
import { runChecks } from '../../../src/core/checks/runner';
import { resolveSettings } from '../../../src/core/settings';
import { fixedClock } from '../../../src/core/util/clock';
import { silentLogger } from '../../../src/core/util/logger';
import { admin, createDatabase, debianServer } from '../../support/postgres';

/** More than the longest string V8 makes (2^29 - 24 characters). */
const WIDE_ROW_BYTES = 600 * 1024 * 1024;

describe('a plain SQL dump with a row wider than a string', function () {
  this.timeout(120_000);
  let folder: string;

  before(async () => {
    folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-huge-plain-'));
    await fs.mkdir(path.join(folder, 'backups'));
    const url = await createDatabase(await debianServer(), 'hugeplain');
    await admin(
      url,
      `CREATE TABLE files (id int, data bytea);
       INSERT INTO files VALUES (1, '\\x00');
       CREATE TABLE notes (id int);`,
    );
    const parsed = new URL(url);
    const sql = execFileSync(
      '/usr/bin/pg_dump',
      ['-h', parsed.hostname, '-p', parsed.port, '-U', parsed.username, parsed.pathname.slice(1)],
      { env: { ...process.env, PGPASSWORD: decodeURIComponent(parsed.password) } },
    ).toString('utf8');
    // The row `1	\x00`: its hex grows to 600 MiB of zero bytes, the line's end after them.
    const row = sql.indexOf('1\t\\\\x00\n');
    assert.ok(row > 0, sql);
    const file = path.join(folder, 'backups', 'app.sql');
    const head = Buffer.from(sql.slice(0, row + '1\t\\\\x'.length));
    await fs.writeFile(file, head);
    await fs.truncate(file, head.length + WIDE_ROW_BYTES);
    await fs.appendFile(file, sql.slice(row + '1\t\\\\x'.length));
  });

  after(async () => {
    await fs.rm(folder, { recursive: true, force: true });
  });

  it('counts its tables instead of failing the run', async () => {
    const [result] = await runChecks([backupsLatestCheck], {
      workspace: folder,
      settings: resolveSettings({ backups: { pattern: 'backups/*.sql' } }),
      clock: fixedClock(new Date(Date.now() + 3_600_000)),
      log: silentLogger,
      trusted: true,
      env: { PATH: process.env.PATH },
    });
    assert.equal(result.outcome, 'warn', result.summary);
    assert.match(result.summary, /; plain SQL dump with 2 tables, which pg_restore cannot verify/);
    assert.equal(result.values?.tables, 2);
  });
});

/**
 * security.unconfirmedAccounts on the embedded PostgreSQL: the guidelines' email_confirmed_at
 * and Devise's confirmed_at, accounts unconfirmed for over a week, and tables without them.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { unconfirmedAccountsCheck } from '../../../src/core/checks/accountChecks';
import { closeSharedResources, checksForTask } from '../../../src/core/checks/registry';
import { runChecks } from '../../../src/core/checks/runner';
import type { CheckResult } from '../../../src/core/checks/types';
import { defaultPlaybook } from '../../../src/core/playbook/defaultPlaybook';
import { resolveSettings } from '../../../src/core/settings';
import { systemClock } from '../../../src/core/util/clock';
import { silentLogger } from '../../../src/core/util/logger';
import { admin, createDatabase, embeddedServer } from '../../support/postgres';

describe('security.unconfirmedAccounts', function () {
  this.timeout(60_000);
  let workspace: string;

  before(async () => {
    workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-accounts-'));
  });
  after(async () => {
    await fs.rm(workspace, { recursive: true, force: true });
  });

  const run = async (url: string): Promise<CheckResult> =>
    (
      await runChecks(
        [unconfirmedAccountsCheck],
        {
          workspace,
          settings: resolveSettings({ database: { url } }),
          clock: systemClock,
          log: silentLogger,
          trusted: true,
        },
        { onFinished: closeSharedResources },
      )
    )[0];

  it('is the monthly security testing task’s authentication item', () => {
    const task = defaultPlaybook().tasks.find((t) => t.id === 'monthly.securityTesting')!;
    const item = task.items.find((candidate) => candidate.id === 'authentication')!;
    assert.deepEqual(item.checks, ['security.unconfirmedAccounts']);
    assert.ok(checksForTask(defaultPlaybook(), task.id)!.some((c) => c.id === item.checks![0]));
  });

  it('counts users whose email_confirmed_at is null, and those older than a week', async () => {
    const url = await createDatabase(await embeddedServer(), 'accounts');
    await admin(
      url,
      `CREATE TABLE users (id serial PRIMARY KEY, email text, created_at timestamp NOT NULL,
                           email_confirmed_at timestamp);
       INSERT INTO users (email, created_at, email_confirmed_at)
         SELECT 'u' || g || '@example.test', now() - make_interval(days => g),
                CASE WHEN g % 4 = 0 THEN NULL ELSE now() END
           FROM generate_series(1, 40) g;`,
    );
    const result = await run(url);
    assert.equal(result.outcome, 'pass', result.summary);
    // Days 4, 8, ..., 40 are unconfirmed: ten, of which days 8 to 40 (nine) are over a week old.
    assert.equal(
      result.summary,
      '10 accounts of 40 unconfirmed (25 %; users.email_confirmed_at IS NULL), ' +
        '9 of them older than 7 days',
    );
    assert.deepEqual(result.values, {
      column: 'email_confirmed_at',
      users: 40,
      unconfirmed: 10,
      unconfirmedOverAWeek: 9,
    });
  });

  it("reads Devise's confirmed_at, and skips without a users table or column", async () => {
    const url = await createDatabase(await embeddedServer(), 'accounts');
    const none = await run(url);
    assert.deepEqual(
      [none.outcome, none.summary],
      ['skipped', 'no users table in the current schema'],
    );

    await admin(url, 'CREATE TABLE users (id serial PRIMARY KEY, email text)');
    const noColumn = await run(url);
    assert.deepEqual(
      [noColumn.outcome, noColumn.summary],
      ['skipped', 'users has no email_confirmed_at or confirmed_at column'],
    );

    await admin(url, 'ALTER TABLE users ADD COLUMN confirmed_at timestamptz');
    const empty = await run(url);
    assert.deepEqual([empty.outcome, empty.summary], ['pass', 'no users yet']);

    await admin(url, "INSERT INTO users (email) VALUES ('a@example.test'), ('b@example.test')");
    await admin(url, "UPDATE users SET confirmed_at = now() WHERE email = 'a@example.test'");
    const devise = await run(url);
    // No created_at column: no age to tell.
    assert.equal(devise.summary, '1 account of 2 unconfirmed (50 %; users.confirmed_at IS NULL)');
    assert.equal(devise.values?.unconfirmedOverAWeek, null);
  });

  it('skips a confirmed_at column that Devise without :confirmable leaves unused', async () => {
    const url = await createDatabase(await embeddedServer(), 'accounts');
    await admin(
      url,
      `CREATE TABLE users (id serial PRIMARY KEY, confirmed_at timestamptz);
       INSERT INTO users (confirmed_at) VALUES (NULL), (NULL);`,
    );
    const model = path.join(workspace, 'app', 'models', 'user.rb');
    await fs.mkdir(path.dirname(model), { recursive: true });
    try {
      await fs.writeFile(
        model,
        'class User < ApplicationRecord\r\n' +
          '  # devise :confirmable, once the mailer is set up\r\n' +
          '  devise :database_authenticatable, :registerable,\r\n' +
          '         :recoverable, :rememberable, :validatable\r\nend\r\n',
      );
      const off = await run(url);
      assert.equal(off.outcome, 'skipped', off.summary);
      assert.equal(
        off.summary,
        "Devise's :confirmable is not enabled in app/models/user.rb: no account is asked to " +
          'confirm its e-mail (users.confirmed_at is unused)',
      );

      await fs.writeFile(
        model,
        'class User < ApplicationRecord\n  devise :database_authenticatable,\n' +
          '         :confirmable, :validatable\nend\n',
      );
      const on = await run(url);
      assert.equal(on.summary, '2 accounts of 2 unconfirmed (100 %; users.confirmed_at IS NULL)');
    } finally {
      await fs.rm(path.join(workspace, 'app'), { recursive: true, force: true });
    }
  });

  it('reads only: runs as a role that may only SELECT users and changes no counter', async () => {
    const server = await embeddedServer();
    const url = await createDatabase(server, 'accounts');
    const database = new URL(url).pathname.slice(1);
    const reader = `reader_${process.pid}`;
    await admin(
      url,
      `CREATE TABLE users (id serial PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now(),
                           confirmed_at timestamptz);
       INSERT INTO users (confirmed_at) VALUES (now()), (NULL), (NULL);
       DROP ROLE IF EXISTS ${reader};
       CREATE ROLE ${reader} LOGIN PASSWORD 'reader-pw';
       REVOKE ALL ON DATABASE "${database}" FROM PUBLIC;
       REVOKE ALL ON SCHEMA public FROM PUBLIC;
       GRANT CONNECT ON DATABASE "${database}" TO ${reader};
       GRANT USAGE ON SCHEMA public TO ${reader};
       GRANT SELECT ON users TO ${reader};`,
    );
    const counters = async (): Promise<string> => {
      await admin(url, 'SELECT pg_stat_force_next_flush()');
      const [row] = await admin<Record<string, string>>(
        url,
        `SELECT tup_inserted, tup_updated, tup_deleted,
                (SELECT n_tup_ins + n_tup_upd + n_tup_del + n_tup_hot_upd
                   FROM pg_stat_user_tables WHERE relname = 'users') AS users_writes
           FROM pg_stat_database WHERE datname = current_database()`,
      );
      return JSON.stringify(row);
    };
    const before = await counters();

    const readerUrl = new URL(url);
    readerUrl.username = reader;
    readerUrl.password = 'reader-pw';
    const result = await run(readerUrl.toString());
    assert.equal(result.outcome, 'pass', result.summary);
    assert.equal(result.values?.unconfirmed, 2);
    assert.equal(await counters(), before);
  });

  it('skips, naming the cause, when the database is not reachable', async () => {
    const result = await run('postgres://postgres@127.0.0.1:1/nowhere');
    assert.equal(result.outcome, 'skipped');
    assert.match(result.summary, /^database not reachable \(see health\.database\)/);
  });
});

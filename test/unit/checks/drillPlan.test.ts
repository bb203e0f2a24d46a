/**
 * The recovery drill's guard against the monitored server: a target written another way (upper
 * case, a trailing dot, a short or mapped IP, any loopback address, a socket) is still that server.
 * And the plan names the scratch database and the statements the confirmation shows.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  type DrillPlan,
  drillStatements,
  endpointOf,
  planRecoveryDrill,
  sameServer,
} from '../../../src/core/checks/drillPlan';
import { resolveSettings } from '../../../src/core/settings';
import { UpkeepError } from '../../../src/core/util/errors';

const same = (a: string, b: string): boolean => sameServer(endpointOf(a), endpointOf(b));

describe('recovery drill plan: the monitored server', () => {
  const monitored = 'postgres://app:secret@localhost:5432/app';

  it('knows the monitored server however the target writes its host', () => {
    for (const host of [
      'LOCALHOST',
      'localhost.',
      '127.0.0.1',
      '127.1',
      '127.0.0.2',
      '0.0.0.0',
      '[::1]',
      '[0:0:0:0:0:0:0:1]',
      '[::ffff:127.0.0.1]',
      '%2Fvar%2Frun%2Fpostgresql',
    ]) {
      assert.ok(same(`postgres://drill@${host}:5432/postgres`, monitored), host);
    }
    assert.ok(same('postgres://drill@DB.Example.com:5432/x', 'postgres://db.example.com/y'));
  });

  it('reads the database of a target URL as libpq does, every %XX decoded', () => {
    assert.equal(endpointOf('postgres://u@h:5432/ops%3Bdb%2Fa%23b').database, 'ops;db/a#b');
    assert.equal(endpointOf('postgres://u@h:5432').database, 'postgres');
  });

  it('still tells other servers and ports apart', () => {
    assert.ok(!same('postgres://drill@localhost:5433/postgres', monitored));
    assert.ok(!same('postgres://drill@10.0.0.7:5432/postgres', monitored));
    assert.ok(!same('postgres://drill@db2.example.com:5432/x', 'postgres://db.example.com/y'));
    assert.ok(!same('postgres://drill@%2Ftmp:5433/postgres', monitored));
  });

  it('compares with a monitored database reached through a socket folder', async () => {
    const databaseYml =
      'development:\n  adapter: postgresql\n  host: /var/run/postgresql\n  database: app\n';
    await withPlan(
      { targetUrl: 'postgres://drill@127.0.0.1:5432/postgres', databaseYml },
      async (plan) => {
        assert.ok(plan.onMonitoredServer, JSON.stringify(plan));
      },
    );
  });
});

describe('recovery drill plan: what the confirmation shows', () => {
  it('names the scratch database and every statement the drill runs on the target', async () => {
    const now = new Date('2026-12-04T23:17:42.500Z');
    await withPlan(
      { targetUrl: 'postgres://drill@10.0.0.7:5432/postgres', now },
      async (plan, workspace) => {
        assert.equal(plan.scratchDatabase, `upkeep_drill_20261204231742_${process.pid}`);
        const name = plan.scratchDatabase;
        assert.deepEqual(drillStatements(plan), [
          `CREATE DATABASE "${name}";`,
          `pg_restore --no-owner --no-privileges --exit-on-error -d ${name} ` +
            path.join(workspace, 'app.dump'),
          `SELECT count(*) FROM each table of the dump (in ${name});`,
          `DROP DATABASE IF EXISTS "${name}" WITH (FORCE);`,
        ]);
      },
    );
  });

  it('says to write %25 for a target password with a % pg cannot decode', async () => {
    await assert.rejects(
      withPlan({ targetUrl: 'postgres://drill:50%ff@127.0.0.1:5432/postgres' }, async () => {}),
      (error: unknown) =>
        UpkeepError.is(error, 'config') &&
        /^The drill target postgres:\/\/drill:\*+@127\.0\.0\.1:5432\/postgres cannot be read/.test(
          error.message,
        ) &&
        /as %25/.test(error.hint ?? ''),
    );
  });

  it('shows a dump whose name has a line break on one line', async () => {
    const dumpFile = 'app\nTarget: drill@127.0.0.1\u202e.dump';
    await withPlan(
      { targetUrl: 'postgres://drill@10.0.0.7:5432/postgres', dumpFile },
      async (plan) => {
        const restore = drillStatements(plan)[1];
        assert.ok(!/[\n\u202e]/.test(restore), JSON.stringify(restore));
        assert.ok(restore.endsWith('app\uFFFDTarget: drill@127.0.0.1\uFFFD.dump'));
      },
    );
  });
});

describe('recovery drill plan: what to do, where it is read', () => {
  let workspace: string;

  before(async () => {
    workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-drill-hints-'));
  });

  after(async () => {
    await fs.rm(workspace, { recursive: true, force: true });
  });

  /** The hints of a plan with no target, a target that is no URL, and a dump that is gone. */
  async function hints(surface: 'editor' | 'cli'): Promise<string[]> {
    const plans = [
      {},
      { targetUrl: 'drill.example' },
      { targetUrl: 'postgres://drill@10.0.0.7:5432/postgres', dumpFile: 'gone.dump' },
    ];
    const hints: string[] = [];
    for (const chosen of plans) {
      const plan = planRecoveryDrill({
        workspace,
        settings: resolveSettings(),
        env: {},
        trusted: true,
        surface,
        ...chosen,
      });
      await assert.rejects(plan, (error: unknown) => {
        assert.ok(UpkeepError.is(error, 'config'), String(error));
        hints.push(error.hint ?? '');
        return true;
      });
    }
    return hints;
  }

  it('names the setting and what the editor asks for in the editor, no flag', async () => {
    assert.deepEqual(await hints('editor'), [
      'Set upkeep.backups.drillTargetUrl.',
      'Give upkeep.backups.drillTargetUrl as postgres://user@host:port/database ' +
        '(the drill asks for the password).',
      'Run the drill again: it restores the newest match of upkeep.backups.pattern, or asks ' +
        'for the dump when none matches.',
    ]);
  });

  it('names the flags and PGPASSWORD on the command line', async () => {
    const [target, url, dump] = await hints('cli');
    assert.equal(target, 'Pass --target URL, or set upkeep.backups.drillTargetUrl.');
    assert.match(url, /\(the password in PGPASSWORD\)\.$/);
    assert.match(dump, /^Pass --dump FILE \(a relative path is taken from the workspace folder\)/);
  });
});

/**
 * Plans a drill of `app.dump` (or `dumpFile`) in a temporary workspace, with a
 * config/database.yml if given.
 */
async function withPlan(
  options: { targetUrl: string; databaseYml?: string; now?: Date; dumpFile?: string },
  check: (plan: DrillPlan, workspace: string) => Promise<void>,
): Promise<void> {
  const workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-drill-plan-'));
  try {
    if (options.databaseYml) {
      await fs.mkdir(path.join(workspace, 'config'));
      await fs.writeFile(path.join(workspace, 'config/database.yml'), options.databaseYml);
    }
    const dumpFile = options.dumpFile ?? 'app.dump';
    await fs.writeFile(path.join(workspace, dumpFile), 'x');
    const plan = await planRecoveryDrill({
      workspace,
      settings: resolveSettings(),
      env: {},
      trusted: true,
      dumpFile,
      targetUrl: options.targetUrl,
      now: options.now,
    });
    await check(plan, workspace);
  } finally {
    await fs.rm(workspace, { recursive: true, force: true });
  }
}

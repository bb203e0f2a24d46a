/**
 * `upkeep` under a `TZ` that names no IANA zone, as a cron table's or a container's
 * `TZ=` (empty) or a POSIX rule such as `EST5` sets it: the C library still keeps time (UTC for
 * an empty TZ, five hours behind it for `EST5`), so the commands use the same zone, and say so.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../../support/cli';

const upkeep = (args: string[], tz: string): ReturnType<typeof runCli> => runCli(args, { TZ: tz });

/** Two requests of one morning, written without an offset as Rails' default logger does. */
const LOG = [
  'I, [2026-12-04T09:00:00.100000 #41]  INFO -- : [r1] Started GET "/" for 10.0.0.1',
  'I, [2026-12-04T09:00:00.200000 #41]  INFO -- : [r1] Processing by HomeController#index as HTML',
  'I, [2026-12-04T09:00:00.300000 #41]  INFO -- : [r1] Completed 200 OK in 12ms',
  'I, [2026-12-04T09:30:00.100000 #41]  INFO -- : [r2] Started GET "/about" for 10.0.0.1',
  'I, [2026-12-04T09:30:00.200000 #41]  INFO -- : [r2] Processing by HomeController#about as HTML',
  'I, [2026-12-04T09:30:00.300000 #41]  INFO -- : [r2] Completed 200 OK in 15ms',
  '',
].join('\n');

describe('upkeep under a TZ that names no IANA zone', function () {
  this.timeout(60_000);
  let workspace: string;

  before(async () => {
    workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-tz-'));
    await fs.mkdir(path.join(workspace, 'log'));
    await fs.writeFile(path.join(workspace, 'log/production.log'), LOG);
    await fs.writeFile(path.join(workspace, 'Gemfile'), "source 'https://rubygems.org'\n");
  });
  after(async () => {
    await fs.rm(workspace, { recursive: true, force: true });
  });

  // The log's first line, 09:00:00.100 on the machine's clock, in UTC.
  for (const [tz, zone, firstRequest] of [
    ['', 'UTC', '2026-12-04T09:00:00.100Z'],
    ['EST5', 'Etc/GMT+5', '2026-12-04T14:00:00.100Z'],
    ['XYZ-2', 'Etc/GMT-2', '2026-12-04T07:00:00.100Z'],
  ]) {
    it(`TZ=${JSON.stringify(tz)}: status, logs and the log checks use ${zone}`, async () => {
      const status = await upkeep(
        ['status', '--workspace', workspace, '--format', 'json', '--fail-on', 'never'],
        tz,
      );
      assert.equal(status.code, 0, status.stderr);
      const report = JSON.parse(status.stdout) as { timeZone: unknown };
      assert.deepEqual(report.timeZone, { name: zone, source: 'machine' });

      const logs = await upkeep(['logs', '--workspace', workspace, '--format', 'json'], tz);
      assert.equal(logs.code, 0, logs.stderr);
      const summary = JSON.parse(logs.stdout) as {
        timeZone: { zone: string; source: string };
        span: { first: string };
      };
      assert.deepEqual([summary.timeZone.zone, summary.timeZone.source], [zone, 'machine']);
      assert.equal(summary.span.first, firstRequest);

      const check = await upkeep(
        ['check', '--workspace', workspace, '--check', 'logs.errorRate', '--format', 'json'],
        tz,
      );
      assert.notEqual(check.code, 2, check.stderr);
      const results = (JSON.parse(check.stdout) as { results: { outcome: string }[] }).results;
      assert.notEqual(results[0].outcome, 'error', check.stdout);
    });
  }
});

/**
 * Flags given an empty value, as a cron line or a CI job passes an unset variable
 * (`--env "$RAILS_ENV"`, `--workspace "$APP_DIR"`): each read as if the flag were not there, so
 * the checks ran on the current folder (cron's is the home folder) or on the development
 * database, and could exit 0. Each must be refused, naming the flag.
 */
import { strict as assert } from 'node:assert';
import { runCli } from '../../support/cli';
import { tempFolderWith } from '../../support/tempFolders';

/** Stands for the test's workspace, made in before(). */
const WORKSPACE = '<workspace>';

describe('flags given an empty value', function () {
  this.timeout(120_000);
  let workspace: string;

  before(async () => {
    workspace = await tempFolderWith('upkeep-empty-', {
      Gemfile: "source 'x'\n",
      'config/database.yml': 'development:\n  adapter: postgresql\n  database: dev\n',
      'log/production.log': '',
    });
  });

  const cases: [string[], string][] = [
    [['check', '--workspace', ''], '--workspace'],
    [['check', '--workspace', WORKSPACE, '--env', ''], '--env'],
    [['check', '--workspace', WORKSPACE, '--env', ' '], '--env'],
    [['status', '--workspace', ''], '--workspace'],
    [['status', '--workspace', WORKSPACE, '--time-zone', ''], '--time-zone'],
    [['db', '--workspace', ''], '--workspace'],
    [['db', '--workspace', WORKSPACE, '-e', ''], '--env'],
    [['logs', '--workspace', ''], '--workspace'],
    [['logs', '--workspace', WORKSPACE, '--time-zone', ''], '--time-zone'],
    [['logs', '--workspace', WORKSPACE, '--window', ''], '--window'],
    [['drill', '--workspace', ''], '--workspace'],
    [['drill', '--workspace', WORKSPACE, '--env', ''], '--env'],
    [['drill', '--workspace', WORKSPACE, '--target', ''], '--target'],
    [['drill', '--workspace', WORKSPACE, '--dump', ''], '--dump'],
  ];
  for (const [args, flag] of cases) {
    it(`upkeep ${args.join(' ').replace(WORKSPACE, 'DIR')} is refused`, async () => {
      const run = await runCli(args.map((arg) => (arg === WORKSPACE ? workspace : arg)));
      assert.equal(run.code, 2, run.stdout + run.stderr);
      assert.equal(run.stdout, '');
      assert.match(run.stderr, new RegExp(`${flag} <[a-z:]+>' argument '\\s*' is invalid`));
      assert.match(run.stderr, /is empty \(an unset variable\?\)/);
    });
  }
});

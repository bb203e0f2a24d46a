/**
 * `upkeep logs` end to end in a child process: text and stable JSON output, the workspace's
 * configured sources read from .vscode/settings.json (with comments), and exit codes.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { startCli } from '../../support/cli';
import { tempFolderWith } from '../../support/tempFolders';
import { FIXTURES } from './helpers';

const ROOT = path.join(__dirname, '../../..');

function upkeep(
  args: string[],
  cwd = ROOT,
  input?: Buffer,
): { status: number | null; stdout: string; stderr: string } {
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), ...args],
    {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, TZ: 'UTC' },
      input,
    },
  );
  return { status: child.status, stdout: child.stdout, stderr: child.stderr };
}

describe('upkeep logs', () => {
  it('prints a text summary of the files given', () => {
    const result = upkeep([
      'logs',
      path.join(FIXTURES, 'rails52_production_tagged.log'),
      '--time-zone',
      'UTC',
    ]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^Log summary: all/);
    assert.match(result.stdout, /Requests {2}7 \(0 incomplete\) · 2xx 1 · 3xx 0 · 4xx 3 · 5xx 3/);
    assert.match(result.stdout, /1× ActionController::UnfilteredParameters: unable to convert/);
    assert.match(result.stdout, /rails52_production_tagged\.log:6/);
  });

  it(
    'prints the documented JSON, ' + 'reading the sources configured in .vscode/settings.json',
    async () => {
      const workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-cli-logs-'));
      try {
        await fs.mkdir(path.join(workspace, '.vscode'));
        await fs.mkdir(path.join(workspace, 'log'));
        await fs.copyFile(
          path.join(FIXTURES, 'rails3_partials.log'),
          path.join(workspace, 'log/app.log'),
        );
        await fs.writeFile(
          path.join(workspace, '.vscode/settings.json'),
          '{\n  // where our logs are\n  "upkeep.logs.sources": ["log/*.log"],\n' +
            '  "upkeep.logs.timeZone": "Europe/Berlin",\n}\n',
        );
        const result = upkeep(['logs', '--format', 'json', '--workspace', workspace]);
        assert.equal(result.status, 0, result.stderr);
        const summary = JSON.parse(result.stdout) as Record<string, unknown> & {
          schema: number;
          sources: { path: string }[];
          requests: { total: number };
          timeZone: { zone: string; source: string };
        };
        assert.equal(summary.schema, 1);
        assert.deepEqual(
          summary.sources.map((s) => s.path),
          ['log/app.log'],
        );
        assert.equal(summary.requests.total, 2);
        assert.equal(summary.timeZone.zone, 'Europe/Berlin');
        assert.equal(summary.timeZone.source, 'configured');
        for (const key of [
          'span',
          'statusClasses',
          'errorRate',
          'errors',
          'duration',
          'actions',
          'slowest',
          'exceptions',
          'routingErrors',
          'failedLogins',
          'suspicious',
          'bursts',
          'nPlusOne',
          'assembly',
          'warnings',
        ]) {
          assert.ok(key in summary, key);
        }
      } finally {
        await fs.rm(workspace, { recursive: true, force: true });
      }
    },
  );

  it('exits 2 with the reason and the fix when the default log is missing', async () => {
    const workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-cli-nolog-'));
    try {
      const result = upkeep(['logs', '--workspace', workspace]);
      assert.equal(result.status, 2);
      assert.equal(result.stdout, '');
      assert.match(result.stderr, /log\/production\.log does not exist/);
      assert.match(result.stderr, /Rails 7\.1 and later log to STDOUT/);
    } finally {
      await fs.rm(workspace, { recursive: true, force: true });
    }
  });

  it('says a missing --workspace does not exist instead of looking for its log', () => {
    const missing = path.join(os.tmpdir(), 'upkeep-no-such-workspace');
    const result = upkeep(['logs', '--workspace', missing]);
    assert.equal(result.status, 2);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^upkeep logs: The workspace folder .* does not exist\./);
    // What to do on a line of its own, as the other commands write it.
    assert.match(result.stderr, /does not exist\.\nPass the Rails app folder with --workspace/);
    assert.doesNotMatch(result.stderr, /production\.log/);
  });

  it('says on stderr, also with --format json, that a source could not be read', () => {
    const missing = path.join(os.tmpdir(), 'upkeep-no-such-dir', 'production.log');
    const args = ['logs', path.join(FIXTURES, 'rails22.log'), missing, '--time-zone', 'UTC'];
    const json = upkeep([...args, '--format', 'json']);
    assert.equal(json.status, 0, json.stderr);
    const summary = JSON.parse(json.stdout) as { sources: { error?: string }[] };
    assert.ok(summary.sources.some((source) => source.error?.includes(missing)));
    // The data on stdout, the warning on stderr, as upkeep check and upkeep db do.
    const named = missing.replace(/[.]/g, '\\.');
    assert.match(json.stderr, new RegExp(`^upkeep logs: warning: .*${named}`, 'm'));

    // The text report lists it with its sources still (a script may grep stdout for it), and
    // stderr says it as with --format json, for the mail of a cron job that keeps stdout.
    const text = upkeep(args);
    assert.equal(text.status, 0, text.stderr);
    assert.ok(text.stdout.includes(`! ${missing} does not exist`), text.stdout);
    assert.equal(text.stderr, json.stderr);
  });

  it('reads a rotated .gz with junk after its data, says so, and exits 0', async () => {
    const text = await fs.readFile(path.join(FIXTURES, 'rails52_production_tagged.log'));
    const folder = await tempFolderWith('upkeep-cli-gzip-', {});
    const archive = path.join(folder, 'production.log.1.gz');
    await fs.writeFile(archive, Buffer.concat([gzipSync(text), Buffer.from('junk\n')]));
    const result = upkeep(['logs', archive, '--time-zone', 'UTC']);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /Requests {2}7 \(0 incomplete\)/);
    assert.match(
      result.stdout,
      /production\.log\.1\.gz: the 5 bytes after its last gzip member are not gzip data/,
    );
    // stderr says it too, once, worded as with --format json and as upkeep check words it.
    assert.equal(
      result.stderr.match(/^upkeep logs: warning: .*production\.log\.1\.gz: the 5 bytes after/gm)
        ?.length,
      1,
      result.stderr,
    );
    assert.equal(result.stderr.split('\n').filter(Boolean).length, 1, result.stderr);

    // With --format json the JSON keeps it in `warnings`, and stderr says it as upkeep db
    // words its warnings, for a cron job that keeps the JSON; the exit code is the same.
    const json = upkeep(['logs', archive, '--time-zone', 'UTC', '--format', 'json']);
    assert.equal(json.status, 0, json.stderr);
    const summary = JSON.parse(json.stdout) as { warnings: string[] };
    const junk = /production\.log\.1\.gz: the 5 bytes after its last gzip member are not gzip/;
    assert.ok(
      summary.warnings.some((warning) => junk.test(warning)),
      json.stdout,
    );
    assert.match(
      json.stderr,
      /^upkeep logs: warning: .*production\.log\.1\.gz: the 5 bytes after its last gzip member/m,
    );
  });

  it('exits 2 on a window it cannot read', () => {
    const result = upkeep(['logs', path.join(FIXTURES, 'rails22.log'), '--window', 'last tuesday']);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /Cannot read the window "last tuesday"\.\nUse a duration like 1h/);
    // The whole log, the default, has a name too: `--help` gives it, and so does the hint.
    assert.match(result.stderr, /, or all for the whole log \(the default\)\.$/m);
  });

  it('reads a window given as a range', () => {
    const result = upkeep([
      'logs',
      path.join(FIXTURES, 'rails52_production_tagged.log'),
      '--window',
      '2021-11-26T09:00Z..2021-11-26T11:00Z',
      '--time-zone',
      'UTC',
      '--format',
      'json',
    ]);
    assert.equal(result.status, 0, result.stderr);
    const summary = JSON.parse(result.stdout) as {
      requests: { total: number };
      window: { label: string };
    };
    // 03099aef (09:43) and ea517b3d (10:52).
    assert.equal(summary.requests.total, 2);
    assert.equal(summary.window.label, '2021-11-26T09:00Z..2021-11-26T11:00Z');
  });

  it('says in words that a log it may not read needs another user', async function () {
    // Root reads any file, so the command runs as `nobody`, as a cron job of another user would.
    const runuser = '/usr/sbin/runuser';
    if (process.getuid?.() !== 0 || !(await fs.stat(runuser).catch(() => undefined))) {
      this.skip();
    }
    const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-cli-perm-'));
    try {
      await fs.chmod(folder, 0o755);
      const log = path.join(folder, 'production.log');
      await fs.copyFile(path.join(FIXTURES, 'rails3_partials.log'), log);
      await fs.chmod(log, 0o600);
      const child = spawnSync(
        runuser,
        ['-u', 'nobody', '--', process.execPath, '--import', 'tsx', 'src/cli.ts', 'logs', log],
        { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: folder } },
      );
      assert.equal(child.status, 2, child.stderr);
      assert.match(child.stderr, /Could not read .*production\.log: permission denied; run Upkeep/);
      assert.doesNotMatch(child.stderr, /EACCES/);
    } finally {
      await fs.rm(folder, { recursive: true, force: true });
    }
  });

  it('says a folder named as the log is a folder, and how to name the logs in it', async () => {
    // `upkeep logs log` read as "not a regular file (a folder, pipe or device)".
    const workspace = await tempFolderWith('upkeep-cli-logs-folder-', {
      'log/production.log': '',
    });
    const result = upkeep(['logs', path.join(workspace, 'log')]);
    assert.equal(result.status, 2, result.stdout);
    const named = String.raw`such as \S+/log/production\.log or the glob \S+/log/\*\.log\.$`;
    assert.match(
      result.stderr,
      new RegExp(String.raw`/log is a folder: name the log files in it, ` + named, 'm'),
    );
  });

  describe('with - for standard input', () => {
    const log = path.join(FIXTURES, 'rails52_production_tagged.log');

    it('summarizes a piped log as it does the file', async () => {
      const result = upkeep(['logs', '-', '--time-zone', 'UTC'], ROOT, await fs.readFile(log));
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stdout, /source standard input \(17\.4 KB\)/);
      assert.match(result.stdout, /Requests {2}7 \(0 incomplete\) · 2xx 1 · 3xx 0 · 4xx 3 · 5xx 3/);
      assert.match(result.stdout, / -:6\b/);
    });

    it('reads it where upkeep.logs.sources names -', async () => {
      // docker logs web 2>&1 | upkeep logs, in an app whose settings say its log is piped.
      const workspace = await tempFolderWith('upkeep-cli-logs-stdin-', {
        '.vscode/settings.json': '{ "upkeep.logs.sources": ["-"] }\n',
      });
      const args = ['logs', '--workspace', workspace, '--time-zone', 'UTC'];
      const result = upkeep(args, ROOT, await fs.readFile(log));
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stdout, /source standard input \(17\.4 KB\)/);
      assert.match(result.stdout, /Requests {2}7 \(0 incomplete\)/);
    });

    it('exits 2 when nothing came through the pipe', () => {
      const result = upkeep(['logs', '-'], ROOT, Buffer.alloc(0));
      assert.equal(result.status, 2, result.stdout);
      assert.equal(result.stdout, '');
      assert.match(result.stderr, /Standard input was empty: did the command before \| fail\?/);
    });

    it('reads gzip-compressed input as the log it holds', async () => {
      const result = upkeep(
        ['logs', '-', '--time-zone', 'UTC'],
        ROOT,
        gzipSync(await fs.readFile(log)),
      );
      assert.equal(result.status, 0, result.stderr);
      assert.equal(result.stderr, '');
      assert.match(result.stdout, /source standard input \([^)]*, gzip\)/);
      assert.match(result.stdout, /Requests {2}7 \(0 incomplete\)/);
    });

    it('says standard input is a folder (upkeep logs - < log), not that it was empty', () => {
      const folder = openSync(FIXTURES, 'r');
      try {
        const child = spawnSync(
          process.execPath,
          ['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), 'logs', '-'],
          { cwd: ROOT, encoding: 'utf8', stdio: [folder, 'pipe', 'pipe'] },
        );
        assert.equal(child.status, 2, child.stderr);
        assert.equal(child.stdout, '');
        assert.match(child.stderr, /standard input is a folder, not a log; name the log files/);
        assert.doesNotMatch(child.stderr, /empty/);
      } finally {
        closeSync(folder);
      }
    });

    it('refuses a terminal at once instead of waiting for a log typed by hand', () => {
      // script(1) runs the command on a pseudo-terminal, as an interactive shell would.
      const command = [process.execPath, '--import', 'tsx', 'src/cli.ts', 'logs', '-'];
      const result = spawnSync('script', ['-qec', command.join(' '), '/dev/null'], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 60_000,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      assert.equal(result.status, 2, result.stdout + result.stderr);
      assert.match(result.stdout, /standard input, which is a terminal here; pipe a log into it/);
    });

    it('stops waiting for input on SIGTERM and exits 2', async function () {
      this.timeout(60_000);
      // Standard input stays open and empty: a producer that has not written yet.
      const run = startCli(['logs', '-']);
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      run.child.kill('SIGTERM');
      const result = await run.exited;
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, /cancelled \(SIGTERM\); no summary printed/);
    });
  });
});

/**
 * backups.latest in an untrusted workspace: upkeep.backups.pattern is a workspace setting that
 * Restricted Mode does not hold back, and the check ran pg_restore (an external tool) on the file
 * it matched, which could be any file on the machine (`/home/*` or `../..`). The manifest
 * promises no external tool runs before trust, and no file outside the workspace is read.
 */
import { strict as assert } from 'node:assert';
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { backupsLatestCheck } from '../../../src/core/checks/backupChecks';
import { runChecks } from '../../../src/core/checks/runner';
import { resolveSettings } from '../../../src/core/settings';
import { systemClock } from '../../../src/core/util/clock';
import { silentLogger } from '../../../src/core/util/logger';

describe('backups.latest in an untrusted workspace (security review)', function () {
  this.timeout(60_000);
  let folder: string;
  let workspace: string;
  let marker: string;
  let env: Record<string, string>;

  before(async () => {
    folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-untrusted-backups-'));
    workspace = path.join(folder, 'app');
    await fs.mkdir(path.join(workspace, 'backups'), { recursive: true });
    await fs.writeFile(path.join(workspace, 'backups/app.dump'), 'PGDMP not really');
    await fs.mkdir(path.join(folder, 'secrets'));
    await fs.writeFile(path.join(folder, 'secrets/key.dump'), 'outside the workspace');
    // A pg_restore that leaves a mark: the check must not start it before trust.
    const bin = path.join(folder, 'bin');
    marker = path.join(folder, 'PG_RESTORE_RAN');
    await fs.mkdir(bin);
    await fs.writeFile(path.join(bin, 'pg_restore'), `#!/bin/sh\ntouch '${marker}'\n`, {
      mode: 0o755,
    });
    env = { PATH: `${bin}:/usr/bin:/bin` };
  });
  after(async () => {
    await fs.rm(folder, { recursive: true, force: true });
  });
  afterEach(async () => {
    await fs.rm(marker, { force: true });
  });

  const run = async (pattern: string, trusted: boolean) => {
    const [result] = await runChecks([backupsLatestCheck], {
      workspace,
      settings: resolveSettings({ backups: { pattern } }),
      clock: systemClock,
      log: silentLogger,
      trusted,
      env,
    });
    return result;
  };

  it('does not start pg_restore on the matched file', async () => {
    const result = await run('backups/*.dump', false);
    assert.ok(!existsSync(marker), 'pg_restore ran in an untrusted workspace');
    assert.match(result.summary, /app\.dump is 0 h old/);
    assert.match(result.summary, /trust/);
    assert.equal(result.outcome, 'skipped');
  });

  it('matches no file outside the workspace', async () => {
    for (const pattern of ['../secrets/*.dump', path.join(folder, 'secrets/*.dump')]) {
      const result = await run(pattern, false);
      assert.ok(!existsSync(marker), 'pg_restore ran in an untrusted workspace');
      assert.doesNotMatch(result.summary, /key\.dump/, pattern);
      assert.equal(result.outcome, 'fail', pattern);
    }
  });

  it('follows no link out of the workspace while globbing', async () => {
    await fs.symlink(path.join(folder, 'secrets'), path.join(workspace, 'backups/linked'));
    try {
      const result = await run('backups/**/*.dump', false);
      assert.doesNotMatch(result.summary, /key\.dump/);
      assert.match(result.summary, /app\.dump/);
    } finally {
      await fs.rm(path.join(workspace, 'backups/linked'));
    }
  });

  it('counts a file whose name begins with two dots as inside', async () => {
    await fs.writeFile(path.join(workspace, '..nightly.dump'), 'PGDMP not really');
    try {
      const result = await run('..nightly.dump', false);
      assert.match(result.summary, /^\.\.nightly\.dump is 0 h old/);
      assert.equal(result.outcome, 'skipped', result.summary);
    } finally {
      await fs.rm(path.join(workspace, '..nightly.dump'));
    }
  });

  it('still lists the dump with pg_restore once trusted', async () => {
    await run('backups/*.dump', true);
    assert.ok(existsSync(marker), 'pg_restore did not run in a trusted workspace');
  });
});

/**
 * Which dump the backup check and the drill judge, on real folders with links: a link to a dump
 * counts, a link back up does not make a `**` pattern walk the folder again at every depth.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findNewestBackup } from '../../../src/core/checks/backupChecks';

describe('the newest backup a pattern finds', () => {
  let workspace: string;
  const old = new Date('2026-12-01T00:00:00Z');
  const recent = new Date('2026-12-04T02:00:00Z');

  /** A dump file at `relative`, modified at `at`. */
  async function dump(relative: string, at: Date): Promise<string> {
    const file = path.join(workspace, relative);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, 'PGDMP');
    await fs.utimes(file, at, at);
    return file;
  }

  beforeEach(async () => {
    workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-backup-glob-'));
  });

  afterEach(async () => {
    await fs.rm(workspace, { recursive: true, force: true });
  });

  it('finds the dump under ** with links back up the folder, not walking them', async function () {
    // Links to the folder itself, as `ln -s . loop` makes, were walked again at every depth up
    // to the system's 40 links: one took 15 s over 10,000 dumps, two never finished.
    this.timeout(20_000);
    for (let i = 0; i < 50; i++) await dump(`backups/app_${i}.dump`, old);
    const newest = await dump('backups/app_latest_run.dump', recent);
    await fs.symlink('.', path.join(workspace, 'backups/loop'));
    await fs.symlink('..', path.join(workspace, 'backups/up'));
    for (const pattern of ['backups/**', 'backups/**/*.dump']) {
      const found = await findNewestBackup(workspace, pattern);
      assert.equal(found?.file, newest, pattern);
    }
  });

  it('counts a link to a dump, under ** too', async () => {
    await dump('backups/app_1.dump', old);
    const target = await dump('elsewhere/app_2.dump', recent);
    await fs.symlink(target, path.join(workspace, 'backups/latest.dump'));
    for (const pattern of ['backups/*.dump', 'backups/**']) {
      const found = await findNewestBackup(workspace, pattern);
      assert.equal(found?.file, path.join(workspace, 'backups/latest.dump'), pattern);
      assert.equal(found?.modifiedAt.getTime(), recent.getTime());
    }
  });

  it('follows a linked folder named by a pattern without **', async () => {
    const mounted = await dump('mnt/nightly/app.dump', recent);
    await fs.mkdir(path.join(workspace, 'backups'));
    await fs.symlink(path.join(workspace, 'mnt/nightly'), path.join(workspace, 'backups/nightly'));
    const found = await findNewestBackup(workspace, 'backups/*/*.dump');
    assert.equal(found?.file, path.join(workspace, 'backups/nightly/app.dump'));
    assert.equal(await fs.realpath(found?.file ?? ''), await fs.realpath(mounted));
  });

  it('judges no folder as a dump', async () => {
    await fs.mkdir(path.join(workspace, 'backups/2026-12-04'), { recursive: true });
    const folder = path.join(workspace, 'backups/2026-12-04');
    await fs.utimes(folder, recent, recent);
    const file = await dump('backups/app.dump', old);
    assert.equal((await findNewestBackup(workspace, 'backups/*'))?.file, file);
    assert.equal((await findNewestBackup(workspace, 'backups/**'))?.file, file);
  });
});

/**
 * readTextFileLimited on real files: a missing file, a folder, a FIFO nobody writes to, a
 * symlink to /dev/zero and files just under and over the limit. replaceFile: the whole text or
 * the old, a link replaced and not followed, no temporary file left when it fails.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UpkeepError } from '../../../src/core/util/errors';
import { describeSize, readTextFileLimited, replaceFile } from '../../../src/core/util/textFile';

function refusedWith(pattern: RegExp): (error: unknown) => boolean {
  return (error) => UpkeepError.is(error, 'config') && pattern.test(error.message);
}

describe('readTextFileLimited', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-textfile-'));
  });

  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('reads a regular file, and gives undefined for a missing one', async () => {
    await fs.writeFile(path.join(dir, 'a.yml'), 'héllo\n');
    assert.equal(await readTextFileLimited(path.join(dir, 'a.yml'), 100), 'héllo\n');
    assert.equal(await readTextFileLimited(path.join(dir, 'missing.yml'), 100), undefined);
    assert.equal(await readTextFileLimited(path.join(dir, 'a.yml/below'), 100), undefined);
  });

  it(
    'reads a file of exactly the limit and refuses one byte more, ' + 'naming file and limit',
    async () => {
      const file = path.join(dir, 'config.yml');
      await fs.writeFile(file, 'x'.repeat(2048));
      assert.equal((await readTextFileLimited(file, 2048))?.length, 2048);
      await assert.rejects(
        readTextFileLimited(file, 2047),
        refusedWith(/config\.yml is larger than 2 KB$/),
      );
    },
  );

  it('refuses a folder, a symlink to /dev/zero and a FIFO without reading them', async () => {
    await fs.mkdir(path.join(dir, 'folder'));
    await assert.rejects(
      readTextFileLimited(path.join(dir, 'folder'), 1024),
      refusedWith(/folder is not a regular file/),
    );

    await fs.symlink('/dev/zero', path.join(dir, 'zero.yml'));
    await assert.rejects(
      readTextFileLimited(path.join(dir, 'zero.yml'), 1024),
      refusedWith(/zero\.yml is not a regular file/),
    );

    // Nobody ever writes to this FIFO: a plain open or read would wait for ever.
    execFileSync('mkfifo', [path.join(dir, 'pipe.yml')]);
    await assert.rejects(
      readTextFileLimited(path.join(dir, 'pipe.yml'), 1024),
      refusedWith(/pipe\.yml is not a regular file/),
    );
  });

  it('describes limits the way a maintainer writes them', () => {
    assert.equal(describeSize(1024 * 1024), '1 MB');
    assert.equal(describeSize(16 * 1024 * 1024), '16 MB');
    assert.equal(describeSize(256 * 1024), '256 KB');
    assert.equal(describeSize(100), '100 bytes');
  });
});

describe('replaceFile', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-replace-'));
  });

  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('writes a new file and replaces an old one, with the mode asked for', async () => {
    const file = path.join(dir, 'state.json');
    await replaceFile(file, '{"a":1}\n');
    assert.equal(await fs.readFile(file, 'utf8'), '{"a":1}\n');
    await replaceFile(file, '{"a":2}\n', { mode: 0o600, sync: true });
    assert.equal(await fs.readFile(file, 'utf8'), '{"a":2}\n');
    assert.equal((await fs.stat(file)).mode & 0o777, 0o600);
    assert.deepEqual(await fs.readdir(dir), ['state.json']);
  });

  it('replaces a link at the path instead of writing through it', async () => {
    const elsewhere = path.join(dir, 'elsewhere.json');
    await fs.writeFile(elsewhere, 'kept\n');
    const file = path.join(dir, 'results.json');
    await fs.symlink(elsewhere, file);
    await replaceFile(file, 'new\n');
    assert.equal(await fs.readFile(elsewhere, 'utf8'), 'kept\n');
    assert.equal((await fs.lstat(file)).isSymbolicLink(), false);
    assert.equal(await fs.readFile(file, 'utf8'), 'new\n');
  });

  it('leaves the old file and no temporary one when the rename fails', async () => {
    // A folder at the path: the rename of a file over it fails (EISDIR).
    const file = path.join(dir, 'taken');
    await fs.mkdir(file);
    await fs.writeFile(path.join(file, 'inside'), 'x');
    await assert.rejects(replaceFile(file, 'text'), /EISDIR/);
    assert.deepEqual(await fs.readdir(dir), ['taken']);
    assert.deepEqual(await fs.readdir(file), ['inside']);
  });
});

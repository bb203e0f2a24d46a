/**
 * makeFolder on real folders, as `mkdir -p`: the missing parents made, a folder already there,
 * a file or a dangling link in the way, several callers at once, and a path under /proc, where
 * Node's recursive mkdir never returns.
 */
import { strict as assert } from 'node:assert';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { makeFolder } from '../../../src/core/util/makeFolder';
import { tempFolder } from '../../support/tempFolders';

describe('makeFolder', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await tempFolder('upkeep-makefolder-');
  });

  const code = (expected: string) => (error: NodeJS.ErrnoException) => error.code === expected;

  it('makes the folder and its missing parents, and takes one that is there', async () => {
    const deep = path.join(dir, 'a', 'b', 'c');
    await makeFolder(deep);
    assert.ok((await fs.stat(deep)).isDirectory());
    await makeFolder(deep);
    await makeFolder(path.join(dir, 'a'));
  });

  it('many callers at once each get the folder', async () => {
    const deep = path.join(dir, 'x', 'y', 'z');
    await Promise.all(Array.from({ length: 8 }, () => makeFolder(deep)));
    assert.ok((await fs.stat(deep)).isDirectory());
  });

  it('refuses a file in the way, above or at the folder', async () => {
    await fs.writeFile(path.join(dir, 'file'), '');
    await assert.rejects(makeFolder(path.join(dir, 'file')), code('EEXIST'));
    await assert.rejects(makeFolder(path.join(dir, 'file', 'sub')), code('ENOTDIR'));
  });

  it('refuses a dangling link in the way', async () => {
    await fs.symlink(path.join(dir, 'gone'), path.join(dir, 'link'));
    await assert.rejects(makeFolder(path.join(dir, 'link')), code('EEXIST'));
    await assert.rejects(makeFolder(path.join(dir, 'link', 'sub')), code('EEXIST'));
  });

  it('gives up under /proc, which makes no folder, rather than hang', async function () {
    if (!existsSync('/proc/self')) this.skip();
    const started = Date.now();
    await assert.rejects(makeFolder(`/proc/upkeep-test-${process.pid}/cache`), code('ENOENT'));
    // Node's recursive mkdir would never return; giving up takes a few milliseconds.
    assert.ok(Date.now() - started < 10_000, `${Date.now() - started} ms`);
  });
});

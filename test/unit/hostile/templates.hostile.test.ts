/**
 * Security review of the document templates: a bug folder that leads out of the workspace through
 * a symlink must not create anything outside it (today the folders are made before the check).
 * Also pins the title and template handling that held up.
 */
import { strict as assert } from 'node:assert';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeNewFile } from '../../../src/core/templates/newFile';
import { renderTemplate } from '../../../src/core/templates/render';
import { slugify } from '../../../src/core/templates/slug';
import { tempFolder } from '../../support/tempFolders';

describe('hostile templates (security review)', () => {
  it('a folder that is a symlink out of the workspace creates nothing outside', async () => {
    const root = await tempFolder('upkeep-hostile-tpl-');
    const workspace = path.join(root, 'ws');
    const outside = path.join(root, 'outside');
    await fs.mkdir(workspace);
    await fs.mkdir(outside);
    await fs.symlink(outside, path.join(workspace, 'docs'));
    await assert.rejects(
      writeNewFile(workspace, path.join(workspace, 'docs/a/b'), 'x', '.md', 'text'),
    );
    // Today: mkdir -p runs first, so outside/a/b exists although "no file was written".
    assert.equal(existsSync(path.join(outside, 'a')), false);
  });

  it('pinned: hostile titles give a plain slug', () => {
    for (const title of [
      '../../etc/passwd',
      'a\u0000b',
      '\u202Egnp.exe',
      'CON',
      'x'.repeat(10_000),
    ]) {
      const slug = slugify(title);
      assert.match(slug, /^[\p{L}\p{M}\p{N}_-]{1,120}$/u, title.slice(0, 20));
      assert.notEqual(slug.toLowerCase(), 'con');
    }
  });

  it('pinned: {{constructor}} and {{__proto__}} stay unknown text', () => {
    const out = renderTemplate('{{constructor}} {{__proto__}} {{toString}}', { title: 't' });
    assert.equal(out.text, '{{constructor}} {{__proto__}} {{toString}}');
    assert.deepEqual(out.unknown.sort(), ['__proto__', 'constructor', 'toString']);
  });
});

/**
 * The README is the extension's page in the editor's Extensions view, read from the installed
 * package: every file it links to (the dashboard screenshot, the CLI and JSON docs) must be in
 * the .vsix too, or the page shows a broken image and dead links. `vsce ls` lists what
 * .vscodeignore lets into the package.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '../../..');

describe('README in the packaged extension', function () {
  this.timeout(60_000);

  it('ships every file the README links to', () => {
    assert.ok(existsSync(path.join(ROOT, 'dist/extension.js')), 'run npm run build first');
    const listed = execFileSync(
      process.execPath,
      [path.join(ROOT, 'node_modules/@vscode/vsce/vsce'), 'ls', '--no-dependencies'],
      { cwd: ROOT, encoding: 'utf8' },
    )
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean);
    assert.ok(listed.includes('README.md'), listed.join(', '));

    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const linked = [...readme.matchAll(/\]\(([^)\s]+)\)/g)]
      .map((match) => match[1].split('#')[0])
      .filter((target) => target && !/^[a-z]+:/i.test(target));
    assert.ok(linked.includes('docs/images/dashboard-dark.png'), 'the README shows its screenshot');
    const missing = [...new Set(linked)].filter((target) => !listed.includes(target));
    assert.deepEqual(missing, [], 'linked from README.md but left out of the .vsix');
  });
});

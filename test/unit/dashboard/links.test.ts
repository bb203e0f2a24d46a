/**
 * What the host agrees to open for the webview: http(s) links only, existing files inside the
 * workspace only (symlinks resolved).
 */
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveInsideWorkspace, safeExternalUrl } from '../../../src/core/dashboard/links';

describe('dashboard link checks', () => {
  it('opens only http and https URLs without credentials', () => {
    assert.equal(
      safeExternalUrl('https://www.postgresql.org/docs/')?.hostname,
      'www.postgresql.org',
    );
    assert.ok(safeExternalUrl('http://example.com/a?b=c'));
    for (const bad of [
      'javascript:alert(1)',
      ' JavaScript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'file:///etc/passwd',
      'command:workbench.action.terminal.new',
      'vscode://file/etc/passwd',
      'https://user:secret@example.com/',
      'not a url',
      '',
    ]) {
      assert.equal(safeExternalUrl(bad), undefined, bad);
    }
  });

  describe('files', () => {
    let root: string;
    let workspace: string;
    before(() => {
      root = mkdtempSync(path.join(os.tmpdir(), 'upkeep-links-'));
      workspace = path.join(root, 'app');
      mkdirSync(path.join(workspace, 'log'), { recursive: true });
      writeFileSync(path.join(workspace, 'log/production.log'), 'line\n');
      writeFileSync(path.join(root, 'secret.txt'), 'outside');
      symlinkSync(path.join(root, 'secret.txt'), path.join(workspace, 'log/escape.log'));
    });
    after(() => rmSync(root, { recursive: true, force: true }));

    it('resolves a workspace-relative or absolute path inside the workspace', async () => {
      const expected = path.join(workspace, 'log/production.log');
      assert.equal(await resolveInsideWorkspace(workspace, 'log/production.log'), expected);
      assert.equal(await resolveInsideWorkspace(workspace, expected), expected);
    });

    it('opens a file whose name starts with two dots: it is inside', async () => {
      const dotted = path.join(workspace, 'log/..old.log');
      writeFileSync(dotted, 'line\n');
      writeFileSync(path.join(workspace, '..notes.md'), 'notes\n');
      assert.equal(await resolveInsideWorkspace(workspace, 'log/..old.log'), dotted);
      const notes = path.join(workspace, '..notes.md');
      assert.equal(await resolveInsideWorkspace(workspace, '..notes.md'), notes);
    });

    it(
      'refuses paths that leave the workspace, links out of it, ' + 'folders and missing files',
      async () => {
        for (const file of [
          '../secret.txt',
          path.join(root, 'secret.txt'),
          'log/escape.log',
          'log',
          'log/missing.log',
          'log/production.log\0.txt',
          '/etc/passwd',
        ]) {
          assert.equal(await resolveInsideWorkspace(workspace, file), undefined, file);
        }
      },
    );
  });
});

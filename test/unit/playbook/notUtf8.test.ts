/**
 * A `.upkeep/playbook.yaml` saved in another encoding than UTF-8: Windows PowerShell 5's `>` and
 * Notepad's "Unicode" write UTF-16 with a byte order mark, older editors Latin-1. Read as UTF-8,
 * the first gave "must be a mapping" and the second titles with U+FFFD, and nothing said why.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadPlaybook, PLAYBOOK_FILE } from '../../../src/core/playbook/loader';
import { findTask } from '../../../src/core/playbook/model';

describe('a repo playbook that is not UTF-8', () => {
  let workspace: string;
  const text = 'version: 1\ntasks:\n  - id: daily.health\n    owner: José\n';

  beforeEach(async () => {
    workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-playbook-encoding-'));
    await fs.mkdir(path.join(workspace, '.upkeep'));
  });

  afterEach(async () => {
    await fs.rm(workspace, { recursive: true, force: true });
  });

  for (const [name, bytes] of [
    ['UTF-16 LE', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])],
    [
      'UTF-16 BE',
      Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]),
    ],
  ] as const) {
    it(`says a ${name} file is UTF-16 and uses the default playbook`, async () => {
      await fs.writeFile(path.join(workspace, PLAYBOOK_FILE), bytes);
      const { playbook, problems } = await loadPlaybook({ workspace });
      assert.equal(problems.length, 1, JSON.stringify(problems));
      assert.equal(problems[0].severity, 'error');
      assert.match(problems[0].message, /is UTF-16 text; save it as UTF-8/);
      assert.match(problems[0].message, /the default playbook is used/);
      assert.equal(findTask(playbook, 'daily.health')?.owner, undefined);
    });
  }

  it('points at the first line that is not UTF-8 (Latin-1) and reads the rest', async () => {
    await fs.writeFile(path.join(workspace, PLAYBOOK_FILE), Buffer.from(text, 'latin1'));
    const { playbook, problems } = await loadPlaybook({ workspace });
    assert.equal(problems.length, 1, JSON.stringify(problems));
    assert.equal(problems[0].severity, 'warning');
    assert.equal(problems[0].line, 4);
    assert.match(problems[0].message, /not UTF-8 text at line 4/);
    assert.equal(findTask(playbook, 'daily.health')?.owner, 'Jos\uFFFD');
  });

  it('reads a UTF-8 file, with its byte order mark, without a word', async () => {
    await fs.writeFile(path.join(workspace, PLAYBOOK_FILE), `\ufeff${text}`);
    const { playbook, problems } = await loadPlaybook({ workspace });
    assert.deepEqual(problems, []);
    assert.equal(findTask(playbook, 'daily.health')?.owner, 'José');
  });
});

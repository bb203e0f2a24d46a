/**
 * `upkeep db` on a workspace whose config/database.yml is hostile: a billion-laughs file or a
 * symlink to /dev/zero is a config error (exit 2) with what to do, not a crash or a hang.
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');

function upkeepDb(workspace: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), 'db', '--workspace', workspace],
      { cwd: ROOT, env: { PATH: process.env.PATH, HOME: workspace }, timeout: 60_000 },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

function billionLaughs(): string {
  let text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
  let previous = 'a';
  for (const name of 'bcdefghi') {
    text += `${name}: &${name} [${Array(9).fill(`*${previous}`).join(',')}]\n`;
    previous = name;
  }
  return `${text}development:\n  adapter: postgresql\n  host: 127.0.0.1\n  database: *i\n`;
}

describe('upkeep db with a hostile database.yml', function () {
  this.timeout(120_000);
  let workspace: string;

  beforeEach(async () => {
    workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-hostile-db-'));
    await fs.mkdir(path.join(workspace, 'config'));
  });

  afterEach(async () => {
    await fs.rm(workspace, { recursive: true, force: true });
  });

  it('exits 2 with a parse error and a hint for a billion-laughs file', async () => {
    await fs.writeFile(path.join(workspace, 'config/database.yml'), billionLaughs());
    const { code, stderr } = await upkeepDb(workspace);
    assert.equal(code, 2, stderr);
    assert.match(stderr, /database\.yml could not be read: Excessive alias count/);
    assert.match(stderr, /fewer or simpler YAML aliases/);
  });

  it('exits 2 naming the file when database.yml links to /dev/zero', async () => {
    await fs.symlink('/dev/zero', path.join(workspace, 'config/database.yml'));
    const { code, stderr } = await upkeepDb(workspace);
    assert.equal(code, 2, stderr);
    assert.match(stderr, /database\.yml is not a regular file/);
  });
});

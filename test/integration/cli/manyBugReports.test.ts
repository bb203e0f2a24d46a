/**
 * A bug folder of many reports (an old app's years of them) under a low limit of open files (a
 * container's, a server's `ulimit -n`): `upkeep status` lists every report, as the editor's On
 * demand tier does. Every report was opened at once, and those past the limit were skipped as
 * unreadable without a word (110 of 1,500 listed under a limit of 128).
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '../../..');
const CLI = path.join(ROOT, 'dist/cli.js');
const REPORTS = 600;
const OPEN_FILES = 128;

describe('upkeep status with many bug reports and a low limit of open files', () => {
  let workspace: string;

  before(async () => {
    workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-many-reports-'));
    const bugs = path.join(workspace, 'docs/maintenance/bugs');
    await fs.mkdir(bugs, { recursive: true });
    for (let i = 1; i <= REPORTS; i++) {
      await fs.writeFile(
        path.join(bugs, `2026-12-01-report-${i}.md`),
        `# Bug: Report ${i}\n\nStatus: Open\nSeverity: Low\n`,
      );
    }
  });

  after(async () => {
    await fs.rm(workspace, { recursive: true, force: true });
  });

  it('lists every report', () => {
    const run = spawnSync(
      'bash',
      [
        '-c',
        `ulimit -n ${OPEN_FILES} && exec "$0" "$@"`,
        process.execPath,
        CLI,
        'status',
        '--workspace',
        workspace,
        '--format',
        'json',
        '--fail-on',
        'never',
      ],
      { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: workspace, TZ: 'UTC' } },
    );
    assert.equal(run.status, 0, run.stderr);
    const report = JSON.parse(run.stdout) as { bugReports: { open: number } };
    assert.equal(report.bugReports.open, REPORTS);
  });
});

/**
 * What a cron line's `upkeep check --save` leaves in the workspace shows in the editor's result
 * log beside the editor's own runs, newest first, and the CLI's file stays as the CLI wrote it.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MemoryResultLog } from '../../../src/core/checks/resultLog';
import { CombinedResultLog, SAVED_RESULTS_FILE } from '../../../src/core/checks/savedResults';
import { createLogger } from '../../../src/core/util/logger';
import { runCli } from '../../support/cli';

describe('upkeep check --save, read by the editor', function () {
  this.timeout(120_000);
  let workspace: string;

  before(async () => {
    workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-saved-cli-'));
    await fs.writeFile(path.join(workspace, 'Gemfile'), "source 'https://rubygems.org'\n");
  });
  after(async () => {
    await fs.rm(workspace, { recursive: true, force: true });
  });

  it("shows the CLI's newer results and keeps the editor's newer ones", async () => {
    const own = new MemoryResultLog();
    await own.record([
      {
        checkId: 'repo.versions',
        title: 'Versions',
        outcome: 'error',
        summary: 'an old editor run',
        startedAt: new Date(Date.now() - 86_400_000).toISOString(),
        durationMs: 5,
      },
    ]);
    const run = await runCli(
      ['check', '--workspace', workspace, '--check', 'repo.versions', '--save'],
      { HOME: workspace },
    );
    assert.ok(run.code === 0 || run.code === 1, run.stderr);
    const file = path.join(workspace, SAVED_RESULTS_FILE);
    const written = await fs.readFile(file, 'utf8');
    await own.record([
      {
        checkId: 'docs.generated',
        title: 'Generated docs',
        outcome: 'pass',
        summary: 'a newer editor run',
        startedAt: new Date(Date.now() + 1000).toISOString(),
        durationMs: 5,
      },
    ]);

    const lines: string[] = [];
    const combined = new CombinedResultLog(own);
    const log = createLogger((level, line) => lines.push(`${level} ${line}`));
    await combined.readSaved({ file, label: SAVED_RESULTS_FILE, log, now: new Date() });

    const versions = combined.latest('repo.versions')!;
    assert.notEqual(versions.summary, 'an old editor run');
    assert.equal(combined.originOf(versions), 'commandLine');
    assert.equal(combined.history('repo.versions').length, 2);
    assert.equal(combined.latest('docs.generated')?.summary, 'a newer editor run');
    assert.match(lines.join('\n'), /: 1 result of 1 check saved by the command line$/m);
    assert.equal(await fs.readFile(file, 'utf8'), written, 'the CLI file is left as it was');
  });
});

/**
 * A results file a newer Upkeep wrote (`upkeep check --save` on a server where another cron line
 * runs a newer build): it was moved aside as unreadable and replaced, or, when it appeared during
 * the run, written over under the lock. It is left as it is, and the run says why it kept nothing.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileResultLog } from '../../../src/core/checks/resultLog';
import type { CheckResult } from '../../../src/core/checks/types';
import { UpkeepError } from '../../../src/core/util/errors';
import { runCli } from '../../support/cli';

const NEWER = '{ "version": 2, "results": {}, "runs": [{ "id": "r1" }] }\n';

const result = (checkId: string): CheckResult => ({
  checkId,
  title: checkId,
  outcome: 'pass',
  summary: 'pass',
  startedAt: new Date().toISOString(),
  durationMs: 1,
});

describe('a results file of a newer Upkeep', function () {
  this.timeout(60_000);
  let folder: string;
  let file: string;

  beforeEach(async () => {
    folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-results-newer-'));
    file = path.join(folder, '.upkeep/results.json');
    await fs.mkdir(path.dirname(file));
  });

  afterEach(async () => {
    await fs.rm(folder, { recursive: true, force: true });
  });

  async function leftAsItWas(): Promise<void> {
    assert.deepEqual(await fs.readdir(path.dirname(file)), ['results.json']);
    assert.equal(await fs.readFile(file, 'utf8'), NEWER);
  }

  const isNewer = (error: unknown): boolean =>
    UpkeepError.is(error) &&
    /written by a newer version of Upkeep \(results version 2/.test(error.message) &&
    /Update Upkeep/.test(error.hint ?? '');

  it('is refused when opened to save, neither moved aside nor written', async () => {
    await fs.writeFile(file, NEWER);
    await assert.rejects(FileResultLog.open(file), isNewer);
    await leftAsItWas();
  });

  it('is not written over when it appears during a run', async () => {
    const log = await FileResultLog.open(file);
    await fs.writeFile(file, NEWER);
    await assert.rejects(log.record([result('a')]), isNewer);
    await leftAsItWas();
  });

  it('is named as newer when only read', async () => {
    await fs.writeFile(file, NEWER);
    const problems: string[] = [];
    await FileResultLog.read(file, (message) => problems.push(message));
    assert.equal(problems.length, 1);
    assert.match(problems[0], /written by a newer version of Upkeep .*left as it is/);
    await leftAsItWas();
  });

  it('stops upkeep check --save before any check runs', async () => {
    await fs.writeFile(path.join(folder, 'Gemfile'), '');
    await fs.writeFile(file, NEWER);
    const run = await runCli([
      'check',
      '--workspace',
      folder,
      '--check',
      'docs.generated',
      '--save',
    ]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /written by a newer version of Upkeep/);
    assert.doesNotMatch(run.stdout, /docs\.generated/);
    await fs.rm(path.join(folder, 'Gemfile'));
    await leftAsItWas();
  });
});

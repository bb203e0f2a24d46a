/**
 * A `.upkeep/state.json` written by a newer Upkeep (a teammate updated first): an older one
 * neither moves it aside as broken nor writes its own over it, on a read as on a change.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readStateFile, StateStore, stateFilePath } from '../../../src/core/playbook/stateStore';
import type { CorruptStateReport } from '../../../src/core/playbook/stateStore';
import { UpkeepError } from '../../../src/core/util/errors';
import { runCli } from '../../support/cli';

describe('state store with a state file of a newer Upkeep', function () {
  this.timeout(60_000);
  let workspace: string;
  let file: string;
  const newer = '{ "version": 2, "tasks": {}, "teams": { "ops": ["ann"] } }\n';

  beforeEach(async () => {
    workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-state-newer-'));
    file = stateFilePath('repository', { workspace });
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, newer);
  });

  afterEach(async () => {
    await fs.rm(workspace, { recursive: true, force: true });
  });

  /** The files of `.upkeep`, and that state.json still holds what the newer Upkeep wrote. */
  async function leftAsItWas(): Promise<void> {
    assert.deepEqual(await fs.readdir(path.dirname(file)), ['state.json']);
    assert.equal(await fs.readFile(file, 'utf8'), newer);
  }

  it('says so, and neither moves nor writes the file on a read or a change', async () => {
    const reports: CorruptStateReport[] = [];
    const store = new StateStore({
      file,
      root: workspace,
      onCorrupt: (report) => reports.push(report),
    });
    await assert.rejects(
      store.read(),
      (error: unknown) =>
        UpkeepError.is(error, 'refused') &&
        /written by a newer version of Upkeep/.test(error.message) &&
        /update Upkeep/i.test(error.hint ?? ''),
    );
    await leftAsItWas();
    await assert.rejects(
      store.update((state) => {
        state.tasks.x = { since: 'x', ticks: {}, history: [] };
      }),
      (error: unknown) => UpkeepError.is(error, 'refused'),
    );
    await leftAsItWas();
    assert.deepEqual(reports, []);
  });

  it('reads a newer file as newer, not as broken', async () => {
    const found = await readStateFile(file);
    assert.equal(found.ok, false);
    assert.equal((found as { newer?: number }).newer, 2);
    assert.match((found as { reason: string }).reason, /unknown version 2, from a newer Upkeep/);
  });

  it('has upkeep status say to update Upkeep, not to check the file out again', async () => {
    await fs.writeFile(path.join(workspace, 'Gemfile'), '');
    await fs.mkdir(path.join(workspace, '.vscode'));
    await fs.writeFile(
      path.join(workspace, '.vscode/settings.json'),
      '{ "upkeep.state.location": "repository" }',
    );
    const run = await runCli(['status', '--workspace', workspace]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /unknown version 2, from a newer Upkeep\); nothing was changed\./);
    assert.match(run.stderr, /Update Upkeep to read it/);
    assert.doesNotMatch(run.stderr, /git checkout|moves a broken file aside/);
    await fs.rm(path.join(workspace, 'Gemfile'));
    await fs.rm(path.join(workspace, '.vscode'), { recursive: true });
    await leftAsItWas();
  });

  it('still moves aside a version that is no newer one', async () => {
    for (const version of ['0', '"2"', '1.5', '2e308']) {
      await fs.writeFile(file, `{ "version": ${version}, "tasks": {} }`);
      const reports: CorruptStateReport[] = [];
      const store = new StateStore({ file, onCorrupt: (report) => reports.push(report) });
      await store.read();
      assert.equal(reports.length, 1, version);
      await fs.rm(reports[0].backup);
    }
  });
});

/**
 * Security review: a custom check's `expect.pattern` comes from the repo playbook and runs on the
 * command's output on the main thread, so a catastrophic pattern hangs the run past its timeout
 * (and past SIGTERM in the CLI). Fails while the bug is open; also pins that nothing from the
 * repo runs in an untrusted run.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { customCheck } from '../../../src/core/checks/customChecks';
import { runChecks } from '../../../src/core/checks/runner';
import type { CustomCheckSpec } from '../../../src/core/playbook/model';
import { resolveSettings } from '../../../src/core/settings';
import { systemClock } from '../../../src/core/util/clock';
import { silentLogger } from '../../../src/core/util/logger';

describe('custom check hostile patterns (security review)', function () {
  this.timeout(120_000);
  let folder: string;
  before(async () => {
    folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-hostile-custom-'));
  });
  after(async () => {
    await fs.rm(folder, { recursive: true, force: true });
  });

  const run = (spec: CustomCheckSpec, trusted: boolean, timeoutMs: number) =>
    runChecks(
      [customCheck(spec)],
      {
        workspace: folder,
        settings: resolveSettings(),
        clock: systemClock,
        log: silentLogger,
        trusted,
      },
      { timeoutMs },
    );

  it('a catastrophic expect.pattern cannot outlast the check timeout', async () => {
    const spec = {
      id: 'evil.redos',
      title: 'ReDoS',
      kind: 'shell',
      command: `printf '${'a'.repeat(25)}!'`,
      expect: { pattern: '^(a+)+$' },
    } as CustomCheckSpec;
    const started = Date.now();
    const [result] = await run(spec, true, 1000);
    const elapsed = Date.now() - started;
    // Today the regex runs ~7 s on 26 bytes (doubling per extra "a"): the 1 s timeout is ignored.
    assert.ok(elapsed < 3000, `took ${elapsed} ms (outcome ${result.outcome}: ${result.summary})`);
  });

  it('pinned: an untrusted run runs no shell command and fetches no repo URL', async () => {
    const marker = path.join(folder, 'SHELL_RAN');
    const [shell] = await run(
      {
        id: 'evil.shell',
        title: 'x',
        kind: 'shell',
        command: `touch ${marker}`,
        expect: {},
      } as CustomCheckSpec,
      false,
      5000,
    );
    assert.equal(shell.outcome, 'skipped');
    await assert.rejects(fs.stat(marker));
  });
});

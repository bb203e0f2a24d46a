/**
 * config/initializers/filter_parameter_logging.rb is read in untrusted workspaces too, and its
 * regexps are the repo's: a catastrophic one must not freeze the editor or the CLI.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startCli } from '../../support/cli';

/** Nested stars: V8 backtracks for minutes on the 8 letters of "password". */
const CATASTROPHIC = '/(.*.*.*.*.*.*.*.*.*.*.*.*)*x/';

describe('hostile filter_parameters (security review)', function () {
  this.timeout(60_000);
  let workspace: string;

  beforeEach(async () => {
    workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-filters-'));
    await fs.mkdir(path.join(workspace, 'config/initializers'), { recursive: true });
    await fs.writeFile(path.join(workspace, 'config/application.rb'), '');
  });

  afterEach(async () => {
    await fs.rm(workspace, { recursive: true, force: true });
  });

  // In a child process: on the main thread the pattern would hold mocha's own timer too.
  it('a catastrophic regexp gives up with its pattern named, untrusted', async () => {
    await fs.writeFile(
      path.join(workspace, 'config/initializers/filter_parameter_logging.rb'),
      `Rails.application.config.filter_parameters += [${CATASTROPHIC}, :passw]\n`,
    );
    const cli = startCli([
      'check',
      '--untrusted',
      '--check',
      'security.filterParameters',
      '--format',
      'json',
      '--workspace',
      workspace,
    ]);
    const timer = setTimeout(() => cli.child.kill('SIGKILL'), 40_000);
    const run = await cli.exited;
    clearTimeout(timer);
    assert.notEqual(run.code, null, 'still running after 40 s');
    const [result] = (JSON.parse(run.stdout) as { results: { outcome: string; summary: string }[] })
      .results;
    assert.equal(result.outcome, 'error');
    assert.match(
      result.summary,
      /^config\/initializers\/filter_parameter_logging\.rb: pattern \/\(\.\*.*took longer than/,
    );
  });
});

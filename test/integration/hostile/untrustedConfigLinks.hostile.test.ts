/**
 * In an untrusted workspace no config file that links out of it is read: a repo can commit
 * config/environments/production.rb, the filter_parameters initializer or db/schema.rb as a link
 * to a file of the user's, and the checks that read them (health.email,
 * security.filterParameters, repo.pendingMigrations) told from their outcomes what it holds.
 * security.csrf lists files by a glob that takes no link for a file.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../../support/cli';
import { tempFolder } from '../../support/tempFolders';

const CHECKS = ['health.email', 'security.filterParameters', 'repo.pendingMigrations'];

interface Result {
  checkId: string;
  outcome: string;
  summary: string;
}

describe('checks reading config files linked out of an untrusted workspace', function () {
  this.timeout(60_000);
  let workspace: string;

  before(async () => {
    workspace = await tempFolder('upkeep-config-link-');
    const outside = await tempFolder('upkeep-config-private-');
    const write = async (file: string, text: string): Promise<void> => {
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(file, text);
    };
    await write(path.join(workspace, 'config/application.rb'), 'module App; end\n');
    await write(path.join(workspace, 'db/migrate/20260101000000_create_users.rb'), '');
    // The user's own files, which the links point at.
    await write(
      path.join(outside, 'production.rb'),
      'config.action_mailer.delivery_method = :smtp\n',
    );
    await write(path.join(outside, 'filter.rb'), 'config.filter_parameters += [:passw]\n');
    await write(
      path.join(outside, 'schema.rb'),
      'ActiveRecord::Schema[7.1].define(version: 2026_01_01_000000) do\nend\n',
    );
    const links: [string, string][] = [
      ['production.rb', 'config/environments/production.rb'],
      ['filter.rb', 'config/initializers/filter_parameter_logging.rb'],
      ['schema.rb', 'db/schema.rb'],
    ];
    for (const [from, to] of links) {
      await fs.mkdir(path.dirname(path.join(workspace, to)), { recursive: true });
      await fs.symlink(path.join(outside, from), path.join(workspace, to));
    }
  });

  async function run(trusted: boolean): Promise<Map<string, Result>> {
    const args = ['check', '--workspace', workspace, '--format', 'json'];
    const out = await runCli([
      ...args,
      ...(trusted ? [] : ['--untrusted']),
      ...CHECKS.flatMap((id) => ['--check', id]),
    ]);
    const report = JSON.parse(out.stdout) as { results: Result[] };
    return new Map(report.results.map((result) => [result.checkId, result]));
  }

  it('waits for trust instead of reading them', async () => {
    const results = await run(false);
    for (const id of CHECKS) {
      const result = results.get(id);
      assert.equal(result?.outcome, 'skipped', `${id}: ${JSON.stringify(result)}`);
      assert.match(result?.summary ?? '', /links outside the workspace; waits for workspace trust/);
    }
  });

  it('still reads them in a trusted workspace, as a deploy links config', async () => {
    const results = await run(true);
    for (const id of CHECKS) {
      const result = results.get(id);
      assert.ok(result, id);
      assert.doesNotMatch(result.summary, /links outside the workspace/, id);
    }
    // What the linked files say counts: the migration is the schema's version, so none pends.
    assert.equal(results.get('repo.pendingMigrations')?.outcome, 'pass');
  });
});

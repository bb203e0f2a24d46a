/**
 * What the log reader worked around (junk after a rotated .gz's data) reaches stderr in
 * `upkeep check` too, once a run however many log checks and windows read the file: its log
 * checks' results do not carry the summary's warnings, so a cron job saw nothing of them.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { runCli } from '../../support/cli';
import { tempFolderWith } from '../../support/tempFolders';

describe('upkeep check says the log warnings on stderr', function () {
  this.timeout(120_000);

  it('names junk after a .gz once, keeps the JSON a document and the exit code', async () => {
    const now = new Date();
    const stamp = now.toISOString().replace('Z', '');
    const id = '0a0b0c0d-0000-4000-8000-000000000001';
    const line = (text: string): string => `I, [${stamp} #100]  INFO -- : [${id}] ${text}\n`;
    const log =
      line(`Started GET "/a" for 10.0.0.1 at ${now.toISOString()}`) +
      line('Processing by ItemsController#show as HTML') +
      line('Completed 200 OK in 12ms (Views: 5.0ms | ActiveRecord: 2.0ms)');
    const workspace = await tempFolderWith('upkeep-logwarn-', {
      Gemfile: "source 'x'\n",
      '.vscode/settings.json': JSON.stringify({ 'upkeep.logs.sources': ['log/production.log*'] }),
      'log/production.log': log,
    });
    const archive = path.join(workspace, 'log/production.log.1.gz');
    await fs.writeFile(archive, Buffer.concat([gzipSync(log), Buffer.from('junk\n')]));
    const args = ['check', '--workspace', workspace, '--task', 'daily.logs', '--format', 'json'];
    const run = await runCli(args, { TZ: 'UTC' });
    const report = JSON.parse(run.stdout) as { exitCode: number };
    assert.equal(run.code, report.exitCode, run.stderr);
    const said = run.stderr.match(
      /production\.log\.1\.gz: the 5 bytes after its last gzip member/g,
    );
    assert.equal(said?.length, 1, run.stderr);
    assert.match(run.stderr, /^warn: .*production\.log\.1\.gz: the 5 bytes after/m);

    // A rotated file's name that holds a line break forges no line of stderr.
    const forged = path.join(workspace, 'log/production.log.2\nupkeep: all checks passed.gz');
    await fs.writeFile(forged, Buffer.concat([gzipSync(log), Buffer.from('junk\n')]));
    const hostile = await runCli(args, { TZ: 'UTC' });
    assert.match(hostile.stderr, /production\.log\.2 upkeep: all checks passed\.gz: the 5 bytes/);
    assert.doesNotMatch(hostile.stderr, /^upkeep: all checks passed/m);
    await fs.rm(forged);

    // Without the junk, nothing of the kind.
    await fs.writeFile(archive, gzipSync(log));
    const clean = await runCli(args, { TZ: 'UTC' });
    assert.doesNotMatch(clean.stderr, /gzip/);
    assert.equal(clean.code, run.code, clean.stderr);
  });
});

/**
 * In an untrusted workspace a log is read only when it lies inside the workspace, and what is
 * judged is the file opened, not its name when the sources were resolved: a link put at a
 * log's name (or at a folder above it) after that check is refused, nothing of it read. A link
 * inside the workspace is still read, and a trusted workspace still reads logs linked out of it.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { isOpenedInside } from '../../../src/core/util/confinedOpen';
import { resolveSources } from '../../../src/core/logs/sources';
import { summarizeLogs, type LogSummary } from '../../../src/core/logs/summary';
import { fixedClock } from '../../../src/core/util/clock';
import { openRegularFile } from '../../../src/core/util/textFile';
import { tempFolder } from '../../support/tempFolders';

const NOW = new Date('2026-12-04T12:00:00Z');

/** `count` requests of a Rails production log to `/route/N`, one a second, the last at NOW. */
function productionLog(count: number, route: string): string {
  const lines: string[] = [];
  for (let i = count - 1; i >= 0; i--) {
    const at = new Date(NOW.getTime() - i * 1000).toISOString().replace('Z', '');
    const id = `${i.toString(16).padStart(8, '0')}-0000-4000-8000-000000000200`;
    lines.push(
      `I, [${at} #100]  INFO -- : [${id}] Started GET "/${route}/${i}" for 10.0.0.1 at ${at}`,
      `I, [${at} #100]  INFO -- : [${id}] Processing by ItemsController#show as HTML`,
      `I, [${at} #100]  INFO -- : [${id}] Completed 200 OK in 12ms (Views: 5.0ms)`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function summarize(
  workspace: string,
  trusted: boolean,
  afterResolve?: () => Promise<void>,
): Promise<LogSummary> {
  return summarizeLogs({
    workspace,
    sources: ['log/production.log'],
    confineToWorkspace: !trusted,
    clock: fixedClock(NOW.toISOString()),
    timeZone: 'UTC',
    afterResolve,
  });
}

describe('a log source that must stay inside the workspace, swapped after its check', function () {
  this.timeout(60_000);
  let workspace: string;
  let outside: string;
  let secret: string;
  let log: string;

  beforeEach(async () => {
    const root = await tempFolder('upkeep-confined-swap-');
    workspace = path.join(root, 'app');
    outside = path.join(root, 'home');
    await fs.mkdir(path.join(workspace, 'log'), { recursive: true });
    await fs.mkdir(outside);
    // A file of the user's outside the workspace, shaped as a log so its lines would count.
    secret = path.join(outside, 'private.log');
    await fs.writeFile(secret, productionLog(7, 'outside-secret'));
    log = path.join(workspace, 'log', 'production.log');
    await fs.writeFile(log, productionLog(3, 'items'));
  });

  it('refuses a link out put at the log name, naming the log and reading nothing', async () => {
    const summary = await summarize(workspace, false, async () => {
      await fs.rm(log);
      await fs.symlink(secret, log);
    });

    assert.equal(summary.requests.total, 0);
    assert.doesNotMatch(JSON.stringify(summary), /outside-secret/);
    const [source] = summary.sources;
    assert.equal(source.lines, 0);
    assert.equal(source.bytesRead, 0);
    assert.match(source.error ?? '', /log\/production\.log/);
    assert.match(source.error ?? '', /changed after it was checked/);
    assert.match(source.error ?? '', /not read/);
  });

  it('refuses a folder above the log swapped for a link out', async () => {
    await fs.copyFile(secret, path.join(outside, 'production.log'));
    const summary = await summarize(workspace, false, async () => {
      await fs.rename(path.join(workspace, 'log'), path.join(workspace, 'log.old'));
      await fs.symlink(outside, path.join(workspace, 'log'));
    });

    assert.equal(summary.requests.total, 0);
    assert.doesNotMatch(JSON.stringify(summary), /outside-secret/);
    assert.match(summary.sources[0].error ?? '', /changed after it was checked/);
  });

  it('refuses another file of the workspace put at the log name', async () => {
    const other = path.join(workspace, 'log', 'other.log');
    await fs.writeFile(other, productionLog(5, 'other'));
    const summary = await summarize(workspace, false, async () => {
      await fs.rm(log);
      await fs.symlink(other, log);
    });

    assert.equal(summary.requests.total, 0);
    assert.match(summary.sources[0].error ?? '', /changed after it was checked/);
  });

  it('reads a log that is a link to a file inside the workspace', async () => {
    const shared = path.join(workspace, 'shared', 'production.log');
    await fs.mkdir(path.dirname(shared));
    await fs.rename(log, shared);
    await fs.symlink(path.join('..', 'shared', 'production.log'), log);

    const summary = await summarize(workspace, false);
    assert.equal(summary.sources[0].error, undefined);
    assert.equal(summary.requests.total, 3);
  });

  it('reads a log linked out of a trusted workspace, also when the link came late', async () => {
    await fs.rm(log);
    await fs.symlink(secret, log);
    const linked = await summarize(workspace, true);
    assert.equal(linked.sources[0].error, undefined);
    assert.equal(linked.requests.total, 7);

    await fs.rm(log);
    await fs.writeFile(log, productionLog(3, 'items'));
    const late = await summarize(workspace, true, async () => {
      await fs.rm(log);
      await fs.symlink(secret, log);
    });
    // Read as opened, up to the size the log had when the sources were listed.
    assert.equal(late.sources[0].error, undefined);
    assert.ok(late.requests.total > 0);
    assert.match(JSON.stringify(late), /outside-secret/);
  });

  it('tells a swap by identity and by where the open file is, with /proc or not', async () => {
    const real = await fs.realpath(workspace);
    const { files } = await resolveSources(workspace, ['log/production.log'], {
      confineToWorkspace: true,
    });
    const noProc = path.join(outside, 'no-proc');
    const same = await openRegularFile(log);
    try {
      assert.equal(await isOpenedInside(same, files[0], real, noProc), true);
    } finally {
      await same.handle.close();
    }

    await fs.rm(log);
    await fs.symlink(secret, log);
    const swapped = await openRegularFile(log);
    try {
      assert.equal(await isOpenedInside(swapped, files[0], real, noProc), false);
      assert.equal(await isOpenedInside(swapped, files[0], real), false);
      // A swap while the sources were resolved, between the check of the name and its stat:
      // the file outside is what was stat-ed, and its path, with /proc or without, tells.
      const { dev, ino } = await fs.stat(secret);
      const checked = { path: log, dev, ino };
      assert.equal(await isOpenedInside(swapped, checked, real), false);
      assert.equal(await isOpenedInside(swapped, checked, real, noProc), false);
    } finally {
      await swapped.handle.close();
    }
  });
});

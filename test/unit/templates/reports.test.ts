/**
 * Reading bug reports back for the On demand tier: the ones Upkeep wrote, ones edited by hand,
 * done markers, and folders that are missing or hold other things.
 */
import { strict as assert } from 'node:assert';
import { constants, promises as fs } from 'node:fs';
import { execFileSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveSettings } from '../../../src/core/settings';
import { fixedClock } from '../../../src/core/util/clock';
import { UpkeepError, describeError } from '../../../src/core/util/errors';
import { createBugReport } from '../../../src/core/templates/scaffold';
import {
  describeOpenReports,
  listReports,
  parseReport,
  readReportHead,
  reportFilesGlob,
  reportState,
} from '../../../src/core/templates/reports';

describe('listReports', () => {
  let workspace: string;
  const settings = resolveSettings();

  beforeEach(async () => {
    workspace = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-reports-')));
  });
  afterEach(() => fs.rm(workspace, { recursive: true, force: true }));

  const create = (title: string, severity: 'critical' | 'low', at: string) =>
    createBugReport(
      {
        workspace,
        settings,
        clock: fixedClock(at),
        trusted: true,
        timeZone: 'America/New_York',
        git: { author: 'Ada', branch: 'main' },
      },
      { title, severity },
    );

  it('gives the glob a file watcher needs: the reports, their folder and the folders above', () => {
    assert.equal(
      reportFilesGlob(settings),
      '{docs,docs/maintenance,docs/maintenance/bugs,docs/maintenance/bugs/*.md}',
    );
    assert.equal(
      reportFilesGlob(resolveSettings({ templates: { bugFolder: './bugs/' } })),
      '{bugs,bugs/*.md}',
    );
    assert.equal(reportFilesGlob(resolveSettings({ templates: { bugFolder: '' } })), '*.md');
  });

  it('is empty when the bug folder does not exist', async () => {
    assert.deepEqual(await listReports(workspace, settings), []);
  });

  it('reads back what createBugReport wrote, soonest response first', async () => {
    const low = await create('Typo in footer', 'low', '2026-12-01T10:00:00Z');
    const critical = await create('Site down', 'critical', '2026-12-04T10:00:00Z');

    const reports = await listReports(workspace, settings);
    assert.deepEqual(reports, [
      {
        file: critical.file,
        title: 'Site down',
        severity: 'critical',
        createdAt: new Date('2026-12-04T10:00:00Z'),
        dueAt: new Date('2026-12-04T11:00:00Z'),
        done: false,
      },
      {
        file: low.file,
        title: 'Typo in footer',
        severity: 'low',
        createdAt: new Date('2026-12-01T10:00:00Z'),
        dueAt: new Date('2026-12-08T10:00:00Z'),
        done: false,
      },
    ]);
    assert.equal(reportState(reports[0], new Date('2026-12-04T12:00:00Z')), 'overdue');
    assert.equal(reportState(reports[1], new Date('2026-12-04T12:00:00Z')), 'open');
    // The On demand tier row counts them, as it counts due tasks.
    assert.equal(
      describeOpenReports(reports, new Date('2026-12-04T12:00:00Z')),
      '2 open bug reports, 1 response overdue',
    );
    assert.equal(
      describeOpenReports(reports.slice(1), new Date('2026-12-04T12:00:00Z')),
      '1 open bug report',
    );
    assert.equal(describeOpenReports([{ ...reports[0], done: true }], new Date()), '');
  });

  it('sees a report marked done by its Status line or a ticked checkbox', async () => {
    const report = await create('Slow search', 'low', '2026-12-01T10:00:00Z');
    const text = await fs.readFile(report.file, 'utf8');
    await fs.writeFile(report.file, text.replace(/^- Status: .*$/m, '- Status: Done'));
    const [done] = await listReports(workspace, settings);
    assert.equal(done.done, true);
    assert.equal(reportState(done, new Date('2030-01-01')), 'done');

    for (const marker of ['**Status:** Fixed', 'Status: closed', '- [x] Done', '* [X] Resolved']) {
      assert.equal(parseReport('a.md', `# Bug: a\n${marker}\n`).done, true, marker);
    }
    for (const marker of ['Status: Open (write Done here)', '- [ ] Done', 'Not done yet']) {
      assert.equal(parseReport('a.md', `# Bug: a\n${marker}\n`).done, false, marker);
    }
  });

  it('makes do with hand-written reports', async () => {
    const folder = path.join(workspace, settings.templates.bugFolder);
    await fs.mkdir(path.join(folder, 'archive'), { recursive: true });
    await fs.writeFile(
      path.join(folder, '2026-11-30-by-hand.md'),
      '## Checkout broken\r\nSeverity: HIGH\r\n',
    );
    await fs.writeFile(path.join(folder, 'notes.txt'), 'not a report');
    await fs.writeFile(path.join(folder, 'empty.md'), '');

    const reports = await listReports(workspace, settings);
    assert.deepEqual(
      reports.map((r) => [path.basename(r.file), r.title, r.severity, r.dueAt?.toISOString()]),
      [
        ['2026-11-30-by-hand.md', 'Checkout broken', 'high', '2026-11-30T04:00:00.000Z'],
        ['empty.md', 'empty', undefined, undefined],
      ],
    );
  });

  it("reads a time the upkeep-bug snippet wrote (no offset) in the team's zone", async () => {
    // The snippet writes the editor's wall clock, `Reported: 2026-12-05 15:00`: read as the
    // file's date at midnight UTC, a critical bug filed in the afternoon was overdue since 01:00.
    const text = (reported: string) =>
      `# Bug: Login fails\n\n- Severity: Critical\n- Reported: ${reported} by Ann\n`;
    const file = '2026-12-05-login-fails.md';
    const cases: [string, string | undefined, string][] = [
      ['2026-12-05 15:00', 'Europe/Berlin', '2026-12-05T15:00:00.000Z'],
      ['2026-12-05 15:00', 'America/New_York', '2026-12-05T21:00:00.000Z'],
      ['2026-12-05 15:00', 'UTC', '2026-12-05T16:00:00.000Z'],
      // An offset written in the text wins over the zone.
      ['2026-12-05 15:00 +02:00 (Europe/Helsinki)', 'America/New_York', '2026-12-05T14:00:00.000Z'],
    ];
    for (const [reported, zone, due] of cases) {
      const report = parseReport(file, text(reported), zone);
      assert.equal(report.dueAt?.toISOString(), due, `${reported} in ${zone}`);
    }

    const folder = path.join(workspace, settings.templates.bugFolder);
    await fs.mkdir(folder, { recursive: true });
    await fs.writeFile(path.join(folder, file), text('2026-12-05 15:00'));
    const inZone = resolveSettings({ schedule: { timeZone: 'Asia/Tokyo' } });
    const [read] = await listReports(workspace, inZone);
    assert.equal(read.createdAt?.toISOString(), '2026-12-05T06:00:00.000Z');
    assert.equal(read.dueAt?.toISOString(), '2026-12-05T07:00:00.000Z');
  });

  it("dates a report without a Reported line by its file name, midnight in the team's zone", () => {
    const text = '# Bug: Login fails\n\n- Severity: Critical\n';
    const file = '2026-12-05-login-fails.md';
    const cases: [string | undefined, string][] = [
      ['America/New_York', '2026-12-05T05:00:00.000Z'],
      ['Asia/Tokyo', '2026-12-04T15:00:00.000Z'],
      // No zone known: midnight UTC, as before.
      [undefined, '2026-12-05T00:00:00.000Z'],
    ];
    for (const [zone, created] of cases) {
      assert.equal(parseReport(file, text, zone).createdAt?.toISOString(), created, String(zone));
    }
  });

  describe('a bug folder that is a link', () => {
    let outside: string;
    beforeEach(async () => {
      outside = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-elsewhere-')));
      await fs.writeFile(path.join(outside, 'diary.md'), '# Private heading\n');
    });
    afterEach(() => fs.rm(outside, { recursive: true, force: true }));

    it('refuses one that leaves the workspace, and says which link and setting', async () => {
      const folder = path.join(workspace, settings.templates.bugFolder);
      await fs.mkdir(path.dirname(folder), { recursive: true });
      await fs.symlink(outside, folder);

      const error = await listReports(workspace, settings).then(
        () => assert.fail('listed reports outside the workspace'),
        (caught: unknown) => caught,
      );
      assert.ok(UpkeepError.is(error, 'refused'), String(error));
      assert.equal(
        describeError(error),
        `The bug folder docs/maintenance/bugs links to ${outside}, outside the workspace; ` +
          'no report there is read. Set upkeep.templates.bugFolder to a folder inside the ' +
          'workspace, or replace the link with a folder.',
      );
    });

    it('refuses a folder above it that links out too', async () => {
      await fs.symlink(outside, path.join(workspace, 'docs'));
      await fs.mkdir(path.join(outside, 'maintenance', 'bugs'), { recursive: true });
      await fs.writeFile(path.join(outside, 'maintenance', 'bugs', 'x.md'), '# Elsewhere\n');

      await assert.rejects(listReports(workspace, settings), /outside the workspace/);
    });

    it('follows one that stays inside the workspace', async () => {
      await fs.mkdir(path.join(workspace, 'reports'));
      await fs.writeFile(path.join(workspace, 'reports', 'a.md'), '# Inside\n');
      await fs.mkdir(path.join(workspace, 'docs', 'maintenance'), { recursive: true });
      await fs.symlink('../../reports', path.join(workspace, settings.templates.bugFolder));

      const reports = await listReports(workspace, settings);
      assert.deepEqual(
        reports.map((r) => r.title),
        ['Inside'],
      );
    });

    it('skips a report file that links out of the folder', async () => {
      const folder = path.join(workspace, settings.templates.bugFolder);
      await fs.mkdir(folder, { recursive: true });
      await fs.symlink(path.join(outside, 'diary.md'), path.join(folder, 'diary.md'));

      assert.deepEqual(await listReports(workspace, settings), []);
    });
  });
});

describe('readReportHead', () => {
  let folder: string;

  beforeEach(async () => {
    folder = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-report-head-')));
  });
  afterEach(() => fs.rm(folder, { recursive: true, force: true }));

  it('passes over a FIFO swapped in after the listing, without waiting for a writer', async () => {
    const fifo = path.join(folder, '2026-12-06-stuck.md');
    execFileSync('mkfifo', [fifo]);
    const read = readReportHead(fifo);
    const waited = await Promise.race([
      read.then(() => false),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 3000)),
    ]);
    if (waited) {
      // Lets the open that waits go, so the test ends: a writer comes and goes.
      const writer = await fs.open(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
      await writer.close();
    }
    assert.equal(waited, false, 'the open waited for a writer');
    assert.equal(await read, undefined);
  });

  it('passes over a link swapped in after the listing', async () => {
    const secret = path.join(folder, 'secret.txt');
    await fs.writeFile(secret, '# Private notes\n');
    const link = path.join(folder, '2026-12-06-link.md');
    await fs.symlink(secret, link);
    assert.equal(await readReportHead(link), undefined);
  });

  it('reads a report', async () => {
    const file = path.join(folder, '2026-12-06-ok.md');
    await fs.writeFile(file, '# Bug: checkout fails\r\n');
    assert.equal(await readReportHead(file), '# Bug: checkout fails\n');
  });
});

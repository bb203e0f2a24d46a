/**
 * The Markdown maintenance report: hostile cells stay inside their cell, every section shows or
 * says why not, and saving never replaces a file.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  buildReport,
  localDate,
  markdownCell,
  REPORTS_FOLDER,
  writeReport,
} from '../../../src/core/dashboard/report';
import type { ReportInput } from '../../../src/core/dashboard/report';
import { emptyLogsView } from '../../support/logsView';
import { UpkeepError } from '../../../src/core/util/errors';

function input(overrides: Partial<ReportInput> = {}): ReportInput {
  return {
    generatedAt: new Date(2026, 11, 4, 10, 30),
    author: 'Ada Lovelace <ada@example.com>',
    workspaceName: 'demo',
    window: { kind: '24h' },
    sections: {},
    errors: {},
    ...overrides,
  };
}

describe('dashboard report', () => {
  it('escapes pipes, folds newlines and neutralises HTML in cells', () => {
    assert.equal(markdownCell('a|b'), 'a\\|b');
    assert.equal(markdownCell('line one\nline two\r\nthree'), 'line one line two three');
    // HTML is backslash-escaped (no entities in the raw file); an e-mail autolink reads as typed.
    assert.equal(markdownCell('<img src=x onerror=alert(1)>'), '\\<img src=x onerror=alert(1)>');
    assert.equal(markdownCell('Ada <ada@example.com>'), 'Ada <ada@example.com>');
    assert.equal(markdownCell('AT&T &amp;'), 'AT&T \\&amp;');
    assert.equal(markdownCell('back\\slash|'), 'back\\slash\\|');
    assert.equal(markdownCell('end\\|'), 'end\\\\\\|');
    assert.equal(markdownCell(null), '–');
    assert.equal(markdownCell(''), '–');
    assert.equal(markdownCell(42), '42');
    assert.equal(markdownCell('x'.repeat(1000)).length, 301);
  });

  it('keeps an image in the data as text, so a preview of the report fetches nothing', () => {
    const beacon = '/a![x](https://tracker.example/p.png)';
    assert.equal(markdownCell(beacon), '/a!\\[x](https://tracker.example/p.png)');
    assert.equal(markdownCell('![a]![b][c]'), '!\\[a]!\\[b][c]');
    const markdown = buildReport(
      input({
        workspaceName: beacon,
        sections: {
          alerts: {
            alerts: [{ id: 'x', severity: 'fail', title: beacon, detail: '', section: 'logs' }],
          },
        },
      }),
    );
    assert.doesNotMatch(markdown, /!\[/);
  });

  it('keeps every table row to its columns, whatever the data holds', () => {
    const markdown = buildReport(
      input({
        sections: {
          alerts: {
            alerts: [
              {
                id: 'x',
                severity: 'fail',
                title: 'pipe | in title',
                detail: 'two\nlines | and a pipe',
                section: 'logs',
              },
            ],
          },
          database: {
            target: 'app@127.0.0.1:5432/app',
            growth: [],
            cards: [],
            slowQueries: [
              {
                query: "SELECT '|' FROM t\nWHERE a = 1",
                calls: 3,
                totalMs: 30,
                meanMs: 10,
                rows: 3,
              },
            ],
          },
        },
      }),
    );
    // Each table's rows (consecutive lines starting with a pipe) have as many unescaped pipes,
    // the cell borders, as its header: no value broke out of its cell or its row.
    const groups = markdown
      .split(/\n(?!\|)/)
      .map((block) => block.split('\n').filter((line) => line.startsWith('|')))
      .filter((group) => group.length > 0);
    assert.ok(groups.length >= 2);
    const borders = (line: string): number =>
      line.replace(/\\\\/g, '').replace(/\\\|/g, '').split('|').length;
    for (const group of groups) {
      for (const line of group) assert.equal(borders(line), borders(group[0]), line);
    }
    assert.ok(markdown.includes("| SELECT '\\|' FROM t WHERE a = 1 | 3 | 10 ms | 30 ms |"));
    assert.ok(markdown.includes('| FAIL | pipe \\| in title | two lines \\| and a pipe | – |'));
  });

  it("says when a failing check's alert was measured, as the dashboard does", () => {
    const ranAt = new Date(2026, 11, 4, 10, 0).toISOString();
    const markdown = buildReport(
      input({
        sections: {
          alerts: {
            alerts: [
              {
                id: 'check:daily.logs',
                severity: 'fail',
                title: 'Errors in the last hour',
                detail: '1 error in the last hour',
                section: 'health',
                ranAt,
              },
            ],
          },
        },
      }),
    );
    const row = markdown.split('\n').find((line) => line.includes('Errors in the last hour |'));
    assert.match(
      row ?? '',
      /^\| FAIL \| Errors in the last hour \| 1 error in the last hour \| .*10:00.* \|$/,
    );
    assert.match(markdown, /\| Severity \| Alert \| Detail \| Check ran \|/);
  });

  it('says which actions answered 5xx and where each exception was raised', () => {
    const logs = emptyLogsView({
      actions: [
        {
          action: 'BookingsController#show',
          count: 102,
          errors: 12,
          p50Ms: 95,
          p95Ms: 230,
          p99Ms: 542,
          dbSharePercent: 31,
        },
      ],
      exceptions: [
        {
          className: 'NoMethodError',
          count: 12,
          lastMessage: "undefined method `name' for nil",
          lastAt: '',
          actions: ['BookingsController#show'],
          frame: { file: 'app/controllers/bookings_controller.rb', line: 8 },
          bugTitle: 'NoMethodError in BookingsController#show',
        },
      ],
    });
    const markdown = buildReport(input({ sections: { logs } }));
    assert.ok(markdown.includes('| BookingsController#show | 102 | 12 | 95 ms |'), markdown);
    assert.ok(
      markdown.includes(
        "| NoMethodError | 12 | undefined method `name' for nil | BookingsController#show | " +
          'app/controllers/bookings_controller.rb:8 |',
      ),
      markdown,
    );
  });

  it('says what a p95, a p99 or an error rate of few requests rests on, as the page does', () => {
    // A window of 3 requests: its p99 is the slowest of them, 1 error of 3 is 33.3 %.
    const action = { action: 'HealthController#show', errors: 0, p50Ms: 2, dbSharePercent: 0 };
    const logs = emptyLogsView({
      totals: {
        ...emptyLogsView().totals,
        requests: 3,
        timedRequests: 3,
        completedRequests: 3,
        errors: 1,
        errorRatePercent: 33.333,
        p50Ms: 3,
        p95Ms: 820,
        p99Ms: 820,
      },
      actions: [
        { ...action, count: 3, p95Ms: 120, p99Ms: 300 },
        { ...action, action: 'UsersController#show', count: 600, p95Ms: 80, p99Ms: 90 },
      ],
    });
    const markdown = buildReport(input({ sections: { logs } }));
    const slowest = 'over 3 requests: the slowest one';
    assert.ok(
      markdown.includes(
        `| 3 | 1 | 33.3 % (1 of 3 requests) | – | 3 ms | 820 ms (${slowest}) | ` +
          `820 ms (${slowest}) |`,
      ),
      markdown,
    );
    assert.ok(
      markdown.includes(
        '| HealthController#show | 3 | 0 | 2 ms | 120 ms (slowest of 3) | ' +
          '300 ms (slowest of 3) |',
      ),
      markdown,
    );
    assert.ok(markdown.includes('| UsersController#show | 600 | 0 | 2 ms | 80 ms | 90 ms |'));
  });

  it("dates its title in the report's zone, as its Date line", () => {
    // 23:30 UTC on the 4th is already the 5th in Tokyo.
    const markdown = buildReport(
      input({ generatedAt: new Date('2026-12-04T23:30:00Z'), timeZone: 'Asia/Tokyo' }),
    );
    assert.match(markdown, /^# Maintenance report 2026-12-05\n/);
    assert.match(markdown, /- Date: .*Dec 5, 2026/);
  });

  it('names the zone its times are written in, as the dashboard names it', () => {
    // The dashboard says "Updated …, 10:51 PM (UTC)"; the saved report's Date line and Ran at
    // column gave the same times with no zone, for a reader elsewhere to guess.
    const markdown = buildReport(
      input({
        generatedAt: new Date('2026-12-04T23:30:00Z'),
        locale: 'en-US',
        timeZone: 'Asia/Tokyo',
      }),
    );
    assert.ok(markdown.includes('- Date: Dec 5, 2026, 8:30 AM (times in Asia/Tokyo)\n'), markdown);
  });

  it('writes dates in one locale format with the time, and numbers with separators', () => {
    const markdown = buildReport(
      input({
        generatedAt: new Date('2026-12-04T16:49:24.935Z'),
        locale: 'en-US',
        timeZone: 'UTC',
        window: { kind: 'range', from: '2026-12-02T21:34:00.000Z', to: '2026-12-04T16:49:00.000Z' },
        sections: {
          health: {
            counts: { pass: 1, warn: 0, fail: 0, error: 0, skipped: 0, never: 0 },
            tiers: [
              {
                tierId: 'daily',
                title: 'Daily',
                checks: [
                  {
                    checkId: 'db.vacuum',
                    title: 'Vacuum',
                    outcome: 'pass',
                    summary: 'ok',
                    startedAt: '2026-12-04T16:49:24.935Z',
                    durationMs: 3,
                    findings: [],
                  },
                ],
              },
            ],
          },
          database: {
            target: '127.0.0.1:5432/app',
            growth: [],
            cards: [],
            slowQueries: [{ query: 'SELECT 1', calls: 1891, totalMs: 8040, meanMs: 1854, rows: 1 }],
          },
        },
      }),
    );
    assert.ok(markdown.includes('- Date: Dec 4, 2026, 4:49 PM'), markdown);
    assert.ok(markdown.includes('- Log window: Dec 2, 2026, 9:34 PM – Dec 4, 2026, 4:49 PM'));
    assert.ok(markdown.includes('| Vacuum | PASS | ok | Dec 4, 2026, 4:49 PM |'));
    assert.ok(markdown.includes('| SELECT 1 | 1,891 | 1.9 s | 8 s |'));
    assert.doesNotMatch(markdown, /\d{4}-\d{2}-\d{2}T\d{2}/);
  });

  it('has the date, the author, the window and says which sections could not load', () => {
    const markdown = buildReport(input({ errors: { database: 'Could not connect.' } }));
    assert.ok(markdown.startsWith('# Maintenance report 2026-12-04\n'));
    assert.ok(markdown.includes('- Made by: Ada Lovelace <ada@example.com>\n'));
    assert.doesNotMatch(markdown, /&lt;|&gt;|&amp;/);
    assert.ok(markdown.includes('- Log window: last 24 hours'));
    assert.ok(markdown.includes('## Database\n\n_Not available: Could not connect._'));
    assert.ok(markdown.includes('## Logs\n\n_Not available: not loaded_'));
  });

  it('says what to do when the reports folder cannot be made, naming no template', async () => {
    const workspace = mkdtempSync(path.join(os.tmpdir(), 'upkeep-report-'));
    try {
      // The bug and feature folder settings do not move the reports folder.
      writeFileSync(path.join(workspace, 'docs'), 'a file, not a folder');
      await assert.rejects(writeReport(workspace, '# one', new Date()), (error: unknown) => {
        assert.ok(UpkeepError.is(error, 'refused'));
        assert.match(error.message, /a file is in the way/);
        assert.doesNotMatch(error.hint ?? '', /upkeep\.templates/);
        assert.match(error.hint ?? '', /writable/);
        return true;
      });
    } finally {
      rmSync(workspace, { recursive: true, force: true });
    }
  });

  it('writes a dated file and never replaces one', async () => {
    const workspace = mkdtempSync(path.join(os.tmpdir(), 'upkeep-report-'));
    try {
      const at = new Date(2026, 11, 4, 9);
      const folder = path.join(workspace, REPORTS_FOLDER);
      mkdirSync(folder, { recursive: true });
      const taken = path.join(folder, `${localDate(at)}-maintenance-report.md`);
      writeFileSync(taken, 'kept');
      const first = await writeReport(workspace, '# one', at);
      const second = await writeReport(workspace, '# two', at);
      assert.equal(path.basename(first), '2026-12-04-maintenance-report-2.md');
      assert.equal(path.basename(second), '2026-12-04-maintenance-report-3.md');
      assert.equal(readFileSync(taken, 'utf8'), 'kept');
      assert.equal(readFileSync(second, 'utf8'), '# two');
    } finally {
      rmSync(workspace, { recursive: true, force: true });
    }
  });
});

/**
 * The plain-text summary `upkeep logs` prints: its tables stay in line whatever the figures.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { formatSummaryText } from '../../../src/core/logs/textReport';
import { alignColumns } from '../../../src/core/util/textColumns';
import { tempFolderWith } from '../../support/tempFolders';
import { summarizeFixture } from './helpers';

function request(id: number, action: string, ms: number, db: number): string {
  const at = `2026-12-04T10:${String(id % 60).padStart(2, '0')}:00.000000`;
  const prefix = `I, [${at} #1]  INFO -- : [req-${String(id).padStart(6, '0')}-abcdef] `;
  return [
    `${prefix}Started GET "/${action}" for 127.0.0.1 at 2026-12-04 10:00:00 +0000`,
    `${prefix}Processing by ${action}#show as HTML`,
    `${prefix}Completed 200 OK in ${ms}ms (Views: 1.0ms | ActiveRecord: ${db}ms)`,
  ].join('\n');
}

describe('log summary text', () => {
  it('keeps the Actions columns in line with a mean over a second and a six-digit count', () => {
    const rows = [
      ['count', 'mean', 'action'],
      ['123,456', '1.6 s', 'ReportsController#show'],
      ['1', '2 ms', 'Rails::HealthController#show'],
    ];
    const lines = alignColumns(rows, [true, true, false], '  ');
    const starts = lines.map((line, k) => line.indexOf(rows[k][2]));
    assert.deepEqual(new Set(starts).size, 1, lines.join('\n'));
    assert.equal(lines[0], '    count   mean  action');
  });

  it('lines up the action names of a real summary', async () => {
    const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-text-'));
    try {
      const file = path.join(folder, 'production.log');
      const lines = [
        request(1, 'ReportsController', 1561.5, 520.5),
        request(2, 'ReportsController', 1561.5, 520.5),
        request(3, 'HealthController', 2, 0),
      ];
      await fs.writeFile(file, `${lines.join('\n')}\n`);
      const text = formatSummaryText(await summarizeFixture(file, { workspace: folder }));
      const table = text.split('\n\n').find((part) => part.startsWith('Actions'));
      assert.ok(table, text);
      // The header and the two actions; a footnote marks their percentiles of 1 and 2 requests.
      const rows = table.split('\n').slice(1, -1);
      assert.match(table.split('\n').at(-1) ?? '', /^ {2}\* over fewer than 20 requests/);
      assert.equal(rows.length, 3, table);
      assert.match(rows[1], /1\.6 s/);
      assert.match(rows[1], /33\.3 %/);
      const starts = rows.map((row) => row.search(/(action|\w+Controller#show)$/));
      assert.equal(new Set(starts).size, 1, table);

      // The slowest requests too: a duration over a second keeps the status column in line.
      const slowest = text.split('\n\n').find((part) => part.startsWith('Slowest requests'));
      assert.ok(slowest, text);
      const slow = slowest.split('\n').slice(1);
      assert.match(slow[0], /^ {2}1\.6 s {2}200 {2}ReportsController#show/);
      assert.equal(new Set(slow.map((row) => row.indexOf(' 200 '))).size, 1, slowest);
    } finally {
      await fs.rm(folder, { recursive: true, force: true });
    }
  });

  it('counts its Assembly line with nouns that agree (1 line, not 1 lines)', async () => {
    const folder = await tempFolderWith('upkeep-text-', {
      'production.log':
        'W, [2026-12-04T10:00:00.000000 #1]  WARN -- : warming up\n' +
        `${request(1, 'HomeController', 5, 1)}\n`,
    });
    const summary = await summarizeFixture(path.join(folder, 'production.log'), {
      workspace: folder,
      window: { from: new Date('2026-12-04T11:00:00Z'), label: 'from 11:00' },
    });
    assert.match(
      formatSummaryText(summary),
      new RegExp(
        '^Assembly {2}4 lines: 0 requests by request id, 1 by process and order, ' +
          '0 single-line, 1 line in no request, 1 request outside the window$',
        'm',
      ),
    );
  });

  it('counts 5xx per action and names the actions an exception happened in', async () => {
    const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-text-'));
    try {
      const file = path.join(folder, 'production.log');
      const failing = (id: number, action: string): string => {
        const lines = request(id, action, 12, 1).split('\n');
        const prefix = lines[0].slice(0, lines[0].indexOf('Started'));
        return [
          ...lines.slice(0, 2),
          lines[2].replace('Completed 200 OK', 'Completed 500 Internal Server Error'),
          `${prefix.replace('I, ', 'F, ').replace(' INFO ', 'FATAL ')}  `,
          `${prefix.replace('I, ', 'F, ').replace(' INFO ', 'FATAL ')}` +
            'NoMethodError (undefined method `name` for nil):',
        ].join('\n');
      };
      const lines = [
        failing(1, 'BookingsController'),
        failing(2, 'BookingsController'),
        failing(3, 'ReportsController'),
        request(4, 'HealthController', 2, 0),
      ];
      await fs.writeFile(file, `${lines.join('\n')}\n`);
      const text = formatSummaryText(await summarizeFixture(file, { workspace: folder }));
      const table = text.split('\n\n').find((part) => part.startsWith('Actions'));
      assert.ok(table, text);
      const [header, ...rows] = table.split('\n').slice(1);
      assert.match(header, /^ +count +5xx +mean /);
      const row = (action: string): string[] =>
        rows
          .find((r) => r.endsWith(action))!
          .trim()
          .split(/ {2,}/);
      assert.deepEqual(row('BookingsController#show').slice(0, 2), ['2', '2']);
      assert.deepEqual(row('HealthController#show').slice(0, 2), ['1', '—']);
      assert.match(
        text,
        /3× NoMethodError: .*\n +in BookingsController#show, ReportsController#show\n/,
      );
    } finally {
      await fs.rm(folder, { recursive: true, force: true });
    }
  });

  it('writes a small error rate as the dashboard and the check do', async () => {
    const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-text-'));
    try {
      const file = path.join(folder, 'production.log');
      const lines = Array.from({ length: 2000 }, (_, i) => request(i + 1, 'HomeController', 5, 1));
      lines[0] = lines[0].replace('Completed 200 OK', 'Completed 500 Internal Server Error');
      await fs.writeFile(file, `${lines.join('\n')}\n`);
      const text = formatSummaryText(await summarizeFixture(file, { workspace: folder }));
      assert.match(text, /error rate 0\.05 %/);
    } finally {
      await fs.rm(folder, { recursive: true, force: true });
    }
  });

  it('says what a percentile or an error rate of few requests rests on', async () => {
    // A window of 3 requests printed "p99 1.6 s" and "error rate 33.3 %" as if of thousands.
    const folder = await tempFolderWith('upkeep-text-', {
      'production.log':
        [
          request(1, 'ReportsController', 1561.5, 520.5),
          request(2, 'ReportsController', 900, 20).replace(
            'Completed 200 OK',
            'Completed 500 Internal Server Error',
          ),
          request(3, 'HealthController', 2, 0),
        ].join('\n') + '\n',
    });
    const text = formatSummaryText(
      await summarizeFixture(path.join(folder, 'production.log'), { workspace: folder }),
    );
    assert.match(text, /· error rate 33\.3 % \(1 of 3 requests\)$/m);
    assert.match(
      text,
      new RegExp(
        '^Duration {2}mean .* · p50 900 ms · ' +
          'p95 1\\.6 s \\(over 3 requests: the slowest one\\) · ' +
          'p99 1\\.6 s \\(over 3 requests: the slowest one\\) · max 1\\.6 s · ',
        'm',
      ),
    );
    const table = text.split('\n\n').find((part) => part.startsWith('Actions'));
    assert.ok(table, text);
    const health = table.split('\n').find((row) => row.endsWith('HealthController#show'));
    assert.deepEqual(health?.trim().split(/ {2,}/).slice(2, 5), ['2 ms', '2 ms*', '2 ms*']);
    assert.match(table, /^ {2}\* over fewer than 20 requests \(p95\) or 100 \(p99\): the slowest/m);

    // Over requests enough, no word: 2,000 requests.
    const many = await tempFolderWith('upkeep-text-', {
      'production.log':
        Array.from({ length: 2000 }, (_, i) => request(i + 1, 'HomeController', 5, 1)).join('\n') +
        '\n',
    });
    const plain = formatSummaryText(
      await summarizeFixture(path.join(many, 'production.log'), { workspace: many }),
    );
    assert.doesNotMatch(plain, /slowest one|of 2,000 requests|\*/);
  });

  it('writes a dash, not 0 ms and 0 %, for figures of a window with no request', async () => {
    const folder = await tempFolderWith('upkeep-text-', {
      'production.log': `${request(1, 'HomeController', 5, 1)}\n`,
    });
    const summary = await summarizeFixture(path.join(folder, 'production.log'), {
      workspace: folder,
      window: { from: new Date('2026-12-04T11:00:00Z'), label: 'from 11:00' },
    });
    const text = formatSummaryText(summary);
    assert.match(text, /^Requests {2}0 \(0 incomplete\) .* · error rate —$/m);
    assert.match(
      text,
      /^Duration {2}mean — · p50 — · p95 — · p99 — · max — · 0 over 1 s$/m,
      'a quiet window has no durations; 0 ms reads as measured',
    );
  });

  it('says when the newest entry read is older than the window', async () => {
    const summary = await summarizeFixture('rails52_production_tagged.log', {
      window: {
        from: new Date('2026-12-03T12:00:00Z'),
        to: new Date('2026-12-04T12:00:00Z'),
        label: 'last 24 hours',
      },
    });
    const text = formatSummaryText(summary);
    // Times were read, all before the window: not "No timestamps read".
    assert.match(text, /\n {2}times: No request time in this window; times without an offset/);
    const note = text.split('\n').find((line) => line.startsWith('  note: '));
    assert.equal(
      note,
      '  note: Nothing in this window: the newest entry read is from 2021-11-26 12:17:01 UTC.',
    );
    const all = formatSummaryText(await summarizeFixture('rails52_production_tagged.log'));
    assert.doesNotMatch(all, /Nothing in this window/);
  });
});

/**
 * The fast lane reads a line only when LineParser would read it the same, and a line it takes
 * must leave the parser as if the parser had read it: whole logs read with the fast lane and
 * without it (a file with CR line ends never uses it) give the same summary.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LogSummary } from '../../../src/core/logs/summary';
import { summarizeFixture } from './helpers';

/** The summary of `text` with LF line ends (fast lane) and with CR ones (the parser alone). */
async function bothWays(text: string): Promise<{ fast: LogSummary; parser: LogSummary }> {
  const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-lanes-'));
  try {
    await fs.writeFile(path.join(folder, 'lf.log'), text);
    await fs.writeFile(path.join(folder, 'cr.log'), text.replace(/\n/g, '\r'));
    const read = async (name: string): Promise<LogSummary> => {
      const s = await summarizeFixture(path.join(folder, name), { parallel: false });
      // What only the line ends or the name change.
      return JSON.parse(
        JSON.stringify({ ...s, generatedAt: '', sources: [], warnings: [] }).replaceAll(
          name,
          'log',
        ),
      ) as LogSummary;
    };
    return { fast: await read('lf.log'), parser: await read('cr.log') };
  } finally {
    await fs.rm(folder, { recursive: true, force: true });
  }
}

const prefix = (pid: number, level = 'INFO'): string =>
  `${level[0]}, [2026-12-04T10:00:01.000000 #${pid}] ${level.padStart(5)} -- : `;

describe('fast lane and parser over whole logs', () => {
  it("a prefixed line (foreman, compose) after a plain line is its process's", async () => {
    // `foreman start >> log/development.log` beside Rails' own lines to the same file.
    const text = [
      'web.1 | NoMethodError (undefined method `x` for nil):',
      `${prefix(4000)}[0123456789abcdef01] Started GET "/b" for 10.0.0.1 ` +
        'at 2026-12-04 10:00:01 +0000',
      "web.1 | app/controllers/a_controller.rb:12:in `show'",
      `${prefix(4000)}[0123456789abcdef01] Completed 200 OK in 5ms`,
      '',
    ].join('\n');
    const { fast, parser } = await bothWays(text);
    assert.deepEqual(
      parser.exceptions.map((e) => [e.className, e.frame]),
      [['NoMethodError', 'app/controllers/a_controller.rb:12']],
    );
    assert.deepEqual(fast, parser);
  });

  it('a request on a day its month lacks (2026-02-31) is read at no time both ways', async () => {
    const request = (date: string, id: string): string[] => {
      const at = (level = 'INFO'): string =>
        `${level[0]}, [${date}T10:00:01.000000 #4000] ${level.padStart(5)} -- : [${id}] `;
      return [
        `${at()}Started GET "/b" for 10.0.0.1 at ${date} 10:00:01 +0000`,
        `${at()}Processing by BooksController#show as HTML`,
        `${at()}Completed 200 OK in 5ms`,
      ];
    };
    const text = [
      ...request('2026-02-31', '0123456789abcdef01'),
      ...request('2026-03-03', '0123456789abcdef02'),
      '',
    ].join('\n');
    const { fast, parser } = await bothWays(text);
    assert.deepEqual(fast, parser);
    // Both requests counted; only the real date has an hour (Date.UTC made 02-31 03-03).
    assert.equal(fast.requests.completed, 2);
    assert.deepEqual(
      fast.requests.perHour.map((h) => [h.hour, h.count]),
      [['2026-03-03T10:00:00.000Z', 1]],
    );
  });
});

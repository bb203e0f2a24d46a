/**
 * A log whose line ends change after its first chunk (a tool's output with CR alone appended
 * to it) is split into lines the same way read in ranges as in one pass, which keeps the line
 * end its first chunk shows.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { summarizeInRanges } from './helpers';

function request(n: number): string[] {
  const id = `r${String(n).padStart(15, '0')}abcd`;
  const time = new Date(Date.parse('2026-12-04T10:00:00Z') + n * 1000).toISOString();
  const prefix = `I, [${time.slice(0, 23)}000 #100]  INFO -- : [${id}] `;
  return [
    `${prefix}Started GET "/a/${n}" for 10.0.0.1 ` +
      `at ${time.slice(0, 10)} ${time.slice(11, 19)} +0000`,
    `${prefix}Processing by AController#show as HTML`,
    `${prefix}Completed ${n % 3 ? 200 : 500} OK in ${n % 50}ms`,
  ];
}

function requests(from: number, count: number): string[] {
  const lines: string[] = [];
  for (let n = from; n < from + count; n++) lines.push(...request(n));
  return lines;
}

describe('log summary in ranges, line ends that change mid-file', function () {
  this.timeout(60_000);
  let folder: string;

  before(async () => {
    folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-ranges-ends-'));
  });
  after(async () => {
    await fs.rm(folder, { recursive: true, force: true });
  });

  it('a run of lines ended by CR alone, longer than a chunk, after LF lines', async () => {
    const chunkBytes = 1024;
    // A long last line before the run, so that planned cuts fall in it: the run is a cut's
    // first line, which begins a request.
    const long = `${request(19)[2].replace(/Completed.*/, 'Rendered x')} ${'y'.repeat(8000)}`;
    const text =
      [...requests(0, 20), long].join('\n') +
      '\n' +
      requests(20, 20).join('\r') +
      '\r\n' +
      requests(40, 20).join('\n') +
      '\n';
    const file = path.join(folder, 'lf-then-cr.log');
    await fs.writeFile(file, text);
    const serial = await summarizeInRanges(file, false, { chunkBytes });
    let split = 0;
    for (const count of [2, 3, 4, 5, 6, 8, 10, 13, 17, 25]) {
      const run = await summarizeInRanges(file, { ranges: count, inProcess: true }, { chunkBytes });
      if (run.ranges > 1) split++;
      assert.deepStrictEqual(run.summary, serial.summary, `${count} ranges (${run.ranges} used)`);
    }
    assert.ok(split > 0, 'never split');
  });
});

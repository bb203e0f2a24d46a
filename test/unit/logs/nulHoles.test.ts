/**
 * Runs of NUL bytes a log gets where its lines were not written: at its start after logrotate's
 * copytruncate while a process kept writing at its old offset (systemd's `StandardOutput=file:`,
 * a shell's `>`), and after a crash. The line after such a hole is read whole, as the lines
 * around it are.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { summarizeFixture, summarizeInRanges } from './helpers';

function request(n: number, ip: string): string {
  const id = `[h${String(n).padStart(15, '0')}abcd] `;
  const prefix = `I, [2026-12-04T10:00:0${n}.000000 #7]  INFO -- : ${id}`;
  return (
    `${prefix}Started GET "/a/${n}" for ${ip} at 2026-12-04 10:00:0${n} +0000\n` +
    `${prefix}Processing by AController#show as HTML\n` +
    `${prefix}Completed 200 OK in ${n}ms\n`
  );
}

describe('log engine: holes of NUL bytes before a line', function () {
  this.timeout(60_000);
  let folder: string;

  before(async () => {
    folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-holes-'));
  });
  after(async () => {
    await fs.rm(folder, { recursive: true, force: true });
  });

  for (const [what, bytes] of [
    ['a block', 4096],
    ['longer than a line is kept', 600 * 1024],
  ] as const) {
    it(`reads the first line after a copytruncate hole ${what} long`, async () => {
      const file = path.join(folder, `start-${bytes}.log`);
      const text = request(1, '198.51.100.1') + request(2, '198.51.100.2');
      await fs.writeFile(file, Buffer.concat([Buffer.alloc(bytes), Buffer.from(text)]));
      for (const chunkBytes of [undefined, 1000]) {
        const s = await summarizeFixture(file, { workspace: folder, chunkBytes });
        assert.deepEqual(s.warnings, []);
        assert.equal(s.requests.total, 2);
        assert.equal(s.assembly.linesRead, 6);
        const first = s.slowest.find((r) => r.path === '/a/1');
        assert.equal(first?.offset, bytes, JSON.stringify(s.slowest));
        assert.equal(s.span.first, '2026-12-04T10:00:01.000Z');
      }
    });
  }

  it('reads the line after a hole a crash left between lines, in ranges as in a pass', async () => {
    const file = path.join(folder, 'middle.log');
    const parts: Buffer[] = [];
    for (let n = 1; n <= 8; n++) {
      parts.push(Buffer.from(request(n, `198.51.100.${n}`)));
      if (n % 3 === 0) parts.push(Buffer.alloc(2048));
    }
    await fs.writeFile(file, Buffer.concat(parts));
    const serial = await summarizeInRanges(file, false);
    assert.equal(serial.summary.requests.total, 8);
    assert.equal(serial.summary.requests.incomplete, 0);
    assert.equal(serial.summary.assembly.orphanLines, 0);
    // Each request has its Started line: its path.
    assert.deepEqual(
      serial.summary.slowest.map((r) => r.path).sort(),
      [1, 2, 3, 4, 5, 6, 7, 8].map((n) => `/a/${n}`),
    );
    for (const ranges of [2, 3, 5]) {
      const run = await summarizeInRanges(file, { ranges, inProcess: true });
      assert.deepStrictEqual(run.summary, serial.summary, `${ranges} ranges`);
    }
  });
});

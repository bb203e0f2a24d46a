/**
 * `journalctl -o json` writes a field given several times as an array of its values, each a
 * string or, when it is not printable text, an array of its bytes: the message and pid of such
 * an entry are read from its first value, bytes as UTF-8, not as garbage.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readJournalJson } from '../../../src/core/logs/journalJson';
import { summarizeFixture } from './helpers';

const bytes = (text: string): number[] => [...Buffer.from(text, 'utf8')];

function entry(n: number, message: unknown, pid: unknown = '4242'): string {
  const us = String(Date.parse('2026-12-04T10:00:00Z') * 1000 + n * 1_000_000);
  return JSON.stringify({
    __CURSOR: `s=6c1f3e2a9b8d4c7e;i=${(4000 + n).toString(16)};b=0f1e2d3c;m=1a2b;t=${us};x=9f`,
    __REALTIME_TIMESTAMP: us,
    _PID: pid,
    SYSLOG_IDENTIFIER: 'puma',
    MESSAGE: message,
  });
}

describe('journalctl -o json: fields given several times', () => {
  it('reads the first of several values, a string or bytes, as UTF-8 text', () => {
    const read = (message: unknown, pid?: unknown): [string, string | undefined] | undefined => {
      const e = readJournalJson(entry(0, message, pid));
      return e && [e.text, e.pid];
    };
    assert.deepEqual(read('Started GET "/"'), ['Started GET "/"', '4242']);
    assert.deepEqual(read(bytes('Grüße\r\n')), ['Grüße', '4242']);
    assert.deepEqual(read(['Started GET "/"', 'again']), ['Started GET "/"', '4242']);
    assert.deepEqual(read([bytes('Grüße\r'), bytes('zwei')]), ['Grüße', '4242']);
    assert.deepEqual(read([bytes('Grüße\r'), 'zwei'], ['17', '18']), ['Grüße', '17']);
    assert.deepEqual(read([null, 'second']), ['second', '4242']);
    assert.deepEqual(read([]), ['', '4242']);
    assert.equal(read([[['deeper']]]), undefined);
  });

  it('a summary of entries with MESSAGE and _PID given twice reads their requests', async () => {
    const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-journal-'));
    try {
      const id = '[0123456789abcdef01] ';
      const lines = [
        entry(0, [`${id}Started GET "/büro" for 10.0.0.1 at 2026-12-04 10:00:00 +0000`, 'x']),
        entry(1, [bytes(`${id}Processing by OfficesController#show as HTML\r`), 'y'], ['7', '8']),
        entry(2, [bytes(`${id}Completed 500 Internal Server Error in 12ms\r`), bytes('z')]),
      ];
      const file = path.join(folder, 'journal.json');
      await fs.writeFile(file, `${lines.join('\n')}\n`);
      const s = await summarizeFixture(file);
      assert.deepEqual(s.statuses, { '500': 1 });
      assert.deepEqual(
        s.slowest.map((r) => [r.action, r.path, r.durationMs]),
        [['OfficesController#show', '/büro', 12]],
      );
    } finally {
      await fs.rm(folder, { recursive: true, force: true });
    }
  });
});

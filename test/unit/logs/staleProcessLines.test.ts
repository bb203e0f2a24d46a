/**
 * Without request ids, a line joins the last request of its process: right for the lines a
 * request logs while it runs, wrong for one logged long after it ended (Puma's own error, a
 * thread's, a line whose id tag was cut). Such a line went into a request of hours before, so an
 * error in the last hour counted in the window read from the end of a large file but not in the
 * same window of a small one, read whole. A line more than 10 minutes after its process's last
 * line is no request's.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fixedClock } from '../../../src/core/util/clock';
import { parseWindow } from '../../../src/core/logs/window';
import { summarizeFixture } from './helpers';

function line(level: 'I' | 'E', time: string, text: string): string {
  const name = level === 'I' ? ' INFO' : 'ERROR';
  return `${level}, [2026-12-04T${time}.000000 #4100] ${name} -- : ${text}`;
}

const REQUEST = [
  line('I', '09:00:00', 'Started GET "/" for 198.51.100.7 at 2026-12-04 09:00:00 +0000'),
  line('I', '09:00:00', 'Processing by HomeController#index as HTML'),
  line('I', '09:00:01', 'Completed 200 OK in 40ms (Views: 20.0ms)'),
];

describe('log engine: a line long after its process last logged', () => {
  let folder: string;
  before(async () => {
    folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-stale-'));
  });
  after(async () => {
    await fs.rm(folder, { recursive: true, force: true });
  });

  async function summarize(lines: string[], window?: string) {
    const file = path.join(folder, `${lines.length}-${window ?? 'all'}.log`);
    await fs.writeFile(file, lines.join('\n') + '\n');
    const clock = fixedClock('2026-12-04T12:00:00Z');
    return summarizeFixture(file, {
      workspace: folder,
      window: window ? parseWindow(window, clock) : undefined,
    });
  }

  it('counts an error of the last hour in the last hour, not in a request of 09:00', async () => {
    const lines = [
      ...REQUEST,
      line('E', '11:30:00', 'Puma caught this error: boom (RuntimeError)'),
    ];
    const hour = await summarize(lines, '1h');
    assert.equal(hour.requests.total, 0);
    assert.equal(hour.errors.total, 1, JSON.stringify(hour.errors));
    assert.equal(hour.errors.lastSeen, '2026-12-04T11:30:00.000Z');

    const all = await summarize(lines);
    assert.equal(all.requests.total, 1);
    assert.equal(all.errors.total, 1, JSON.stringify(all.errors));
    assert.equal(all.errors.lastSeen, '2026-12-04T11:30:00.000Z');
    assert.equal(all.assembly.orphanLines, 1);
  });

  it('keeps the lines a request logs within minutes with it', async () => {
    const lines = [
      ...REQUEST,
      line('E', '09:05:00', 'Puma caught this error: boom (RuntimeError)'),
    ];
    const all = await summarize(lines);
    assert.equal(all.assembly.orphanLines, 0);
    assert.equal(all.requests.total, 1);
  });
});

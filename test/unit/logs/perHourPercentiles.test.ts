/**
 * Durations per hour carry percentiles as well as the mean, for the dashboard's "Duration over
 * time" chart.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { summarizeLogs } from '../../../src/core/logs/summary';
import { fixedClock } from '../../../src/core/util/clock';

describe('per-hour duration percentiles', () => {
  it('gives p50, p95 and p99 of each hour', async () => {
    const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-hour-'));
    try {
      const lines: string[] = [];
      for (let ms = 1; ms <= 100; ms++) {
        const second = String(ms % 60).padStart(2, '0');
        const minute = String(Math.floor(ms / 60)).padStart(2, '0');
        lines.push(
          `Started GET "/r/${ms}" for 127.0.0.1 at 2026-12-04 10:${minute}:${second} +0000`,
        );
        lines.push('Processing by HomeController#index as HTML');
        lines.push(`Completed 200 OK in ${ms}ms (Views: 1.0ms | ActiveRecord: 0.5ms)`);
      }
      // One slow request in the next hour, so the hours differ.
      lines.push('Started GET "/slow" for 127.0.0.1 at 2026-12-04 11:05:00 +0000');
      lines.push('Processing by ReportsController#monthly as HTML');
      lines.push('Completed 200 OK in 2500ms (Views: 100.0ms | ActiveRecord: 2000.0ms)');
      await fs.writeFile(path.join(folder, 'production.log'), lines.join('\n') + '\n');

      const summary = await summarizeLogs({
        workspace: folder,
        sources: ['production.log'],
        clock: fixedClock('2026-12-04T12:00:00Z'),
      });
      const [ten, eleven] = summary.requests.perHour;
      assert.equal(ten.hour, '2026-12-04T10:00:00.000Z');
      assert.equal(ten.count, 100);
      assert.deepEqual([ten.p50Ms, ten.p95Ms, ten.p99Ms], [50, 95, 99]);
      assert.deepEqual([eleven.count, eleven.p50Ms, eleven.p99Ms], [1, 2500, 2500]);
    } finally {
      await fs.rm(folder, { recursive: true, force: true });
    }
  });
});

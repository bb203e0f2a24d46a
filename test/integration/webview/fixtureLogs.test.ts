/**
 * Every log of test/fixtures/logs, summarized by the engine and drawn by the dashboard page in
 * headless Chromium, in each kind of window the page offers: shapes the sample data does not
 * have (no timestamps, one request, lograge, Rails 2, times that go back) must draw without an
 * error in the page (a RangeError from a time, a chart of no points).
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { windowBounds } from '../../../src/core/dashboard/loader';
import { logsView } from '../../../src/core/dashboard/logsView';
import type { LogWindow } from '../../../src/core/dashboard/protocol';
import { summarizeLogs } from '../../../src/core/logs/summary';
import { fixedClock } from '../../../src/core/util/clock';
import { DashboardHarness } from './harness';
import { refreshMessages, sampleSections } from './sampleData';

const LOGS = path.resolve(__dirname, '../../fixtures/logs');
/** The fixtures' own days: the last of them ends on 2026-12-04. */
const CLOCK = fixedClock('2026-12-04T18:00:00Z');
/** A day's window, and a range over all the fixtures' days (back to Rails 2's). */
const WINDOWS: LogWindow[] = [
  { kind: '24h' },
  { kind: 'range', from: '2000-01-01T00:00:00Z', to: '2026-12-05T00:00:00Z' },
];

describe('the fixture logs drawn by the dashboard (Chromium)', function () {
  this.timeout(180_000);
  const harness = new DashboardHarness();

  before(async () => harness.start());
  after(async () => harness.stop());

  it('draws each, in each window kind, with no error in the page', async () => {
    const names = (await fs.readdir(LOGS)).filter((name) => /\.log(\.gz)?$/.test(name));
    assert.ok(names.length >= 20, names.join(', '));
    const problems: string[] = [];
    for (const name of names) {
      for (const window of WINDOWS) {
        const summary = await summarizeLogs({
          sources: [path.join(LOGS, name)],
          workspace: LOGS,
          window: windowBounds(window, CLOCK.now()),
          timeZone: 'UTC',
          clock: CLOCK,
        });
        const payloads = sampleSections();
        const logs = payloads.find((payload) => payload.section === 'logs');
        assert.ok(logs?.section === 'logs');
        logs.data = logsView(summary, window);
        const dashboard = await harness.open();
        for (const message of refreshMessages(1, payloads)) await dashboard.send(message);
        const state = await dashboard.page.getAttribute('[data-section="logs"]', 'data-state');
        const errors = dashboard.problems.errors;
        if (state !== 'ready' || errors.length > 0) {
          problems.push(`${name} (${window.kind}): ${state}; ${errors.join(' | ')}`);
        }
        await dashboard.page.context().close();
      }
    }
    assert.deepEqual(problems, []);
  });
});

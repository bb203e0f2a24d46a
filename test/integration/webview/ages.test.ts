/**
 * The dashboard's ages ("ran 5 min ago", a check's Last run) in a real headless Chromium on a
 * fake clock: they stay true while the panel stays open. Drawn once, they said "4 s ago" an
 * hour later in a dashboard left open (seen in the demo), unlike the tree, which redraws its own.
 */
import { strict as assert } from 'node:assert';
import type { SectionPayload } from '../../../src/core/dashboard/protocol';
import { DashboardHarness } from './harness';
import { refreshMessages, sampleSections } from './sampleData';

const NOW = Date.parse('2026-12-04T12:00:00Z');

/** The sample dashboard with one alert of a check that ran a minute before NOW. */
function payloads(): SectionPayload[] {
  return sampleSections().map((payload) =>
    payload.section === 'alerts'
      ? {
          section: 'alerts',
          data: {
            alerts: [
              {
                id: 'check:logs.errorsLastHour',
                severity: 'fail',
                title: 'Errors in the last hour',
                detail: '1 error in the last hour (the check failed)',
                section: 'health',
                ranAt: new Date(NOW - 60_000).toISOString(),
              },
            ],
          },
        }
      : payload,
  );
}

describe('dashboard ages on a page left open', function () {
  this.timeout(60000);
  const harness = new DashboardHarness();

  before(async () => harness.start());
  after(async () => harness.stop());

  it("moves an alert's and a check's age on as time passes, with no refresh", async () => {
    const dashboard = await harness.open({ clockAt: NOW, timezoneId: 'UTC' });
    const page = dashboard.page;
    for (const message of refreshMessages(1, payloads())) await dashboard.send(message);
    const alertAge = page.locator('[data-alert="check:logs.errorsLastHour"] .alert-age');
    // The sample's Errors in the last hour ran a minute before NOW, its Replication an hour.
    const lastRun = (check: string) =>
      page.locator('[data-section="health"] tbody tr', { hasText: check }).locator('time');
    await alertAge.waitFor();
    assert.equal((await alertAge.textContent())?.trim(), '— ran 1 min ago');
    assert.equal(await lastRun('Errors in the last hour').textContent(), '1 min ago');
    assert.equal(await lastRun('Replication').textContent(), '1 h ago');

    await page.clock.fastForward('45:00');
    assert.equal((await alertAge.textContent())?.trim(), '— ran 46 min ago');
    assert.equal(await lastRun('Errors in the last hour').textContent(), '46 min ago');
    assert.equal(await lastRun('Replication').textContent(), '2 h ago');
    // The tooltip keeps the run's own time.
    const title = await lastRun('Errors in the last hour').getAttribute('title');
    assert.match(title ?? '', /11:59/);
    assert.deepEqual(dashboard.problems.errors, []);
    await page.context().close();
  });
});

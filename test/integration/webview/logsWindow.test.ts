/**
 * The Logs section's window line in real Chromium: a custom range reads as the formatted
 * instants, not as two raw ISO strings before them ("2026-12-02T21:34:00.000Z to …: Dec 2 …").
 */
import { strict as assert } from 'node:assert';
import type { SectionPayload } from '../../../src/core/dashboard/protocol';
import { DashboardHarness } from './harness';
import { refreshMessages, sampleSections } from './sampleData';

describe('dashboard Logs window line (Chromium)', function () {
  this.timeout(60000);
  const harness = new DashboardHarness();

  before(async () => harness.start());
  after(async () => harness.stop());

  async function windowLine(window: { kind: 'range'; from: string; to: string } | undefined) {
    const dashboard = await harness.open();
    const payloads = sampleSections().map((payload): SectionPayload => {
      if (payload.section !== 'logs' || !payload.data || !window) return payload;
      return { ...payload, data: { ...payload.data, window } } as SectionPayload;
    });
    for (const message of refreshMessages(1, payloads)) await dashboard.send(message);
    const line = await dashboard.page.textContent('[data-section="logs"] p.meta');
    await dashboard.page.context().close();
    return (line ?? '').trim();
  }

  it('names a range by its formatted instants only', async () => {
    const line = await windowLine({
      kind: 'range',
      from: '2026-12-03T12:00:00.000Z',
      to: '2026-12-04T12:00:00.000Z',
    });
    assert.match(line, /^chosen range: \S/);
    assert.doesNotMatch(line, /\d{4}-\d\d-\d\dT/, 'no raw ISO instant');
  });

  it('keeps the preset windows as they read', async () => {
    assert.match(await windowLine(undefined), /^last 24 hours: \S/);
  });
});

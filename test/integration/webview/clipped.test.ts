/**
 * Long text the dashboard cuts for display (a card's summary over 2,000 characters, its fix over
 * 4,000), in a real headless Chromium: the cut falls between characters, so an emoji at it is
 * left out whole rather than drawn as half of one (a replacement character).
 */
import { strict as assert } from 'node:assert';
import { DashboardHarness } from './harness';
import { refreshMessages, sampleSections } from './sampleData';

/** Half of a surrogate pair without the other. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

describe('dashboard webview: text cut for display', function () {
  this.timeout(60000);
  const harness = new DashboardHarness();

  before(async () => harness.start());
  after(async () => harness.stop());

  it('cuts a long summary and fix between characters', async () => {
    const dashboard = await harness.open();
    const payloads = sampleSections();
    const database = payloads.find((payload) => payload.section === 'database');
    assert.ok(database?.section === 'database');
    const card = database.data.cards[0];
    // Each cut (at 2,000 and 4,000 characters) falls inside an emoji.
    card.summary = `${'a'.repeat(1999)}\u{1F600}${'b'.repeat(100)}`;
    card.fix = `${'c'.repeat(3999)}\u{1F600}${'d'.repeat(100)}`;
    for (const message of refreshMessages(1, payloads)) await dashboard.send(message);

    const shown = dashboard.page.locator(`[data-card="${card.id}"]`);
    const summary = (await shown.locator('.summary').textContent()) ?? '';
    const fix = (await shown.locator('.fix').textContent()) ?? '';
    assert.match(summary, /^a{1999}…$/);
    assert.match(fix, /^Fix: c{3999}…$/);
    assert.doesNotMatch(summary + fix, LONE_SURROGATE);
    await dashboard.page.context().close();
  });
});

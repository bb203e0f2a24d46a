/**
 * A tier's run notification counted the Database connectivity check the run adds to the tier's
 * database checks ("Weekly checks: … 22 checks' outcomes") while the dashboard's Weekly group
 * said 21 checks. The notification now counts the tier's own checks apart from the added one.
 */
import * as assert from 'node:assert/strict';
import { openWebview, runCommand, waitForNotification } from './support/editor';
import { editorPerSuite } from './support/editorPerSuite';
import { startFolderEditor } from './support/folderEditor';

// Nothing listens on port 1 of loopback: the database checks fail at once, refused.
const DATABASE_YML =
  'development:\n  adapter: postgresql\n  database: app\n  host: 127.0.0.1\n  port: 1\n';

describe("a tier run's count and the dashboard's", function () {
  this.timeout(300_000);
  const editor = editorPerSuite('tier-run-count', () =>
    startFolderEditor({ 'config/database.yml': DATABASE_YML }),
  );

  it('says the Weekly checks as many as the dashboard, and Database connectivity', async () => {
    const page = editor().page;
    await runCommand(page, 'Upkeep: Run Weekly Checks', 60_000);
    const message = await waitForNotification(page, ' fail, ', 180_000);
    const tally = /(\d+) pass, (\d+) warn, (\d+) fail, (\d+) skipped/.source;
    const counted = new RegExp(
      `Weekly checks \\((\\d+) and Database connectivity\\): ${tally}`,
    ).exec(message);
    assert.ok(counted, message);
    const outcomes = counted.slice(2).reduce((sum, n) => sum + Number(n), 0);
    assert.equal(outcomes, Number(counted[1]) + 1, message);

    const frame = await openWebview(page, 'Upkeep: Open Dashboard', {
      extensionId: 'upkeep.upkeep',
      contains: '[data-section="health"][data-state="ready"]',
      timeout: 120_000,
    });
    const health = frame.locator('[data-section="health"][data-state="ready"]');
    await health.filter({ hasText: /Weekly — \d+ checks/ }).waitFor({ timeout: 60_000 });
    const shown = /Weekly — (\d+) checks/.exec((await health.textContent()) ?? '');
    assert.equal(shown?.[1], counted[1], `${message}\n${shown?.[0]}`);
  });
});

/**
 * Hostile log content through the whole path: a real log file read by the log engine, mapped to
 * the Logs view-model, rendered in Chromium under the panel's CSP. Markup in a request path and
 * an exception message must arrive as text and run nothing.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { windowBounds } from '../../../src/core/dashboard/loader';
import { logsView } from '../../../src/core/dashboard/logsView';
import { summarizeLogs } from '../../../src/core/logs/summary';
import { fixedClock } from '../../../src/core/util/clock';
import { cspViolations, DashboardHarness } from './harness';
import { refreshMessages, sampleSections } from './sampleData';

const NOW = new Date('2026-12-04T12:00:00Z');
const MARKUP = '<img src=x onerror="window.__pwned=1">';

function request(
  id: string,
  at: string,
  path: string,
  action: string,
  ms: number,
  status: string,
): string {
  const prefix = (level: string, name: string): string =>
    `${level}, [${at}.000000 #4242] ${name} -- : [${id}] `;
  return [
    `${prefix('I', ' INFO')}Started GET "${path}" for 203.0.113.9 at ${at.replace('T', ' ')} +0000`,
    `${prefix('I', ' INFO')}Processing by ${action} as HTML`,
    `${prefix('I', ' INFO')}Completed ${status} in ${ms}ms (Views: 1.0ms | ActiveRecord: 2.0ms)`,
  ].join('\n');
}

describe('hostile log content, from file to webview (Chromium)', function () {
  this.timeout(60000);
  const harness = new DashboardHarness();
  let workspace: string;

  before(async () => {
    workspace = mkdtempSync(path.join(os.tmpdir(), 'upkeep-hostile-log-'));
    const lines = [
      request(
        'a1',
        '2026-12-04T11:10:00',
        `/search?q=${MARKUP}`,
        'SearchController#index',
        2500,
        '200 OK',
      ),
      request(
        'a2',
        '2026-12-04T11:20:00',
        `/x/${MARKUP}/../../etc/passwd`,
        `Evil${MARKUP}Controller#show`,
        30,
        '404 Not Found',
      ),
      `F, [2026-12-04T11:30:00.000000 #4242] FATAL -- : [a3] ` +
        `ActionView::Template::Error (${MARKUP}):`,
    ];
    writeFileSync(path.join(workspace, 'production.log'), lines.join('\n') + '\n');
    await harness.start();
  });
  after(async () => {
    await harness.stop();
    rmSync(workspace, { recursive: true, force: true });
  });

  it('shows the markup as text and creates no element from it', async () => {
    const window = { kind: '24h' as const };
    const summary = await summarizeLogs({
      workspace,
      sources: ['production.log'],
      window: windowBounds(window, NOW),
      timeZone: 'UTC',
      clock: fixedClock(NOW),
    });
    assert.equal(summary.requests.total, 2, JSON.stringify(summary.warnings));
    const logs = logsView(summary, window);
    const payloads = sampleSections().map((payload) =>
      payload.section === 'logs' ? { section: 'logs' as const, data: logs } : payload,
    );

    const dashboard = await harness.open();
    for (const message of refreshMessages(1, payloads)) await dashboard.send(message);
    const page = dashboard.page;
    const text = (await page.textContent('[data-section="logs"]')) ?? '';
    assert.ok(text.includes(`/search?q=${MARKUP}`), 'the slow request path shows as written');
    assert.ok(text.includes(`xss: /search?q=${MARKUP}`), 'the suspicious request shows as written');
    const exception = page.locator('table.data', {
      has: page.locator('caption', { hasText: 'Exceptions by class' }),
    });
    assert.equal(await exception.locator('tbody td').nth(1).textContent(), MARKUP);
    assert.equal(await page.locator('img').count(), 0);
    assert.equal(
      await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned),
      undefined,
    );
    assert.deepEqual(dashboard.problems.errors, []);
    assert.deepEqual(dashboard.problems.dialogs, []);
    assert.deepEqual(await cspViolations(page), []);
    await page.context().close();
  });
});

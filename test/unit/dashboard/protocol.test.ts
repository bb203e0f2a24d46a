/**
 * The host's gate on webview messages: well-formed ones come through as clean copies, anything
 * else is refused.
 */
import { strict as assert } from 'node:assert';
import { LIMITS, parseLogWindow, parseWebviewMessage } from '../../../src/core/dashboard/protocol';

describe('dashboard protocol guards', () => {
  it('accepts each well-formed message and drops unknown keys', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'refresh', extra: '<img>' }), { type: 'refresh' });
    assert.deepEqual(parseWebviewMessage({ type: 'saveReport' }), { type: 'saveReport' });
    assert.deepEqual(parseWebviewMessage({ type: 'ready' }), { type: 'ready' });
    assert.deepEqual(
      parseWebviewMessage({ type: 'ready', state: { window: { kind: '7d' }, scrollY: 120 } }),
      { type: 'ready', state: { window: { kind: '7d' }, scrollY: 120 } },
    );
    assert.deepEqual(parseWebviewMessage({ type: 'setWindow', window: { kind: '1h' } }), {
      type: 'setWindow',
      window: { kind: '1h' },
    });
    assert.deepEqual(
      parseWebviewMessage({ type: 'openLocation', file: 'log/production.log', line: 12 }),
      { type: 'openLocation', file: 'log/production.log', line: 12 },
    );
    assert.deepEqual(parseWebviewMessage({ type: 'explainQuery', sql: 'SELECT 1' }), {
      type: 'explainQuery',
      sql: 'SELECT 1',
    });
    assert.deepEqual(parseWebviewMessage({ type: 'openLink', url: 'javascript:alert(1)' }), {
      type: 'openLink',
      url: 'javascript:alert(1)',
    });
    assert.deepEqual(parseWebviewMessage({ type: 'newBugReport', title: 'NoMethodError', x: 1 }), {
      type: 'newBugReport',
      title: 'NoMethodError',
    });
    // The Database section's error leads on to Configure Database Connection….
    assert.deepEqual(parseWebviewMessage({ type: 'configureDatabase', url: 'x' }), {
      type: 'configureDatabase',
    });
  });

  it('refuses malformed messages', () => {
    const bad: unknown[] = [
      null,
      'refresh',
      [],
      { type: 42 },
      { type: 'runAnything' },
      { type: 'setWindow' },
      { type: 'setWindow', window: { kind: '2h' } },
      { type: 'openLocation' },
      { type: 'openLocation', file: '' },
      { type: 'openLocation', file: 'a\0b' },
      { type: 'openLocation', file: 'x', line: 0 },
      { type: 'openLocation', file: 'x', line: 1.5 },
      { type: 'openLocation', file: 'x', line: '3' },
      { type: 'openLocation', file: 'x'.repeat(LIMITS.path + 1) },
      { type: 'explainQuery', sql: '' },
      { type: 'explainQuery', sql: { toString: () => 'SELECT 1' } },
      { type: 'explainQuery', sql: 'x'.repeat(LIMITS.sql + 1) },
      { type: 'openLink', url: 7 },
      { type: 'newBugReport' },
      { type: 'newBugReport', title: '' },
      { type: 'newBugReport', title: 'x'.repeat(LIMITS.title + 1) },
    ];
    for (const message of bad) {
      assert.equal(parseWebviewMessage(message), undefined, JSON.stringify(message)?.slice(0, 80));
    }
  });

  it('keeps a ready message but drops a saved state it cannot read', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'ready', state: { window: 'x' } }), {
      type: 'ready',
    });
    assert.deepEqual(
      parseWebviewMessage({ type: 'ready', state: { window: { kind: '1h' }, scrollY: -5 } }),
      { type: 'ready', state: { window: { kind: '1h' }, scrollY: 0 } },
    );
  });

  it('validates ranges: two instants, start before end, at most a year', () => {
    assert.deepEqual(
      parseLogWindow({ kind: 'range', from: '2026-12-01T00:00:00Z', to: '2026-12-02T00:00:00Z' }),
      { kind: 'range', from: '2026-12-01T00:00:00.000Z', to: '2026-12-02T00:00:00.000Z' },
    );
    assert.equal(parseLogWindow({ kind: 'range', from: 'yesterday', to: 'today' }), undefined);
    assert.equal(
      parseLogWindow({ kind: 'range', from: '2026-12-02T00:00:00Z', to: '2026-12-01T00:00:00Z' }),
      undefined,
    );
    assert.equal(
      parseLogWindow({ kind: 'range', from: '2020-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }),
      undefined,
    );
  });
});

/**
 * The demo workspace `npm run demo` writes: the stack frames its generated log names point at
 * lines that exist in the demo's own source files, so a maintainer who follows a finding from
 * the dashboard or the Problems panel lands on the line that raised it.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createDemoWorkspace } from '../../../scripts/lib/demoWorkspace';
import { runChecks } from '../../../src/core/checks/runner';
import { csrfCheck } from '../../../src/core/checks/securityChecks';
import { resolveSettings } from '../../../src/core/settings';
import { fixedClock } from '../../../src/core/util/clock';
import { silentLogger } from '../../../src/core/util/logger';

describe('demo workspace', () => {
  let temp: string;

  before(async () => {
    temp = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-demo-unit-'));
  });

  after(async () => {
    await fs.rm(temp, { recursive: true, force: true });
  });

  it('names app frames in its log that are real lines of its source files', async () => {
    const folder = path.join(temp, 'thembooking');
    const database = { host: '127.0.0.1', port: 1, user: 'u', password: 'p', database: 'd' };
    await createDemoWorkspace(folder, database, new Date('2026-12-04T12:00:00Z'));

    const log = await fs.readFile(path.join(folder, 'log/production.log'), 'utf8');
    const frames = new Set(
      [...log.matchAll(/(app\/controllers\/bookings_controller\.rb):(\d+):in `(\w+)'/g)].map(
        (match) => `${match[1]}:${match[2]}:${match[3]}`,
      ),
    );
    assert.ok(frames.size > 0, 'the demo log has no frame in bookings_controller.rb');
    for (const frame of frames) {
      const [file, line, method] = frame.split(':');
      const source = (await fs.readFile(path.join(folder, file), 'utf8')).split('\n');
      const text = source[Number(line) - 1];
      assert.ok(text !== undefined, `${file}:${line} is past the end (${source.length} lines)`);
      // The NoMethodError is `name' for nil: the frame is the line that calls .name.
      assert.match(text, /\.name\b/, `${file}:${line} reads "${text}"`);
      const above = source.slice(0, Number(line)).filter((row) => /^\s*def /.test(row));
      assert.match(above.at(-1) ?? '', new RegExp(`def ${method}\\b`));
    }
  });

  it('is a Rails app to the checks that look for config/application.rb', async () => {
    // security.csrf said "not a Rails app" on the demo's Rails app.
    const folder = path.join(temp, 'rails');
    const database = { host: '127.0.0.1', port: 1, user: 'u', password: 'p', database: 'd' };
    await createDemoWorkspace(folder, database, new Date('2026-12-04T12:00:00Z'));
    const [result] = await runChecks([csrfCheck], {
      workspace: folder,
      settings: resolveSettings({}),
      clock: fixedClock(new Date('2026-12-04T12:00:00Z')),
      log: silentLogger,
      trusted: true,
    });
    assert.equal(result.outcome, 'pass', result.summary);
  });
});

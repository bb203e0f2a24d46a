/**
 * Figures counted by hand from small logs in shapes the other tests leave out: Rails 2.3
 * requests that end in an error page instead of `Completed`, Rails 3.0 on Ruby 1.8 (its
 * `Started ... at Thu Nov 25 10:00:00 +0100 2010` time and an exception message over several
 * lines), and hours holding requests that logged no duration.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { summarizeFixture } from './helpers';

describe('log engine figures counted by hand', () => {
  it('Rails 2.3: the error page rendered after an exception gives the status', async () => {
    const s = await summarizeFixture('rails23_exceptions.log');
    assert.equal(s.requests.total, 4);
    assert.equal(s.requests.completed, 4);
    assert.equal(s.requests.incomplete, 0);
    assert.deepEqual(s.statuses, { '200': 2, '404': 1, '500': 1 });
    assert.equal(s.statusClasses['5xx'], 1);
    assert.equal(s.errorRate, 0.25);
    assert.deepEqual(
      s.requests.perHour.map((h) => [h.hour.slice(11, 13), h.count, h.errors, h.meanMs]),
      [
        ['10', 2, 0, 65],
        ['11', 2, 1, 0],
      ],
    );
    assert.deepEqual(
      s.exceptions.map((e) => [e.className, e.frame, e.actions, e.line]),
      [
        ['ActionController::RoutingError', null, ['ApplicationController#index'], 23],
        [
          'ActiveRecord::StatementInvalid',
          'app/controllers/projects_controller.rb:32',
          ['ProjectsController#index'],
          14,
        ],
      ],
    );
    // Rails 2 and 3.0 wrote `No route matches "/path" with {:method=>:get}`.
    assert.deepEqual(s.routingErrors.paths, [{ method: 'GET', path: '/wp-login.php', count: 1 }]);
    assert.deepEqual(
      s.suspicious.map((r) => [r.ip, r.kind, r.path, r.line]),
      [['192.0.2.4', 'scanner-probe', '/wp-login.php', 21]],
    );
    // The sign-in form rendered again (200 on SessionsController#create).
    assert.deepEqual(s.failedLogins.byIp, [{ ip: '192.0.2.2', count: 1 }]);
    assert.equal(s.assembly.byProcess, 4);
    assert.equal(s.assembly.incomplete, 0);
  });

  it('Rails 3.0 on Ruby 1.8: its Started time and a message over several lines', async () => {
    const s = await summarizeFixture('rails30_ruby18.log');
    assert.equal(s.requests.total, 2);
    // Thu Nov 25 10:00:00 +0100 2010 is 09:00 UTC.
    assert.equal(s.span.first, '2010-11-25T09:00:00.000Z');
    assert.equal(s.span.last, '2010-11-25T10:00:00.000Z');
    assert.equal(s.timeZone.explicitOffsets, 2);
    assert.deepEqual(
      s.requests.perHour.map((h) => [h.hour, h.count, h.errors]),
      [
        ['2010-11-25T09:00:00.000Z', 1, 0],
        ['2010-11-25T10:00:00.000Z', 1, 1],
      ],
    );
    assert.deepEqual(
      s.exceptions.map((e) => [e.className, e.message, e.frame, e.actions, e.line]),
      [
        [
          'ActiveRecord::StatementInvalid',
          'PG::UndefinedColumn: ERROR:  column posts.foo does not exist',
          'app/controllers/posts_controller.rb:12',
          ['PostsController#show'],
          14,
        ],
      ],
    );
    assert.deepEqual(s.errors.byClass, [{ className: 'ActiveRecord::StatementInvalid', count: 1 }]);
    assert.equal(s.assembly.orphanLines, 2);
  });

  it('one cut line says "its first 256 KB"', async () => {
    const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-one-cut-'));
    try {
      const path300k = `/${'a'.repeat(300 * 1024)}`;
      const long = `Started GET "${path300k}" for 192.0.2.1 at 2026-12-04 11:00:00 +0000`;
      await fs.writeFile(path.join(folder, 'production.log'), `${long}\nCompleted 200 OK in 5ms\n`);
      const s = await summarizeFixture(path.join(folder, 'production.log'));
      assert.equal(s.requests.completed, 1);
      assert.match(s.warnings.join('\n'), /1 line longer than 272 KB was read by its first 256 KB/);
    } finally {
      await fs.rm(folder, { recursive: true, force: true });
    }
  });

  it("an hour's mean is over the requests that logged a duration", async () => {
    const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-hour-mean-'));
    try {
      const at = (t: string): string => `I, [2026-12-04T${t}.000000 #1]  INFO -- : `;
      await fs.writeFile(
        path.join(folder, 'production.log'),
        [
          `${at('11:00:00')}Started GET "/" for 192.0.2.1 at 2026-12-04 11:00:00 +0000`,
          `${at('11:00:00')}Processing by HomeController#index as HTML`,
          `${at('11:00:00')}Completed 200 OK in 10ms`,
          `${at('11:00:01')}Started GET "/.env" for 192.0.2.2 at 2026-12-04 11:00:01 +0000`,
          `${at('11:00:02')}Started GET "/" for 192.0.2.1 at 2026-12-04 11:00:02 +0000`,
          `${at('11:00:02')}Processing by HomeController#index as HTML`,
          `${at('11:00:02')}Completed 200 OK in 30ms`,
          '',
        ].join('\n'),
      );
      const s = await summarizeFixture(path.join(folder, 'production.log'));
      assert.equal(s.requests.total, 3);
      // The probe is a lone Started line, grouped by process like the others: not lograge.
      assert.deepEqual(
        [s.assembly.byProcess, s.assembly.singleLine, s.assembly.incomplete],
        [3, 0, 1],
      );
      assert.deepEqual(
        s.requests.perHour.map((h) => [h.count, h.meanMs, h.p50Ms]),
        [[3, 20, 10]],
      );
      assert.equal(s.duration.meanMs, 20);
    } finally {
      await fs.rm(folder, { recursive: true, force: true });
    }
  });
});

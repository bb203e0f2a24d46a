/**
 * Every log fixture summarized, against figures counted by hand from the files
 * (see test/fixtures/logs/PROVENANCE.md for where each one comes from).
 */
import { strict as assert } from 'node:assert';
import { summarizeFixture } from './helpers';

describe('log engine on real Rails logs', () => {
  it('Rails 3 with partials: two requests, 58 ms and 2 ms', async () => {
    const s = await summarizeFixture('rails3_partials.log');
    assert.equal(s.requests.total, 2);
    assert.deepEqual(s.statuses, { '200': 2 });
    assert.equal(s.duration.meanMs, 30);
    assert.equal(s.duration.maxMs, 58);
    assert.equal(s.duration.p50Ms, 2);
    assert.equal(s.actions.length, 1);
    assert.equal(s.actions[0].name, 'HomeController#foobartest');
    assert.equal(s.actions[0].count, 2);
    // Views 44.6 + 0.6 over 58 + 2 ms.
    assert.equal(s.actions[0].viewShare, Math.round((45.2 / 60) * 10000) / 10000);
    assert.equal(s.actions[0].dbShare, 0);
    assert.equal(s.span.first, '2012-11-21T14:21:13.000Z');
    assert.equal(s.span.last, '2012-11-21T14:21:31.000Z');
    assert.equal(s.timeZone.explicitOffsets, 2);
    assert.deepEqual(
      s.slowest.map((r) => [r.line, r.durationMs, r.path]),
      [
        [1, 58, '/foobartest'],
        [9, 2, '/foobartest'],
      ],
    );
    assert.deepEqual(
      {
        byProcess: s.assembly.byProcess,
        orphans: s.assembly.orphanLines,
        lines: s.assembly.linesRead,
      },
      { byProcess: 2, orphans: 0, lines: 13 },
    );
  });

  it('Rails 2.2: Completed in 614ms (View: 120, DB: 31), no newline at the end', async () => {
    const s = await summarizeFixture('rails22.log');
    assert.equal(s.requests.total, 1);
    assert.deepEqual(s.statuses, { '200': 1 });
    assert.equal(s.duration.meanMs, 614);
    assert.equal(s.duration.p95Ms, 614);
    const [action] = s.actions;
    assert.equal(action.name, 'PageController#demo');
    assert.equal(action.viewShare, Math.round((120 / 614) * 10000) / 10000);
    assert.equal(action.dbShare, Math.round((31 / 614) * 10000) / 10000);
    assert.equal(s.slowest[0].path, '/demo');
    assert.equal(s.slowest[0].at, '2008-12-10T16:28:09.000Z');
    assert.equal(s.assembly.linesRead, 12);
    // Rails 2 writes no offset: the time was read in the configured zone.
    assert.equal(s.timeZone.zoneApplied, 1);
  });

  it('Rails 2 interleaved: two requests of one process matched by their URLs', async () => {
    const s = await summarizeFixture('rails2_interleaved.log');
    assert.equal(s.requests.total, 2);
    assert.equal(s.assembly.byProcess, 2);
    assert.equal(s.assembly.orphanLines, 0);
    const byName = Object.fromEntries(s.actions.map((a) => [a.name, a]));
    assert.equal(byName['AccountController#dashboard'].meanMs, 50);
    assert.equal(byName['AccountController#dashboard'].viewShare, 0.82);
    assert.equal(byName['ProjectsController#new'].meanMs, 36);
    assert.equal(byName['ProjectsController#new'].dbShare, Math.round((3 / 36) * 10000) / 10000);
    const dashboard = s.slowest.find((r) => r.action === 'AccountController#dashboard');
    assert.equal(dashboard?.line, 1);
    assert.equal(dashboard?.path, '/dashboard?first_use=true');
    assert.equal(s.slowest.find((r) => r.action === 'ProjectsController#new')?.line, 6);
    // No time carried an offset: the note names what had none ("2 had none" read as cut off).
    assert.equal(
      s.timeZone.note,
      '2 request times had no offset and were read in UTC (the configured zone).',
    );
  });

  it('a gzipped rotated Rails 2.2 log', async () => {
    const s = await summarizeFixture('rails22_rotated.log.gz');
    assert.equal(s.sources[0].gzip, true);
    assert.equal(s.requests.total, 1);
    assert.equal(s.duration.meanMs, 614);
    assert.equal(s.actions[0].name, 'PageController#demo');
    assert.equal(s.assembly.linesRead, 12);
  });

  it('Rails 5.2 production, tagged, with FATAL blocks and error pages', async () => {
    const s = await summarizeFixture('rails52_production_tagged.log');
    // 55cd4db0, 8a9b2f43, 518ef08b, 5a671a79, c295df19, 03099aef, ea517b3d.
    assert.equal(s.requests.total, 7);
    assert.equal(s.requests.incomplete, 0);
    assert.deepEqual(s.statuses, { '200': 1, '404': 1, '422': 2, '500': 3 });
    assert.deepEqual(s.statusClasses, {
      '1xx': 0,
      '2xx': 1,
      '3xx': 0,
      '4xx': 3,
      '5xx': 3,
      unknown: 0,
    });
    assert.equal(s.errorRate, Math.round((3 / 7) * 1e6) / 1e6);
    // Durations of the first Completed of each request: 1, 14, 3, 0, 1, 12, 12.
    assert.equal(s.duration.meanMs, Math.round((43 / 7) * 100) / 100);
    assert.equal(s.duration.maxMs, 14);
    assert.equal(s.duration.p50Ms, 3);
    assert.equal(s.span.first, '2021-11-26T00:00:35.744Z');
    assert.equal(s.span.last, '2021-11-26T12:17:01.995Z');

    assert.deepEqual(
      s.exceptions.map((e) => [e.className, e.count, e.frame, e.line]),
      [
        ['ActionController::InvalidAuthenticityToken', 1, null, 86],
        ['ActionController::RoutingError', 1, null, 34],
        [
          'ActionController::UnfilteredParameters',
          1,
          'app/controllers/public/centers_controller.rb:23',
          6,
        ],
        [
          'ActionView::Template::Error',
          1,
          'config/initializers/active_record_relation_crypto_extensions.rb:12',
          114,
        ],
        ['ActiveModel::MissingAttributeError', 1, 'app/controllers/foo_controller.rb:59', 77],
        ['ActiveRecord::RecordNotFound', 1, 'app/con....ntroller.rb:85', 23],
        ['URI::InvalidURIError', 1, null, 98],
      ],
    );
    const template = s.exceptions.find((e) => e.className === 'ActionView::Template::Error');
    assert.match(template!.message, /^PG::UndefinedColumn: ERROR: {2}column foos.first_name/);
    assert.deepEqual(template!.actions, ['foosController#index']);
    assert.equal(s.routingErrors.total, 1);
    assert.deepEqual(s.routingErrors.paths, [{ method: 'OPTIONS', path: '/c....', count: 1 }]);

    // Three 5xx requests, three requests with an exception but a 4xx, and the FATAL block of
    // 9e488fa2 whose request lines are not in the excerpt.
    assert.equal(s.errors.total, 7);
    assert.equal(s.errors.lastSeen, '2021-11-26T12:17:01.995Z');

    // delayed_job and ActiveJob lines (13), a WARN at boot (1), the stray 9e488fa2 block (5).
    assert.equal(s.assembly.byRequestId, 7);
    assert.equal(s.assembly.orphanLines, 19);
    assert.equal(s.assembly.linesRead, 133);
    assert.equal(s.timeZone.explicitOffsets, 3);
    assert.equal(s.timeZone.zoneApplied, 4);
  });

  it(
    'Rails 5.2 timestamps without offset move with the configured zone, ' + 'offsets do not',
    async () => {
      const utc = await summarizeFixture('rails52_production_tagged.log');
      const berlin = await summarizeFixture('rails52_production_tagged.log', {
        timeZone: 'Europe/Berlin',
      });
      const at = (s: typeof utc, line: number): string | null | undefined =>
        s.slowest.find((r) => r.line === line)?.at;
      // 8a9b2f43 has only the Logger::Formatter time (00:00:35 local): one hour earlier in Berlin.
      assert.equal(at(utc, 11), '2021-11-26T00:00:35.744Z');
      assert.equal(at(berlin, 11), '2021-11-25T23:00:35.744Z');
      // 55cd4db0's Started line says +0000: the same instant in both.
      assert.equal(at(utc, 1), '2021-11-26T00:04:44.000Z');
      assert.equal(at(berlin, 1), '2021-11-26T00:04:44.000Z');
      assert.equal(berlin.timeZone.zone, 'Europe/Berlin');
      assert.equal(berlin.timeZone.source, 'configured');
      assert.match(
        berlin.timeZone.note,
        /3 request times carried an offset.*4 had none.*Europe\/Berlin/,
      );
    },
  );

  it(
    'Rails 7 development with ANSI colours: ' + 'SQL per request and an N+1 with its ↳ line',
    async () => {
      const s = await summarizeFixture('rails7_development_ansi.log');
      assert.equal(s.requests.total, 7);
      assert.deepEqual(s.statuses, { '200': 3, '302': 3, '303': 1 });
      // 24 + 468 + 14 + 33 + 14 + 20 + 12 ms.
      assert.equal(s.duration.meanMs, Math.round((585 / 7) * 100) / 100);
      assert.equal(s.duration.maxMs, 468);
      assert.equal(s.slowest[0].action, 'SessionsController#create');
      assert.equal(s.slowest[0].line, 12);
      assert.equal(s.span.first, '2024-12-15T13:40:07.000Z');
      assert.equal(s.timeZone.explicitOffsets, 7);
      assert.equal(s.errors.total, 0);
      assert.equal(s.failedLogins.total, 0, 'the login redirected: it succeeded');

      assert.equal(s.sql.requestsWithSql, 6);
      assert.equal(s.sql.queries, 38);
      assert.equal(s.sql.cached, 23);
      assert.equal(s.sql.maxPerRequest?.action, 'UsersController#show');
      assert.equal(s.sql.maxPerRequest?.count, 20);
      assert.equal(s.nPlusOne.length, 1);
      const [hint] = s.nPlusOne;
      assert.equal(hint.name, 'ActiveStorage::Attachment Load');
      assert.equal(hint.action, 'UsersController#show');
      assert.equal(hint.maxRepeats, 4);
      assert.equal(hint.source, 'app/views/microposts/_micropost.html.erb:6');
      assert.equal(hint.line, 50);
      assert.match(hint.statement, /^SELECT "active_storage_attachments"\.\* FROM .* LIMIT \?$/);
      assert.equal(s.assembly.byRequestId, 7);
      assert.equal(s.assembly.orphanLines, 0);
    },
  );

  it('lograge JSON lines joined with the SQL lines of their request id', async () => {
    const s = await summarizeFixture('lograge_json_development.log');
    assert.equal(s.requests.total, 5);
    assert.deepEqual(s.statuses, { '200': 3, '201': 1, '204': 1 });
    assert.equal(s.duration.meanMs, 73.02);
    assert.equal(s.duration.maxMs, 120.5);
    assert.deepEqual(
      s.actions.map((a) => [a.name, a.meanMs]),
      [
        ['UsersController#create', 120.5],
        ['PostsController#update', 95.7],
        ['PostsController#index', 78.3],
        ['UsersController#show', 45.2],
        ['PostsController#destroy', 25.4],
      ],
    );
    assert.equal(s.span.first, '2025-06-05T07:12:47.580Z');
    assert.equal(s.assembly.byRequestId, 5);
    assert.equal(s.sql.queries, 5);
    assert.equal(s.sql.cached, 1);
    assert.equal(s.slowest[0].line, 4, "the request's first line: its SQL");
  });
});

/**
 * A request Rails could not route logs its RoutingError and no `Completed` line, yet the client
 * got a 404 (ActionDispatch::ShowExceptions): the summary counts it as a completed 404, and
 * leaves a request that truly never completed as incomplete.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateRailsLog } from '../../../scripts/lib/demoLog';
import { summarizeFixture, summarizeInRanges } from './helpers';

function tagged(request: string, level: 'I' | 'F', time: string, text: string): string {
  // A request id as Rails makes them, ending in the request's name.
  const id = `7c1f0b2e-4d5a-4e6f-8a9b-${request.padStart(12, '0')}`;
  const name = level === 'I' ? ' INFO' : 'FATAL';
  return `${level}, [2026-12-04T${time}.000000 #4100] ${name} -- : [${id}] ${text}`;
}

function started(id: string, time: string, target: string): string {
  return tagged(
    id,
    'I',
    time,
    `Started GET "${target}" for 198.51.100.66 at 2026-12-04 ${time} +0000`,
  );
}

/** A scanner probe as Rails 7 logs it: Started, then the FATAL block, and nothing more. */
function probe(id: string, time: string, target: string): string[] {
  return [
    started(id, time, target),
    tagged(id, 'F', time, '  '),
    tagged(id, 'F', time, `ActionController::RoutingError (No route matches [GET] "${target}"):`),
    tagged(id, 'F', time, '  '),
  ];
}

const LOG =
  [
    started('a1', '10:00:00', '/'),
    tagged('a1', 'I', '10:00:00', 'Processing by HomeController#index as HTML'),
    tagged('a1', 'I', '10:00:00', 'Completed 200 OK in 40ms (Views: 20.0ms)'),
    ...probe('b2', '10:01:00', '/wp-login.php'),
    // A crash with no Completed line: truly incomplete, whatever error it logged.
    started('c3', '10:02:00', '/bookings/1'),
    tagged('c3', 'I', '10:02:00', 'Processing by BookingsController#show as HTML'),
    tagged('c3', 'F', '10:02:00', "NoMethodError (undefined method `name' for nil):"),
    ...probe('d4', '10:03:00', '/.env'),
    // Still running (or cut off) when the log ends: no outcome at all.
    started('e5', '10:04:00', '/reports/monthly'),
    tagged('e5', 'I', '10:04:00', 'Processing by ReportsController#monthly as HTML'),
  ].join('\n') + '\n';

describe('log engine: a routing error alone is a 404', () => {
  let folder: string;
  let file: string;

  before(async () => {
    folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-routing-'));
    file = path.join(folder, 'production.log');
    await fs.writeFile(file, LOG);
  });

  after(() => fs.rm(folder, { recursive: true, force: true }));

  it('counts a request whose only outcome is a RoutingError as a completed 404', async () => {
    const s = await summarizeFixture(file);
    // a1 200, b2 and d4 routing errors (404), c3 a crash and e5 still open (incomplete).
    assert.deepEqual(s.requests.total, 5);
    assert.deepEqual([s.requests.completed, s.requests.incomplete], [3, 2]);
    assert.deepEqual(s.statuses, { '200': 1, '404': 2 });
    assert.equal(s.statusClasses['4xx'], 2);
    assert.equal(s.errorRate, 0);
    assert.deepEqual(
      s.requests.perHour.map((h) => [h.hour, h.count, h.completed, h.errors]),
      [['2026-12-04T10:00:00.000Z', 5, 3, 0]],
    );
    // Still routing errors and errors (each logged an exception), and not timed.
    assert.equal(s.routingErrors.total, 2);
    assert.equal(s.errors.total, 3);
    assert.equal(s.duration.count, 1);
    // The assembly says how lines became requests: four logged no completion.
    assert.deepEqual([s.assembly.byRequestId, s.assembly.incomplete], [5, 4]);
  });

  it("counts the demo log's scanner probes as 404s, in ranges as in one pass", async () => {
    // The log `npm run demo` writes: 48 hours of traffic, probes of /wp-login.php and /.env
    // among it, each a Started line and a RoutingError.
    const demo = generateRailsLog({ now: new Date('2026-12-04T12:00:00Z') });
    const demoFile = path.join(folder, 'demo.log');
    await fs.writeFile(demoFile, demo.text);
    const byStatus: Record<string, number> = {};
    for (const request of demo.requests) {
      byStatus[request.status] = (byStatus[request.status] ?? 0) + 1;
    }
    assert.ok(byStatus['404'] > 5, JSON.stringify(byStatus));

    const onePass = await summarizeInRanges(demoFile, false);
    const ranges = await summarizeInRanges(demoFile, { ranges: 3, inProcess: true });
    assert.equal(ranges.ranges, 3, ranges.refusal);
    for (const { summary } of [onePass, ranges]) {
      assert.equal(summary.requests.total, demo.requests.length);
      assert.equal(summary.requests.completed, demo.requests.length);
      assert.equal(summary.requests.incomplete, 0);
      assert.deepEqual(summary.statuses, byStatus);
      assert.equal(summary.routingErrors.total, byStatus['404']);
    }
  });
});

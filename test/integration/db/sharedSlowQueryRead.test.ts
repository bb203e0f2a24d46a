/**
 * db.slowQueries and db.topQueriesByMean in one check run, on both real servers: they ask
 * pg_stat_statements the same (the top by total time and the 20 by mean time), so the run reads
 * it once on its session, and each check still lists its own count by mean time.
 */
import * as assert from 'node:assert/strict';
import * as os from 'node:os';
import { closeSharedDbSession, createDbChecks } from '../../../src/core/checks/dbChecks';
import { runChecks } from '../../../src/core/checks/runner';
import { resolveSettings } from '../../../src/core/settings';
import { fixedClock } from '../../../src/core/util/clock';
import type { Logger } from '../../../src/core/util/logger';
import { admin, createDatabase, serversUnderTest } from './servers';

/** A logger keeping every line, its children's too. */
function keepingLogger(lines: string[]): Logger {
  const logger: Logger = {
    debug: (message) => lines.push(message),
    info: (message) => lines.push(message),
    warn: (message) => lines.push(message),
    error: (message) => lines.push(message),
    child: () => logger,
  };
  return logger;
}

for (const target of serversUnderTest) {
  describe(`the slow-query checks of one run on ${target.name}`, function () {
    this.timeout(120_000);
    let url: string;

    before(async () => {
      url = await createDatabase(await target.start(), 'sharedslow');
      await admin(url, 'CREATE EXTENSION pg_stat_statements');
      // This database's statements only, and each slower than any other a busy machine makes
      // slow: at 1 ms, the extension's creation and the run's own probes came before them.
      await admin(
        url,
        `SELECT pg_stat_statements_reset(0,
           (SELECT oid FROM pg_database WHERE datname = current_database()), 0)`,
      );
      for (let k = 1; k <= 12; k++) {
        const constants = Array.from({ length: k }, () => ', 1').join('');
        await admin(url, `SELECT pg_sleep(0.05)${constants}`);
      }
    });

    it('read pg_stat_statements once and list 10 and 20 by mean time', async () => {
      const lines: string[] = [];
      const results = await runChecks(
        createDbChecks({ snapshotFile: undefined }).filter((check) =>
          ['db.slowQueries', 'db.topQueriesByMean'].includes(check.id),
        ),
        {
          workspace: os.tmpdir(),
          settings: resolveSettings({ database: { url } }),
          clock: fixedClock(new Date()),
          log: keepingLogger(lines),
          trusted: true,
          env: {},
        },
        { onFinished: closeSharedDbSession },
      );
      const byId = new Map(results.map((result) => [result.checkId, result]));
      const weekly = byId.get('db.slowQueries');
      const monthly = byId.get('db.topQueriesByMean');
      assert.equal(weekly?.outcome, 'pass', weekly?.summary);
      assert.equal(monthly?.outcome, 'pass', monthly?.summary);
      assert.match(weekly?.details ?? '', /^By mean time \(the 10 slowest on average\):$/m);
      assert.match(weekly?.details ?? '', /^ {2}10\. /m);
      assert.doesNotMatch(weekly?.details ?? '', /^ {2}11\. /m);
      assert.match(monthly?.details ?? '', /^ {2}12\. .*SELECT pg_sleep/m);
      // The session logs each statement it runs by its tag: the plan and the read, once.
      const reads = lines.filter((line) => /^slowQueries: \d+ rows in /.test(line));
      assert.equal(reads.length, 2, lines.join('\n'));
    });
  });
}

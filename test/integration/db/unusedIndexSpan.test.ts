/**
 * The Unused indexes card on both real servers says since when its counters count: the server's
 * start for a database never reset (stats_reset is null then on PostgreSQL 15), the reset after
 * pg_stat_reset(). Under a week of counters, as on every server just started, it judges no index:
 * no DROP INDEX in the card, the check, the dashboard or the CLI, and the check does not warn.
 * The span runs to the clock it is given, so a clock a month on judges the same counters.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RunningPostgres } from '../../../scripts/lib/embeddedPostgres';
import { computeAlerts } from '../../../src/core/dashboard/alerts';
import { databaseView } from '../../../src/core/dashboard/databaseView';
import type { DbCard } from '../../../src/core/db/cards';
import { collectCards } from '../../../src/core/db/cards';
import type { UnusedIndexesData } from '../../../src/core/db/tableCards';
import { defaultSettings } from '../../../src/core/settings';
import type { Clock } from '../../../src/core/util/clock';
import { fixedClock, systemClock } from '../../../src/core/util/clock';
import { runCli } from '../../support/cli';
import {
  admin,
  connect,
  createDatabase,
  monthLaterClock,
  runDbChecks,
  serversUnderTest,
} from './servers';

const SCHEMA = `
  CREATE TABLE notes (id serial PRIMARY KEY, body text);
  CREATE INDEX index_notes_on_body ON notes (body);
  INSERT INTO notes (body) SELECT 'n' || i FROM generate_series(1, 100) i;
`;

const DAY_MS = 86_400_000;
const SHORT_TAIL = 'too short to judge; the counters need a week or more';

for (const target of serversUnderTest) {
  describe(`database unused-index statistics span on ${target.name}`, function () {
    this.timeout(120_000);
    let server: RunningPostgres | undefined;
    let url: string;

    beforeEach(async () => {
      server ??= await target.start();
      url = await createDatabase(server, 'span');
      await admin(url, SCHEMA);
    });

    async function unusedCard(clock?: Clock): Promise<DbCard & { data: UnusedIndexesData }> {
      const { session } = await connect(url);
      try {
        const [card] = await collectCards(session, { only: ['unusedIndexes'], clock });
        return { ...card, data: card.data as UnusedIndexesData };
      } finally {
        await session.close();
      }
    }

    it('counts from the reset, or from the server start when never reset', async () => {
      const [before] = await admin<{ reset: Date | null; started: Date }>(
        url,
        `SELECT stats_reset AS reset, pg_postmaster_start_time() AS started
           FROM pg_stat_database WHERE datname = current_database()`,
      );
      const first = await unusedCard(monthLaterClock);
      const expected = before.reset ?? before.started;
      assert.equal(first.state, 'warn', first.summary);
      assert.equal(first.data.statsFrom, before.reset ? 'reset' : 'serverStart');
      assert.equal(first.data.statsSince, expected.toISOString());
      assert.equal(first.data.statsDays, 30);
      const date = expected.toISOString().slice(0, 10);
      const when = before.reset ? 'statistics were reset' : 'the server started';
      const said = `no scans since ${date} (30 days), when ${when}`;
      assert.ok(first.summary.endsWith(`; ${said}`), first.summary);
      assert.equal(first.fix, `DROP INDEX CONCURRENTLY "index_notes_on_body"; (${said})`);

      await admin(url, 'SELECT pg_stat_reset()');
      const [after] = await admin<{ reset: Date }>(
        url,
        'SELECT stats_reset AS reset FROM pg_stat_database WHERE datname = current_database()',
      );
      const second = await unusedCard(monthLaterClock);
      assert.equal(second.data.statsFrom, 'reset');
      assert.equal(second.data.statsSince, after.reset.toISOString());
      const resetDate = after.reset.toISOString().slice(0, 10);
      assert.ok(
        second.summary.endsWith(
          `; no scans since ${resetDate} (30 days), when statistics were reset`,
        ),
        second.summary,
      );
    });

    it('judges from the seventh day of counters on, by the clock it is given', async () => {
      const since = Date.parse((await unusedCard()).data.statsSince ?? '');
      assert.ok(Number.isFinite(since));

      const sixDays = await unusedCard(fixedClock(new Date(since + 7 * DAY_MS - 1)));
      assert.equal(sixDays.data.statsDays, 6);
      assert.equal(sixDays.state, 'ok', sixDays.summary);
      assert.equal(sixDays.data.droppable, 0);
      assert.equal(sixDays.fix, undefined);
      assert.ok(sixDays.summary.endsWith(`(6 days), when ${whenOf(sixDays)}: ${SHORT_TAIL}`));

      const sevenDays = await unusedCard(fixedClock(new Date(since + 7 * DAY_MS)));
      assert.equal(sevenDays.data.statsDays, 7);
      assert.equal(sevenDays.state, 'warn', sevenDays.summary);
      assert.equal(sevenDays.data.droppable, 1);
      assert.match(sevenDays.fix ?? '', /^DROP INDEX CONCURRENTLY "index_notes_on_body"; \(/);

      // A clock behind the server's (another machine's) is no span at all, not a negative one.
      const behind = await unusedCard(fixedClock(new Date(since - DAY_MS)));
      assert.equal(behind.data.statsDays, 0);
      assert.equal(behind.state, 'ok', behind.summary);
    });

    it('under a week lists the index as not yet judged, with no DROP INDEX anywhere', async () => {
      // A second index leading with the foreign key's column: with the first judged, this one
      // would be the last left for it; unjudged, neither is dropped, so neither is "kept for it".
      await admin(
        url,
        `CREATE TABLE tags (id serial PRIMARY KEY, note_id int REFERENCES notes(id), name text);
         CREATE INDEX index_tags_on_note_id_and_name ON tags (note_id, name);
         CREATE INDEX index_tags_on_note_id_and_id ON tags (note_id, id);`,
      );
      const card = await unusedCard();
      assert.equal(card.state, 'ok', card.summary);
      assert.equal(card.data.statsDays, 0);
      assert.equal(card.data.droppable, 0);
      assert.equal(card.fix, undefined);
      assert.equal(card.fixes, undefined);
      const date = card.data.statsSince?.slice(0, 10);
      assert.equal(
        card.summary,
        'No index to drop (never scanned: 3 not yet judged); ' +
          `no scans since ${date} (0 days), when ${whenOf(card)}: ${SHORT_TAIL}`,
      );
      assert.deepEqual(card.data.indexes.map((row) => [row.name, row.advice, row.dropSql]).sort(), [
        ['index_notes_on_body', 'keep', null],
        ['index_tags_on_note_id_and_id', 'keep', null],
        ['index_tags_on_note_id_and_name', 'keep', null],
      ]);
      for (const row of card.data.indexes) {
        assert.equal(row.note, 'never scanned, not yet judged: the counters cover under a week');
      }
      const holdsBack =
        'No DROP INDEX before the scan counters cover a week or more: an index that a weekly ' +
        'or monthly job needs shows no scan until that job runs.';
      assert.ok(card.reason?.startsWith(holdsBack), card.reason);

      // The dashboard: the card as it is, no fix, no alert.
      const view = databaseView([card], 'span');
      const shown = view.cards.find((c) => c.id === 'unusedIndexes');
      assert.equal(shown?.state, 'ok');
      assert.equal(shown?.fix, undefined);
      assert.equal(shown?.fixes, undefined);
      const alerts = computeAlerts({ thresholds: defaultSettings.thresholds, database: view });
      assert.equal(
        alerts.find((alert) => alert.id === 'db:unusedIndexes'),
        undefined,
      );

      // The check passes and says in its details why it holds back.
      const [result] = await runDbChecks(url, systemClock, (id) => id === 'db.unusedIndexes');
      assert.equal(result.outcome, 'pass', result.summary);
      assert.equal(result.values?.unused, 0);
      assert.equal(result.summary, card.summary);
      assert.ok(result.details?.includes(`Why: ${holdsBack}`), result.details);
      assert.doesNotMatch(result.details ?? '', /DROP INDEX CONCURRENTLY|Fix:/);

      // The CLI, text and JSON, and upkeep check.
      const workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-span-'));
      try {
        const env = { DATABASE_URL: url, HOME: workspace, XDG_CACHE_HOME: workspace };
        const args = ['--workspace', workspace];
        const db = ['db', ...args, '--no-snapshots', '--card', 'unusedIndexes'];
        const text = await runCli(db, env);
        assert.equal(text.code, 0, text.stdout + text.stderr);
        assert.match(text.stdout, /not yet judged/);
        assert.doesNotMatch(text.stdout, /DROP INDEX CONCURRENTLY|fix: /);
        const json = await runCli([...db, '--format', 'json'], env);
        const [parsed] = (JSON.parse(json.stdout) as { cards: DbCard[] }).cards;
        assert.equal(parsed.state, 'ok');
        assert.equal(parsed.fix, undefined);
        const check = await runCli(['check', ...args, '--check', 'db.unusedIndexes'], env);
        assert.equal(check.code, 0, check.stdout + check.stderr);
        assert.doesNotMatch(check.stdout, /DROP INDEX CONCURRENTLY|WARN/);
      } finally {
        await fs.rm(workspace, { recursive: true, force: true });
      }
    });
  });
}

function whenOf(card: { data: UnusedIndexesData }): string {
  return card.data.statsFrom === 'reset' ? 'statistics were reset' : 'the server started';
}

/**
 * The business cards skipped for want of a users table say how to define a metric of one's
 * own; followed as written, the advice must give a playbook the loader takes, not one whose
 * key it reports as unknown.
 */
import * as assert from 'node:assert/strict';
import { collectCards } from '../../../src/core/db/cards';
import { defaultPlaybook } from '../../../src/core/playbook/defaultPlaybook';
import { applyPlaybookText } from '../../../src/core/playbook/loader';
import { embeddedServer } from '../../support/postgres';
import { admin, connect, createDatabase } from './servers';

describe('the advice of a business card skipped without its tables', function () {
  this.timeout(60_000);

  it('names the playbook key a SQL metric is defined under', async () => {
    const url = await createDatabase(await embeddedServer(), 'metric_advice');
    await admin(url, 'CREATE TABLE orders (id int)');
    const { session } = await connect(url);
    let cards;
    try {
      cards = await collectCards(session, { only: ['onboarding', 'businessGrowth'] });
    } finally {
      await session.close();
    }
    for (const card of cards) {
      assert.equal(card.state, 'skipped', card.summary);
      const key = /under (\w+):/.exec(card.fix ?? '')?.[1];
      assert.ok(key, card.fix);
      const { playbook, problems } = applyPlaybookText(
        defaultPlaybook(),
        `${key}:\n  - id: orders\n    kind: sql\n    sql: SELECT count(*) FROM orders\n`,
      );
      assert.deepEqual(problems, [], `${card.id}: ${card.fix ?? ''}`);
      assert.ok(playbook.customChecks.some((check) => check.id === 'orders'));
      assert.match(card.fix ?? '', /kind: sql/);
    }
  });
});

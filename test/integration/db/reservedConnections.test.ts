/**
 * The Connections card on servers of their own with few connections, on both real servers: the
 * connections it says the app's roles may open are the ones the server lets an ordinary role
 * open before it refuses, superuser_reserved_connections and (PostgreSQL 16+)
 * reserved_connections kept aside.
 */
import * as assert from 'node:assert/strict';
import { Client } from 'pg';
import type { ConnectionsData } from '../../../src/core/db/activityCards';
import { runCard } from '../../../src/core/db/cards';
import { admin, connect, createDatabase, serversUnderTest } from './servers';

for (const target of serversUnderTest) {
  describe(`connections kept in reserve on ${target.name}`, function () {
    this.timeout(120_000);

    it('counts only the connections an ordinary role may open', async () => {
      // reserved_connections is PostgreSQL 16's: 15 does not know the setting.
      const settings: Record<string, string> = {
        max_connections: '12',
        superuser_reserved_connections: '2',
        ...(target.major >= 16 ? { reserved_connections: '3' } : {}),
      };
      const server = await target.startWith(settings);
      const clients: Client[] = [];
      try {
        const url = await createDatabase(server, 'reserve');
        await admin(url, `CREATE ROLE app LOGIN PASSWORD 'app-secret'`);
        const { session } = await connect(url);
        try {
          // The app's role opens sessions until the server keeps the rest for others.
          const appUrl = new URL(url);
          appUrl.username = 'app';
          appUrl.password = 'app-secret';
          let refusal = '';
          while (clients.length < 20) {
            const client = new Client({ connectionString: appUrl.toString() });
            try {
              await client.connect();
              clients.push(client);
            } catch (error) {
              refusal = (error as Error).message;
              break;
            }
          }
          assert.match(refusal, /remaining connection slots are reserved/);

          const card = await runCard(session, 'connections');
          const data = card.data as ConnectionsData;
          // Upkeep's own session and the app's took every slot an ordinary role may have.
          assert.equal(data.total, clients.length + 1);
          assert.equal(data.available, clients.length + 1);
          assert.equal(data.available, target.major >= 16 ? 7 : 10);
          assert.equal(data.reservedConnections, target.major >= 16 ? 3 : null);
          assert.equal(data.reserved, 2);
          assert.equal(card.state, 'warn');
          assert.match(
            card.summary,
            target.major >= 16
              ? /^7 of 7 connections in use \(100 %\); 2 reserved for superusers, 3 for /
              : /^10 of 10 connections in use \(100 %\)$/,
          );
        } finally {
          await session.close();
        }
      } finally {
        for (const client of clients) await client.end();
        await server.stop();
      }
    });
  });
}

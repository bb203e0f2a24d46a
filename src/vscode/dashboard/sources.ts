/**
 * The dashboard's data sources in the editor: the check results and playbook from the shared
 * services, the log engine over the configured log sources, and one read-only database session
 * for the database and business cards.
 */
import { defaultSnapshotFile, snapshotOptions } from '../../core/checks/dbChecks';
import type { DbCard } from '../../core/db/cards';
import { cardDefinitions, collectCards, runOrder } from '../../core/db/cards';
import { probeServer } from '../../core/db/probe';
import { resolveConnection } from '../../core/db/connection';
import { databasePasswords } from '../../core/db/knownPasswords';
import { openSession } from '../../core/db/session';
import { readSnapshots } from '../../core/db/snapshots';
import { businessView, databaseView } from '../../core/dashboard/databaseView';
import { healthView } from '../../core/dashboard/healthView';
import type { HealthView } from '../../core/dashboard/protocol';
import { createRegistry } from '../../core/checks/registry';
import type { DashboardSources } from '../../core/dashboard/loader';
import { windowBounds } from '../../core/dashboard/loader';
import { logsView } from '../../core/dashboard/logsView';
import { summarizeLogs } from '../../core/logs/summary';
import { effectiveThresholds } from '../../core/playbook/model';
import { UpkeepError } from '../../core/util/errors';
import { hideSecretsIn } from '../../core/util/logger';
import type { Services } from '../services';
import { readLogsWithProgress } from './logProgress';

function workspaceOf(services: Services): string {
  const folder = services.workspaceFolder;
  if (!folder) {
    throw new UpkeepError('config', 'No folder is open.', 'Open the folder of a Rails app first.');
  }
  return folder.uri.fsPath;
}

/** The Health view from the kept results, with titles from the check registry. */
export function currentHealth(services: Services): HealthView {
  const playbook = services.playbook?.current();
  const registry = createRegistry(playbook);
  const results = services.results;
  return healthView(
    playbook,
    results.allLatest(),
    (id) => registry.get(id)?.title,
    (result) => results.originOf(result),
  );
}

export function editorSources(services: Services): DashboardSources {
  const log = services.log.child('dashboard');
  return {
    thresholds() {
      const settings = services.settings();
      const playbook = services.playbook?.current();
      return playbook ? effectiveThresholds(settings, playbook) : settings.thresholds;
    },

    async health() {
      return currentHealth(services);
    },

    async logs(window, signal) {
      const workspace = workspaceOf(services);
      const settings = services.settings();
      const started = Date.now();
      // An untrusted repo's settings could name any file on the machine.
      const confineToWorkspace = !services.trusted;
      const read = { workspace, sources: settings.logs.sources, confineToWorkspace, signal, log };
      const summary = await readLogsWithProgress(read, (readSignal) =>
        summarizeLogs({
          workspace,
          sources: settings.logs.sources,
          window: windowBounds(window, services.clock.now()),
          timeZone: settings.logs.timeZone,
          slowRequestMs: settings.thresholds.slowRequestMs,
          confineToWorkspace,
          clock: services.clock,
          signal: readSignal,
          log,
          // A missing log's hint names the setting, not `upkeep logs FILE`.
          surface: 'editor',
        }),
      );
      log.info(
        `logs: ${summary.requests.total} requests (${window.kind}) in ${Date.now() - started} ms`,
      );
      // An exception the app logged may hold the database password: hidden, as upkeep logs does.
      const passwords = await databasePasswords({
        workspace,
        settings,
        trusted: services.trusted,
        env: process.env,
        ...(await services.storedPassword().catch(() => ({}))),
      });
      return logsView(hideSecretsIn(summary, passwords), window);
    },

    async database(signal, progress) {
      const workspace = workspaceOf(services);
      const settings = services.settings();
      const connection = await resolveConnection({
        workspace,
        settings,
        env: process.env,
        trusted: services.trusted,
        ...(await services.storedPassword()),
        // Its errors say what to do in the editor (Set Database Password), not PGPASSWORD.
        surface: 'editor',
      });
      const started = Date.now();
      const session = await openSession(connection, {
        statementTimeoutMs: settings.database.statementTimeoutMs,
        lockTimeoutMs: settings.database.lockTimeoutMs,
        connectTimeoutMs: settings.database.connectTimeoutMs,
        log,
        signal,
      });
      try {
        // Shared with the database checks and the CLI, so growth has one history per database.
        const snapshotFile = defaultSnapshotFile();
        const probe = await probeServer(session, signal);
        const options = {
          clock: services.clock,
          signal,
          log,
          ...snapshotOptions(snapshotFile),
          probe,
          // A fix or a hint names what the editor runs, not `upkeep db`'s flags.
          surface: 'editor' as const,
        };
        // Card by card, so each shows as soon as it is done while the slower ones still run.
        const order = runOrder(cardDefinitions);
        const done: DbCard[] = [];
        let cards: DbCard[] = [];
        for (const [index, definition] of order.entries()) {
          done.push(...(await collectCards(session, { ...options, only: [definition.id] })));
          cards = cardDefinitions.flatMap(({ id }) => done.filter((card) => card.id === id));
          const pending = order.slice(index + 1).map(({ id, title }) => ({ id, title }));
          if (pending.length) {
            progress?.({ ...databaseView(cards, connection.display), pending });
          }
        }
        const snapshots = snapshotFile
          ? await readSnapshots(snapshotFile, connection.display).catch(() => [])
          : [];
        log.info(
          `database: ${cards.length} cards from ${connection.display} ` +
            `in ${Date.now() - started} ms`,
        );
        return {
          database: databaseView(cards, connection.display, snapshots),
          business: businessView(cards),
        };
      } finally {
        await session.close();
      }
    },
  };
}

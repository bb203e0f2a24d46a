/**
 * The database cards: each one runs alone (its own read-only transaction on the shared
 * session), says ok, warn, skipped or error, and carries typed, JSON-serializable data for the
 * dashboard, the CLI and the checks. A timeout or failure in one card leaves the others intact.
 */
import type { Clock } from '../util/clock';
import { systemClock } from '../util/clock';
import { UpkeepError, describeError } from '../util/errors';
import { formatMs } from '../util/figures';
import type { Logger } from '../util/logger';
import { silentLogger } from '../util/logger';
import { controlsWrittenOut } from '../util/printable';
import { describeSource } from './connection';
import type { Surface } from './connection';
import type { Probe } from './probe';
import { probeServer } from './probe';
import type { DbSession } from './session';
import { activityCards } from './activityCards';
import { businessCards, metricCard } from './businessCards';
import { tableCards } from './tableCards';

export type CardState = 'ok' | 'warn' | 'skipped' | 'error';

export interface DbCard<T = unknown> {
  id: string;
  title: string;
  state: CardState;
  /** One line: the headline number or the reason it could not run. */
  summary: string;
  /** Why the card is skipped or warns (a failed card says what went wrong in its summary). */
  reason?: string;
  /** The exact statement or step that fixes it (the first, when there are several). */
  fix?: string;
  /** Every statement, one per row of the card, when there is more than one. */
  fixes?: string[];
  /**
   * Set on an `error` card that a setting of this machine fixes, not the database (a cache
   * folder Upkeep cannot write): `upkeep check` and `upkeep db` exit 2 for it, as for bad usage.
   */
  configProblem?: true;
  /**
   * Typed per card (the *Data interfaces in tableCards, activityCards and businessCards),
   * JSON-serializable; null when it did not run.
   */
  data: T | null;
  durationMs: number;
}

/** A query a repo defines in `.upkeep/playbook.yaml` (a `kind: sql` check); run if trusted. */
export interface RepoMetric {
  id: string;
  title: string;
  sql: string;
}

export interface CardOptions {
  clock?: Clock;
  signal?: AbortSignal;
  log?: Logger;
  /** Card ids to run; all when absent. */
  only?: string[];
  /** Rows per list (slowest queries, largest tables, ...). Default 10. */
  limit?: number;
  /**
   * Slowest queries: how many statements by mean time, besides the `limit` by total time (the
   * monthly review reads 20, as the guidelines' query does). Default `limit`.
   */
  meanLimit?: number;
  /** Slow queries of every role (needs pg_read_all_stats to see their text). Default true. */
  allRoles?: boolean;
  /** JSON file for size snapshots (growth); none kept when absent. */
  snapshotFile?: string;
  /** Snapshots were asked for, but this user has no cache folder to keep them in (no home). */
  noCacheFolder?: boolean;
  /** Queries defined by the repo; the caller passes them only in a trusted workspace. */
  metrics?: RepoMetric[];
  /** A probe already made on this session. */
  probe?: Probe;
  /**
   * Reads shared beyond this call (see CardContext.memo): the database checks of one run pass
   * one per session, so two checks on the same card read it once.
   */
  memo?: Map<string, Promise<unknown>>;
  /** An active query or open transaction older than this warns. Default 60 s. */
  longRunningSeconds?: number;
  /** Where the cards are read, so a fix names what runs there. Default `any`. */
  surface?: Surface;
  /**
   * How the cards after a lost connection read: `once` (the default), only the card that found
   * it lost says what happened and what to do, the later ones that they were not read; `each`,
   * every card says it all, for the checks, each of which is read on its own.
   */
  lostConnection?: 'once' | 'each';
}

export interface CardContext {
  session: DbSession;
  probe: Probe;
  clock: Clock;
  signal?: AbortSignal;
  log: Logger;
  limit: number;
  meanLimit: number;
  allRoles: boolean;
  snapshotFile?: string;
  noCacheFolder?: boolean;
  longRunningSeconds: number;
  surface: Surface;
  /**
   * Results several cards of one run share (table sizes, slowest queries), so each is read once;
   * see memoized.
   */
  memo: Map<string, Promise<unknown>>;
}

export type CardResult<T = unknown> = Omit<DbCard<T>, 'id' | 'title' | 'durationMs'>;

export interface CardDefinition {
  id: string;
  title: string;
  run(context: CardContext): Promise<CardResult>;
}

interface ConnectivityData {
  serverVersion: string;
  serverVersionNum: number;
  roundTripMs: number;
  database: string;
  role: string;
  replica: boolean;
  /** `user@host:port/database`. */
  display: string;
  source: string;
  statStatements: Probe['statStatements'];
  readAllStats: boolean;
}

const connectivityCard: CardDefinition = {
  id: 'connectivity',
  title: 'Connectivity',
  async run({ session, probe, signal }) {
    const started = performance.now();
    await session.query('connectivity', 'SELECT 1', undefined, signal);
    const roundTripMs = Math.round((performance.now() - started) * 10) / 10;
    const data: ConnectivityData = {
      serverVersion: probe.serverVersion,
      serverVersionNum: probe.serverVersionNum,
      roundTripMs,
      database: probe.database,
      role: probe.role,
      replica: probe.replica,
      display: session.connection.display,
      source: describeSource(session.connection.source),
      statStatements: probe.statStatements,
      readAllStats: probe.readAllStats,
    };
    return {
      state: 'ok',
      summary:
        `PostgreSQL ${probe.serverVersion}, ` +
        `${formatMs(roundTripMs)} round trip (${data.source})`,
      data,
    };
  },
};

/** Every built-in card, in the order they are shown. */
export const cardDefinitions: CardDefinition[] = [
  connectivityCard,
  ...tableCards,
  ...activityCards,
  ...businessCards,
];

export const cardIds: string[] = cardDefinitions.map((card) => card.id);

/**
 * The order to run cards in: Slowest queries last, so that it knows the query ids of the
 * statements the other cards ran (see ownQueryIds in session.ts).
 */
export function runOrder<T extends { id: string }>(cards: T[]): T[] {
  const last = (card: T): boolean => card.id === 'slowQueries';
  return [...cards.filter((card) => !last(card)), ...cards.filter(last)];
}

/**
 * Probes the server, then runs the cards one after another on the session. Each card's error
 * becomes that card's `error` state; only cancelling (the signal) rejects the whole call.
 */
export async function collectCards(
  session: DbSession,
  options: CardOptions = {},
): Promise<DbCard[]> {
  const log = options.log ?? silentLogger;
  const probe = options.probe ?? (await probeServer(session, options.signal));
  const context: CardContext = {
    session,
    probe,
    clock: options.clock ?? systemClock,
    signal: options.signal,
    log,
    limit: options.limit ?? 10,
    meanLimit: options.meanLimit ?? options.limit ?? 10,
    allRoles: options.allRoles ?? true,
    snapshotFile: options.snapshotFile,
    noCacheFolder: options.noCacheFolder,
    longRunningSeconds: options.longRunningSeconds ?? 60,
    surface: options.surface ?? 'any',
    memo: options.memo ?? new Map(),
  };
  const definitions = [...cardDefinitions, ...(options.metrics ?? []).map(metricCard)].filter(
    (card) => !options.only || options.only.includes(card.id),
  );
  const cards = new Map<CardDefinition, DbCard>();
  const once = options.lostConnection !== 'each';
  for (const definition of runOrder(definitions)) {
    const lostDuring = once ? lostOn.get(session) : undefined;
    if (lostDuring !== undefined && session.closed) {
      cards.set(definition, notRead(definition, lostDuring, session));
      continue;
    }
    const card = await runDefinition(definition, context);
    if (card.state === 'error' && session.closed && !lostOn.has(session)) {
      lostOn.set(session, card.title);
    }
    cards.set(definition, card);
  }
  return definitions.map((definition) => cards.get(definition) as DbCard);
}

/**
 * By session, the title of the card that found its connection lost (or the server silent): the
 * dashboard reads its cards one call at a time, and it is said there once too.
 */
const lostOn = new WeakMap<DbSession, string>();

/**
 * A card after the one that found the connection lost: that card says what happened and what
 * to do, on the dashboard and in `upkeep db`; said again on each card after it, the same long
 * message filled the page and hid the one card that counts.
 */
function notRead(definition: CardDefinition, lostDuring: string, session: DbSession): DbCard {
  const what = session.stoppedAnswering
    ? 'the server stopped answering'
    : 'the connection was lost';
  return {
    id: definition.id,
    title: definition.title,
    state: 'error',
    summary: controlsWrittenOut(`Not read: ${what} during ${lostDuring}.`),
    data: null,
    durationMs: 0,
  };
}

/** Runs one card by id (`metric:<id>` for a repo metric given in options.metrics). */
export async function runCard(
  session: DbSession,
  id: string,
  options: CardOptions = {},
): Promise<DbCard> {
  const [card] = await collectCards(session, { ...options, only: [id] });
  if (!card) throw new UpkeepError('not-found', `There is no database card "${id}".`);
  return card;
}

async function runDefinition(definition: CardDefinition, context: CardContext): Promise<DbCard> {
  const started = performance.now();
  try {
    const result = await definition.run(context);
    const durationMs = Math.round(performance.now() - started);
    context.log.debug(`card ${definition.id}: ${result.state} in ${durationMs} ms`);
    return { id: definition.id, title: definition.title, ...oneLineText(result), durationMs };
  } catch (error) {
    if (UpkeepError.is(error, 'cancelled') || context.signal?.aborted) throw error;
    const durationMs = Math.round(performance.now() - started);
    context.log.warn(
      `card ${definition.id} failed after ${durationMs} ms: ${describeError(error)}`,
    );
    return oneLineText({
      id: definition.id,
      title: definition.title,
      state: 'error',
      // The summary says what went wrong; a reason would say it again.
      summary: `Could not run: ${error instanceof Error ? error.message : String(error)}`,
      fix: UpkeepError.is(error) ? error.hint : undefined,
      ...(UpkeepError.is(error, 'config') ? { configProblem: true as const } : {}),
      data: null,
      durationMs,
    });
  }
}

/**
 * Every text of a card on one line (names from the database reach summaries and reasons, and
 * a line break there would fake a line of the report); its statements already are (see
 * quoteIdent). The card's data keeps the true names. A reason that only repeats the summary
 * is left out: it would be said twice, on the dashboard and in text.
 */
function oneLineText<T extends CardResult>(card: T): T {
  const line: T = { ...card, summary: controlsWrittenOut(card.summary) };
  delete line.reason;
  if (card.reason !== undefined && card.reason !== card.summary) {
    line.reason = controlsWrittenOut(card.reason);
  }
  if (card.fix !== undefined) line.fix = controlsWrittenOut(card.fix);
  if (card.fixes) line.fixes = card.fixes.map(controlsWrittenOut);
  return line;
}

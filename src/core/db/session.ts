/**
 * One careful connection to the monitored database. Every query runs alone in its own
 * `BEGIN READ ONLY` transaction with `SET LOCAL statement_timeout` and `lock_timeout`, carries a
 * leading `/* upkeep:<tag> *\/` comment, and is rolled back afterwards; an AbortSignal sends
 * PostgreSQL a cancel request. Queries queue one after another on the single connection. The
 * query id of each statement is noted, so Slowest queries can leave out Upkeep's own.
 */
import type { EventEmitter } from 'node:events';
import * as net from 'node:net';
import { Client } from 'pg';
import type { DatabaseError, QueryConfig } from 'pg';
import { UpkeepError, throwIfAborted } from '../util/errors';
import { formatMs } from '../util/figures';
import type { Logger } from '../util/logger';
import { redact, redactSecrets, silentLogger } from '../util/logger';
import { controlsWrittenOut, printable } from '../util/printable';
import { READ_SETTINGS } from './readSettings';
import type { ResolvedConnection, Surface } from './connection';
import { describeSource, missingPasswordHint } from './connection';
import { FrameCheck } from './frameCheck';
import { quoteIdent } from './sqlText';
import { knownOwnQueryIds, rememberOwnQueryId, storedOwnQueryIds } from './ownQueryIds';
import { unsignedHint } from './sslFiles';

interface SessionOptions {
  statementTimeoutMs: number;
  lockTimeoutMs: number;
  connectTimeoutMs: number;
  log?: Logger;
  /** Aborting it while connecting gives up; afterwards it closes the session. */
  signal?: AbortSignal;
}

export interface QueryOptions {
  params?: unknown[];
  signal?: AbortSignal;
  /** Overrides the session's statement_timeout for this one query (e.g. EXPLAIN ANALYZE). */
  statementTimeoutMs?: number;
  /**
   * SQL from the repo (a custom check, a metric): sent so the server takes exactly one
   * statement, since `COMMIT; CREATE TABLE ...` would end the READ ONLY transaction and write.
   */
  oneStatement?: boolean;
  /**
   * Plans the query without index scans. For Upkeep's own reads of the app's tables (business
   * figures): an index scan there counts in pg_stat_user_indexes as if the app used the index,
   * so the Unused indexes card would change with whether the dashboard or a check ran before.
   */
  noIndexScans?: boolean;
  /**
   * Only learns the statement's query id (see ownQueryIds): planned, never run. For a read of
   * pg_stat_statements, whose earlier runs by other processes are in the view it reads.
   */
  planOnly?: boolean;
}

export interface DbSession {
  readonly connection: ResolvedConnection;
  readonly closed: boolean;
  /**
   * Set once the server stopped answering and the connection was dropped: asking it again (a
   * new connection, whose login it may well answer) would wait as long once more.
   */
  readonly stoppedAnswering?: UpkeepError;
  /** Runs one statement in a read-only transaction that is rolled back afterwards. */
  query<T>(tag: string, sql: string, params?: unknown[], signal?: AbortSignal): Promise<T[]>;
  queryWith<T>(tag: string, sql: string, options: QueryOptions): Promise<T[]>;
  /**
   * As queryWith, each row an array in the columns' order, with the columns' names as the
   * server sent them: rows as objects keep one value of `SELECT u.id, o.id` (the last).
   */
  queryArrays(tag: string, sql: string, options: QueryOptions): Promise<ArrayRows>;
  /**
   * The pg_stat_statements query ids of the statements Upkeep ran on this database in this
   * process (empty where the server computes none, as before PostgreSQL 14).
   */
  ownQueryIds(): string[];
  close(): Promise<void>;
}

/** A result read with rowMode `array`: `columns` may repeat a name, as the query did. */
export interface ArrayRows {
  columns: string[];
  rows: unknown[][];
}

/** What runNow gives back of pg's result: the rows, and the columns' names in order. */
interface ReadResult {
  rows: unknown[];
  fields: { name: string }[];
  rowCount: number | null;
}

/**
 * Why query ids and not the comment: any session may begin a statement with `/* upkeep:... *\/`,
 * and a token added there would neither stay secret (pg_stat_statements shows the role every
 * text) nor stay put (it keeps the first text seen per query id, maybe another process's). A
 * query id is the statement's shape: the ids of what Upkeep ran, planned with EXPLAIN (VERBOSE)
 * once per text in this process, cannot cover a statement of the app. Upkeep's own queries also
 * take a shape of their own (ownText), which other machines know them by.
 */
export const QUERY_ID_TAG = 'queryid';
/**
 * Upkeep's own query, as sent: after its `/* upkeep:<tag> *\/` comment, a query of Upkeep's
 * (not the repo's SQL, which may end in a semicolon) is read through a subquery named
 * OWN_QUERY_ALIAS. That shape is Upkeep's: its query id is none of the app's, so the text
 * pg_stat_statements keeps for it (the first seen) is Upkeep's, and Slowest queries knows it
 * in any process, on any machine, of any role (OWN_QUERY_RECORDED), not only by the ids this
 * machine learned. An app can still write the same on purpose, which hides only its own
 * statement; by accident it writes neither the comment nor the shape.
 */
export function ownText(tag: string, sql: string, repoSql: boolean): string {
  if (repoSql || !/^\s*(SELECT|WITH)\b/i.test(sql)) return `/* upkeep:${tag} */ ${sql}`;
  return `/* upkeep:${tag} */ SELECT * FROM (\n${sql}\n) AS ${OWN_QUERY_ALIAS}`;
}

export const OWN_QUERY_ALIAS = 'upkeep_read';

/**
 * A regular expression (PostgreSQL's, in which `.` takes line breaks too) of ownText's queries
 * as pg_stat_statements records them, and of the EXPLAIN that learns one's query id.
 */
export const OWN_QUERY_RECORDED =
  `^(/\\* upkeep:${QUERY_ID_TAG} \\*/ EXPLAIN \\(VERBOSE, FORMAT TEXT\\) )?` +
  `/\\* upkeep:[A-Za-z0-9_.:-]{1,64} \\*/ SELECT \\* FROM \\(\n.*\n\\) AS ${OWN_QUERY_ALIAS}$`;

/** By `connection.display`: statement text to its query id. */
const ownIds = new Map<string, Map<string, string>>();
/** Databases whose server shows no query ids (before PostgreSQL 14, compute_query_id off). */
const withoutIds = new Set<string>();
const MAX_OWN_STATEMENTS = 2000;

const TAG = /^[A-Za-z0-9_.:-]{1,64}$/;

/** Leaves the planner only sequential scans (and an index where nothing else can do). */
const WITHOUT_INDEX_SCANS =
  'SET LOCAL enable_indexscan = off; SET LOCAL enable_indexonlyscan = off; ' +
  'SET LOCAL enable_bitmapscan = off';

export async function openSession(
  connection: ResolvedConnection,
  options: SessionOptions,
): Promise<DbSession> {
  const log = options.log ?? silentLogger;
  throwIfAborted(options.signal);
  // An idle connection that breaks emits 'error'; without a listener Node would crash.
  let broken: Error | undefined;
  const started = Date.now();
  const client = await connectClient(
    connection,
    options.connectTimeoutMs,
    (error) => {
      broken = error;
      const why = redactSecrets(message(error), passwordOf(connection));
      log.warn(`connection to ${printable(connection.display)} lost: ${why}`);
    },
    options.signal,
  );
  log.debug(
    `connected to ${printable(connection.display)} (${describeSource(connection.source)}) ` +
      `in ${Date.now() - started} ms`,
  );

  // The ids other Upkeep processes learned on this server, for Slowest queries to leave out.
  await storedOwnQueryIds(connection.display);
  const session = new PgSession(client, connection, options, log, () => broken);
  options.signal?.addEventListener('abort', () => void session.close(), { once: true });
  return session;
}

/**
 * A connected client for `connection`, `onError` listening for a connection that breaks later.
 * With sslmode prefer or allow, a server that offers no SSL gets a second, plain attempt, as
 * libpq makes. A failure is thrown as connectError describes it.
 */
export async function connectClient(
  connection: ResolvedConnection,
  connectTimeoutMs: number,
  onError: (error: Error) => void,
  signal?: AbortSignal,
): Promise<Client> {
  const started = Date.now();
  // A connect that times out after the server asked for the password (or let us in) reached
  // PostgreSQL: the login or the session does not finish (a lock on a system catalog), the host
  // and port are right.
  let answered = false;
  const attempt = async (ssl: boolean): Promise<Client> => {
    const client = new Client({
      ...connection.config,
      ...(ssl ? {} : { ssl: false }),
      application_name: 'upkeep',
      connectionTimeoutMillis: connectTimeoutMs,
    });
    client.on('error', onError);
    // An authentication request once the session runs is no login method pg_hba.conf chose.
    let loggedIn = false;
    guardParser(client, (error) => unreadableAnswer(error, connection, loggedIn));
    const protocol = protocolOf(client);
    protocol?.once('readyForQuery', () => (loggedIn = true));
    for (const step of LOGIN_STEPS) protocol?.once(step, () => (answered = true));
    try {
      await connectOrAbort(client, signal);
      return client;
    } catch (error) {
      void client.end().catch(() => undefined);
      throw error;
    }
  };
  try {
    return await attempt(true).catch((error: unknown) => {
      if (!connection.sslOptional || !plainRetryAllowed(error)) throw error;
      return attempt(false);
    });
  } catch (error) {
    const mapped = connectError(error, connection, connectTimeoutMs, Date.now() - started);
    const stuck = answered && UpkeepError.is(mapped, 'timeout');
    throw hidePassword(
      stuck ? sessionNotStarted(mapped, connection, connectTimeoutMs) : mapped,
      connection,
    );
  }
}

/**
 * Whether libpq's prefer and allow go on without SSL after `error` of an SSL attempt: the server
 * offers none, or its certificate fails the CA check a CA file asked for (~/.postgresql/root.crt
 * for every server, say, or a revocation list): psql connects so.
 */
export function plainRetryAllowed(error: unknown): boolean {
  const noSsl = error instanceof Error && /does not support SSL/i.test(error.message);
  const code = (error as { code?: unknown } | undefined)?.code;
  return noSsl || (typeof code === 'string' && /CERT|CRL|SIGNATURE/.test(code));
}

/** pg's names for the server's first answers to a login: only PostgreSQL sends them. */
const LOGIN_STEPS = [
  'authenticationOk',
  'authenticationCleartextPassword',
  'authenticationMD5Password',
  'authenticationSASL',
];

/** The connect timeout's error for a server that answered the login, then started no session. */
function sessionNotStarted(
  error: UpkeepError,
  connection: ResolvedConnection,
  timeoutMs: number,
): UpkeepError {
  const seconds = Math.round(timeoutMs / 100) / 10;
  return new UpkeepError(
    'timeout',
    `PostgreSQL at ${connection.display} (from ${describeSource(connection.source)}) ` +
      `answered but did not finish the login and start the session within ${seconds} s.`,
    'A transaction holding a lock on a system catalog of this database (LOCK TABLE or ' +
      'VACUUM FULL of pg_class, ...), or an overloaded server, keeps new sessions waiting: ' +
      'look in pg_locks and pg_stat_activity from another database, or raise ' +
      'upkeep.database.connectTimeoutMs.',
    { cause: error.cause },
  );
}

/**
 * The connection's password, as a list for redactSecrets: empty when it has none, or when it is
 * in the user, host or database name (postgres/postgres), which every message shows anyway.
 */
export function passwordOf(connection: ResolvedConnection): string[] {
  const { password } = connection.config;
  if (typeof password !== 'string' || password === '') return [];
  return connection.display.includes(password) ? [] : [password];
}

/**
 * `error` with the connection's password hidden (`***`) in its message and hint: a server, or
 * something posing as one, that asked for the password in clear text can send it back in its
 * error text, which would then reach a terminal, a cron mail or a CI log.
 */
export function hidePassword(error: UpkeepError, connection: ResolvedConnection): UpkeepError {
  const secrets = passwordOf(connection);
  const message = redactSecrets(error.message, secrets);
  const hint = error.hint === undefined ? undefined : redactSecrets(error.hint, secrets);
  if (message === error.message && hint === error.hint) return error;
  return new UpkeepError(error.code, message, hint, { cause: error.cause });
}

/**
 * `client.connect()`, given up on when `signal` aborts: the client is dropped at once and the
 * promise rejects with a `cancelled` error. end() alone only says goodbye; a server that never
 * answered the startup would keep the socket, and the process, alive until the connect timeout.
 */
export async function connectOrAbort(
  client: Client,
  signal: AbortSignal | undefined,
): Promise<void> {
  await withAbort(client.connect(), signal, () => dropClient(client));
}

/** Ends the client without waiting for a server that may not answer. */
export function dropClient(client: Client): void {
  void client.end().catch(() => undefined);
  socketOf(client)?.destroy();
}

class PgSession implements DbSession {
  private queue: Promise<unknown> = Promise.resolve();
  private ended = false;
  private running: { id: number } | undefined;
  private counter = 0;
  /** Set when the server stopped answering and the connection was dropped. */
  private stalled: UpkeepError | undefined;
  /** The same said to whatever asks afterwards. */
  private stalledLater: UpkeepError | undefined;
  /** How the connection ended when a query saw it end: the reads after it say so. */
  private lostDuring: string | undefined;

  constructor(
    private readonly client: Client,
    readonly connection: ResolvedConnection,
    private readonly options: SessionOptions,
    private readonly log: Logger,
    private readonly brokenBy: () => Error | undefined,
  ) {}

  get closed(): boolean {
    return this.ended || this.brokenBy() !== undefined;
  }

  get stoppedAnswering(): UpkeepError | undefined {
    return this.stalledLater;
  }

  query<T>(tag: string, sql: string, params?: unknown[], signal?: AbortSignal): Promise<T[]> {
    return this.queryWith<T>(tag, sql, { params, signal });
  }

  queryWith<T>(tag: string, sql: string, options: QueryOptions): Promise<T[]> {
    return this.enqueue(tag, sql, options, false).then((result) => result.rows as T[]);
  }

  queryArrays(tag: string, sql: string, options: QueryOptions): Promise<ArrayRows> {
    return this.enqueue(tag, sql, options, true).then((result) => ({
      columns: result.fields.map((field) => field.name),
      rows: result.rows as unknown[][],
    }));
  }

  private enqueue(
    tag: string,
    sql: string,
    options: QueryOptions,
    arrays: boolean,
  ): Promise<ReadResult> {
    if (!TAG.test(tag)) {
      return Promise.reject(new UpkeepError('internal', `Query tag "${tag}" is not a plain word.`));
    }
    const run = (): Promise<ReadResult> => this.runNow(tag, sql, options, arrays);
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return withAbort(result, options.signal);
  }

  private async runNow(
    tag: string,
    sql: string,
    options: QueryOptions,
    arrays: boolean,
  ): Promise<ReadResult> {
    throwIfAborted(options.signal);
    // At once, saying what happened: not a wait as long again, nor "the connection is closed".
    if (this.stalledLater) throw this.stalledLater;
    if (this.closed) throw this.closedError();
    const timeout = Math.max(
      1,
      Math.round(options.statementTimeoutMs ?? this.options.statementTimeoutMs),
    );
    const lockTimeout = Math.max(1, Math.round(this.options.lockTimeoutMs));
    const current = { id: ++this.counter };
    this.running = current;
    const onAbort = (): void => this.cancel(current);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const started = Date.now();
    // The server stops the statement at statement_timeout; a server that does not answer at all
    // (a stalled network path, a hung proxy) is given the connect timeout on top, then dropped.
    const deadline = setTimeout(
      () => this.stall(tag, timeout),
      timeout + this.options.connectTimeoutMs,
    );
    try {
      await this.client.query(
        `BEGIN READ ONLY; SET LOCAL statement_timeout = ${timeout}; ` +
          `SET LOCAL lock_timeout = ${lockTimeout}; ${READ_SETTINGS}` +
          (options.noIndexScans ? `; ${WITHOUT_INDEX_SCANS}` : ''),
      );
      // The extended protocol takes one statement; pg reads queryMode, @types/pg lacks it.
      const query: QueryConfig & { queryMode?: 'extended'; rowMode?: 'array' } = {
        text: ownText(tag, sql, options.oneStatement === true),
        values: options.params,
        ...(options.oneStatement ? { queryMode: 'extended' } : {}),
        ...(arrays ? { rowMode: 'array' } : {}),
      };
      const result: ReadResult = options.planOnly
        ? { rows: [], fields: [], rowCount: 0 }
        : await this.client.query(query as QueryConfig);
      await this.noteQueryId(query.text, sql, options.params);
      await this.client.query('ROLLBACK');
      this.log.debug(`${tag}: ${result.rowCount ?? 0} rows in ${Date.now() - started} ms`);
      return result;
    } catch (error) {
      if (this.stalled) throw this.stalled;
      if (!this.closed) await this.client.query('ROLLBACK').catch(() => undefined);
      const mapped = hidePassword(
        queryError(error, tag, { statementMs: timeout, lockMs: lockTimeout }, options.signal),
        this.connection,
      );
      if (UpkeepError.is(mapped, 'unreachable') && this.lostDuring === undefined) {
        const how = /^57P0/.test(pgCode(error) ?? '') ? 'the server ended it' : 'it broke';
        this.lostDuring = `${how} during ${tag} (${message(error)})`;
      }
      this.log.debug(`${tag}: ${mapped.code} after ${Date.now() - started} ms: ${mapped.message}`);
      throw mapped;
    } finally {
      clearTimeout(deadline);
      this.running = undefined;
      options.signal?.removeEventListener('abort', onAbort);
    }
  }

  /**
   * Why a query cannot run on the closed connection: one the server ended or that broke says
   * how (pg_terminate_backend, a restart), not only that it is closed.
   */
  private closedError(): UpkeepError {
    const broken = this.brokenBy();
    const where = this.connection.display;
    if (!broken || this.ended) {
      return new UpkeepError('unreachable', `The connection to ${where} is closed.`);
    }
    const why = this.lostDuring ?? message(broken);
    return hidePassword(
      new UpkeepError(
        'unreachable',
        `The connection to ${where} was lost earlier: ${why}.`,
        'The server was shut down or restarted, or an administrator ended the session ' +
          '(pg_terminate_backend): run again once the server answers.',
      ),
      this.connection,
    );
  }

  ownQueryIds(): string[] {
    const where = this.connection.display;
    return [...new Set([...(ownIds.get(where)?.values() ?? []), ...knownOwnQueryIds(where)])];
  }

  /**
   * Plans the statement just run, in its read-only transaction, and keeps its query id. Only a
   * query is planned (EXPLAIN refuses SHOW or EXPLAIN); a server that shows no ids is not
   * asked again.
   */
  private async noteQueryId(text: string, sql: string, params?: unknown[]): Promise<void> {
    const where = this.connection.display;
    if (withoutIds.has(where) || !/^\s*(SELECT|WITH)\b/i.test(sql)) return;
    let known = ownIds.get(where);
    if (!known) ownIds.set(where, (known = new Map()));
    if (known.has(text) || known.size >= MAX_OWN_STATEMENTS) return;
    let line: string | undefined;
    try {
      // FORMAT TEXT: the id is a 64-bit integer, which JSON would round.
      const plan = await this.client.query<{ 'QUERY PLAN': string }>({
        text: `/* upkeep:${QUERY_ID_TAG} */ EXPLAIN (VERBOSE, FORMAT TEXT) ${text}`,
        values: params,
        queryMode: 'extended',
      } as QueryConfig);
      line = plan.rows
        .map((row) => row['QUERY PLAN'])
        .find((l) => l.startsWith('Query Identifier:'));
    } catch {
      return; // Tried again next time (a timeout, a cancel); the rollback follows anyway.
    }
    const id = line?.match(/-?\d+/)?.[0];
    if (!id) {
      withoutIds.add(where);
      return;
    }
    known.set(text, id);
    await rememberOwnQueryId(where, id, this.log);
  }

  /** Drops a connection whose server stopped answering; its pending query then rejects. */
  private stall(tag: string, timeoutMs: number): void {
    const seconds = Math.round((timeoutMs + this.options.connectTimeoutMs) / 100) / 10;
    const server = `PostgreSQL at ${this.connection.display}`;
    const reason = `no reply to ${tag} within ${seconds} s`;
    const hint =
      'Check the network path to the server (a VPN, a proxy), or raise ' +
      'upkeep.database.statementTimeoutMs.';
    this.stalled = new UpkeepError('timeout', `${server} stopped answering: ${reason}.`, hint);
    this.stalledLater = new UpkeepError(
      'timeout',
      `${server} stopped answering earlier in this run (${reason}) and was not asked again.`,
      hint,
    );
    this.ended = true;
    socketOf(this.client)?.destroy();
  }

  /** Asks the server to cancel the query `which`, if it is still the one running. */
  private cancel(which: { id: number }): void {
    if (this.running !== which) return;
    const { processID, secretKey } = this.client as unknown as {
      processID: number;
      secretKey: number;
    };
    sendCancelRequest(this.connection, processID, secretKey, this.options.connectTimeoutMs);
  }

  async close(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    if (this.running) this.cancel(this.running);
    // end() waits for the server's goodbye; a server that stopped answering must not hold us.
    const stream = socketOf(this.client);
    const fallback = setTimeout(() => stream?.destroy(), 1000);
    fallback.unref();
    await this.client.end().catch(() => undefined);
    clearTimeout(fallback);
  }
}

/** pg's names for the authentication requests it cannot answer, by request code. */
const AUTH_METHODS: Record<string, string> = {
  '2': 'Kerberos V5',
  '7': 'GSSAPI (Kerberos)',
  '8': 'GSSAPI (Kerberos)',
  '9': 'SSPI',
};

/**
 * pg reads the server's bytes in its socket's 'data' listener and throws from there on what it
 * cannot read, such as a request for GSSAPI (a `gss` line in pg_hba.conf): no promise caught it,
 * and the process, the editor's extension host among them, crashed. Such a throw becomes the
 * socket's error instead (`toError` says it in words), which fails the connect, or the session,
 * as a broken connection does; so does a message pg would loop on forever (see FrameCheck).
 */
export function guardParser(client: Client, toError: (error: unknown) => Error): void {
  const protocol = protocolOf(client) as
    (EventEmitter & { attachListeners?: (stream: net.Socket) => void }) | undefined;
  const attach = protocol?.attachListeners?.bind(protocol);
  if (!protocol || !attach) return;
  protocol.attachListeners = (stream) => {
    const emit = stream.emit.bind(stream);
    const frames = new FrameCheck();
    stream.emit = ((event: string | symbol, ...args: unknown[]): boolean => {
      if (event !== 'data') return emit(event, ...args);
      const problem = Buffer.isBuffer(args[0]) ? frames.check(args[0]) : undefined;
      if (problem) {
        stream.destroy(toError(new Error(problem)));
        return false;
      }
      try {
        return emit(event, ...args);
      } catch (error) {
        stream.destroy(toError(error));
        return false;
      }
    }) as typeof stream.emit;
    attach(stream);
  };
}

/** The authentication method of a request pg could not answer (`GSSAPI (Kerberos)`), if so. */
export function unknownAuthMethod(error: unknown): string | undefined {
  const code = /Unknown authenticationOk message type (\d+)/.exec(message(error))?.[1];
  return code === undefined ? undefined : (AUTH_METHODS[code] ?? `method ${code}`);
}

/** For a server that answers as PostgreSQL itself never does. */
export const NOT_POSTGRES_HINT =
  'Check that the host and port lead to the PostgreSQL server itself, not to a proxy or ' +
  'another service that speaks its protocol.';

/** What pg could not read of the server's answer, in the user's words. */
function unreadableAnswer(
  error: unknown,
  connection: ResolvedConnection,
  loggedIn: boolean,
): UpkeepError {
  const where = `${connection.display} (from ${describeSource(connection.source)})`;
  const text = message(error);
  const method = unknownAuthMethod(error);
  if (method !== undefined && loggedIn) {
    return new UpkeepError(
      'unreachable',
      `PostgreSQL at ${where} asked for ${method} authentication in the middle of the ` +
        'session, after the login had succeeded: PostgreSQL itself never does that.',
      NOT_POSTGRES_HINT,
      { cause: error },
    );
  }
  if (method !== undefined) {
    return new UpkeepError(
      'config',
      `PostgreSQL at ${where} asks for ${method} authentication, which Upkeep cannot do.`,
      "Give Upkeep's role a password login: a scram-sha-256 (or md5) line for it in " +
        'pg_hba.conf, before the line that asks for this method.',
      { cause: error },
    );
  }
  return new UpkeepError(
    'unreachable',
    `PostgreSQL at ${where} sent an answer Upkeep cannot read: ${text}.`,
    NOT_POSTGRES_HINT,
    { cause: error },
  );
}

/** The client's protocol connection, which pg keeps private: it emits each server message. */
function protocolOf(client: Client): EventEmitter | undefined {
  return (client as unknown as { connection?: EventEmitter }).connection;
}

/** The client's socket, which pg keeps private: destroying it drops a server gone silent. */
function socketOf(client: Client): net.Socket | undefined {
  return (client as unknown as { connection?: { stream?: net.Socket } }).connection?.stream;
}

/**
 * PostgreSQL's CancelRequest: a separate connection carrying the backend's process id and key.
 * Written by hand because node-postgres has no public cancel API; the message is 16 bytes.
 */
export function sendCancelRequest(
  connection: ResolvedConnection,
  processID: number,
  secretKey: number,
  timeoutMs: number,
): void {
  const host = String(connection.config.host ?? 'localhost');
  const port = Number(connection.config.port ?? 5432);
  const socket = host.startsWith('/')
    ? net.connect(`${host}/.s.PGSQL.${port}`)
    : net.connect(port, host);
  socket.setTimeout(timeoutMs, () => socket.destroy());
  socket.on('error', () => socket.destroy());
  socket.on('connect', () => {
    const message = Buffer.alloc(16);
    message.writeInt32BE(16, 0);
    message.writeInt32BE(80877102, 4);
    message.writeInt32BE(processID, 8);
    message.writeInt32BE(secretKey, 12);
    socket.end(message);
  });
}

/** `promise`, or a `cancelled` rejection as soon as `signal` aborts (after `onAbort`). */
export function withAbort<T>(
  promise: Promise<T>,
  signal: AbortSignal | undefined,
  onAbort?: () => void,
): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const abort = (): void => {
      onAbort?.();
      reject(new UpkeepError('cancelled', 'Cancelled.'));
    };
    if (signal.aborted) return abort();
    signal.addEventListener('abort', abort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', abort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', abort);
        reject(error);
      },
    );
  });
}

function pgCode(error: unknown): string | undefined {
  return (error as Partial<DatabaseError> | undefined)?.code;
}

/**
 * True for a connect error a password fixes: the server refused the login, or asked for a
 * password and none was set (`connectError` makes that a `config` error, with pg's as cause).
 */
export function isLoginRefused(error: unknown): boolean {
  if (UpkeepError.is(error, 'auth')) return !passwordFromFile.has(error);
  if (!UpkeepError.is(error, 'config')) return false;
  return isMissingPassword(error.cause) || pgCode(error.cause) === '28P01';
}

/** The error's text, on one line: a server's message of several lines would fake lines. */
function message(error: unknown): string {
  const text = controlsWrittenOut(redact(error instanceof Error ? error.message : String(error)));
  return text.trim() ? text : emptyMessage(error);
}

/** What an error without a message was, by its severity or class and its code. */
function emptyMessage(error: unknown): string {
  const code = pgCode(error);
  if (serverError(error)) {
    const severity = printable((error as { severity: string }).severity);
    const coded = code ? `(SQLSTATE ${printable(code)})` : 'and no SQLSTATE code';
    return `the server sent an ${severity} with no message ${coded}`;
  }
  const name = error instanceof Error ? printable(error.name) : typeof error;
  return `${name} with no message${code ? ` (${printable(code)})` : ''}`;
}

/** An ErrorResponse the server sent (pg's DatabaseError carries its severity field). */
function serverError(error: unknown): boolean {
  return typeof (error as { severity?: unknown } | undefined)?.severity === 'string';
}

/**
 * Refused logins whose password the source holds, or config/database.yml read from a variable:
 * one set with Set Database Password would not be used, so the editor does not offer it.
 */
const passwordFromFile = new WeakSet<Error>();

/**
 * What to check when the server refused the password. One config/database.yml read from a
 * variable wins over PGPASSWORD and the editor's stored one: that variable is what to check.
 */
function refusedLoginHint(connection: ResolvedConnection, surface: Surface): string {
  const read = connection.passwordReadFrom;
  if (read) {
    // Not "NAME: text": that reads as a secret's value, and the rest would be hidden.
    const where = read.dotenv
      ? '.env'
      : surface === 'editor'
        ? "the editor's environment"
        : 'the environment';
    return (
      `${connection.source.file ?? 'config/database.yml'} line ${read.line} reads the password ` +
      `from ${read.name} (set in ${where}), and the server refused it: check that variable and ` +
      'the user name.'
    );
  }
  if (connection.passwordInSource) {
    // Set Database Password would change nothing: the source's own password comes first.
    const stored =
      surface === 'cli'
        ? ''
        : ' (a password set with "Upkeep: Set Database Password" counts only where the source ' +
          'has none)';
    return (
      `The password is in ${describeSource(connection.source)}, and the server refused it: ` +
      `correct it there${stored}, and check the user name.`
    );
  }
  // The upkeep.database.url setting comes before DATABASE_URL: a password there is never read.
  const urlToo = connection.source.kind !== 'setting';
  return surface === 'cli'
    ? `Check the user name and the password (PGPASSWORD${urlToo ? ' or DATABASE_URL' : ''}).`
    : surface === 'editor'
      ? 'Check the user name, and set the password with "Upkeep: Set Database Password".'
      : 'Check the user name and the password ' +
        `(PGPASSWORD,${urlToo ? ' DATABASE_URL,' : ''} or in the editor ` +
        '"Upkeep: Set Database Password").';
}

/** Why a connection failed, in the user's words, with what to do next. */
function connectError(
  error: unknown,
  connection: ResolvedConnection,
  timeoutMs: number,
  elapsedMs: number,
): UpkeepError {
  if (UpkeepError.is(error)) return error;
  const where = `${connection.display} (from ${describeSource(connection.source)})`;
  const code = pgCode(error);
  const text = message(error);
  const surface = connection.surface ?? 'any';
  if (connection.config.password === undefined && (isMissingPassword(error) || code === '28P01')) {
    // The server asked for a password and none was given: pg says "client password must be a
    // string" (SCRAM) or sends an empty MD5 answer the server refuses. A configuration gap.
    // The server as the other messages name it, its port too: "host:port/database".
    const user = String(connection.config.user);
    const server = connection.display.startsWith(`${user}@`)
      ? connection.display.slice(user.length + 1)
      : connection.display;
    // Rails' own file reads it from a variable (APP_DATABASE_PASSWORD) not set here, or empty.
    const variable = connection.source.passwordVariable;
    const reads = variable
      ? `, and ${connection.source.file ?? 'config/database.yml'} line ${variable.line} reads ` +
        `it from ${variable.name}, which is ${variable.empty ? 'set but empty' : 'not set'}`
      : '';
    // The editor has one, kept for another server: "asks for one" alone read as none ever set.
    const elsewhere = connection.storedPasswordServer
      ? `; the password in secret storage was set for ${connection.storedPasswordServer}, ` +
        'and goes to that server only'
      : '';
    return new UpkeepError(
      'config',
      `No password for user ${user} on ${server} ` +
        `(from ${describeSource(connection.source)}): the server asks for one${reads}` +
        `${elsewhere}.`,
      missingPasswordHint(surface, variable?.name, connection.source.kind),
      { cause: error },
    );
  }
  if (code === '28P01' || code === '28000') {
    const refused = new UpkeepError(
      'auth',
      `PostgreSQL refused the login for ${where}: ${text}.`,
      refusedLoginHint(connection, surface),
      { cause: error },
    );
    if (connection.passwordReadFrom || connection.passwordInSource) passwordFromFile.add(refused);
    return refused;
  }
  if (code === '3D000') {
    // Configured, but not there: a setting to fix, not "no database configured".
    return new UpkeepError(
      'config',
      `${text} on ${where}.`,
      'Create the database (bin/rails db:prepare) or choose another one.',
      { cause: error },
    );
  }
  if (code === '42501') {
    // CONNECT revoked from PUBLIC (a common hardening step) and not granted to this role: a
    // grant to give, not a host, a port or an sslmode to check.
    const user = String(connection.config.user);
    const database = connection.databaseName;
    let server = connection.display;
    if (server.startsWith(`${user}@`)) server = server.slice(user.length + 1);
    if (server.endsWith(`/${database}`)) server = server.slice(0, -database.length - 1);
    return new UpkeepError(
      'config',
      `Role ${user} may not connect to database ${database} on ${server} ` +
        `(from ${describeSource(connection.source)}): ${text}.`,
      `GRANT CONNECT ON DATABASE ${quoteIdent(database)} TO ${quoteIdent(user)}; run by the ` +
        "database's owner or a superuser, or connect as a role that may.",
      { cause: error },
    );
  }
  if (code === '53300') {
    // too_many_connections: the server is up and every slot this role may take is in use.
    return new UpkeepError(
      'unreachable',
      `PostgreSQL at ${where} has no connection free: ${text}.`,
      'Every connection this role may open is in use (max_connections): see which ' +
        'applications hold them in pg_stat_activity, close idle ones or put a pooler ' +
        '(PgBouncer) in front. The app is likely refused too.',
      { cause: error },
    );
  }
  if (code === '57P03') {
    // cannot_connect_now: starting up, shutting down, or a standby not yet consistent.
    return new UpkeepError(
      'unreachable',
      `PostgreSQL at ${where} accepts no connection now: ${text}.`,
      'The server is starting up, shutting down or recovering: run again once it is up.',
      { cause: error },
    );
  }
  if (
    code === 'ECONNREFUSED' ||
    code === 'ENOTFOUND' ||
    code === 'EHOSTUNREACH' ||
    code === 'ENOENT' ||
    code === 'EAI_AGAIN'
  ) {
    return new UpkeepError(
      'unreachable',
      `Cannot reach PostgreSQL at ${where}: ${text}.`,
      'Is the server running, and are host and port right?',
      { cause: error },
    );
  }
  if (/timeout/i.test(text) || elapsedMs >= timeoutMs) {
    return new UpkeepError(
      'timeout',
      `PostgreSQL at ${where} did not answer within ${Math.round(timeoutMs / 100) / 10} s.`,
      'Check that the host and port lead to a PostgreSQL server, ' +
        'or raise upkeep.database.connectTimeoutMs.',
      { cause: error },
    );
  }
  // PGSSLMODE comes from the shell, not from the file or setting the connection names.
  const fromEnvironment = connection.sslModeFromEnvironment;
  // A CA file Upkeep loaded (PGSSLROOTCERT, ~/.postgresql/root.crt, ...): a certificate its CA
  // did not sign is told apart from a wrong host.
  const rootCert = connection.sslRootCert;
  const unsigned = rootCert !== undefined && UNSIGNED_CERTIFICATE.test(text);
  return new UpkeepError(
    'unreachable',
    `Cannot connect to ${where}: ${text}.`,
    fromEnvironment && /does not support SSL/i.test(text)
      ? `PGSSLMODE=${fromEnvironment} in the environment asks for SSL, which this server does ` +
          'not offer: unset PGSSLMODE or set it to prefer, or turn SSL on at the server.'
      : unsigned
        ? unsignedHint(rootCert)
        : 'Check the host, the port and the SSL settings (sslmode) of the connection.',
    { cause: error },
  );
}

/** Node's words for a certificate chain that no trusted CA signed. */
const UNSIGNED_CERTIFICATE =
  /self[- ]signed certificate|unable to (get local issuer|verify the first) certificate/i;

/**
 * pg's errors when the server asks for a password it was not given: SCRAM ("client password
 * must be a string"), or MD5/cleartext hashing or sending a null password.
 */
export function isMissingPassword(error: unknown): boolean {
  const text = error instanceof Error ? error.message : '';
  return /password must be a string|password.*(null|undefined)/i.test(text);
}

/** Why a query failed: timeouts, cancels and refusals get their own codes. */
function queryError(
  error: unknown,
  tag: string,
  timeouts: { statementMs: number; lockMs: number },
  signal?: AbortSignal,
): UpkeepError {
  const timeoutMs = timeouts.statementMs;
  if (UpkeepError.is(error)) return error;
  const code = pgCode(error);
  const text = message(error);
  if (code === '57014') {
    if (signal?.aborted || /user request/.test(text)) {
      return new UpkeepError('cancelled', 'Cancelled.', undefined, { cause: error });
    }
    return new UpkeepError(
      'timeout',
      `The query took longer than the statement timeout (${timeoutMs} ms) and was stopped.`,
      'Raise upkeep.database.statementTimeoutMs if the database is large.',
      { cause: error },
    );
  }
  // admin_shutdown, crash_shutdown, cannot_connect_now: a fast shutdown, a restart, a crash of
  // another backend, or pg_terminate_backend. The server is not wrong about the query.
  if (code === '57P01' || code === '57P02' || code === '57P03') {
    return new UpkeepError(
      'unreachable',
      `The server ended the connection during ${tag}: ${text}.`,
      'It was shut down or restarted, or an administrator ended the session; ' +
        'run again once the server answers.',
      { cause: error },
    );
  }
  if (code === '55P03') {
    return new UpkeepError(
      'timeout',
      `${tag} waited ${formatMs(timeouts.lockMs)} for a lock and was stopped (lock timeout): ` +
        `${text}.`,
      'A migration or a long transaction holds the lock (pg_locks and pg_stat_activity show ' +
        'which): run it again once it ends, or raise upkeep.database.lockTimeoutMs.',
      { cause: error },
    );
  }
  if (code === '25006') {
    return new UpkeepError(
      'refused',
      `Refused: Upkeep only reads (${text}).`,
      'Change the query so that it only reads.',
      { cause: error },
    );
  }
  if (code === '42501') {
    return new UpkeepError(
      'refused',
      `Not allowed: ${text}.`,
      'Connect as a role that may read it (GRANT SELECT on the table; pg_monitor for ' +
        'server statistics).',
      { cause: error },
    );
  }
  // PostgreSQL gives every error a SQLSTATE code: one without is from something else.
  if (!code && serverError(error)) {
    return new UpkeepError(
      'unreachable',
      `Unreadable answer to ${tag}: ${text}, which PostgreSQL never sends.`,
      NOT_POSTGRES_HINT,
      { cause: error },
    );
  }
  // Whole words: a syntax error about an "unterminated quoted string" is the server's answer.
  if (!code || /^(E[A-Z]+|08)/.test(code) || /\b(terminated|closed)\b/i.test(text)) {
    return new UpkeepError(
      'unreachable',
      `The connection broke during ${tag}: ${text}.`,
      'Run it again; if it keeps breaking, check the network path to the server.',
      { cause: error },
    );
  }
  return new UpkeepError(
    'internal',
    `${tag} failed: ${text}${code ? ` (SQLSTATE ${code})` : ''}.`,
    undefined,
    { cause: error },
  );
}

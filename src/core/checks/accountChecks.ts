/**
 * The monthly security testing's "Test authentication flows": how many accounts never confirmed
 * their e-mail (the guidelines' `User.where("email_confirmed_at IS NULL").count`), read from the
 * users table in the run's read-only session.
 */
import { quoteIdent } from '../db/sqlText';
import type { DbSession } from '../db/session';
import { formatPercent } from '../util/figures';
import { plural } from '../util/plural';
import { sharedDbSession, unavailable } from './dbChecks';
import { forEachCodeLine, readWorkspaceFile } from './files';
import type { CheckContext, CheckDefinition, CheckReport } from './types';

/** The guidelines' column first, then Devise's `confirmable` one. */
export const CONFIRMATION_COLUMNS = ['email_confirmed_at', 'confirmed_at'] as const;
/** An account unconfirmed this long is an abandoned sign-up or a bot, not one on its way. */
export const STALE_UNCONFIRMED_DAYS = 7;

export const USER_MODEL = 'app/models/user.rb';

/**
 * Whether the User model calls `devise` without `:confirmable`: Devise then asks no one to
 * confirm, and a `confirmed_at` column left by the migration stays NULL for every account.
 */
async function deviseWithoutConfirmable(context: CheckContext): Promise<boolean> {
  // A model that cannot be read (not a regular file, too large, untrusted and linked out of the
  // workspace) tells nothing either way.
  const text = await readWorkspaceFile(context, USER_MODEL).catch(() => undefined);
  if (text === undefined) return false;
  let devise = false;
  let confirmable = false;
  forEachCodeLine(USER_MODEL, text, ({ code }) => {
    if (!/^devise\b/.test(code)) return;
    devise = true;
    if (/:confirmable\b|["']confirmable["']/.test(code)) confirmable = true;
  });
  return devise && !confirmable;
}

interface Counts {
  total: number;
  unconfirmed: number;
  stale: number | null;
}

async function usersColumns(context: CheckContext, session: DbSession): Promise<Set<string>> {
  const rows = await session.query<{ column: string }>(
    'introspection',
    `SELECT column_name AS column FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = 'users'`,
    undefined,
    context.signal,
  );
  return new Set(rows.map((row) => row.column));
}

function countUnconfirmed(
  context: CheckContext,
  session: DbSession,
  column: string,
  withCreatedAt: boolean,
): Promise<Counts[]> {
  const col = quoteIdent(column);
  const stale = withCreatedAt
    ? `count(*) FILTER (WHERE ${col} IS NULL AND created_at < now() - make_interval(days => $1))`
    : 'NULL::bigint';
  // No index scans: Upkeep using an index would count as the app using it (Unused indexes).
  return session.queryWith<Counts>(
    'accounts',
    `SELECT count(*)::float8 AS total,
            count(*) FILTER (WHERE ${col} IS NULL)::float8 AS unconfirmed,
            (${stale})::float8 AS stale
       FROM users`,
    {
      params: withCreatedAt ? [STALE_UNCONFIRMED_DAYS] : undefined,
      signal: context.signal,
      noIndexScans: true,
    },
  );
}

export const unconfirmedAccountsCheck: CheckDefinition = {
  id: 'security.unconfirmedAccounts',
  title: 'Unconfirmed accounts',
  description:
    'Users whose e-mail was never confirmed (users.email_confirmed_at or Devise confirmed_at ' +
    `IS NULL), and how many of them are older than ${STALE_UNCONFIRMED_DAYS} days; skipped ` +
    "when the User model's devise call leaves out :confirmable.",
  needsDatabase: true,
  async run(context: CheckContext): Promise<CheckReport> {
    let session: DbSession;
    try {
      session = await sharedDbSession(context);
    } catch (error) {
      return unavailable(context, error);
    }
    const columns = await usersColumns(context, session);
    if (!columns.size) {
      return { outcome: 'skipped', summary: 'no users table in the current schema' };
    }
    const column = CONFIRMATION_COLUMNS.find((name) => columns.has(name));
    if (!column) {
      return {
        outcome: 'skipped',
        summary: 'users has no email_confirmed_at or confirmed_at column',
      };
    }

    if (column === 'confirmed_at' && (await deviseWithoutConfirmable(context))) {
      return {
        outcome: 'skipped',
        summary:
          `Devise's :confirmable is not enabled in ${USER_MODEL}: no account is asked to ` +
          'confirm its e-mail (users.confirmed_at is unused)',
      };
    }

    const [counts] = await countUnconfirmed(context, session, column, columns.has('created_at'));
    const values = {
      column,
      users: counts.total,
      unconfirmed: counts.unconfirmed,
      unconfirmedOverAWeek: counts.stale,
    };
    if (counts.total === 0) return { outcome: 'pass', summary: 'no users yet', values };
    const share = formatPercent((counts.unconfirmed / counts.total) * 100);
    const older =
      counts.stale === null || counts.unconfirmed === 0
        ? ''
        : `, ${counts.stale.toLocaleString('en')} of them ` +
          `older than ${STALE_UNCONFIRMED_DAYS} days`;
    // The guidelines give no limit: the figure is for the monthly review, its history a trend.
    return {
      outcome: 'pass',
      summary:
        `${plural(counts.unconfirmed, 'account')} of ${counts.total.toLocaleString('en')} ` +
        `unconfirmed (${share}; users.${column} IS NULL)${older}`,
      values,
    };
  },
};

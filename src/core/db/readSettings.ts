/**
 * The settings each of Upkeep's read transactions runs with, whatever the database sets for
 * its sessions (ALTER DATABASE ... SET): where names are looked up, and how dates, intervals
 * and floats are written, which is how they are read back.
 */

/**
 * search_path: the schemas it names less pg_catalog, which PostgreSQL then searches first. A
 * database's owner (often the app's role, not Upkeep's) may set `search_path = public,
 * pg_catalog` and put views named pg_class or pg_stat_activity in public: every card read them,
 * running the owner's code with Upkeep's role, a superuser's as often as not. The app's schemas
 * stay in the path, so current_schema() and the business cards' `users` still name the app's.
 * Every name here is qualified, as it runs before the path is set: an operator too
 * (`OPERATOR(pg_catalog.<>)`), since public's would come first.
 *
 * DateStyle, IntervalStyle and extra_float_digits: the driver reads values in the default
 * styles. Set otherwise, a date came back unread ('SQL, DMY'), and with extra_float_digits
 * = -15 two days read as 1.7e+05 seconds, every size and ratio cut to two digits.
 *
 * standard_conforming_strings: Upkeep's SQL writes a backslash in a literal as itself (the
 * patterns that know its own statements, `\d+`); off, it escaped, and Upkeep's transactions
 * showed in Slowest queries as the app's. The setting applies from the next statement on, the
 * query this transaction runs.
 */
export const READ_SETTINGS =
  "SELECT pg_catalog.set_config('search_path', pg_catalog.array_to_string(ARRAY(" +
  'SELECT pg_catalog.quote_ident(s) FROM pg_catalog.unnest(pg_catalog.current_schemas(false)) s ' +
  "WHERE s OPERATOR(pg_catalog.<>) 'pg_catalog'), ', '), true), " +
  "pg_catalog.set_config('datestyle', 'ISO, MDY', true), " +
  "pg_catalog.set_config('intervalstyle', 'postgres', true), " +
  "pg_catalog.set_config('extra_float_digits', '1', true), " +
  "pg_catalog.set_config('standard_conforming_strings', 'on', true)";

/**
 * READ_SETTINGS as pg_stat_statements records it, each constant a `$n`: a regular expression
 * (no quote mark in it) for Slowest queries to leave it out with the rest of the transaction.
 */
export const READ_SETTINGS_RECORDED = READ_SETTINGS.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(
  /'[^']*'|\b(true|false)\b/g,
  '\\$\\d+',
);

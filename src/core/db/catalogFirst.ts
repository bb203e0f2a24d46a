/**
 * The statement that makes PostgreSQL read its system catalogs before the app's schemas in
 * Upkeep's transactions, whatever search_path the database sets.
 */

/**
 * Sets search_path, for the transaction, to the schemas it names less pg_catalog, which
 * PostgreSQL then searches first. A database's owner (often the app's role, not Upkeep's) may
 * set `search_path = public, pg_catalog` and put views named pg_class or pg_stat_activity in
 * public: every card read them, running the owner's code with Upkeep's role, a superuser's as
 * often as not. The app's schemas stay in the path, so current_schema() and the business cards'
 * `users` still name the app's. Every name in it is qualified, as it runs before the path is
 * set: an operator too (`OPERATOR(pg_catalog.<>)`), since public's would come first.
 */
export const CATALOG_FIRST =
  "SELECT pg_catalog.set_config('search_path', pg_catalog.array_to_string(ARRAY(" +
  'SELECT pg_catalog.quote_ident(s) FROM pg_catalog.unnest(pg_catalog.current_schemas(false)) s ' +
  "WHERE s OPERATOR(pg_catalog.<>) 'pg_catalog'), ', '), true)";

/**
 * CATALOG_FIRST as pg_stat_statements records it, each constant a `$n`: a regular expression
 * (no quote mark in it) for Slowest queries to leave it out with the rest of the transaction.
 */
export const CATALOG_FIRST_RECORDED = CATALOG_FIRST.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(
  /'[^']*'|\b(true|false)\b/g,
  '\\$\\d+',
);

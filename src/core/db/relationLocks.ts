/**
 * Relations another session holds in ACCESS EXCLUSIVE mode (a migration, a REINDEX, a DROP
 * INDEX or LOCK TABLE in an open transaction): reading their size would queue behind the lock
 * until lock_timeout and fail the whole card, so the cards leave them out and name them, with
 * the holder's query when this role may see it.
 */
import { firstFew } from '../util/firstFew';
import { printableLine } from '../util/printable';
import { plural } from '../util/plural';
import { qualified, quoteIdent, withoutConstants } from './sqlText';

/**
 * SQL: the ACCESS EXCLUSIVE locks of this database that another session holds or waits for
 * (`lck`). A prepared transaction's lock has no pid, and is another session's too.
 */
export const OTHERS_EXCLUSIVE = `lck.locktype = 'relation' AND lck.mode = 'AccessExclusiveLock'
  AND lck.pid IS DISTINCT FROM pg_backend_pid()
  AND lck.database = (SELECT oid FROM pg_database WHERE datname = current_database())`;

/** SQL: the relations another session holds locked so, or waits to, as a one-column subquery. */
export const EXCLUSIVELY_LOCKED = `SELECT lck.relation FROM pg_locks lck WHERE ${OTHERS_EXCLUSIVE}`;

/**
 * SQL: the query of the session holding (or else first waiting for) a lock on one of
 * `relations` (a subquery of oids); '' when it is locked but this role may not see that
 * session's query (or a prepared transaction holds it); NULL when none is locked.
 */
export const LOCK_HOLDER = (relations: string): string =>
  `(SELECT coalesce(CASE WHEN lck_a.query <> '<insufficient privilege>'
                         THEN left(lck_a.query, 300) END, '')
      FROM pg_locks lck LEFT JOIN pg_stat_activity lck_a ON lck_a.pid = lck.pid
     WHERE ${OTHERS_EXCLUSIVE} AND lck.relation IN (${relations})
     ORDER BY lck.granted DESC, lck_a.query_start
     LIMIT 1)`;

/**
 * SQL: the relations reading table `oid`'s whole size opens (pg_total_relation_size,
 * pg_indexes_size): the table, its TOAST table and the indexes of both.
 */
export const SIZE_RELATIONS = (oid: string): string =>
  `SELECT ${oid}
   UNION ALL SELECT sr_c.reltoastrelid FROM pg_class sr_c
              WHERE sr_c.oid = ${oid} AND sr_c.reltoastrelid <> 0
   UNION ALL SELECT sr_i.indexrelid FROM pg_index sr_i
              WHERE sr_i.indrelid = ${oid}
                 OR sr_i.indrelid = (SELECT sr_t.reltoastrelid FROM pg_class sr_t
                                      WHERE sr_t.oid = ${oid})`;

/**
 * SQL: the CTEs `reads_edges` and `reads(root, oid)`: for each relation `root` of the CTE
 * `roots` (a column `oid`), every relation a SELECT from it reads besides itself and the size
 * relations: the partitions and inheritance children of a table at every level, and the
 * relations a view's rule names (pg_depend of its pg_rewrite), views behind views included.
 * A lock on any of them makes the SELECT wait as one on the root does. A materialized view
 * reads only its own rows.
 */
export const READS_CTES = `reads_edges(parent, child) AS (
     SELECT re_i.inhparent, re_i.inhrelid FROM pg_inherits re_i
     UNION ALL
     SELECT re_r.ev_class, re_d.refobjid
       FROM pg_rewrite re_r
       JOIN pg_class re_v ON re_v.oid = re_r.ev_class AND re_v.relkind = 'v'
       JOIN pg_depend re_d ON re_d.classid = 'pg_rewrite'::regclass AND re_d.objid = re_r.oid
        AND re_d.refclassid = 'pg_class'::regclass AND re_d.refobjid <> re_r.ev_class),
   reads(root, oid) AS (
     SELECT roots.oid, roots.oid FROM roots
     UNION
     SELECT reads.root, reads_edges.child
       FROM reads JOIN reads_edges ON reads_edges.parent = reads.oid)`;

/**
 * SQL: a CTE `read_locks(root, schema, name, holder)` after READS_CTES: for each root another
 * session holds (or waits to hold) in ACCESS EXCLUSIVE mode, or a relation it reads, or one of
 * their indexes or TOAST tables, one such lock: on the root itself first. `schema` and `name`
 * are the relation read whose lock it is (the root's own, or a partition's, a child's, a
 * view's table), `holder` as LOCK_HOLDER gives it.
 */
export const READ_LOCKS_CTE = `read_locks(root, schema, name, holder) AS (
     SELECT DISTINCT ON (reads.root) reads.root, rl_n.nspname, rl_c.relname,
            coalesce(CASE WHEN lck_a.query <> '<insufficient privilege>'
                          THEN left(lck_a.query, 300) END, '')
       FROM reads
       JOIN pg_class rl_c ON rl_c.oid = reads.oid
       JOIN pg_namespace rl_n ON rl_n.oid = rl_c.relnamespace
       JOIN pg_locks lck ON ${OTHERS_EXCLUSIVE}
        AND lck.relation IN (${SIZE_RELATIONS('reads.oid')})
       LEFT JOIN pg_stat_activity lck_a ON lck_a.pid = lck.pid
      ORDER BY reads.root, reads.oid = reads.root DESC, lck.granted DESC, lck_a.query_start)`;

/** A table or index a card left out: another session holds it (or a part of it) locked. */
export interface LockedRelation {
  schema: string;
  name: string;
  /** An index's table. */
  table?: string;
  /** The lock holder's query, when this role may see it. */
  holder?: string;
  /**
   * The table whose lock keeps this one from being read, when it is another: a partition, an
   * inheritance child, the table behind a view.
   */
  through?: { schema: string; name: string };
}

/** A row read with LOCK_HOLDER as `holder` into a LockedRelation (no empty holder). */
export function lockedRelation(row: {
  schema: string;
  name: string;
  table?: string;
  holder: string | null;
}): LockedRelation {
  return {
    schema: row.schema,
    name: row.name,
    ...(row.table !== undefined ? { table: row.table } : {}),
    ...(row.holder ? { holder: row.holder } : {}),
  };
}

/** How much of the holder's query a card's text shows. */
const HOLDER_CHARS = 80;

/**
 * `locked by another session: REINDEX INDEX …`, or `locked by another session`; the query's
 * constants as '…' (see withoutConstants). A lock on another table it reads (`through`) is
 * `it reads "users_2025", locked by another session: …`.
 */
export function lockedBy(relation: LockedRelation): string {
  const query =
    relation.holder === undefined
      ? undefined
      : withoutConstants(relation.holder).replace(/\s+/g, ' ').trim();
  const locked = query
    ? `locked by another session: ${printableLine(query, HOLDER_CHARS)}`
    : 'locked by another session';
  const through = relation.through;
  return through ? `it reads ${qualified(through.schema, through.name)}, ${locked}` : locked;
}

/**
 * A card's summary names this many of the relations it left out, then counts the rest: one
 * migration's transaction can hold hundreds locked, each named with the same query.
 */
const NAMED_LOCKED = 3;

/**
 * `; 1 index left out (size not read): "by_email" on users (locked by another session:
 * REINDEX …)`, or nothing when none was. Past NAMED_LOCKED, `, 57 more` (the card's data lists
 * them all).
 */
export function lockedNote(
  locked: LockedRelation[],
  noun: 'table' | 'index',
  what: string,
): string {
  if (locked.length === 0) return '';
  const names = locked.map((relation) => {
    const name =
      noun === 'index'
        ? `${quoteIdent(relation.name)} on ${qualified(relation.schema, relation.table ?? '')}`
        : qualified(relation.schema, relation.name);
    return `${name} (${lockedBy(relation)})`;
  });
  const count =
    noun === 'index'
      ? plural(locked.length, 'index', 'indexes')
      : plural(locked.length, 'table', 'tables');
  return `; ${count} left out (${what}): ${firstFew(names, NAMED_LOCKED)}`;
}

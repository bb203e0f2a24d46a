/**
 * Explain Query: one selected statement, `EXPLAIN (FORMAT JSON)` in a read-only transaction that
 * is always rolled back, `ANALYZE` only for a plain SELECT and only when the caller says the user
 * confirmed it. The plan is flattened into nodes with costs, rows and own time, and rendered as
 * text with the slowest node marked.
 */
import { UpkeepError } from '../util/errors';
import type { DbSession } from './session';
import { isPlainSelect, leadingKeyword, splitStatements } from './sqlText';

interface PreparedExplain {
  statement: string;
  /** ANALYZE executes the statement: only offered for a plain SELECT. */
  canAnalyze: boolean;
}

/** The statements PostgreSQL's EXPLAIN takes, by their first word. */
const EXPLAINABLE = new Set([
  'SELECT',
  'INSERT',
  'UPDATE',
  'DELETE',
  'MERGE',
  'VALUES',
  'TABLE',
  'WITH',
  'EXECUTE',
  'DECLARE',
  'CREATE',
]);

/** Checks the selection is exactly one statement Upkeep may explain. */
export function prepareExplain(selection: string): PreparedExplain {
  const statements = splitStatements(selection);
  if (statements.length === 0) {
    throw new UpkeepError('refused', 'Select an SQL statement to explain.');
  }
  if (statements.length > 1) {
    throw new UpkeepError(
      'refused',
      `The selection holds ${statements.length} statements; select exactly one.`,
    );
  }
  const statement = statements[0];
  const keyword = leadingKeyword(statement);
  if (keyword === 'EXPLAIN') {
    throw new UpkeepError('refused', 'Select the query itself, without EXPLAIN; Upkeep adds it.');
  }
  // Slowest queries lists whatever pg_stat_statements recorded (COMMIT, SET, SHOW): the server
  // would only answer "syntax error at or near COMMIT".
  if (!EXPLAINABLE.has(keyword)) {
    throw new UpkeepError(
      'refused',
      `${keyword || 'This statement'} has no plan: Explain takes a SELECT, INSERT, UPDATE, ` +
        'DELETE, MERGE, VALUES, TABLE or WITH statement.',
    );
  }
  return { statement, canAnalyze: isPlainSelect(statement) };
}

interface PlanNode {
  id: number;
  depth: number;
  nodeType: string;
  /** `on users`, `using index_users_on_email`, ... */
  detail: string;
  startupCost: number;
  totalCost: number;
  planRows: number;
  actualRows?: number;
  loops?: number;
  /** Total time of the node including children, all loops (ms); ANALYZE only. */
  actualTotalMs?: number;
  /** The node's own share: time (ANALYZE) or cost without its children's. */
  exclusive: number;
  filter?: string;
}

export interface ExplainResult {
  statement: string;
  analyzed: boolean;
  nodes: PlanNode[];
  /** Id of the node with the largest own time (ANALYZE) or own cost. */
  slowestNodeId: number;
  planningMs?: number;
  executionMs?: number;
  /** The server's JSON, as returned. */
  raw: unknown;
}

/** The question and the detail the EXPLAIN ANALYZE confirmation shows, timeout included. */
export function explainAnalyzePrompt(
  prepared: PreparedExplain,
  where: { database: string; display: string; source: string; statementTimeoutMs: number },
): { message: string; detail: string } {
  const seconds = where.statementTimeoutMs / 1000;
  const timeout = `${seconds.toLocaleString('en', { maximumFractionDigits: 1 })} s`;
  return {
    message: `EXPLAIN ANALYZE runs this query on ${where.database}.`,
    detail:
      `Database: ${where.display} (${where.source})\n\n` +
      'It runs in a READ ONLY transaction that Upkeep rolls back, stopped after the ' +
      `statement timeout of ${timeout} (upkeep.database.statementTimeoutMs).\n\n` +
      'Refused or undone: writes to tables and sequences (nextval and setval are refused), ' +
      'settings changed with set_config, notifications (sent only on commit).\n\n' +
      'Not undone: what a function in the query does outside this transaction, such as ' +
      'writing to another database (dblink, postgres_fdw), to files or the network ' +
      '(functions in untrusted languages), ending other sessions or keeping a session lock. ' +
      'Upkeep offers no ANALYZE for the known functions of that kind, but cannot see inside ' +
      'functions defined in the database. The query also loads the server while it runs.' +
      `\n\n${prepared.statement}`,
  };
}

export async function explainQuery(
  session: DbSession,
  prepared: PreparedExplain,
  options: {
    analyze: boolean;
    analyzeConfirmed?: boolean;
    signal?: AbortSignal;
    statementTimeoutMs?: number;
  },
): Promise<ExplainResult> {
  if (options.analyze && !prepared.canAnalyze) {
    throw new UpkeepError(
      'refused',
      'EXPLAIN ANALYZE runs the statement, so Upkeep offers it for a plain SELECT only.',
    );
  }
  if (options.analyze && !options.analyzeConfirmed) {
    throw new UpkeepError(
      'refused',
      'EXPLAIN ANALYZE runs the query; it needs the user to confirm first.',
    );
  }
  let explainOptions = options.analyze ? 'ANALYZE, BUFFERS, FORMAT JSON' : 'FORMAT JSON';
  // Queries from pg_stat_statements carry $1-style parameters; PostgreSQL 16 and later can plan
  // them as they are with GENERIC_PLAN, older servers need example values (explainRows says so).
  if (!options.analyze && PARAMETER.test(prepared.statement)) {
    const [version] = await session.query<{ num: number }>(
      'explain:version',
      "SELECT current_setting('server_version_num')::int AS num",
      [],
      options.signal,
    );
    if ((version?.num ?? 0) >= 160000) explainOptions = 'GENERIC_PLAN, FORMAT JSON';
  }
  // The session's read-only transaction is rolled back after every statement: an ANALYZE of a
  // SELECT calling a function that writes tables is refused; what a function does outside the
  // transaction is not undone (the prompt says so; isPlainSelect withholds the known ones).
  const rows = await explainRows(session, `EXPLAIN (${explainOptions}) ${prepared.statement}`, {
    ...options,
    generic: explainOptions.startsWith('GENERIC_PLAN'),
  });
  return summarize(prepared, rows, options.analyze);
}

const PARAMETER = /\$\d+/;

/** The server parsed the text as one statement, then wanted values for its $n parameters. */
function unboundParameters(error: unknown): boolean {
  if (!UpkeepError.is(error)) return false;
  const cause = error.cause as { code?: unknown } | undefined;
  return cause?.code === '08P01' && /bind message supplies 0 parameters/.test(error.message);
}

async function explainRows(
  session: DbSession,
  sql: string,
  options: { signal?: AbortSignal; statementTimeoutMs?: number; generic: boolean },
): Promise<{ 'QUERY PLAN': unknown }[]> {
  const run = (oneStatement: boolean): Promise<{ 'QUERY PLAN': unknown }[]> =>
    session.queryWith<{ 'QUERY PLAN': unknown }>('explain', sql, {
      signal: options.signal,
      statementTimeoutMs: options.statementTimeoutMs,
      oneStatement,
    });
  try {
    // The text comes from a selection or the dashboard: the extended protocol makes the server
    // take exactly one statement, whatever quoting the splitter above might misread.
    try {
      return await run(true);
    } catch (error) {
      // GENERIC_PLAN needs the $n left unbound, which only the simple protocol allows; the
      // server has just parsed this very text as one statement, so it is safe to send so.
      if (options.generic && unboundParameters(error)) return await run(false);
      throw error;
    }
  } catch (error) {
    // Quoting the splitter reads otherwise (standard_conforming_strings off, say).
    if (UpkeepError.is(error) && /cannot insert multiple commands/.test(error.message)) {
      throw new UpkeepError(
        'refused',
        'PostgreSQL reads the selection as several statements; select exactly one.',
      );
    }
    // A query copied from a log or pg_stat_statements carries $1-style placeholders.
    if (
      UpkeepError.is(error) &&
      (/no parameter \$\d+/.test(error.message) || unboundParameters(error))
    ) {
      throw new UpkeepError(
        'refused',
        'The statement has $1-style parameters; put example values in their place to explain it.',
      );
    }
    // pg_stat_statements puts $4 in place of the constant of `interval '1 day'` too, which no
    // server can parse, even with GENERIC_PLAN.
    const parameter = UpkeepError.is(error)
      ? /syntax error at or near "(\$\d+)"/.exec(error.message)?.[1]
      : undefined;
    if (parameter) {
      throw new UpkeepError(
        'refused',
        `PostgreSQL cannot read ${parameter} where the statement had a typed constant ` +
          `(such as interval '1 day'); put an example value in place of ${parameter} ` +
          'to explain it.',
      );
    }
    throw error;
  }
}

function summarize(
  prepared: PreparedExplain,
  rows: { 'QUERY PLAN': unknown }[],
  analyzed: boolean,
): ExplainResult {
  const raw = rows[0]?.['QUERY PLAN'];
  const top = (Array.isArray(raw) ? raw[0] : raw) as {
    Plan: RawPlan;
    'Planning Time'?: number;
    'Execution Time'?: number;
  };
  const nodes: PlanNode[] = [];
  flatten(top.Plan, 0, nodes, analyzed);
  const slowest = nodes.reduce(
    (best, node) => (node.exclusive > best.exclusive ? node : best),
    nodes[0],
  );
  return {
    statement: prepared.statement,
    analyzed,
    nodes,
    slowestNodeId: slowest.id,
    planningMs: top['Planning Time'],
    executionMs: top['Execution Time'],
    raw,
  };
}

interface RawPlan {
  'Node Type': string;
  'Startup Cost': number;
  'Total Cost': number;
  'Plan Rows': number;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Actual Total Time'?: number;
  'Relation Name'?: string;
  'Index Name'?: string;
  Alias?: string;
  'Join Type'?: string;
  Strategy?: string;
  Filter?: string;
  'Index Cond'?: string;
  'Hash Cond'?: string;
  Plans?: RawPlan[];
}

function flatten(plan: RawPlan, depth: number, out: PlanNode[], analyzed: boolean): void {
  const children = plan.Plans ?? [];
  const total = (p: RawPlan): number =>
    analyzed ? (p['Actual Total Time'] ?? 0) * (p['Actual Loops'] ?? 1) : p['Total Cost'];
  const exclusive = Math.max(
    0,
    total(plan) - children.reduce((sum, child) => sum + total(child), 0),
  );
  const detail = [
    plan['Join Type'] ? `${plan['Join Type']} join` : '',
    plan['Index Name'] ? `using ${plan['Index Name']}` : '',
    plan['Relation Name']
      ? `on ${plan['Relation Name']}` +
        `${plan.Alias && plan.Alias !== plan['Relation Name'] ? ` ${plan.Alias}` : ''}`
      : '',
  ]
    .filter(Boolean)
    .join(' ');
  out.push({
    id: out.length,
    depth,
    nodeType: plan['Node Type'],
    detail,
    startupCost: plan['Startup Cost'],
    totalCost: plan['Total Cost'],
    planRows: plan['Plan Rows'],
    actualRows: plan['Actual Rows'],
    loops: plan['Actual Loops'],
    actualTotalMs: analyzed
      ? (plan['Actual Total Time'] ?? 0) * (plan['Actual Loops'] ?? 1)
      : undefined,
    exclusive,
    filter: plan.Filter ?? plan['Index Cond'] ?? plan['Hash Cond'],
  });
  for (const child of children) flatten(child, depth + 1, out, analyzed);
}

/** The plan as readable text: one line per node, indented, the slowest marked. */
export function renderPlan(result: ExplainResult, target: string): string {
  const lines = [
    `-- EXPLAIN${result.analyzed ? ' ANALYZE' : ''} on ${target}`,
    '-- Ran in a read-only transaction that was rolled back.',
  ];
  if (result.planningMs !== undefined) {
    lines.push(`-- Planning ${result.planningMs.toFixed(2)} ms`);
  }
  if (result.executionMs !== undefined) {
    lines.push(`-- Execution ${result.executionMs.toFixed(2)} ms`);
  }
  lines.push('');
  for (const node of result.nodes) {
    const indent = '   '.repeat(node.depth) + (node.depth ? '-> ' : '');
    const cost =
      `cost=${node.startupCost.toFixed(2)}..${node.totalCost.toFixed(2)} ` +
      `rows=${node.planRows}`;
    const actual =
      node.actualTotalMs !== undefined
        ? ` | actual ${node.actualTotalMs.toFixed(3)} ms, ` +
          `rows=${node.actualRows} loops=${node.loops}`
        : '';
    const mark =
      node.id === result.slowestNodeId
        ? '   <== slowest (' +
          (result.analyzed
            ? `${node.exclusive.toFixed(3)} ms own time`
            : `${node.exclusive.toFixed(2)} own cost`) +
          ')'
        : '';
    lines.push(
      `${indent}${node.nodeType}${node.detail ? ` ${node.detail}` : ''}  (${cost}${actual})${mark}`,
    );
    if (node.filter) {
      lines.push(`${'   '.repeat(node.depth)}${node.depth ? '   ' : ''}   ${node.filter}`);
    }
  }
  lines.push('', '-- Statement:', result.statement);
  return lines.join('\n') + '\n';
}

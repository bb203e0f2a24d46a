/**
 * `upkeep check --list`: every check a run can select (built in and the playbook's custom ones),
 * with its title and the tiers and tasks of the playbook that run it, as text or JSON.
 */
import type { Playbook } from '../playbook/model';
import { TIER_IDS } from '../playbook/model';
import { plural } from '../util/plural';
import { printable, printableJson } from '../util/printable';
import type { CheckRegistry } from './registry';
import type { RunProblem } from './report';

export interface ListedCheck {
  id: string;
  title: string;
  /** The tiers whose enabled tasks run it, in tier order; empty when only --check runs it. */
  tiers: string[];
  /** The enabled tasks that run it, in playbook order. */
  tasks: string[];
  origin: 'builtin' | 'playbook';
}

export function listChecks(playbook: Playbook, registry: CheckRegistry): ListedCheck[] {
  const enabled = playbook.tasks.filter((task) => !task.disabled);
  return registry.all().map((definition) => {
    const tasks = enabled.filter((task) => task.checks.includes(definition.id));
    return {
      id: definition.id,
      title: definition.title,
      tiers: TIER_IDS.filter((tier) => tasks.some((task) => task.tier === tier)),
      tasks: tasks.map((task) => task.id),
      origin: definition.origin ?? 'builtin',
    };
  });
}

/**
 * Stable JSON for scripts: `{ schemaVersion: 1, checks: ListedCheck[] }`, and `problems` (the
 * playbook's errors, as in the run's JSON) only when there are any.
 */
export function checkListJson(checks: ListedCheck[], problems: RunProblem[] = []): string {
  const document = { schemaVersion: 1, checks, ...(problems.length ? { problems } : {}) };
  return `${printableJson(document)}\n`;
}

/** Columns CHECK, TIERS, TITLE (a `-` for no tier), then how to run one. */
export function formatCheckList(checks: ListedCheck[]): string {
  const rows = checks.map((check) => [
    printable(check.id),
    check.tiers.join(',') || '-',
    printable(check.title),
  ]);
  const header = ['CHECK', 'TIERS', 'TITLE'];
  const idWidth = Math.max(header[0].length, ...rows.map((row) => row[0].length));
  const tierWidth = Math.max(header[1].length, ...rows.map((row) => row[1].length));
  const lines = [header, ...rows].map((row) =>
    `${row[0].padEnd(idWidth)}  ${row[1].padEnd(tierWidth)}  ${row[2]}`.trimEnd(),
  );
  const count = plural(checks.length, 'check');
  return `${lines.join('\n')}\n\n${count}; run one with upkeep check --check ID\n`;
}

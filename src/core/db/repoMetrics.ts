/**
 * Repo-defined SQL metrics: the SQL custom checks of `.upkeep/playbook.yaml` also show as cards,
 * run under the same read-only rules, and only in a trusted workspace.
 */
import type { Playbook } from '../playbook/model';
import type { RepoMetric } from './cards';

export function repoMetrics(
  playbook: Pick<Playbook, 'customChecks'> | undefined,
  trusted: boolean,
): RepoMetric[] {
  if (!trusted || !playbook) return [];
  return playbook.customChecks.flatMap((check) =>
    check.kind === 'sql' ? [{ id: check.id, title: check.title, sql: check.sql }] : [],
  );
}

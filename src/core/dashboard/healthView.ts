/**
 * Maps the playbook and the kept check results to the Health section: every check of every tier
 * with its latest outcome, and the checks that ran outside the playbook under "Other".
 */
import type { CheckResult, ResultOrigin } from '../checks/types';
import type { Playbook } from '../playbook/model';
import { checksOfTier } from '../playbook/model';
import type { HealthCheckView, HealthOutcome, HealthView } from './protocol';

/** A check's display title when it has not run yet (the registry knows it; the result does not). */
type CheckTitles = (checkId: string) => string | undefined;
/** Where a kept result came from (the editor's log or the CLI's saved file). */
type ResultOrigins = (result: CheckResult) => ResultOrigin;

function checkView(
  checkId: string,
  result: CheckResult | undefined,
  titleOf: CheckTitles,
  originOf: ResultOrigins,
): HealthCheckView {
  if (!result) {
    const title = titleOf(checkId) ?? checkId;
    return { checkId, title, outcome: 'never', summary: 'Not run yet', findings: [] };
  }
  return {
    checkId,
    title: result.title || checkId,
    outcome: result.outcome,
    summary: result.summary,
    startedAt: result.startedAt,
    durationMs: result.durationMs,
    ...(originOf(result) === 'commandLine' ? { from: 'commandLine' as const } : {}),
    // As `upkeep check` lists them: for what did not pass (a pass's details only add noise).
    ...(result.details && result.outcome !== 'pass' ? { details: result.details } : {}),
    findings: (result.findings ?? []).map((finding) => ({
      message: finding.message,
      severity: finding.severity,
      location: finding.file ? { file: finding.file, line: finding.line } : undefined,
    })),
  };
}

export function healthView(
  playbook: Playbook | undefined,
  results: CheckResult[],
  titleOf: CheckTitles = () => undefined,
  originOf: ResultOrigins = () => 'editor',
): HealthView {
  const byId = new Map(results.map((result) => [result.checkId, result]));
  const shown = new Set<string>();
  const tiers: HealthView['tiers'] = [];

  for (const tier of playbook?.tiers ?? []) {
    const ids = checksOfTier(playbook!, tier.id);
    if (ids.length === 0) continue;
    for (const id of ids) shown.add(id);
    tiers.push({
      tierId: tier.id,
      title: tier.title,
      checks: ids.map((id) => checkView(id, byId.get(id), titleOf, originOf)),
    });
  }
  const others = results.filter((result) => !shown.has(result.checkId));
  if (others.length) {
    tiers.push({
      tierId: 'other',
      title: playbook ? 'Other checks' : 'Checks',
      checks: others.map((result) => checkView(result.checkId, result, titleOf, originOf)),
    });
  }

  const counts: Record<HealthOutcome, number> = {
    pass: 0,
    warn: 0,
    fail: 0,
    error: 0,
    skipped: 0,
    never: 0,
  };
  // A check in two tiers counts once.
  const counted = new Set<string>();
  for (const check of tiers.flatMap((tier) => tier.checks)) {
    if (counted.has(check.checkId)) continue;
    counted.add(check.checkId);
    counts[check.outcome]++;
  }
  return { tiers, counts };
}

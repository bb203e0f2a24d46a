/**
 * The playbook: tiers of tasks, each with checklist items and the checks it runs. The default
 * playbook comes from the team's guidelines; a repo may shape it with `.upkeep/playbook.yaml`.
 */
import type { UpkeepSettings } from '../settings';

export type TierId = 'daily' | 'weekly' | 'monthly' | 'quarterly' | 'annual' | 'onDemand';

export const TIER_IDS: readonly TierId[] = [
  'daily',
  'weekly',
  'monthly',
  'quarterly',
  'annual',
  'onDemand',
];

/** The calendar unit a tier repeats on; on-demand work has none and is never due by itself. */
export type PeriodUnit = 'day' | 'week' | 'month' | 'quarter' | 'year' | 'none';

export interface Tier {
  id: TierId;
  title: string;
  /** The responsible team from the guidelines' schedule table. */
  team: string;
  period: PeriodUnit;
  guideline?: GuidelineLink;
}

export interface GuidelineLink {
  /** Heading text of the section that explains the task. */
  section: string;
  /** A repo document instead of the guidelines, workspace-relative. */
  file?: string;
}

export interface ChecklistItem {
  id: string;
  title: string;
  /** Checks that help tick this item; an item without checks is manual work. */
  checks?: string[];
}

/** A value the maintainer types when marking the task done (e.g. the recovery time). */
export interface RecordField {
  id: string;
  title: string;
  unit?: string;
}

export interface Task {
  id: string;
  tier: TierId;
  title: string;
  team: string;
  /** A person, when the repo names one. */
  owner?: string;
  description?: string;
  guideline?: GuidelineLink;
  items: ChecklistItem[];
  /** Ids of the checks this task runs (see src/core/checks), built in or custom. */
  checks: string[];
  records?: RecordField[];
  disabled?: boolean;
  /** Where the task was defined or last changed. */
  origin?: 'default' | 'repo';
}

/** What a custom check expects; every given field must hold for the check to pass. */
export interface CustomCheckExpect {
  /** Shell: the command's exit code (default 0). */
  exitCode?: number;
  /** A regular expression the output (stdout, the body, or the first cell) must match. */
  pattern?: string;
  /** Http: a JSON path like `$.status` or `checks.db`, compared with `equals`. */
  jsonPath?: string;
  /** The value at `jsonPath` (http) or the first cell (sql) must equal this. */
  equals?: string | number | boolean | null;
  /** Http: the response status (default: any 2xx). */
  status?: number;
}

interface CustomCheckBase {
  /** Not one of the built-in check ids. */
  id: string;
  title: string;
  description?: string;
  expect: CustomCheckExpect;
  timeoutSeconds?: number;
}

/**
 * A check the repo defines in `.upkeep/playbook.yaml`. The playbook only models and validates
 * it; the check engine runs it (and only in a trusted workspace).
 */
export type CustomCheckSpec = CustomCheckBase &
  (
    | { kind: 'shell'; command: string }
    | { kind: 'sql'; sql: string }
    | { kind: 'http'; url: string }
  );

export type CustomCheckKind = CustomCheckSpec['kind'];

/** The guidelines' incident severities and how fast each must be answered. */
export interface Severity {
  id: 'critical' | 'high' | 'medium' | 'low';
  title: string;
  /** As the guidelines say it, e.g. "< 1 hour". */
  responseTime: string;
  responseHours: number;
  examples: string;
}

export interface Playbook {
  tiers: Tier[];
  tasks: Task[];
  customChecks: CustomCheckSpec[];
  /** Threshold overrides from the repo's playbook, laid over the user's settings. */
  thresholds: Partial<UpkeepSettings['thresholds']>;
  severities: Severity[];
  /** Absolute path of the repo playbook file when one was read. */
  sourceFile?: string;
}

export function tasksOfTier(playbook: Playbook, tier: TierId): Task[] {
  return playbook.tasks.filter((task) => task.tier === tier && !task.disabled);
}

/** Whether the team filter `name` shows a task: one of that team's, or one it owns (Set Owner). */
export function isTaskOf(task: Task, name: string): boolean {
  return task.team === name || task.owner === name;
}

/**
 * What the team filter offers: the teams of the enabled tasks, then the owners a task names
 * that are no team, each once, in playbook order.
 */
export function filterChoices(playbook: Playbook): { name: string; kind: 'team' | 'owner' }[] {
  const enabled = playbook.tasks.filter((task) => !task.disabled);
  const teams = [...new Set(enabled.map((task) => task.team))];
  const owners = [...new Set(enabled.map((task) => task.owner ?? ''))].filter(
    (owner) => owner && !teams.includes(owner),
  );
  return [
    ...teams.map((name) => ({ name, kind: 'team' as const })),
    ...owners.map((name) => ({ name, kind: 'owner' as const })),
  ];
}

export function findTask(playbook: Playbook, taskId: string): Task | undefined {
  return playbook.tasks.find((task) => task.id === taskId);
}

export function findTier(playbook: Playbook, tierId: TierId): Tier | undefined {
  return playbook.tiers.find((tier) => tier.id === tierId);
}

/** Every check id the enabled tasks of a tier run, once each, in playbook order. */
export function checksOfTier(playbook: Playbook, tier: TierId): string[] {
  return [...new Set(tasksOfTier(playbook, tier).flatMap((task) => task.checks))];
}

/** The user's thresholds with the repo playbook's overrides laid over them. */
export function effectiveThresholds(
  settings: UpkeepSettings,
  playbook: Playbook,
): UpkeepSettings['thresholds'] {
  return { ...settings.thresholds, ...playbook.thresholds };
}

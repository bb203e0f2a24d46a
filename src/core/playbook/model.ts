/**
 * The playbook: tiers of tasks, each with checklist items and the checks it runs. The default
 * playbook comes from the team's guidelines; a repo may shape it with `.upkeep/playbook.yaml`.
 */

export type TierId = 'daily' | 'weekly' | 'monthly' | 'quarterly' | 'annual' | 'onDemand';

export interface Tier {
  id: TierId;
  title: string;
  /** The responsible team from the guidelines' schedule table. */
  team: string;
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
}

export interface Task {
  id: string;
  tier: TierId;
  title: string;
  team: string;
  guideline?: GuidelineLink;
  items: ChecklistItem[];
  /** Ids of the checks this task runs (see src/core/checks). */
  checks: string[];
  disabled?: boolean;
}

export interface Playbook {
  tiers: Tier[];
  tasks: Task[];
}

export function tasksOfTier(playbook: Playbook, tier: TierId): Task[] {
  return playbook.tasks.filter((task) => task.tier === tier && !task.disabled);
}

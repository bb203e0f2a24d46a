/**
 * Every check definition by id: the built-in ones (including the log and database checks of
 * their own modules) and the repo playbook's custom checks; and which of them a tier or a task
 * runs. Ids the playbook names but this build does not implement become clear `skipped` results.
 */
import type { Playbook, TierId } from '../playbook/model';
import { effectiveThresholds, findTask, tasksOfTier } from '../playbook/model';
import type { UpkeepSettings } from '../settings';
import { unconfirmedAccountsCheck } from './accountChecks';
import {
  backupsLatestCheck,
  fileBackupCheck,
  recentDrillCheck,
  recentDrillTier,
  recoveryDrillCheck,
} from './backupChecks';
import { closeSharedDbSession, dbChecks, probedSharedSession } from './dbChecks';
import { logChecks } from './logChecks';
import type { SessionProvider } from './customChecks';
import { customCheck } from './customChecks';
import { brokenLinksCheck, generatedDocsCheck, staleDocsCheck } from './docsChecks';
import { healthEmailCheck, healthSignInCheck, healthUrlCheck } from './healthChecks';
import { appMemoryCheck, diskSpaceCheck, storageFoldersCheck } from './hostChecks';
import {
  behindUpstreamCheck,
  pendingMigrationsCheck,
  uncommittedCheck,
  versionsCheck,
} from './repoChecks';
import { csrfCheck, filterParametersCheck } from './securityChecks';
import {
  advisoryDatabaseCheck,
  brakemanCheck,
  bundlerAuditCheck,
  coverageCheck,
  rspecCheck,
  rubocopCheck,
  zeitwerkCheck,
} from './toolChecks';
import type { CheckDefinition } from './types';

/**
 * The checks this module implements (the log and database checks live in their own files). The
 * playbook sets the period `backups.recentDrill` holds the last drill to.
 */
export function engineChecks(playbook?: Playbook): CheckDefinition[] {
  return [
    healthUrlCheck(),
    healthSignInCheck(),
    healthEmailCheck,
    appMemoryCheck,
    diskSpaceCheck,
    storageFoldersCheck,
    backupsLatestCheck,
    recoveryDrillCheck,
    recentDrillCheck(recentDrillTier(playbook)),
    fileBackupCheck,
    brokenLinksCheck,
    staleDocsCheck,
    generatedDocsCheck,
    uncommittedCheck,
    behindUpstreamCheck,
    pendingMigrationsCheck,
    versionsCheck,
    rspecCheck,
    coverageCheck,
    rubocopCheck,
    brakemanCheck,
    advisoryDatabaseCheck,
    bundlerAuditCheck,
    zeitwerkCheck,
    filterParametersCheck,
    csrfCheck,
    unconfirmedAccountsCheck,
  ];
}

/** Every built-in check: this module's, the log checks and the database checks. */
export function builtinChecks(playbook?: Playbook): CheckDefinition[] {
  return [...engineChecks(playbook), ...logChecks, ...dbChecks];
}

export interface CheckRegistry {
  all(): CheckDefinition[];
  get(id: string): CheckDefinition | undefined;
  /** The definition, or one that reports `skipped` because this build lacks it. */
  resolve(id: string): CheckDefinition;
}

export interface RegistryOptions {
  /** Replaces the built-in list (tests). */
  builtins?: CheckDefinition[];
  /** The read-only database session SQL custom checks use. */
  sessionFor?: SessionProvider;
}

export function createRegistry(playbook?: Playbook, options: RegistryOptions = {}): CheckRegistry {
  const byId = new Map<string, CheckDefinition>();
  for (const definition of options.builtins ?? builtinChecks(playbook)) {
    byId.set(definition.id, definition);
  }
  for (const spec of playbook?.customChecks ?? []) {
    // The loader rejects custom ids that shadow built-ins; keep the built-in if one slips through.
    if (!byId.has(spec.id)) {
      byId.set(spec.id, customCheck(spec, options.sessionFor ?? probedSharedSession));
    }
  }
  return {
    all: () => [...byId.values()],
    get: (id) => byId.get(id),
    resolve: (id) => byId.get(id) ?? unavailableCheck(id),
  };
}

function unavailableCheck(id: string): CheckDefinition {
  return {
    id,
    title: id,
    async run() {
      return {
        outcome: 'skipped',
        summary: `check ${id} is not available in this version of Upkeep`,
      };
    },
  };
}

/** The checks of a tier's enabled tasks, once each, in playbook order. */
export function checksForTier(
  playbook: Playbook,
  tier: TierId,
  registry: CheckRegistry = createRegistry(playbook),
): CheckDefinition[] {
  const ids = [...new Set(tasksOfTier(playbook, tier).flatMap((task) => task.checks))];
  return ids.map((id) => registry.resolve(id));
}

/** The checks of one task; undefined when the playbook has no such task. */
export function checksForTask(
  playbook: Playbook,
  taskId: string,
  registry: CheckRegistry = createRegistry(playbook),
): CheckDefinition[] | undefined {
  const task = findTask(playbook, taskId);
  if (!task) return undefined;
  return [...new Set(task.checks)].map((id) => registry.resolve(id));
}

/** The checks of several tasks (due ones, a team's), once each. */
export function checksForTasks(
  playbook: Playbook,
  taskIds: string[],
  registry: CheckRegistry = createRegistry(playbook),
): CheckDefinition[] {
  const ids = new Set<string>();
  for (const taskId of taskIds) {
    for (const id of findTask(playbook, taskId)?.checks ?? []) ids.add(id);
  }
  return [...ids].map((id) => registry.resolve(id));
}

/**
 * A run's checks with `health.database` first when a database check is among them and it is
 * not: a database check that cannot connect skips and points at it, and its own row would still
 * show an older run (the password missing before it was set, or a server that has since gone).
 */
export function withDatabaseHealth(
  definitions: CheckDefinition[],
  registry: CheckRegistry,
): CheckDefinition[] {
  const health = registry.get(DATABASE_HEALTH);
  if (!health || definitions.some((definition) => definition.id === DATABASE_HEALTH)) {
    return definitions;
  }
  return definitions.some((definition) => definition.needsDatabase)
    ? [health, ...definitions]
    : definitions;
}

const DATABASE_HEALTH = 'health.database';

/** The user's settings with the repo playbook's threshold overrides laid over them. */
export function settingsForPlaybook(
  settings: UpkeepSettings,
  playbook: Playbook | undefined,
): UpkeepSettings {
  if (!playbook) return settings;
  return { ...settings, thresholds: effectiveThresholds(settings, playbook) };
}

/** Closes what a run's checks shared (the database session); pass to runChecks' `onFinished`. */
export async function closeSharedResources(shared: Map<string, Promise<unknown>>): Promise<void> {
  await closeSharedDbSession(shared);
}

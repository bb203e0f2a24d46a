/**
 * The ids of the built-in checks: the shared vocabulary between the playbook, which lists them on
 * tasks, and the check engine, which implements them. The loader rejects references to others.
 */

export const BUILTIN_CHECK_IDS = [
  'health.url',
  'health.signIn',
  'health.database',
  'health.email',
  'logs.errorsLastHour',
  'logs.slowRequests',
  'logs.errorRate',
  'logs.avgResponseTime',
  'logs.nPlusOne',
  'logs.failedLogins',
  'logs.suspiciousRequests',
  'host.appMemory',
  'host.diskSpace',
  'host.storageFolders',
  'db.slowQueries',
  'db.topQueriesByMean',
  'db.unusedIndexes',
  'db.missingIndexes',
  'db.vacuum',
  'db.statistics',
  'db.indexHealth',
  'db.connections',
  'db.locks',
  'db.cacheHitRatio',
  'db.wraparound',
  'db.sequences',
  'db.size',
  'db.growth',
  'db.tableGrowth',
  'db.replication',
  'business.onboarding',
  'business.growth',
  'backups.latest',
  'backups.recoveryDrill',
  'backups.recentDrill',
  'backups.files',
  'docs.brokenLinks',
  'docs.stale',
  'docs.generated',
  'repo.uncommitted',
  'repo.behindUpstream',
  'repo.pendingMigrations',
  'repo.versions',
  'tools.rspec',
  'tools.coverage',
  'tools.rubocop',
  'tools.brakeman',
  'tools.bundlerAudit',
  'tools.advisoryDatabase',
  'tools.zeitwerk',
  'security.filterParameters',
  'security.csrf',
  'security.unconfirmedAccounts',
] as const;

export type BuiltinCheckId = (typeof BUILTIN_CHECK_IDS)[number];

const BUILTIN = new Set<string>(BUILTIN_CHECK_IDS);

export function isBuiltinCheckId(id: string): id is BuiltinCheckId {
  return BUILTIN.has(id);
}

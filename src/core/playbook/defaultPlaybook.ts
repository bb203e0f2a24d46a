/**
 * The default playbook, written from the team's maintenance guidelines: every section becomes a
 * task in the tier the guidelines put it in, with its checklist items, its checks and a link to
 * the heading that explains it.
 */
import type { UpkeepSettings } from '../settings';
import { defaultSettings } from '../settings';
import type { BuiltinCheckId } from './checkIds';
import type { ChecklistItem, Playbook, RecordField, Severity, Task, Tier, TierId } from './model';

/** Where the bundled copy of the guidelines lives inside the extension. */
export const GUIDELINES_FILE = 'media/guidelines.md';

const TIERS: Tier[] = [
  {
    id: 'daily',
    title: 'Daily',
    team: 'Operations Team',
    period: 'day',
    guideline: { section: 'Daily Maintenance Tasks' },
  },
  {
    id: 'weekly',
    title: 'Weekly',
    team: 'Development Team',
    period: 'week',
    guideline: { section: 'Weekly Maintenance Tasks' },
  },
  {
    id: 'monthly',
    title: 'Monthly',
    team: 'Security Team',
    period: 'month',
    guideline: { section: 'Monthly Maintenance Tasks' },
  },
  {
    id: 'quarterly',
    title: 'Quarterly',
    team: 'Architecture Team',
    period: 'quarter',
    guideline: { section: 'Quarterly Maintenance' },
  },
  {
    id: 'annual',
    title: 'Annual',
    team: 'Management Team',
    period: 'year',
    guideline: { section: 'Annual Maintenance' },
  },
  {
    // The schedule table gives incident work no team: whoever is on call owns it.
    id: 'onDemand',
    title: 'On demand',
    team: 'On-call Developer',
    period: 'none',
    guideline: { section: 'Issue Management' },
  },
];

const SEVERITIES: Severity[] = [
  {
    id: 'critical',
    title: 'Critical',
    responseTime: '< 1 hour',
    responseHours: 1,
    examples: 'System down, data loss, security breach',
  },
  {
    id: 'high',
    title: 'High',
    responseTime: '< 4 hours',
    responseHours: 4,
    examples: 'Major functionality broken, poor performance',
  },
  {
    id: 'medium',
    title: 'Medium',
    responseTime: '< 24 hours',
    responseHours: 24,
    examples: 'Minor bugs, UI issues, non-critical features',
  },
  {
    id: 'low',
    title: 'Low',
    responseTime: '< 1 week',
    responseHours: 168,
    examples: 'Documentation updates, minor improvements',
  },
];

type Thresholds = UpkeepSettings['thresholds'];

/** A title that quotes thresholds, so a repo or user override does not leave it stale. */
type QuotingTitle = (thresholds: Thresholds) => string;

/** `[id, title, checks]`: short enough to read the guidelines' lists line by line below. */
type ItemSpec = [string, string | QuotingTitle, BuiltinCheckId[]?];

/**
 * A threshold quoted as it is set, never rounded: the figures formatter's `1.3 s` for 1250 ms
 * would put the limit where it is not.
 */
const exact = new Intl.NumberFormat('en-US', { maximumFractionDigits: 20, useGrouping: false });

/**
 * `2 s` for 2000 ms, `1.5 GB` for 1500 MB (the guidelines' 1 GB is their 1000 MB), or the figure
 * in the small unit where the large one would need more than one decimal: `1250 ms`, `2048 MB`.
 */
function quoteIn(value: number, small: string, large: string): string {
  return value >= 1000 && value % 100 === 0
    ? `${exact.format(value / 1000)} ${large}`
    : `${exact.format(value)} ${small}`;
}

function quotePercent(percent: number): string {
  return `${exact.format(percent)} %`;
}

interface TaskSpec {
  id: string;
  title: string;
  section: string;
  description?: string;
  items: ItemSpec[];
  /** Checks that belong to the task but to no one item. */
  extraChecks?: BuiltinCheckId[];
  records?: RecordField[];
}

const TASKS: Record<TierId, TaskSpec[]> = {
  daily: [
    {
      id: 'daily.health',
      title: 'Health monitoring',
      section: 'Health Monitoring',
      items: [
        ['healthUrl', 'Application health URL answers', ['health.url']],
        ['database', 'Database connectivity', ['health.database']],
        ['email', 'E-mail delivery is configured', ['health.email']],
        ['disk', 'Disk space left on the app server', ['host.diskSpace']],
      ],
    },
    {
      id: 'daily.logs',
      title: 'Log monitoring',
      section: 'Log Monitoring',
      items: [
        ['errors', 'Errors in the last hour reviewed', ['logs.errorsLastHour']],
        [
          'slow',
          (t) => `Slow requests (over ${quoteIn(t.slowRequestMs, 'ms', 's')}) reviewed`,
          ['logs.slowRequests'],
        ],
      ],
    },
    {
      id: 'daily.performance',
      title: 'Performance monitoring',
      section: 'Performance Monitoring',
      items: [
        [
          'responseTime',
          (t) => `Average response time under ${quoteIn(t.avgResponseTimeMs, 'ms', 's')}`,
          ['logs.avgResponseTime'],
        ],
        ['nPlusOne', 'No N+1 queries', ['logs.nPlusOne']],
        [
          'memory',
          (t) => `Application memory under ${quoteIn(t.memoryMb, 'MB', 'GB')}`,
          ['host.appMemory'],
        ],
        [
          'errorRate',
          (t) => `Error rate under ${quotePercent(t.errorRatePercent)}`,
          ['logs.errorRate'],
        ],
        ['connections', 'Database connections in use', ['db.connections']],
        ['cache', 'Cache performance (Rails.cache.stats)'],
      ],
    },
    {
      id: 'daily.security',
      title: 'Security monitoring',
      section: 'Security Monitoring',
      items: [
        ['failedLogins', 'Failed logins reviewed', ['logs.failedLogins']],
        ['sqlInjection', 'No SQL-injection attempts', ['logs.suspiciousRequests']],
        ['storage', 'Storage folders (file uploads) as expected', ['host.storageFolders']],
      ],
    },
  ],
  weekly: [
    {
      id: 'weekly.database',
      title: 'Database maintenance',
      section: 'Database Maintenance',
      items: [
        ['statistics', 'Table statistics analyzed', ['db.statistics']],
        ['reindex', 'Invalid or duplicate indexes rebuilt', ['db.indexHealth']],
        ['vacuum', 'Vacuum and analyze', ['db.vacuum']],
        ['wraparound', 'Transaction ID and multixact wraparound far away', ['db.wraparound']],
      ],
    },
    {
      id: 'weekly.queries',
      title: 'Query optimization',
      section: 'Query Optimization',
      items: [
        ['slowest', 'Slowest queries reviewed (pg_stat_statements)', ['db.slowQueries']],
        ['leastUsed', 'Least-used indexes reviewed', ['db.unusedIndexes']],
        ['missing', 'Missing indexes (foreign keys, sequential scans)', ['db.missingIndexes']],
      ],
    },
    {
      id: 'weekly.codeQuality',
      title: 'Code quality',
      section: 'Code Quality Maintenance',
      items: [
        ['tests', 'Test suite passes (rspec)', ['tools.rspec']],
        ['coverage', 'Test coverage checked', ['tools.coverage']],
        ['testData', 'Test database prepared (rails db:test:prepare)'],
        ['rubocop', 'Code smells (RuboCop)', ['tools.rubocop']],
        ['brakeman', 'Security issues (Brakeman)', ['tools.brakeman']],
        [
          'bundlerAudit',
          'Gem vulnerabilities (bundler-audit)',
          ['tools.advisoryDatabase', 'tools.bundlerAudit'],
        ],
      ],
    },
    {
      id: 'weekly.documentation',
      title: 'Documentation updates',
      section: 'Documentation Updates',
      items: [
        ['api', 'Update API documentation for any changes', ['docs.stale']],
        ['userGuides', 'Review user guides for accuracy'],
        ['technical', 'Update technical documentation', ['docs.stale']],
        ['comments', 'Add comments for complex code'],
        ['deployment', 'Update deployment guides'],
        ['generate', 'Generate documentation (yard doc)', ['docs.generated']],
        ['links', 'No broken links', ['docs.brokenLinks']],
      ],
    },
    {
      id: 'weekly.metrics',
      title: 'Key metrics and alerting',
      section: 'Monitoring and Alerting',
      items: [
        [
          'business',
          'Business metrics: registrations, onboarding, drop-off, retention',
          ['business.onboarding', 'business.growth'],
        ],
        [
          'technical',
          'Technical metrics: response time, error rate, queries, memory',
          ['logs.avgResponseTime', 'logs.errorRate', 'db.slowQueries', 'host.appMemory'],
        ],
        [
          'thresholds',
          (t) =>
            `Alert thresholds: error rate ${quotePercent(t.errorRateAlertPercent)}, ` +
            `response time ${quoteIn(t.avgResponseTimeMs, 'ms', 's')}, ` +
            `memory ${exact.format(t.memoryMb)} MB`,
        ],
        ['channels', 'Alert channels reach people: e-mail, Slack, PagerDuty, SMS'],
      ],
    },
  ],
  monthly: [
    {
      id: 'monthly.securityUpdates',
      title: 'Security updates and patches',
      section: 'Security Patch Management',
      items: [
        [
          'bundlerAudit',
          'Advisory database updated and gems audited',
          ['tools.advisoryDatabase', 'tools.bundlerAudit'],
        ],
        ['rails', 'Rails security patches applied (bundle update rails)'],
        ['zeitwerk', 'Autoloading still loads (zeitwerk:check)', ['tools.zeitwerk']],
        [
          'filterParameters',
          'Sensitive parameters filtered from logs',
          ['security.filterParameters'],
        ],
        ['migrations', 'No pending migrations after the update', ['repo.pendingMigrations']],
      ],
    },
    {
      id: 'monthly.securityTesting',
      title: 'Security testing',
      section: 'Security Testing',
      items: [
        ['securitySpecs', 'Security request specs pass (--tag security)', ['tools.rspec']],
        [
          'authentication',
          'Authentication flows: unconfirmed e-mail accounts reviewed',
          ['security.unconfirmedAccounts'],
        ],
        ['authorization', 'Authorization verified for businesses and services'],
        ['brakeman', 'Static security scan (Brakeman)', ['tools.brakeman']],
      ],
    },
    {
      id: 'monthly.securityReview',
      title: 'Security practices review',
      section: 'Security Guidelines',
      items: [
        ['validation', 'New input is validated (model validations, strong parameters)'],
        ['escaping', 'Output is escaped (XSS)'],
        // Whether the code's queries are parameterized: no check reads the code for that; the
        // attempts in the logs stay with the task.
        ['sql', 'Queries are parameterized (SQL injection)'],
        ['csrf', 'CSRF protection left on', ['security.csrf']],
        ['auth', 'Every controller authenticates and authorizes'],
        ['sessions', 'Sessions are managed securely'],
        ['paths', 'File paths are validated (directory traversal)'],
        ['signIn', 'Sign-in page answers over HTTPS', ['health.signIn']],
      ],
      extraChecks: ['logs.suspiciousRequests'],
    },
    {
      id: 'monthly.performanceTuning',
      title: 'Performance tuning',
      section: 'Performance Tuning',
      items: [
        ['indexes', 'Indexes for frequently queried columns', ['db.missingIndexes']],
        ['plans', 'Query plans checked with EXPLAIN ANALYZE (onboarding queries)'],
        // The guidelines' LIMIT 20 by mean time; the weekly review's db.slowQueries lists 10.
        ['queries', 'Top 20 queries by mean time reviewed', ['db.topQueriesByMean']],
        ['cacheHit', 'Database cache hit ratio', ['db.cacheHitRatio']],
      ],
    },
    {
      id: 'monthly.applicationOptimization',
      title: 'Application and memory optimization',
      section: 'Performance Guidelines',
      items: [
        [
          'n1',
          'N+1 queries and per-row updates replaced (update_all, find_each)',
          ['logs.nPlusOne'],
        ],
        ['expensive', 'Expensive operations cached'],
        ['memory', 'Memory usage within the limit', ['host.appMemory']],
        [
          'memoryUse',
          'Memory optimized: ActiveRecord query cache cleared, efficient data structures',
        ],
      ],
    },
    {
      id: 'monthly.caching',
      title: 'Caching review',
      section: 'Caching Strategy',
      items: [
        ['frequent', 'Frequently accessed data is cached (e.g. onboarding stats)'],
        ['expiry', 'Expiry times still fit the data'],
        ['clear', 'Stale cache entries cleared when needed'],
        ['stats', 'Cache performance reviewed (Rails.cache.stats)'],
      ],
    },
    {
      id: 'monthly.backups',
      title: 'Backup verification and recovery drill',
      section: 'Backup and Recovery',
      items: [
        [
          'latest',
          'Latest database backup is recent and readable (pg_restore --list)',
          ['backups.latest'],
        ],
        ['files', 'File backup present (storage/backup)', ['backups.files']],
        [
          'drill',
          'Recovery drill: backup restored into a scratch database',
          ['backups.recentDrill'],
        ],
        ['fileRestore', 'File restoration procedure tried'],
        ['replication', 'Replication (if any) is streaming', ['db.replication']],
      ],
    },
  ],
  quarterly: [
    {
      id: 'quarterly.architecture',
      title: 'Architecture review',
      section: 'Architecture Evaluation',
      items: [
        ['schema', 'Review database schema for optimization opportunities'],
        ['caching', 'Evaluate caching strategy effectiveness'],
        ['bottlenecks', 'Assess performance bottlenecks'],
        ['security', 'Review security architecture'],
        ['scalability', 'Plan for scalability improvements'],
      ],
    },
    {
      id: 'quarterly.growth',
      title: 'Database and table growth',
      section: 'Architecture Commands',
      items: [
        // "Review database growth" lists the largest relations; Upkeep's size snapshots add how
        // much they grew.
        ['largest', 'Largest relations reviewed', ['db.size', 'db.growth']],
        // pg_stat_user_tables' inserts, updates and deletes, busiest first, and per day since
        // a size snapshot.
        ['tableGrowth', 'Table growth (inserts, updates, deletes) reviewed', ['db.tableGrowth']],
        ['sequences', 'Sequences ahead of their keys and far from their maximum', ['db.sequences']],
      ],
    },
    {
      id: 'quarterly.stack',
      title: 'Technology stack versions',
      section: 'Technology Stack Updates',
      items: [
        ['versions', 'Ruby, Node.js and Rails versions reviewed', ['repo.versions']],
        // bundler-audit says which gems are vulnerable, not whether they were updated.
        ['dependencies', 'Gems updated (bundle update)'],
        ['compatibility', 'Tests pass on the new versions', ['tools.rspec']],
      ],
      extraChecks: ['tools.bundlerAudit'],
    },
    {
      id: 'quarterly.ux',
      title: 'User-experience review',
      section: 'User Experience Review',
      items: [
        ['completion', 'Onboarding completion rate', ['business.onboarding']],
        ['dropOff', 'Drop-off by onboarding step', ['business.onboarding']],
        ['timeToComplete', 'Time to complete onboarding', ['business.onboarding']],
      ],
    },
  ],
  annual: [
    {
      id: 'annual.planning',
      title: 'Long-term planning',
      section: 'Long-term Planning',
      items: [
        ['growth', 'System growth: users, businesses, services', ['business.growth']],
        ['databaseSize', 'Database size', ['db.size']],
        ['trends', 'Performance trends (average response time)', ['logs.avgResponseTime']],
        ['goals', 'Business goals and technical alignment reviewed'],
        ['features', 'Major feature additions planned'],
        ['stack', 'Technology stack evolution evaluated'],
        ['security', 'Security posture reviewed'],
        ['scaling', 'Scaling requirements planned'],
      ],
    },
    {
      id: 'annual.disasterRecovery',
      title: 'Disaster recovery test',
      section: 'Disaster Recovery Testing',
      items: [
        ['backup', 'Production backup taken', ['backups.latest', 'backups.files']],
        ['restore', 'Restored to staging', ['backups.recoveryDrill']],
        ['verify', 'All functionality verified'],
        ['document', 'Recovery time documented'],
        ['failover', 'Failover procedure tested'],
      ],
      records: [{ id: 'recoveryMinutes', title: 'Recovery time', unit: 'minutes' }],
    },
  ],
  onDemand: [
    {
      id: 'onDemand.bugFix',
      title: 'Bug-fix workflow',
      section: 'Bug Fix Workflow',
      description: 'Answer by severity: Critical < 1 h, High < 4 h, Medium < 24 h, Low < 1 week.',
      items: [
        ['reproduce', 'Reproduce: steps to reproduce the issue'],
        ['isolate', 'Isolate: the root cause'],
        ['fix', 'Fix: implement the solution'],
        ['test', 'Test: verify the fix works', ['tools.rspec']],
        ['document', 'Document: the fix and related documentation'],
      ],
    },
    {
      id: 'onDemand.feature',
      title: 'Feature workflow',
      section: 'Feature Development Process',
      items: [
        ['plan', 'Plan: requirements and acceptance criteria'],
        ['design', 'Design: technical design document'],
        ['develop', 'Develop: test first (TDD)'],
        ['test', 'Test: comprehensive testing', ['tools.rspec', 'tools.coverage']],
        ['deploy', 'Deploy to production', ['repo.pendingMigrations']],
        ['monitor', 'Monitor for issues', ['logs.errorRate', 'logs.errorsLastHour']],
      ],
    },
    {
      id: 'onDemand.troubleshooting',
      title: 'Troubleshooting',
      section: 'Troubleshooting Guide',
      items: [
        ['connections', 'Database connections and pool', ['db.connections']],
        ['locks', 'Locked tables', ['db.locks']],
        ['slowQueries', 'Slow queries', ['db.slowQueries']],
        ['memory', 'Memory leaks', ['host.appMemory']],
        ['disk', 'Disk space', ['host.diskSpace']],
        ['sessions', 'Authentication: sessions and e-mail confirmation'],
        ['debugMode', 'Debug mode: log level, ActiveRecord logger and query plans (explain)'],
        ['resources', 'System resources and network connections (top, netstat)'],
        ['contacts', 'Escalated to the maintenance team if needed'],
      ],
    },
  ],
};

function titleOf(title: ItemSpec[1], thresholds: Thresholds): string {
  return typeof title === 'string' ? title : title(thresholds);
}

function buildItem([id, title, checks]: ItemSpec): ChecklistItem {
  const text = titleOf(title, defaultSettings.thresholds);
  return checks ? { id, title: text, checks: [...checks] } : { id, title: text };
}

function buildTask(tier: Tier, spec: TaskSpec): Task {
  const items = spec.items.map(buildItem);
  const checks = [
    ...new Set([...items.flatMap((item) => item.checks ?? []), ...(spec.extraChecks ?? [])]),
  ];
  const task: Task = {
    id: spec.id,
    tier: tier.id,
    title: spec.title,
    team: tier.team,
    guideline: { section: spec.section },
    items,
    checks,
    origin: 'default',
  };
  if (spec.description) task.description = spec.description;
  if (spec.records) task.records = spec.records.map((record) => ({ ...record }));
  return task;
}

/** A fresh copy each call: the loader changes it in place while applying the repo's file. */
export function defaultPlaybook(): Playbook {
  const tiers = TIERS.map((tier) => ({
    ...tier,
    guideline: tier.guideline && { ...tier.guideline },
  }));
  const tasks = tiers.flatMap((tier) => TASKS[tier.id].map((spec) => buildTask(tier, spec)));
  return {
    tiers,
    tasks,
    customChecks: [],
    thresholds: {},
    severities: SEVERITIES.map((severity) => ({ ...severity })),
  };
}

const SPECS = new Map(Object.values(TASKS).flatMap((specs) => specs.map((s) => [s.id, s])));

/**
 * Rewrites the default titles that quote a threshold (`Average response time under 2 s`) with
 * the given thresholds, in place. A title the repo's file changed is left as written, unless it
 * is the default title word for word.
 */
export function quoteThresholds(playbook: Playbook, thresholds: Thresholds): void {
  for (const task of playbook.tasks) {
    const spec = SPECS.get(task.id);
    if (!spec) continue;
    for (const item of task.items) {
      const title = spec.items.find(([id]) => id === item.id)?.[1];
      if (typeof title !== 'function') continue;
      if (item.title === title(defaultSettings.thresholds)) item.title = title(thresholds);
    }
  }
}

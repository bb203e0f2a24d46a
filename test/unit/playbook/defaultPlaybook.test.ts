/**
 * The default playbook covers the guidelines: every tier with its schedule-table team, every
 * section the issue names, only known check ids, and guideline links to headings that exist;
 * each line of work of the guidelines on an item of its tier with the checks that measure it,
 * their thresholds and templates as they are written.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { defaultPlaybook, GUIDELINES_FILE } from '../../../src/core/playbook/defaultPlaybook';
import { isBuiltinCheckId } from '../../../src/core/playbook/checkIds';
import { findTask, tasksOfTier } from '../../../src/core/playbook/model';
import { findHeadingLine } from '../../../src/core/playbook/guidelines';
import { defaultSettings } from '../../../src/core/settings';
import { BUILTIN_TEMPLATES } from '../../../src/core/templates/builtin';
import type { SeverityId } from '../../../src/core/templates/severity';
import { severityById } from '../../../src/core/templates/severity';

const root = path.join(__dirname, '../../..');

describe('default playbook', () => {
  const playbook = defaultPlaybook();

  it('has the tiers and teams of the schedule table', () => {
    assert.deepEqual(
      playbook.tiers.map((tier) => [tier.id, tier.team, tier.period]),
      [
        ['daily', 'Operations Team', 'day'],
        ['weekly', 'Development Team', 'week'],
        ['monthly', 'Security Team', 'month'],
        ['quarterly', 'Architecture Team', 'quarter'],
        ['annual', 'Management Team', 'year'],
        ['onDemand', 'On-call Developer', 'none'],
      ],
    );
    for (const task of playbook.tasks) {
      assert.equal(task.team, playbook.tiers.find((tier) => tier.id === task.tier)?.team);
    }
  });

  it('covers every section the issue lists', () => {
    const expected: Record<string, string[]> = {
      daily: [
        'Health monitoring',
        'Log monitoring',
        'Performance monitoring',
        'Security monitoring',
      ],
      weekly: [
        'Database maintenance',
        'Query optimization',
        'Code quality',
        'Documentation updates',
      ],
      monthly: [
        'Security updates and patches',
        'Security testing',
        'Performance tuning',
        'Caching review',
        'Backup verification and recovery drill',
      ],
      quarterly: [
        'Architecture review',
        'Database and table growth',
        'Technology stack versions',
        'User-experience review',
      ],
      annual: ['Long-term planning', 'Disaster recovery test'],
      onDemand: ['Bug-fix workflow', 'Feature workflow'],
    };
    for (const [tier, titles] of Object.entries(expected)) {
      const actual = tasksOfTier(playbook, tier as never).map((task) => task.title);
      for (const title of titles) assert.ok(actual.includes(title), `${tier}: ${title}`);
    }
    const docs = findTask(playbook, 'weekly.documentation')!;
    for (const item of [
      'Update API documentation for any changes',
      'Review user guides for accuracy',
      'Update technical documentation',
      'Add comments for complex code',
      'Update deployment guides',
    ]) {
      assert.ok(
        docs.items.some((candidate) => candidate.title === item),
        item,
      );
    }
    assert.deepEqual(
      findTask(playbook, 'onDemand.bugFix')!.items.map((item) => item.id),
      ['reproduce', 'isolate', 'fix', 'test', 'document'],
    );
    assert.deepEqual(
      findTask(playbook, 'onDemand.feature')!.items.map((item) => item.id),
      ['plan', 'design', 'develop', 'test', 'deploy', 'monitor'],
    );
    assert.deepEqual(
      playbook.severities.map((severity) => [severity.title, severity.responseHours]),
      [
        ['Critical', 1],
        ['High', 4],
        ['Medium', 24],
        ['Low', 168],
      ],
    );
    assert.deepEqual(findTask(playbook, 'annual.disasterRecovery')!.records, [
      { id: 'recoveryMinutes', title: 'Recovery time', unit: 'minutes' },
    ]);
  });

  it('uses only built-in check ids, listed on the task of every item that uses them', () => {
    for (const task of playbook.tasks) {
      for (const id of task.checks) assert.ok(isBuiltinCheckId(id), `${task.id}: ${id}`);
      for (const item of task.items) {
        for (const id of item.checks ?? []) {
          assert.ok(task.checks.includes(id), `${task.id}: ${id}`);
        }
      }
    }
  });

  it("gives the troubleshooting guide's issues and debug commands an item each", () => {
    // "Troubleshooting Guide": Database, Performance and Authentication Issues, then Debug
    // Commands (Debug Mode; System Debug: resources, disk space, network connections).
    const items = findTask(playbook, 'onDemand.troubleshooting')!.items.map((item) => item.id);
    for (const id of ['connections', 'locks', 'slowQueries', 'memory', 'sessions']) {
      assert.ok(items.includes(id), id);
    }
    for (const id of ['debugMode', 'resources', 'disk']) assert.ok(items.includes(id), id);
  });

  it('keeps manual work manual: architecture and caching review have no checks', () => {
    assert.deepEqual(findTask(playbook, 'quarterly.architecture')!.checks, []);
    assert.deepEqual(findTask(playbook, 'monthly.caching')!.checks, []);
  });

  it('links every task and tier to a heading of the bundled guidelines', () => {
    const bundled = readFileSync(path.join(root, GUIDELINES_FILE), 'utf8');
    // The project's shared folder stands beside the repository (as in CI); elsewhere it is absent.
    const shared = path.join(root, '../shared/guidelines/maintenance-guidelines.md');
    // The bundled copy is the team's file; keep it in step when the guidelines change.
    try {
      assert.equal(bundled, readFileSync(shared, 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    for (const node of [...playbook.tiers, ...playbook.tasks]) {
      const section = node.guideline!.section;
      assert.ok(findHeadingLine(bundled, section) !== undefined, `${node.id}: ${section}`);
    }
  });

  it('gives unique task ids and unique item ids within a task', () => {
    const ids = playbook.tasks.map((task) => task.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const task of playbook.tasks) {
      const itemIds = task.items.map((item) => item.id);
      assert.equal(new Set(itemIds).size, itemIds.length, task.id);
    }
  });
});

/**
 * The team lead's table: each line of work the guidelines give (a checklist or list item, a
 * commented command) and the checklist item of the default playbook that carries it, with the
 * checks that claim to verify it (none when it stays manual: no check measures it).
 */
type Cover = [task: string, item: string, checks: string[]];

const ARCHITECTURE = 'quarterly.architecture';
const DR = 'annual.disasterRecovery';
const BUG = 'onDemand.bugFix';
const FEATURE = 'onDemand.feature';
const TROUBLE = 'onDemand.troubleshooting';
const REVIEW = 'monthly.securityReview';
const APP = 'monthly.applicationOptimization';
const METRICS = 'weekly.metrics';
const TUNING = 'monthly.performanceTuning';
const BACKUPS = 'monthly.backups';
const AUDIT = ['tools.advisoryDatabase', 'tools.bundlerAudit'];

const COVERAGE: Record<string, Record<string, Cover>> = {
  'Daily Maintenance Tasks': {
    '# Health check verification': ['daily.health', 'healthUrl', ['health.url']],
    '# Database connectivity': ['daily.health', 'database', ['health.database']],
    '# Email delivery test': ['daily.health', 'email', ['health.email']],
    '# Check for errors in the last hour': ['daily.logs', 'errors', ['logs.errorsLastHour']],
    // Its grep reads Completed lines: requests, whose time includes their queries.
    '# Monitor for slow queries (> 1 second)': ['daily.logs', 'slow', ['logs.slowRequests']],
    '- **Response Time**: Average < 2 seconds for all endpoints': [
      'daily.performance',
      'responseTime',
      ['logs.avgResponseTime'],
    ],
    '- **Database Queries**: No N+1 queries identified': [
      'daily.performance',
      'nPlusOne',
      ['logs.nPlusOne'],
    ],
    '- **Memory Usage**: Application memory < 1GB': [
      'daily.performance',
      'memory',
      ['host.appMemory'],
    ],
    '- **Error Rate**: < 0.1% error rate': ['daily.performance', 'errorRate', ['logs.errorRate']],
    // `rails log:tail`: the log the response-time figures are read from.
    '# Monitor Rails performance': ['daily.performance', 'responseTime', ['logs.avgResponseTime']],
    '# Check memory usage': ['daily.performance', 'memory', ['host.appMemory']],
    '# Check database connections': ['daily.performance', 'connections', ['db.connections']],
    '# Monitor cache performance': ['daily.performance', 'cache', []],
    '# Monitor for suspicious activity': ['daily.security', 'failedLogins', ['logs.failedLogins']],
    '# Check for SQL injection attempts': [
      'daily.security',
      'sqlInjection',
      ['logs.suspiciousRequests'],
    ],
    '# Monitor file upload security': ['daily.security', 'storage', ['host.storageFolders']],
  },
  'Weekly Maintenance Tasks': {
    '# Analyze table statistics': ['weekly.database', 'statistics', ['db.statistics']],
    '# Rebuild indexes if needed': ['weekly.database', 'reindex', ['db.indexHealth']],
    '# Vacuum and analyze': ['weekly.database', 'vacuum', ['db.vacuum']],
    '-- Identify slow queries': ['weekly.queries', 'slowest', ['db.slowQueries']],
    // Its SQL lists the least-scanned indexes; the task also has a Missing indexes item.
    '-- Check for missing indexes': ['weekly.queries', 'leastUsed', ['db.unusedIndexes']],
    '# Run all tests': ['weekly.codeQuality', 'tests', ['tools.rspec']],
    '# Check test coverage': ['weekly.codeQuality', 'coverage', ['tools.coverage']],
    '# Update test data if needed': ['weekly.codeQuality', 'testData', []],
    '# Check for code smells': ['weekly.codeQuality', 'rubocop', ['tools.rubocop']],
    '# Check for security issues': ['weekly.codeQuality', 'brakeman', ['tools.brakeman']],
    '# Check for gem vulnerabilities': ['weekly.codeQuality', 'bundlerAudit', AUDIT],
    '- [ ] Update API documentation for any changes': [
      'weekly.documentation',
      'api',
      ['docs.stale'],
    ],
    '- [ ] Review user guides for accuracy': ['weekly.documentation', 'userGuides', []],
    '- [ ] Update technical documentation': ['weekly.documentation', 'technical', ['docs.stale']],
    '- [ ] Add comments for complex code': ['weekly.documentation', 'comments', []],
    '- [ ] Update deployment guides': ['weekly.documentation', 'deployment', []],
    '# Generate documentation': ['weekly.documentation', 'generate', ['docs.generated']],
    '# Check for broken links': ['weekly.documentation', 'links', ['docs.brokenLinks']],
  },
  'Monthly Maintenance Tasks': {
    '# Check for gem vulnerabilities': ['monthly.securityUpdates', 'bundlerAudit', AUDIT],
    '# Update Rails security patches': ['monthly.securityUpdates', 'rails', []],
    '# Verify all security configurations': [
      'monthly.securityUpdates',
      'filterParameters',
      ['security.filterParameters'],
    ],
    '# Run security tests': ['monthly.securityTesting', 'securitySpecs', ['tools.rspec']],
    '# Test authentication flows': [
      'monthly.securityTesting',
      'authentication',
      ['security.unconfirmedAccounts'],
    ],
    '# Verify authorization': ['monthly.securityTesting', 'authorization', []],
    '-- Add indexes for frequently queried columns': [TUNING, 'indexes', ['db.missingIndexes']],
    '-- Optimize queries for onboarding performance': [TUNING, 'plans', []],
    // Its LIMIT 20 by mean time: db.topQueriesByMean lists 20 (db.slowQueries 10, as weekly).
    '-- Monitor query performance': [TUNING, 'queries', ['db.topQueriesByMean']],
    '# Implement caching for frequently accessed data': ['monthly.caching', 'frequent', []],
    '# Clear cache when needed': ['monthly.caching', 'clear', []],
    '# Monitor cache performance': ['monthly.caching', 'stats', []],
    '# Verify database backup': [BACKUPS, 'latest', ['backups.latest']],
    '# Test file backup restoration': [BACKUPS, 'files', ['backups.files']],
    '# Verify backup integrity': [BACKUPS, 'latest', ['backups.latest']],
    '# Database recovery procedure': [BACKUPS, 'drill', ['backups.recentDrill']],
    '# File restoration procedure': [BACKUPS, 'fileRestore', []],
  },
  'Quarterly Maintenance': {
    '- Review database schema for optimization opportunities': [ARCHITECTURE, 'schema', []],
    '- Evaluate caching strategy effectiveness': [ARCHITECTURE, 'caching', []],
    '- Assess performance bottlenecks': [ARCHITECTURE, 'bottlenecks', []],
    '- Review security architecture': [ARCHITECTURE, 'security', []],
    '- Plan for scalability improvements': [ARCHITECTURE, 'scalability', []],
    // The largest relations by size, and their growth from Upkeep's size snapshots.
    '-- Review database growth': ['quarterly.growth', 'largest', ['db.size', 'db.growth']],
    // Inserts, updates and deletes (pg_stat_user_tables), busiest first, and per day.
    '-- Review table growth': ['quarterly.growth', 'tableGrowth', ['db.tableGrowth']],
    '# Update Ruby version': ['quarterly.stack', 'versions', ['repo.versions']],
    '# Update Node.js version': ['quarterly.stack', 'versions', ['repo.versions']],
    '# Update Rails version': ['quarterly.stack', 'versions', ['repo.versions']],
    // No check can tell that gems were updated (bundler-audit says which are vulnerable).
    '# Update all gems': ['quarterly.stack', 'dependencies', []],
    '# Check for compatibility issues': ['quarterly.stack', 'versions', ['repo.versions']],
    '# Test with new versions': ['quarterly.stack', 'compatibility', ['tools.rspec']],
    '# Analyze onboarding completion rates': [
      'quarterly.ux',
      'completion',
      ['business.onboarding'],
    ],
    '# Analyze drop-off points': ['quarterly.ux', 'dropOff', ['business.onboarding']],
    '# Analyze time spent on each step': [
      'quarterly.ux',
      'timeToComplete',
      ['business.onboarding'],
    ],
  },
  'Annual Maintenance': {
    '- Review business goals and technical alignment': ['annual.planning', 'goals', []],
    '- Plan for major feature additions': ['annual.planning', 'features', []],
    '- Evaluate technology stack evolution': ['annual.planning', 'stack', []],
    '- Review security posture': ['annual.planning', 'security', []],
    '- Plan for scaling requirements': ['annual.planning', 'scaling', []],
    '# Review system growth': ['annual.planning', 'growth', ['business.growth']],
    '# Review database size': ['annual.planning', 'databaseSize', ['db.size']],
    '# Review performance trends': ['annual.planning', 'trends', ['logs.avgResponseTime']],
    '# Test full system recovery': [DR, 'restore', ['backups.recoveryDrill']],
    '1. Take production backup': [DR, 'backup', ['backups.latest', 'backups.files']],
    '2. Restore to staging environment': [DR, 'restore', ['backups.recoveryDrill']],
    '3. Verify all functionality': [DR, 'verify', []],
    '4. Document recovery time': [DR, 'document', []],
    '# Test failover procedures': [DR, 'failover', []],
  },
  'Issue Management': {
    '1. **Reproduce**: Identify steps to reproduce the issue': [BUG, 'reproduce', []],
    '2. **Isolate**: Determine the root cause': [BUG, 'isolate', []],
    '3. **Fix**: Implement the solution': [BUG, 'fix', []],
    '4. **Test**: Verify the fix works': [BUG, 'test', ['tools.rspec']],
    '5. **Document**: Document the fix': [BUG, 'document', []],
    '1. **Planning**: Define requirements and acceptance criteria': [FEATURE, 'plan', []],
    '2. **Design**: Create technical design document': [FEATURE, 'design', []],
    '3. **Development**: Implement following TDD': [FEATURE, 'develop', []],
    '4. **Testing**: Comprehensive testing': [FEATURE, 'test', ['tools.rspec', 'tools.coverage']],
    '5. **Deployment**: Deploy to production': [FEATURE, 'deploy', ['repo.pendingMigrations']],
    '6. **Monitoring**: Monitor for issues': [
      FEATURE,
      'monitor',
      ['logs.errorRate', 'logs.errorsLastHour'],
    ],
  },
  'Performance Guidelines': {
    '-- Add indexes for frequently queried columns': [TUNING, 'indexes', ['db.missingIndexes']],
    '-- Optimize queries': [TUNING, 'plans', []],
    // By total time, LIMIT 10: db.topQueriesByMean reads the top 10 by total time as well.
    '-- Monitor query performance': [TUNING, 'queries', ['db.topQueriesByMean']],
    '# Use caching for expensive operations': [APP, 'expensive', []],
    '# Optimize ActiveRecord queries': [APP, 'n1', ['logs.nPlusOne']],
    '# Before: User.where(onboarding_step: 1).each { |user| user.update(attribute: value) }': [
      APP,
      'n1',
      ['logs.nPlusOne'],
    ],
    '# After: User.where(onboarding_step: 1).update_all(attribute: value)': [
      APP,
      'n1',
      ['logs.nPlusOne'],
    ],
    '# Use batch processing': [APP, 'n1', ['logs.nPlusOne']],
    '# Monitor memory usage': [APP, 'memory', ['host.appMemory']],
    '# Optimize ActiveRecord': [APP, 'memoryUse', []],
    '# Use efficient data structures': [APP, 'memoryUse', []],
    '# Use sets for unique values': [APP, 'memoryUse', []],
    '# Use arrays for ordered lists': [APP, 'memoryUse', []],
  },
  'Security Guidelines': {
    '# Always validate user input': [REVIEW, 'validation', []],
    '# Sanitize output': [REVIEW, 'escaping', []],
    '# Use Rails strong parameters': [REVIEW, 'validation', []],
    '# Always authenticate': [REVIEW, 'auth', []],
    '# Check authorization': [REVIEW, 'auth', []],
    '# Use secure session management': [REVIEW, 'sessions', []],
    '- **XSS**: Always escape user input': [REVIEW, 'escaping', []],
    // Whether the code's queries are parameterized: the attempts in the logs do not say.
    '- **SQL Injection**: Use ActiveRecord or parameterized queries': [REVIEW, 'sql', []],
    '- **CSRF**: Rails handles CSRF automatically': [REVIEW, 'csrf', ['security.csrf']],
    '- **Authentication Bypass**: Always verify user identity': [REVIEW, 'auth', []],
    '- **Directory Traversal**: Validate file paths': [REVIEW, 'paths', []],
    '# Run security scanning': ['monthly.securityTesting', 'brakeman', ['tools.brakeman']],
    '# Check for known vulnerabilities': ['monthly.securityUpdates', 'bundlerAudit', AUDIT],
    '# Test authentication': [REVIEW, 'signIn', ['health.signIn']],
  },
  'Monitoring and Alerting': {
    '- **User registration rate**: New users per day': [
      METRICS,
      'business',
      ['business.onboarding', 'business.growth'],
    ],
    '- **Onboarding completion rate**: % of users completing onboarding': [
      METRICS,
      'business',
      ['business.onboarding', 'business.growth'],
    ],
    '- **Drop-off points**: Where users abandon onboarding': [
      METRICS,
      'business',
      ['business.onboarding', 'business.growth'],
    ],
    '- **User retention**: % of users returning after 7 days': [
      METRICS,
      'business',
      ['business.onboarding', 'business.growth'],
    ],
    ...Object.fromEntries(
      [
        '- **Response time**: Average response time',
        '- **Error rate**: % of requests with errors',
        '- **Database performance**: Query execution time',
        '- **Memory usage**: Application memory consumption',
      ].map((line): [string, Cover] => [
        line,
        [
          METRICS,
          'technical',
          ['logs.avgResponseTime', 'logs.errorRate', 'db.slowQueries', 'host.appMemory'],
        ],
      ]),
    ),
    '# Alert on high error rate': [METRICS, 'thresholds', []],
    '# Alert on slow response times': [METRICS, 'thresholds', []],
    '# Alert on memory usage': [METRICS, 'thresholds', []],
    '- **Email**: For critical issues': [METRICS, 'channels', []],
    '- **Slack**: For team notifications': [METRICS, 'channels', []],
    '- **PagerDuty**: For emergency issues': [METRICS, 'channels', []],
    '- **SMS**: For urgent alerts': [METRICS, 'channels', []],
  },
  'Troubleshooting Guide': {
    '# Check database connections': [TROUBLE, 'connections', ['db.connections']],
    '# Reset connection pool': [TROUBLE, 'connections', ['db.connections']],
    '# Check for locked tables': [TROUBLE, 'locks', ['db.locks']],
    '# Check for slow queries': [TROUBLE, 'slowQueries', ['db.slowQueries']],
    '# Check for memory leaks': [TROUBLE, 'memory', ['host.appMemory']],
    '# Check user sessions': [TROUBLE, 'sessions', []],
    '# Verify email confirmation': [TROUBLE, 'sessions', []],
    '# Enable debug mode': [TROUBLE, 'debugMode', []],
    '# Debug ActiveRecord': [TROUBLE, 'debugMode', []],
    '# Debug queries': [TROUBLE, 'debugMode', []],
    '# Check system resources': [TROUBLE, 'resources', []],
    '# Check disk space': [TROUBLE, 'disk', ['host.diskSpace']],
    '# Check network connections': [TROUBLE, 'resources', []],
  },
  'Contact Information': Object.fromEntries(
    [
      '- **Lead Developer**: [Contact Information]',
      '- **DevOps Engineer**: [Contact Information]',
      '- **Security Specialist**: [Contact Information]',
      '- **General Support**: [Support Email]',
      '- **Emergency Contact**: [Phone Number]',
      '- **Documentation**: [Documentation Link]',
      '- **Rails Support**: [Rails Support]',
      '- **Database Support**: [PostgreSQL Support]',
      '- **Hosting Support**: [Hosting Provider]',
    ].map((line): [string, Cover] => [line, [TROUBLE, 'contacts', []]]),
  ),
};

/** Sections whose tasks the guidelines put in a tier: the playbook keeps them there. */
const SECTION_TIERS: Record<string, string> = {
  'Daily Maintenance Tasks': 'daily',
  'Weekly Maintenance Tasks': 'weekly',
  'Monthly Maintenance Tasks': 'monthly',
  'Quarterly Maintenance': 'quarterly',
  'Annual Maintenance': 'annual',
  'Issue Management': 'onDemand',
  'Troubleshooting Guide': 'onDemand',
  'Contact Information': 'onDemand',
};

/**
 * Sections and blocks that hold no line of work: the overview and principles, the tier and
 * schedule tables (the severities and tiers tests read them), and the two templates (compared
 * with the built-in ones below).
 */
const NOT_WORK = new Set(['Overview', 'Maintenance Philosophy', 'Maintenance Schedule']);
const TEMPLATE_BLOCKS = new Set(['Bug Fix Template', 'Feature Template']);

interface GuidelineLine {
  section: string;
  heading: string;
  line: string;
}

/** The lines of work: list items outside code, commented commands and numbered steps inside. */
function guidelineLines(text: string): GuidelineLine[] {
  const lines: GuidelineLine[] = [];
  let section = '';
  let heading = '';
  let code = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('```')) {
      code = !code;
      continue;
    }
    if (!code && /^#{2,4} /.test(line)) {
      const title = line.replace(/^#+ /, '').trim();
      if (line.startsWith('## ')) section = title;
      heading = title;
      continue;
    }
    const work = code ? /^(# |-- |\d+\. )/.test(line) : /^(- |\d+\. )/.test(line);
    if (work && !NOT_WORK.has(section) && !TEMPLATE_BLOCKS.has(heading)) {
      lines.push({ section, heading, line: line.trim() });
    }
  }
  return lines;
}

describe('default playbook against the guidelines', () => {
  const playbook = defaultPlaybook();
  const guidelines = readFileSync(path.join(root, GUIDELINES_FILE), 'utf8');

  it('carries each line of work on an item of its tier, with only checks that measure it', () => {
    const lines = guidelineLines(guidelines);
    const uncovered = lines
      .filter(({ section, line }) => !COVERAGE[section]?.[line])
      .map(({ section, line }) => `${section}: ${line}`);
    assert.deepEqual(uncovered, [], 'lines of the guidelines with no item');
    const stale = Object.entries(COVERAGE).flatMap(([section, rows]) =>
      Object.keys(rows)
        .filter((line) => !lines.some((l) => l.section === section && l.line === line))
        .map((line) => `${section}: ${line}`),
    );
    assert.deepEqual(stale, [], 'rows for lines the guidelines no longer have');

    const wrong: string[] = [];
    for (const [section, rows] of Object.entries(COVERAGE)) {
      for (const [line, [taskId, itemId, checks]] of Object.entries(rows)) {
        const task = findTask(playbook, taskId);
        const item = task?.items.find((candidate) => candidate.id === itemId);
        if (!task || !item) {
          wrong.push(`${line}: no item ${taskId}/${itemId}`);
          continue;
        }
        const tier = SECTION_TIERS[section];
        if (tier && task.tier !== tier) {
          wrong.push(`${line}: ${taskId} is ${task.tier}, not ${tier}`);
        }
        const actual = item.checks ?? [];
        if (actual.join() !== checks.join()) {
          wrong.push(
            `${line}: ${taskId}/${itemId} checks ${actual.join(', ') || 'none'}, ` +
              `not ${checks.join(', ') || 'none'}`,
          );
        }
      }
    }
    assert.deepEqual(wrong, []);
  });

  it('takes every threshold as the guidelines write it, in the same unit', () => {
    const figure = (pattern: RegExp): number => {
      const match = pattern.exec(guidelines);
      assert.ok(match, String(pattern));
      return Number(match[1]);
    };
    const thresholds = defaultSettings.thresholds;
    // The key metrics, goals a figure stays under (a figure at one misses it).
    const goalSeconds = figure(/\*\*Response Time\*\*: Average < (\d+(?:\.\d+)?) seconds/);
    assert.equal(thresholds.avgResponseTimeMs, goalSeconds * 1000);
    assert.equal(
      thresholds.memoryMb,
      figure(/\*\*Memory Usage\*\*: Application memory < (\d+)GB/) * 1000,
    );
    assert.equal(
      thresholds.errorRatePercent,
      figure(/\*\*Error Rate\*\*: < (\d+(?:\.\d+)?)% error/),
    );
    assert.equal(thresholds.slowRequestMs, figure(/slow queries \(> (\d+) second\)/) * 1000);
    // The alerts: error_rate is a share of requests (0.01 is 1 %), avg_response_time in
    // seconds, memory_usage in MB (the guidelines' `rss / 1024`), each alerting above.
    assert.equal(thresholds.errorRateAlertPercent, figure(/error_rate > (\d+(?:\.\d+)?)/) * 100);
    assert.equal(thresholds.avgResponseTimeMs, figure(/avg_response_time > (\d+)/) * 1000);
    assert.equal(thresholds.memoryMb, figure(/memory_usage > (\d+)/));

    // The tiers' response times, for the playbook and for a bug report's deadline.
    for (const severity of playbook.severities) {
      const row = new RegExp(`\\*\\*${severity.title}\\*\\* \\| < (\\d+) (hours?|week)`).exec(
        guidelines,
      );
      assert.ok(row, severity.title);
      const hours = Number(row[1]) * (row[2] === 'week' ? 168 : 1);
      assert.equal(severity.responseTime, `< ${row[1]} ${row[2]}`);
      assert.equal(severity.responseHours, hours, severity.title);
      assert.equal(severityById(severity.id as SeverityId).responseMs, hours * 3_600_000);
    }

    // The checklist quotes them as they are set.
    const title = (taskId: string, itemId: string): string | undefined =>
      findTask(playbook, taskId)?.items.find((item) => item.id === itemId)?.title;
    assert.deepEqual(
      [
        title('daily.logs', 'slow'),
        title('daily.performance', 'responseTime'),
        title('daily.performance', 'memory'),
        title('daily.performance', 'errorRate'),
        title('weekly.metrics', 'thresholds'),
      ],
      [
        'Slow requests (over 1 s) reviewed',
        'Average response time under 2 s',
        'Application memory under 1 GB',
        'Error rate under 0.1 %',
        'Alert thresholds: error rate 1 %, response time 2 s, memory 1000 MB',
      ],
    );
  });

  it('scaffolds the templates of the guidelines field by field', () => {
    const block = (heading: string): string => {
      const fence = guidelines.indexOf('```', guidelines.indexOf(`#### ${heading}\n`));
      const start = guidelines.indexOf('\n', fence) + 1;
      return guidelines.slice(start, guidelines.indexOf('\n```', start) + 1);
    };
    const asWritten = (template: string, title: string): string =>
      template.replace('{{title}}', `[${title}]`).replace(/\{\{field:([^}]+)\}\}/g, '[$1]');

    const comment = block('Bug Fix Template');
    assert.equal(asWritten(BUILTIN_TEMPLATES.bugFixComment, 'Brief description'), comment);

    // The spec keeps its status, author, date and branch under the title; the rest is the
    // guidelines' template.
    const spec = asWritten(BUILTIN_TEMPLATES.featureSpec, 'Feature name')
      .replace(/^- (Status|Author|Date|Branch): .*\n/gm, '')
      .replace(/\n{3,}/g, '\n\n');
    assert.equal(spec, block('Feature Template'));

    // The bug report is the comment as Markdown: its fields as sections, in the same order and
    // words, each with the same placeholders.
    const report = asWritten(BUILTIN_TEMPLATES.bugReport, 'Brief description');
    const placeholders = (text: string): string[] =>
      [...text.matchAll(/\[([^\]]+)\]/g)].map((match) => match[1]);
    assert.deepEqual(placeholders(report), placeholders(comment));
    assert.deepEqual(
      [...report.matchAll(/^## (.+)$/gm)].map((match) => match[1]),
      [...comment.matchAll(/^# (Steps to reproduce|[A-Z][a-z ]+(?=: \[))/gm)]
        .map((match) => match[1])
        .filter((label) => label !== 'Bug'),
    );
  });
});

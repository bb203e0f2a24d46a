/**
 * The tool report parsers on the reports in test/fixtures/tools (real Brakeman and bundler-audit
 * output; RSpec, RuboCop and SimpleCov samples written to their documented formats).
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import {
  extractJson,
  gemfileLockLine,
  parseBrakemanJson,
  parseBundlerAuditJson,
  parseRspecJson,
  parseRubocopJson,
  parseSimplecovLastRun,
  parseZeitwerkOutput,
} from '../../../src/core/checks/toolParsers';
import { relativePath } from '../../../src/core/checks/findings';
import { judgeBrakeman, judgeBundlerAudit } from '../../../src/core/checks/toolChecks';
import { UpkeepError } from '../../../src/core/util/errors';

const FIXTURES = path.join(__dirname, '../../fixtures/tools');
const fixture = (name: string): Promise<string> => fs.readFile(path.join(FIXTURES, name), 'utf8');

describe('tool report parsers', () => {
  let GEMFILE_LOCK: string;
  before(async () => {
    GEMFILE_LOCK = await fixture('Gemfile.lock');
  });

  it('reads the two Brakeman warnings with file, line and confidence', async () => {
    const parsed = parseBrakemanJson(await fixture('brakeman_two_findings.json'));
    assert.equal(parsed.findings.length, 2);
    assert.deepEqual(
      parsed.findings.map((f) => [f.file, f.line, f.severity, f.code]),
      [
        ['app/views/users/show_follow.html.erb', 25, 'warning', 'Render'],
        ['app/views/users/show.html.erb', 19, 'warning', 'Render'],
      ],
    );
    assert.match(
      parsed.findings[0].message,
      /Dynamic Render Path: Render path contains parameter value \(Weak confidence\)/,
    );
    assert.equal(parsed.version, '4.7.2');
    const report = judgeBrakeman(parsed);
    assert.equal(report.outcome, 'warn');
    assert.equal(report.summary, '2 security warnings (0 high confidence)');
  });

  it('passes a Brakeman report without warnings', async () => {
    const report = judgeBrakeman(parseBrakemanJson(await fixture('brakeman_no_findings.json')));
    assert.equal(report.outcome, 'pass');
    assert.equal(report.findings, undefined);
  });

  it('fails on a high-confidence Brakeman warning', () => {
    const text = JSON.stringify({
      warnings: [
        {
          warning_type: 'SQL Injection',
          message: 'Possible SQL injection',
          file: 'app/models/user.rb',
          line: 3,
          confidence: 'High',
          check_name: 'SQL',
        },
      ],
    });
    const parsed = parseBrakemanJson(`Loading scanner...\n${text}\n`);
    assert.equal(parsed.high, 1);
    assert.equal(judgeBrakeman(parsed).outcome, 'fail');
  });

  it('maps bundler-audit advisories to their Gemfile.lock lines', async () => {
    const { findings } = parseBundlerAuditJson(
      await fixture('bundler_audit_0.9.json'),
      GEMFILE_LOCK,
    );
    assert.equal(findings.length, 4);
    const lines = GEMFILE_LOCK.split('\n');
    assert.deepEqual(
      findings.map((f) => [f.file, f.line && lines[f.line - 1].trim()]),
      [
        ['Gemfile.lock', 'rack (1.6.13)'],
        ['Gemfile.lock', 'rack (1.6.13)'],
        ['Gemfile.lock', 'sprockets (2.2.3)'],
        ['Gemfile.lock', 'nokogiri (1.15.2-x86_64-linux)'],
      ],
    );
    assert.match(
      findings[0].message,
      new RegExp(
        /^rack 1\.6\.13: Directory traversal .* \(CVE-2020-8161\); /.source +
          /upgrade to ~> 2\.1\.3, >= 2\.2\.0$/.source,
      ),
    );
    assert.match(findings[3].message, /\(GHSA-xc9x-jj77-9p9j\)/);
    const report = judgeBundlerAudit(findings);
    assert.equal(report.outcome, 'fail');
    assert.equal(report.summary, '4 advisories for 3 gems');
  });

  it("names bundler-audit's criticality where the advisory has one", async () => {
    // bundler-audit 0.9 rates an advisory from its CVSS score; the sample's have none (null).
    const report = JSON.parse(await fixture('bundler_audit_0.9.json')) as {
      results: { advisory: { criticality: string | null } }[];
    };
    report.results[0].advisory.criticality = 'critical';
    report.results[2].advisory.criticality = 'high';
    const parsed = parseBundlerAuditJson(JSON.stringify(report), GEMFILE_LOCK);
    assert.match(parsed.findings[0].message, /\(CVE-2020-8161, critical\); upgrade/);
    assert.match(parsed.findings[1].message, /\(CVE-2020-8184\); upgrade/);
    assert.match(parsed.findings[2].message, /\(CVE-2018-3760, high\); upgrade/);
    const judged = judgeBundlerAudit(parsed.findings, parsed.criticality);
    assert.equal(judged.summary, '4 advisories for 3 gems (1 critical, 1 high)');
    assert.deepEqual(
      [judged.values?.critical, judged.values?.high, judged.values?.advisories],
      [1, 1, 4],
    );
  });

  it('finds a gem line even without the exact version', () => {
    assert.equal(gemfileLockLine(GEMFILE_LOCK, 'racc'), 7);
    assert.equal(gemfileLockLine(GEMFILE_LOCK, 'missing'), undefined);
  });

  it('refuses bundler-audit text output with a clear parse error', async () => {
    assert.throws(
      () => parseBundlerAuditJson('Name: rack\nVersion: 1.6.13\nVulnerabilities found!\n'),
      (error: unknown) => UpkeepError.is(error, 'parse') && /printed no JSON/.test(error.message),
    );
  });

  it('takes no other JSON for a clean report', async () => {
    // `{}` from a wrapper, or another tool's report, said "no vulnerable gems" and passed.
    const isParse = (error: unknown): boolean =>
      UpkeepError.is(error, 'parse') && /has no .* list/.test(error.message);
    const brakeman = await fixture('brakeman_no_findings.json');
    assert.throws(() => parseBundlerAuditJson(brakeman, GEMFILE_LOCK), isParse);
    assert.throws(() => parseBundlerAuditJson('{}'), isParse);
    const audit = await fixture('bundler_audit_0.9.json');
    assert.throws(() => parseBrakemanJson(audit), isParse);
    assert.throws(() => parseBrakemanJson('{"errors": []}'), isParse);
    assert.deepEqual(parseBundlerAuditJson('{"version":"0.9.2","results":[]}').findings, []);
  });

  it('reads RSpec failures with their locations', async () => {
    const result = parseRspecJson(await fixture('rspec_3.13_failures.json'), '/app');
    assert.equal(result.examples, 3);
    assert.equal(result.failures, 1);
    assert.equal(result.pending, 1);
    assert.equal(result.summaryLine, '3 examples, 1 failure, 1 pending');
    assert.deepEqual(
      result.findings.map((f) => [f.file, f.line, f.message]),
      [['spec/models/user_spec.rb', 9, 'User requires an email: expected: false']],
    );
  });

  it('reads RuboCop offenses with severity, line and column', async () => {
    const result = parseRubocopJson(await fixture('rubocop_1.60.json'));
    assert.equal(result.files, 2);
    assert.deepEqual(
      result.findings.map((f) => [f.file, f.line, f.column, f.severity, f.code]),
      [
        ['app/models/user.rb', 3, 21, 'info', 'Style/StringLiterals'],
        ['app/models/user.rb', 7, 5, 'warning', 'Lint/UselessAssignment'],
      ],
    );
  });

  it('reads SimpleCov coverage in the new and the old shape', async () => {
    assert.deepEqual(parseSimplecovLastRun(await fixture('simplecov_0.22_last_run.json')), {
      line: 87.5,
      branch: 71.43,
    });
    assert.deepEqual(parseSimplecovLastRun('{"result":{"covered_percent":64.2}}'), {
      line: 64.2,
      branch: undefined,
    });
    assert.throws(() => parseSimplecovLastRun('{"result":{}}'), /no line coverage/);
  });

  it('reads zeitwerk:check complaints', () => {
    const text =
      'Hold on, I am eager loading the application.\n' +
      "expected file app/models/legacy_thing.rb to define constant LegacyThing, but didn't\n";
    assert.deepEqual(parseZeitwerkOutput(text), [
      {
        message: 'expected to define constant LegacyThing',
        severity: 'error',
        file: 'app/models/legacy_thing.rb',
        line: 1,
        source: 'zeitwerk',
      },
    ]);
  });

  it('says when a finding was reported outside the workspace, rather than drop where', () => {
    const report = JSON.stringify({
      warnings: [
        { warning_type: 'SQL Injection', message: 'a', file: '/etc/passwd', line: 1 },
        { warning_type: 'Redirect', message: 'b', file: '../engine/app/x.rb', line: 2 },
        { warning_type: 'Redirect', message: 'c', file: '/srv/app/app/y.rb', line: 3 },
        { warning_type: 'Redirect', message: 'd' },
      ],
    });
    const { findings } = parseBrakemanJson(report, '/srv/app');
    assert.deepEqual(
      findings.map((f) => [f.file, f.line, f.message]),
      [
        [undefined, undefined, 'SQL Injection: a (? confidence), at a path outside the workspace'],
        [undefined, undefined, 'Redirect: b (? confidence), at a path outside the workspace'],
        ['app/y.rb', 3, 'Redirect: c (? confidence)'],
        [undefined, undefined, 'Redirect: d (? confidence)'],
      ],
    );
  });

  it('makes tool paths workspace-relative', () => {
    assert.equal(relativePath('./spec/a_spec.rb'), 'spec/a_spec.rb');
    assert.equal(relativePath('/work/app/models/a.rb', '/work/app'), 'models/a.rb');
  });

  it('explains broken JSON instead of crashing', () => {
    assert.throws(() => extractJson('{"a": ', 'rubocop'), /printed no JSON|not valid JSON/);
    assert.throws(() => extractJson('{"a": }', 'rubocop'), /rubocop's report is not valid JSON/);
  });
});

/**
 * The CLI's output formats: the table, the stable JSON document, JUnit XML that survives hostile
 * text, and the exit codes.
 */
import { strict as assert } from 'node:assert';
import {
  escapeXml,
  exitCodeFor,
  formatTable,
  toJsonReport,
  toJunit,
} from '../../../src/core/checks/report';
import type { CheckResult } from '../../../src/core/checks/types';

interface JunitProblem {
  _: string;
  $: { message: string };
}

interface ParsedJunit {
  testsuites: {
    testsuite: {
      testcase: (Partial<Record<'failure' | 'error', JunitProblem[]>> & { $: { name: string } })[];
    }[];
  };
}

/** A real XML parser (xml2js, present through @vscode/vsce, untyped) proves well-formedness. */
async function parseXml(xml: string): Promise<ParsedJunit> {
  const xml2js = (await import('xml2js' as string)) as {
    parseStringPromise(text: string): Promise<ParsedJunit>;
  };
  return xml2js.parseStringPromise(xml);
}

const result = (
  checkId: string,
  outcome: CheckResult['outcome'],
  summary: string,
  extra: Partial<CheckResult> = {},
): CheckResult => ({
  checkId,
  title: checkId,
  outcome,
  summary,
  startedAt: '2026-12-04T10:00:00.000Z',
  durationMs: 1234,
  ...extra,
});

describe('check reports', () => {
  const results = [
    result('health.url', 'pass', 'https://x answered 200 in 12 ms'),
    result('tools.brakeman', 'warn', '1 security warning', {
      findings: [
        {
          message: 'SQL <injection> & "quotes"',
          severity: 'warning',
          file: 'app/models/user.rb',
          line: 3,
          source: 'brakeman',
        },
      ],
    }),
    result('repo.uncommitted', 'skipped', 'not a git repository'),
  ];

  it('exits 1 on fail or error, and on warn only with --fail-on warn', () => {
    assert.equal(exitCodeFor(results), 0);
    assert.equal(exitCodeFor(results, 'warn'), 1);
    assert.equal(exitCodeFor([...results, result('x', 'error', 'broke')]), 1);
    assert.equal(exitCodeFor([result('x', 'fail', 'no')]), 1);
    assert.equal(exitCodeFor([]), 0);
    // Only configuration problems (no password) stopped checks: a usage error, exit 2.
    const unconfigured = {
      ...result('health.database', 'fail', 'No password'),
      configProblem: true,
    };
    assert.equal(exitCodeFor([...results, unconfigured]), 2);
    assert.equal(exitCodeFor([unconfigured, result('x', 'fail', 'no')]), 1);
  });

  it('prints a table with outcome, summary, duration, findings and counts', () => {
    const table = formatTable(results, { width: 100 });
    const lines = table.split('\n');
    assert.match(lines[0], /^CHECK\s+OUTCOME\s+SUMMARY\s+DURATION$/);
    assert.match(lines[1], /^health\.url\s+PASS\s+https:\/\/x answered 200 in 12 ms\s+1\.2 s$/);
    assert.ok(
      table.includes('app/models/user.rb:3  warning  SQL <injection> & "quotes"  [tools.brakeman]'),
    );
    assert.ok(table.includes('3 checks: 1 pass, 1 warn, 0 fail, 0 error, 1 skipped'));
  });

  it('prints a finding without a file as its severity and message, no stray dash', () => {
    const table = formatTable([
      result('repo.versions', 'warn', 'Ruby 2.7 is past its end of life', {
        findings: [{ message: 'Ruby 2.7 is past its end of life', severity: 'warning' }],
      }),
    ]);
    assert.match(table, /^warning {2}Ruby 2\.7 is past its end of life {2}\[repo\.versions\]$/m);
    assert.doesNotMatch(table, /^- /m);
  });

  it('clips summaries to a terminal, keeps them whole for a file, and says what to do', () => {
    const hint = 'Set PGPASSWORD, put it in DATABASE_URL, or run "Upkeep: Set Database Password".';
    const long = `No password for user app on db/app (from config/database.yml): ${'x'.repeat(80)}`;
    const failing = [
      result('health.database', 'fail', long, { details: `${long} ${hint}` }),
      result('db.vacuum', 'warn', '1 table with 20 %+ dead rows', {
        details: ['Dead rows: warn', '  Why: "users" has 5,124 dead rows', '  Fix: VACUUM'].join(
          '\n',
        ),
      }),
      result('docs.stale', 'pass', 'fresh', { details: 'a detail nobody needs' }),
      result('tools.rspec', 'error', 'broke', {
        details: Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join('\n'),
      }),
    ];

    assert.ok(formatTable(failing, { width: 100 }).includes('…'));
    const whole = formatTable(failing, { width: Infinity });
    assert.ok(whole.includes(long));

    const details = whole.slice(whole.indexOf('\nDETAILS\n'));
    assert.ok(details.includes(`health.database (fail)\n  ${long} ${hint}`));
    assert.ok(details.includes('db.vacuum (warn)\n  Dead rows: warn\n    Why: "users" has 5,124'));
    assert.ok(!details.includes('a detail nobody needs'));
    assert.ok(details.includes('  line 12\n  … 8 more lines (use --format json)'));
    assert.ok(!details.includes('line 13'));
    assert.ok(formatTable([failing[2]]).includes('\n1 check: 1 pass,'));

    // A skip's details say how to set the check up; the same text is printed once.
    const noPassword = 'No password for user app. Set PGPASSWORD.';
    const skipped = formatTable([
      result('health.database', 'fail', 'No password', { details: noPassword }),
      result('db.vacuum', 'skipped', 'database not reachable', { details: noPassword }),
      result('logs.errorRate', 'skipped', 'No log file', { details: 'Set upkeep.logs.sources.' }),
      result('tools.rspec', 'skipped', 'bundle is not installed'),
    ]);
    assert.equal(skipped.split(noPassword).length, 2);
    assert.ok(skipped.includes('db.vacuum (skipped): same as health.database\n'));
    assert.ok(skipped.includes('logs.errorRate (skipped)\n  Set upkeep.logs.sources.'));
    assert.ok(!skipped.includes('tools.rspec (skipped)'));
  });

  it('clips a summary between characters, never inside an emoji', () => {
    // 60 columns leave the summary 34: its cut, after 33 characters, falls inside the emoji.
    const table = formatTable(
      [result('x', 'warn', `${'a'.repeat(32)}\u{1F600}${'b'.repeat(20)}`)],
      {
        width: 60,
      },
    );
    const row = table.split('\n')[1];
    assert.match(row, /^x {6}WARN {5}a{32}… +\S/);
    assert.doesNotMatch(table, /[\ud800-\udbff](?![\udc00-\udfff])/);
  });

  it('keeps terminal control characters out of the table', () => {
    const table = formatTable([result('x', 'fail', 'evil \u001b[2J\u001b]0;title\u0007 text')]);
    assert.ok(!/[\u0000-\u001f]/.test(table.replace(/\n/g, '')));
  });

  it('writes the stable JSON document', () => {
    const json = JSON.parse(
      toJsonReport({
        workspace: '/w',
        selection: { tier: 'daily' },
        startedAt: '2026-12-04T10:00:00.000Z',
        durationMs: 5,
        trusted: true,
        exitCode: 0,
        results,
      }),
    );
    assert.equal(json.schemaVersion, 1);
    assert.deepEqual(json.counts, { pass: 1, warn: 1, fail: 0, error: 0, skipped: 1 });
    assert.deepEqual(Object.keys(json.results[0]), [
      'checkId',
      'title',
      'outcome',
      'summary',
      'values',
      'findings',
      'startedAt',
      'durationMs',
    ]);
    assert.equal(json.results[1].findings[0].line, 3);
  });

  it('says in the JSON which checks wait for trust and which a cancel stopped', () => {
    const json = JSON.parse(
      toJsonReport({
        workspace: '/w',
        selection: {},
        startedAt: '2026-12-04T10:00:00.000Z',
        durationMs: 5,
        trusted: false,
        exitCode: 2,
        results: [
          result('tools.rubocop', 'skipped', 'waits for workspace trust', { waitsForTrust: true }),
          result('custom.slow', 'skipped', 'cancelled', { cancelled: true }),
          result('custom.says', 'skipped', 'waits for workspace trust'),
        ],
      }),
    ) as { results: Record<string, unknown>[] };
    assert.deepEqual(
      json.results.map((r) => [r.checkId, r.waitsForTrust, r.cancelled]),
      [
        ['tools.rubocop', true, undefined],
        ['custom.slow', undefined, true],
        ['custom.says', undefined, undefined],
      ],
    );
  });

  it('escapes hostile text in JUnit XML and drops characters XML forbids', async () => {
    const hostile = result('tools.rspec', 'fail', 'x"/><script>alert(1)</script>&\u0000\u001b', {
      details: ']]></failure><evil/>',
    });
    const xml = toJunit([hostile, ...results], { failOn: 'warn' });
    assert.ok(!xml.includes('<script>'));
    assert.ok(!xml.includes('<evil/>'));
    assert.ok(!/[\u0000\u001b]/.test(xml));
    assert.match(xml, /<testsuites name="upkeep" tests="4" failures="2" errors="0" skipped="1"/);
    assert.match(
      xml,
      new RegExp(
        /<testcase classname="upkeep\.tools" name="tools\.brakeman" time="1\.234">\n\s+/.source +
          /<failure message="warn: 1 security warning" type="warn">/.source +
          /app\/models\/user\.rb:3 warning: /.source +
          /SQL &lt;injection&gt; &amp; &quot;quotes&quot;<\/failure>/.source,
      ),
    );
    assert.match(xml, /<skipped message="not a git repository"\/>/);
    const parsed = await parseXml(xml);
    const cases = parsed.testsuites.testsuite[0].testcase;
    assert.equal(cases.length, 4);
    assert.equal(cases[0].failure?.[0].$.message, 'fail: x"/><script>alert(1)</script>&');
    assert.equal(cases[0].failure?.[0]._, ']]></failure><evil/>');
  });

  it('adds an error testcase to the JUnit of a cancelled run', async () => {
    const xml = toJunit(results, { cancelled: 'cancelled (SIGTERM): <3> checks' });
    assert.match(xml, /<testsuites name="upkeep" tests="4" failures="0" errors="1" skipped="1"/);
    const parsed = await parseXml(xml);
    const cases = parsed.testsuites.testsuite[0].testcase;
    assert.equal(cases.length, 4);
    assert.equal(cases[3].error?.[0].$.message, 'cancelled (SIGTERM): <3> checks');
    assert.ok(!toJunit(results).includes('name="run"'));
  });

  it("names the checks a cancel stopped under the run's error testcase", async () => {
    const stopped = result('custom.slow', 'skipped', 'cancelled', { cancelled: true });
    const unstarted = result('tools.rspec', 'skipped', 'cancelled before it started', {
      cancelled: true,
    });
    // Its own summary: a check that skipped itself is no sign of a cancelled run.
    const says = result('custom.says', 'skipped', 'cancelled');
    const stop = [...results, stopped, unstarted, says];

    const signalled = await parseXml(toJunit(stop, { cancelled: 'cancelled (SIGINT)' }));
    const run = signalled.testsuites.testsuite[0].testcase.at(-1)!;
    assert.equal(run.$.name, 'run');
    assert.equal(run.error?.[0].$.message, 'cancelled (SIGINT)');
    assert.equal(run.error?.[0]._, 'did not finish: custom.slow, tools.rspec');

    // Results alone say the run was cancelled, whoever writes the report.
    const xml = toJunit(stop);
    assert.match(xml, /<testsuites name="upkeep" tests="7" failures="0" errors="1" skipped="4"/);
    const parsed = await parseXml(xml);
    assert.equal(
      parsed.testsuites.testsuite[0].testcase.at(-1)!.error?.[0].$.message,
      'cancelled: 2 checks did not finish',
    );
    assert.ok(!toJunit([...results, says]).includes('name="run"'));
  });

  it("keeps a skipped check's details in JUnit: what to set up so that it runs", async () => {
    const skipped = result('logs.errorRate', 'skipped', 'No log file to read', {
      details: 'log/production.log does not exist.\nPoint upkeep.logs.sources at your logs.',
    });
    const xml = toJunit([skipped]);
    assert.match(
      xml,
      new RegExp(
        /<skipped message="No log file to read"\/>\n\s+<system-out>log\/production\.log /.source +
          /does not exist\.\nPoint upkeep\.logs\.sources at your logs\.<\/system-out>/.source,
      ),
    );
    assert.match(xml, /skipped="1"/);
    await parseXml(xml);
  });

  it('counts a warn as passing JUnit unless --fail-on warn', () => {
    const xml = toJunit(results);
    assert.match(xml, /failures="0"/);
    assert.match(xml, /<system-out>warn: 1 security warning/);
  });

  it('writes C1, bidi controls and separators in JUnit as references, the same text', async () => {
    // A C1 CSI (U+009B) clears a UTF-8 terminal that shows the report (CI logs print it).
    const summary = 'disk \u009b2J\u202egnp.exe\u2028x\u007f';
    const xml = toJunit([result('custom.disk', 'fail', summary), ...results]);
    assert.doesNotMatch(xml, /[\u007f-\u009f\u202a-\u202e\u2028]/);
    assert.match(xml, /disk &#x9b;2J&#x202e;gnp\.exe&#x2028;x&#x7f;/);
    const parsed = await parseXml(xml);
    assert.equal(
      parsed.testsuites.testsuite[0].testcase[0].failure?.[0].$.message,
      `fail: ${summary}`,
    );
  });

  it("dates the JUnit suite at the run's start and times it by the run's wall time", () => {
    // Checks run side by side: their durations add up to more than the run took.
    const xml = toJunit(results, { startedAt: '2026-12-04T09:59:59.500Z', durationMs: 1500 });
    assert.match(xml, /<testsuites name="upkeep" tests="3" [^>]* time="1\.500">/);
    // In UTC, to the second and with no zone: the JUnit schema Jenkins and Ant follow takes
    // xs:dateTime in that one form only, and refused `.500Z`.
    assert.match(xml, /<testsuite [^>]* time="1\.500" timestamp="2026-12-04T09:59:59">/);
    assert.match(xml, /<testcase [^>]*name="health\.url" time="1\.234">/);

    // A run that bad usage stopped before any check: dated when it ran, not in 1970.
    const stopped = toJunit([], {
      startedAt: '2026-12-04T10:00:00.000Z',
      durationMs: 0,
      problems: [{ kind: 'stopped', message: 'unknown check "x"' }],
    });
    assert.match(stopped, /timestamp="2026-12-04T10:00:00"/);

    // A start given with another offset is written in UTC.
    const offset = toJunit(results, { startedAt: '2026-12-04T11:00:00.999+01:00' });
    assert.match(offset, /timestamp="2026-12-04T10:00:00"/);
  });

  it('writes line breaks and tabs in JUnit attributes as references, which parsers keep', () => {
    // A parser reads a raw line break or tab in an attribute as a space, and a raw CR in text
    // as a line feed: the message of a summary of several lines would lose its lines.
    const summary = 'disk full on /\n2 volumes\tchecked\r\nend';
    const xml = toJunit(
      [
        result('custom.disk', 'fail', summary, { details: 'line one\r\nline two\tend' }),
        result('custom.skip', 'skipped', 'no log\nfile'),
      ],
      { name: 'upkeep app\nfolder' },
    );
    const tags = xml.match(/<[^>]*>/g) ?? [];
    for (const tag of tags) assert.doesNotMatch(tag, /[\t\n\r]/, tag);
    assert.match(xml, /<testsuites name="upkeep app&#10;folder" /);
    assert.match(xml, /message="fail: disk full on \/&#10;2 volumes&#9;checked&#13;&#10;end"/);
    assert.match(xml, />line one&#13;\nline two\tend<\/failure>/);
    assert.match(xml, /<skipped message="no log&#10;file"\/>/);
  });

  it('escapes the five XML characters', () => {
    assert.equal(
      escapeXml(`<a href="x">&'</a>`),
      '&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;',
    );
  });
});

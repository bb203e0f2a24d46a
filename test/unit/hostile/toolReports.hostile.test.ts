/**
 * Hostile tool reports (RuboCop, Brakeman, RSpec, bundler-audit JSON) found by the security
 * review: findings must stay inside the workspace and malformed reports must give a clear
 * parse error. A failing test is an open bug.
 */
import { strict as assert } from 'node:assert';
import {
  parseBrakemanJson,
  parseBundlerAuditJson,
  parseRspecJson,
  parseRubocopJson,
} from '../../../src/core/checks/toolParsers';
import { UpkeepError } from '../../../src/core/util/errors';

const WORKSPACE = '/srv/app';

function pointsOutside(file: string | undefined): boolean {
  if (file === undefined) return false;
  return file.startsWith('/') || file.split(/[\\/]/).includes('..');
}

describe('hostile tool reports (security review)', () => {
  it('a RuboCop finding cannot point outside the workspace', () => {
    const report = JSON.stringify({
      files: [
        { path: '../../etc/passwd', offenses: [{ message: 'x', cop_name: 'A/B' }] },
        { path: '/etc/shadow', offenses: [{ message: 'y', cop_name: 'A/B' }] },
        { path: 'app/../../../root/.ssh/id_rsa', offenses: [{ message: 'z', cop_name: 'A/B' }] },
      ],
    });
    const { findings } = parseRubocopJson(report, WORKSPACE);
    const outside = findings.filter((f) => pointsOutside(f.file)).map((f) => f.file);
    // Today: all three keep their path; only the editor's diagnostics layer drops them, the CLI
    // JSON/JUnit output and every other consumer get them as they are.
    assert.deepEqual(outside, []);
  });

  it('a Brakeman or RSpec finding cannot point outside the workspace', () => {
    const brakeman = parseBrakemanJson(
      JSON.stringify({ warnings: [{ file: '../../../etc/passwd', line: 1, confidence: 'High' }] }),
      WORKSPACE,
    );
    const rspec = parseRspecJson(
      JSON.stringify({
        examples: [{ status: 'failed', file_path: '/etc/passwd', line_number: 1 }],
      }),
      WORKSPACE,
    );
    const outside = [...brakeman.findings, ...rspec.findings]
      .filter((f) => pointsOutside(f.file))
      .map((f) => f.file);
    assert.deepEqual(outside, []);
  });

  const isParseError = (error: unknown): boolean => UpkeepError.is(error) && error.code === 'parse';

  it('a RuboCop report with a numeric path is a parse error, not a TypeError', () => {
    assert.throws(
      () => parseRubocopJson('{"files":[{"path":5,"offenses":[{}]}]}', WORKSPACE),
      isParseError,
    );
  });

  it('an RSpec report whose examples is an object is a parse error, not a TypeError', () => {
    assert.throws(() => parseRspecJson('{"examples":{"a":1}}', WORKSPACE), isParseError);
  });

  it('an RSpec failure whose message is a number is a parse error or a finding', () => {
    let ok = true;
    try {
      parseRspecJson('{"examples":[{"status":"failed","exception":{"message":42}}]}', WORKSPACE);
    } catch (error) {
      ok = isParseError(error);
    }
    assert.ok(ok, 'a TypeError escaped');
  });

  it(
    'a bundler-audit report with patched_versions as a string ' + 'is a parse error or a finding',
    () => {
      let ok = true;
      try {
        parseBundlerAuditJson(
          '{"results":[{"gem":{"name":"rack"},"advisory":{"patched_versions":">= 2"}}]}',
        );
      } catch (error) {
        ok = isParseError(error);
      }
      assert.ok(ok, 'a TypeError escaped');
    },
  );

  it('line numbers from a report are positive integers or absent', () => {
    const { findings } = parseRubocopJson(
      JSON.stringify({
        files: [
          {
            path: 'app/a.rb',
            offenses: [
              { location: { start_line: -5, start_column: 1e309 } },
              { location: { start_line: '12; rm -rf /', start_column: 1.5 } },
            ],
          },
        ],
      }),
      WORKSPACE,
    );
    for (const f of findings) {
      for (const n of [f.line, f.column]) {
        assert.ok(n === undefined || (Number.isInteger(n) && n > 0), `got ${String(n)}`);
      }
    }
  });
});

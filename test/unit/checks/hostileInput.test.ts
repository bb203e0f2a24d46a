/**
 * Hostile input to the check engine: tool report paths that climb out of the workspace, report
 * fields of the wrong type, findings with bad positions, and a catastrophic custom pattern.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { filterParametersCheck } from '../../../src/core/checks/securityChecks';
import { versionsCheck } from '../../../src/core/checks/repoChecks';
import { MAX_LINK_LINE, outlineMarkdown } from '../../../src/core/checks/docsChecks';
import { position, relativePath, sanitizeFinding } from '../../../src/core/checks/findings';
import { runChecks } from '../../../src/core/checks/runner';
import { testPattern } from '../../../src/core/checks/safeRegex';
import { parseBrakemanJson, parseRubocopJson } from '../../../src/core/checks/toolParsers';
import type { Finding } from '../../../src/core/checks/types';
import { resolveSettings } from '../../../src/core/settings';
import { systemClock } from '../../../src/core/util/clock';
import { UpkeepError } from '../../../src/core/util/errors';
import { silentLogger } from '../../../src/core/util/logger';
import { assertLinear, cpuMsAsync } from '../../support/growth';

describe('hostile input to checks', () => {
  it('keeps tool report paths inside the workspace', () => {
    assert.equal(relativePath('../../etc/passwd', '/srv/app'), undefined);
    assert.equal(relativePath('/etc/shadow', '/srv/app'), undefined);
    assert.equal(relativePath('app/../../x', '/srv/app'), undefined);
    assert.equal(relativePath('C:/Windows/win.ini', '/srv/app'), undefined);
    assert.equal(relativePath('/srv/app/app/models/user.rb', '/srv/app'), 'app/models/user.rb');
    assert.equal(relativePath('./app/../app/models/user.rb', '/srv/app'), 'app/models/user.rb');
    assert.equal(relativePath(42, '/srv/app'), undefined);
  });

  it('accepts only positive integer positions', () => {
    assert.deepEqual([0, -5, 1.5, Number.NaN, 1e309, '12', 7].map(position), [
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      7,
    ]);
  });

  it('turns wrong report shapes into parse errors', () => {
    const isParse = (error: unknown): boolean => UpkeepError.is(error, 'parse');
    assert.throws(() => parseRubocopJson('{"files":{"path":"a"}}'), isParse);
    assert.throws(() => parseBrakemanJson('{"warnings":"many"}'), isParse);
    const odd = parseBrakemanJson(
      '{"warnings":[null, 3, {"file": "../x", "line": -1, "message": 7}]}',
      '/w',
    );
    assert.deepEqual(
      odd.findings.map((f) => [f.file, f.line, f.message]),
      [[undefined, undefined, 'Warning: 7 (? confidence), at a path outside the workspace']],
    );
  });

  it('cleans every finding a check returns', async () => {
    const bad = {
      message: 12,
      severity: 'fatal',
      file: 5,
      line: -1,
      column: 2.5,
      code: 99,
    } as unknown as Finding;
    assert.deepEqual(sanitizeFinding(bad), { message: '12', severity: 'warning', code: '99' });
    const [result] = await runChecks(
      [
        {
          id: 'x',
          title: 'X',
          run: async () => ({ outcome: 'warn', summary: 'x', findings: [bad] }),
        },
      ],
      {
        workspace: '/w',
        settings: resolveSettings(),
        clock: systemClock,
        log: silentLogger,
        trusted: true,
      },
    );
    assert.deepEqual(result.findings, [{ message: '12', severity: 'warning', code: '99' }]);
  });

  it('gives up on a catastrophic pattern without blocking the event loop', async () => {
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 20);
    const started = Date.now();
    try {
      await assert.rejects(
        testPattern('^(a+)+$', 'm', `${'a'.repeat(40)}!`, { timeoutMs: 300 }),
        (error: unknown) =>
          UpkeepError.is(error, 'config') && /took longer than 300 ms/.test(error.message),
      );
    } finally {
      clearInterval(ticker);
    }
    // The pattern alone would run for ever; given up after 300 ms, this takes some 400 ms.
    assert.ok(Date.now() - started < 10_000, `${Date.now() - started} ms`);
    assert.ok(ticks > 0, 'the event loop kept turning while the pattern ran');
    assert.equal(await testPattern('^ok$', 'm', 'first\nok\n'), true);
    await assert.rejects(testPattern('(', 'm', 'x'), /is not valid/);
  });

  it('reads a Markdown file of bracket soup in linear time', () => {
    // Lines of `n` and `20 × n` brackets, two hundred times over to make a ratio; the larger n
    // is MAX_LINK_LINE, the longest line whose links are looked for.
    const soup = (n: number): string =>
      Array(200)
        .fill(['['.repeat(n), '[a]('.repeat(n / 4), '['.repeat(n * 20)].join('\n'))
        .join('\n');
    assertLinear(soup, outlineMarkdown, MAX_LINK_LINE / 4);
    assert.deepEqual(outlineMarkdown(soup(MAX_LINK_LINE)).links, []);
  });

  it('refuses repo files that are devices or too large instead of reading them', async () => {
    const workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-hostile-files-'));
    try {
      await fs.mkdir(path.join(workspace, 'config/initializers'), { recursive: true });
      await fs.writeFile(path.join(workspace, 'config/application.rb'), '');
      await fs.symlink(
        '/dev/zero',
        path.join(workspace, 'config/initializers/filter_parameter_logging.rb'),
      );
      await fs.writeFile(
        path.join(workspace, '.ruby-version'),
        Buffer.alloc(2 * 1024 * 1024, 0x33),
      );
      let results: Awaited<ReturnType<typeof runChecks>> = [];
      const tookMs = await cpuMsAsync(async () => {
        results = await runChecks([filterParametersCheck, versionsCheck], {
          workspace,
          settings: resolveSettings(),
          clock: systemClock,
          log: silentLogger,
          trusted: true,
        });
      });
      // Reading /dev/zero would never end; refusing both files takes some 30 ms.
      assert.ok(tookMs < 5000, `${tookMs} ms`);
      const [filters, versions] = results;
      assert.equal(filters.outcome, 'error');
      assert.match(filters.summary, /filter_parameter_logging\.rb is not a regular file$/);
      assert.equal(versions.outcome, 'error');
      assert.match(versions.summary, /\.ruby-version is larger than 1 MB$/);
    } finally {
      await fs.rm(workspace, { recursive: true, force: true });
    }
  });
});

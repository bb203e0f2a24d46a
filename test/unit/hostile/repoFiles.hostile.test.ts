/**
 * Hostile files a repository provides to the repo checks: each is read in time linear in its
 * size, however it is shaped.
 */
import { strict as assert } from 'node:assert';
import { githubSlug, outlineMarkdown } from '../../../src/core/checks/docsChecks';
import { parseGemfileLock } from '../../../src/core/checks/repoChecks';

function timed(run: () => void): number {
  const started = performance.now();
  run();
  return performance.now() - started;
}

describe('hostile repo files', function () {
  this.timeout(60_000);

  it('a Gemfile.lock of unclosed "rails (" lines reads in linear time', () => {
    // Each line began a match that ran to the end of the file looking for `)`: 29 s for 1 MB.
    const text = '    rails (\n'.repeat(40_000);
    const ms = timed(() => parseGemfileLock(text));
    assert.ok(ms < 1000, `took ${ms.toFixed(0)} ms`);
    assert.deepEqual(parseGemfileLock(`${text}    rails (7.1.3)\n`), {
      ruby: undefined,
      rails: '7.1.3',
    });
  });

  it('a Markdown heading of unclosed < reads in linear time', () => {
    // Every `<` began a tag that ran to the end of the heading looking for `>`: 7 s for 100 KB,
    // and headings are read however long their line.
    const ms = timed(() =>
      outlineMarkdown(`# ${'<'.repeat(100_000)}\n\n${'x<'.repeat(50_000)}\n---\n`),
    );
    assert.ok(ms < 1000, `took ${ms.toFixed(0)} ms`);
    assert.equal(
      githubSlug('Install <code>upkeep</code> <br/>now', new Map()),
      'install-upkeep-now',
    );
  });
});

/**
 * Hostile files a repository provides to the repo checks: each is read in time linear in its
 * size, however it is shaped.
 */
import { strict as assert } from 'node:assert';
import { githubSlug, outlineMarkdown } from '../../../src/core/checks/docsChecks';
import { parseGemfileLock } from '../../../src/core/checks/repoChecks';
import { assertLinear } from '../../support/growth';

describe('hostile repo files', function () {
  this.timeout(60_000);

  it('a Gemfile.lock of unclosed "rails (" lines reads in linear time', () => {
    // Each line began a match that ran to the end of the file looking for `)`: 29 s for 1 MB.
    // Files of 4,000 and 16,000 lines, a hundred reads of each.
    assertLinear(
      (lines) => '    rails (\n'.repeat(lines),
      (text) => {
        for (let i = 0; i < 100; i++) parseGemfileLock(text);
      },
      4_000,
    );
    const text = '    rails (\n'.repeat(40_000);
    assert.deepEqual(parseGemfileLock(`${text}    rails (7.1.3)\n`), {
      ruby: undefined,
      rails: '7.1.3',
    });
  });

  it('a Markdown heading of unclosed < reads in linear time', () => {
    // Every `<` began a tag that ran to the end of the heading looking for `>`: 7 s for 100 KB,
    // and headings are read however long their line.
    // Headings of 10,000 and 40,000 characters, forty reads of each.
    assertLinear(
      (size) => `# ${'<'.repeat(size)}\n\n${'x<'.repeat(size / 2)}\n---\n`,
      (text) => {
        for (let i = 0; i < 40; i++) outlineMarkdown(text);
      },
      10_000,
    );
    assert.equal(
      githubSlug('Install <code>upkeep</code> <br/>now', new Map()),
      'install-upkeep-now',
    );
  });
});

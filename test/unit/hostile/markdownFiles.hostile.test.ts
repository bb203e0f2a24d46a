/**
 * Markdown the repo holds is read in untrusted workspaces too: the Maintenance tree reads the
 * head of every bug report, docs.brokenLinks every doc, Open Guideline Section a repo doc. The
 * patterns must run in linear time: a heading of 16 KB of spaces held the extension host for
 * over an hour, a head of stars for most of a second.
 */
import { strict as assert } from 'node:assert';
import { outlineMarkdown } from '../../../src/core/checks/docsChecks';
import { findHeadingLine } from '../../../src/core/playbook/guidelines';
import { parseReport } from '../../../src/core/templates/reports';

const HEAD = 16 * 1024 - 32;

describe('hostile Markdown from the repo (security review)', () => {
  it('reads each bug report head in linear time', () => {
    const heads = [
      '*'.repeat(HEAD),
      `Status:${' '.repeat(HEAD)}x`,
      `Severity:${' '.repeat(HEAD)}!`,
      `Response due:${'\n'.repeat(HEAD)}`,
      '\n'.repeat(HEAD),
      '*\n'.repeat(HEAD / 2),
      `- ${' \n'.repeat(HEAD / 2)}`,
      `# bug: a${' #'.repeat(HEAD / 2)}!`,
      // Cubic before: 1,500 spaces took seconds, 16 KB over an hour.
      `# a${' '.repeat(1500)}x`,
      `# Bug: a${' '.repeat(1500)}x`,
    ];
    const started = Date.now();
    for (const head of heads) parseReport('/app/docs/maintenance/bugs/2026-12-04-x.md', head);
    assert.ok(Date.now() - started < 250, `${Date.now() - started} ms`);
  });

  it('reads headings of a long doc line in linear time', () => {
    const started = Date.now();
    outlineMarkdown(`## a${' '.repeat(64 * 1024)}x`);
    outlineMarkdown(`## ${'![a]('.repeat(20_000)}\n${'[a]('.repeat(20_000)}\n===\n`);
    findHeadingLine(`## a${' '.repeat(1500)}x`, 'b');
    assert.ok(Date.now() - started < 500, `${Date.now() - started} ms`);
  });

  it('still reads the metadata the templates write', () => {
    const report = parseReport(
      '/app/docs/maintenance/bugs/2026-12-04-x.md',
      '# Bug: Login fails\n\n- **Severity:** High\n' +
        '- **Reported:** 2026-12-04 10:00 +00:00 (UTC)\n' +
        '- **Response due:** 2026-12-04 14:00 +00:00 (UTC)\n> **Status:** Fixed\n',
    );
    assert.equal(report.title, 'Login fails');
    assert.equal(report.severity, 'high');
    assert.equal(report.dueAt?.toISOString(), '2026-12-04T14:00:00.000Z');
    assert.equal(report.done, true);
    assert.equal(parseReport('/a/x.md', '- [x] **Done**\n').done, true);
    assert.equal(parseReport('/a/x.md', 'Status:\n  Resolved\n').done, true);
  });

  it('still reads headings with a closing run of #', () => {
    assert.equal(parseReport('/a/x.md', '# Bug: Fix C# ##\n').title, 'Fix C#');
    assert.equal(parseReport('/a/x.md', '## Notes ##  \n').title, 'Notes');
    assert.equal(findHeadingLine('# x\n## 2. Backups ##\n', 'Backups'), 1);
    assert.deepEqual([...outlineMarkdown('## Set up ##\n').anchors], ['set-up']);
    assert.deepEqual(
      [...outlineMarkdown('## See [the docs](a.md) and ![logo](l.png) [x] ok\n').anchors],
      ['see-the-docs-and-logo-x-ok'],
    );
  });
});

/**
 * Markdown the repo holds is read in untrusted workspaces too: the Maintenance tree reads the
 * head of every bug report, docs.brokenLinks every doc, Open Guideline Section a repo doc. The
 * patterns must run in linear time: a heading of 16 KB of spaces held the extension host for
 * over an hour, a head of stars for most of a second.
 */
import { strict as assert } from 'node:assert';
import { MAX_LINK_LINE, outlineMarkdown } from '../../../src/core/checks/docsChecks';
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

  it('reads the links of 1 MB of bracket lines in linear time', () => {
    // Each line just under the length that is not scanned: about 90 ms a line before.
    const fill = (unit: string): string =>
      unit.repeat(Math.floor((MAX_LINK_LINE - 1) / unit.length));
    const shapes = ['[', '![', '[\\]', '[a](b "', '[a](<', '[](x ', '[a]( \t'].map(fill);
    const lines = Array.from({ length: 210 }, (_, k) => shapes[k % shapes.length]);
    assert.ok(lines.join('\n').length > 1_000_000);
    const started = Date.now();
    const outline = outlineMarkdown(lines.join('\n'));
    assert.ok(Date.now() - started < 700, `${Date.now() - started} ms`);
    assert.deepEqual(outline.links, []);
  });

  it('reads the same links as the Markdown link pattern did', () => {
    const pattern = /!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+["'(][^)]*)?\)/g;
    const alphabet = ['[', ']', '(', ')', '!', '\\', '<', '>', ' ', '"', "'", 'a', '\t', '\r'];
    let seed = 7;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let k = 0; k < 20_000; k++) {
      const line = Array.from({ length: 1 + random(20) }, () => alphabet[random(alphabet.length)])
        .join('')
        .replace(/^\s*\[/, 'x[');
      const expected = [...line.matchAll(pattern)].map((match) => ({
        target: match[1],
        line: 1,
        column: (match.index ?? 0) + match[0].indexOf(match[1]) + 1,
      }));
      assert.deepEqual(outlineMarkdown(line).links, expected, JSON.stringify(line));
    }
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

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
import { assertLinear } from '../../support/growth';

const HEAD = 16 * 1024 - 32;

/** Bug report heads of `size` characters, each a shape that was slow once. */
function heads(size: number): string[] {
  return [
    '*'.repeat(size),
    `Status:${' '.repeat(size)}x`,
    `Severity:${' '.repeat(size)}!`,
    `Response due:${'\n'.repeat(size)}`,
    '\n'.repeat(size),
    '*\n'.repeat(size / 2),
    `- ${' \n'.repeat(size / 2)}`,
    `# bug: a${' #'.repeat(size / 2)}!`,
    // Cubic before: 1,500 spaces took seconds, 16 KB over an hour.
    `# a${' '.repeat(size)}x`,
    `# Bug: a${' '.repeat(size)}x`,
  ];
}

describe('hostile Markdown from the repo (security review)', function () {
  this.timeout(60_000);

  it('reads each bug report head in linear time', () => {
    const read = (head: string) => parseReport('/app/docs/maintenance/bugs/2026-12-04-x.md', head);
    // Heads of a quarter of what is read and of all of it: one pass over the ten takes well
    // under a millisecond, fifty of each make a ratio.
    assertLinear(
      heads,
      (all) => {
        for (let i = 0; i < 50; i++) for (const head of all) read(head);
      },
      HEAD / 4,
    );
  });

  it('reads headings of a long doc line in linear time', () => {
    const doc = (size: number): string[] => [
      `## a${' '.repeat(size)}x`,
      `## ${'![a]('.repeat(size / 5)}\n${'[a]('.repeat(size / 4)}\n===\n`,
    ];
    // Lines of 16 and 64 KB, headings however long; fifteen of each make a ratio.
    assertLinear(
      doc,
      (texts) => {
        for (let i = 0; i < 15; i++) {
          for (const text of texts) {
            outlineMarkdown(text);
            findHeadingLine(text, 'b');
          }
        }
      },
      16 * 1024,
    );
  });

  it('reads the links of 1 MB of bracket lines in linear time', () => {
    // Each line just under the length that is not scanned: about 90 ms a line before.
    const shapes = ['[', '![', '[\\]', '[a](b "', '[a](<', '[](x ', '[a]( \t'];
    const lines = (length: number): string => {
      const filled = shapes.map((unit) => unit.repeat(Math.floor(length / unit.length)));
      return Array.from({ length: 210 }, (_, k) => filled[k % filled.length]).join('\n');
    };
    const longest = lines(MAX_LINK_LINE - 1);
    assert.ok(longest.length > 1_000_000);
    assert.deepEqual(outlineMarkdown(longest).links, []);
    // Lines of a quarter of that and of all of it, three reads of each.
    assertLinear(
      lines,
      (text) => {
        for (let i = 0; i < 3; i++) outlineMarkdown(text);
      },
      Math.floor((MAX_LINK_LINE - 1) / 4),
    );
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

/**
 * The Maintenance tree reads the head of every bug report in the repo, trusted or not. Its
 * metadata patterns must run in linear time: a head of 16 KB of stars or spaces held the
 * editor's extension host for most of a second per file.
 */
import { strict as assert } from 'node:assert';
import { parseReport } from '../../../src/core/templates/reports';

const HEAD = 16 * 1024 - 32;

describe('hostile bug report heads (security review)', () => {
  it('reads each head in linear time', () => {
    const heads = [
      '*'.repeat(HEAD),
      `Status:${' '.repeat(HEAD)}x`,
      `Severity:${' '.repeat(HEAD)}!`,
      `Response due:${'\n'.repeat(HEAD)}`,
      '\n'.repeat(HEAD),
      '*\n'.repeat(HEAD / 2),
      `- ${' \n'.repeat(HEAD / 2)}`,
      `# bug: a${' #'.repeat(HEAD / 2)}!`,
    ];
    const started = Date.now();
    for (const head of heads) parseReport('/app/docs/maintenance/bugs/2026-12-04-x.md', head);
    assert.ok(Date.now() - started < 250, `${Date.now() - started} ms`);
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
});

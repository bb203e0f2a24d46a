/**
 * Bidirectional controls in names the CLI prints (a check's summary, a finding's file, a table
 * name on stderr) would reorder the rest of a terminal line, so a name could pass for another.
 */
import { strict as assert } from 'node:assert';
import { formatTable } from '../../../src/core/checks/report';
import { printableLines } from '../../../src/core/util/printable';
import type { CheckResult } from '../../../src/core/checks/types';

const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;
const OVERRIDES = '\u202e\u2066\u2067\u2068\u2069\u202a\u202b\u202c\u202d\u200e\u200f\u061c';

describe('hostile bidirectional text in CLI output (security review)', () => {
  it('the check table prints no right-to-left override', () => {
    const result: CheckResult = {
      checkId: 'docs.stale',
      title: 'Docs',
      outcome: 'warn',
      summary: `1 doc older than ${OVERRIDES}bd.txt`,
      details: `see ${OVERRIDES}details`,
      findings: [
        {
          file: `docs/${OVERRIDES}dm.exe`,
          line: 2,
          severity: 'info',
          source: 'docs.stale',
          message: `app/${OVERRIDES}x.rb was committed after this doc`,
        },
      ],
      startedAt: '2026-12-04T10:00:00.000Z',
      durationMs: 5,
    };
    const table = formatTable([result]);
    assert.match(table, /docs\.stale/);
    assert.doesNotMatch(table, BIDI);
  });

  it('lines for stderr keep their breaks and lose the overrides', () => {
    assert.equal(printableLines(`a\u202eb\nc\u2066d`), 'a b\nc d');
  });
});

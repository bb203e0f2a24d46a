/**
 * Hostile titles for bug reports and feature specs: a title cut at the length limit must not
 * split an emoji (or any character outside the BMP) into half a surrogate pair, which the file
 * would then hold as U+FFFD.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  MAX_TITLE_LENGTH,
  createBugReport,
  createFeatureSpec,
} from '../../../src/core/templates/scaffold';
import { resolveSettings } from '../../../src/core/settings';
import { fixedClock } from '../../../src/core/util/clock';

describe('hostile titles cut at the limit', () => {
  let workspace: string;
  beforeEach(async () => {
    workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-hostile-titles-'));
  });
  afterEach(async () => {
    await fs.rm(workspace, { recursive: true, force: true });
  });

  it('keeps whole emoji in the heading of a long title', async () => {
    const context = {
      workspace,
      settings: resolveSettings(),
      clock: fixedClock('2026-12-04T10:00:00Z'),
      trusted: true,
      timeZone: 'UTC',
      git: { author: 'Ada', branch: 'main' },
    };
    // The emoji straddles the limit: its first half is unit 200, its second unit 201.
    const title = `${'é'.repeat(MAX_TITLE_LENGTH - 1)}😀 and more`;
    const bug = await createBugReport(context, { title, severity: 'high' });
    const spec = await createFeatureSpec(context, { title });
    for (const file of [bug.file, spec.file]) {
      const text = await fs.readFile(file, 'utf8');
      assert.ok(!text.includes('\uFFFD'), `${path.basename(file)} holds U+FFFD`);
      assert.ok(text.includes('é'.repeat(MAX_TITLE_LENGTH - 1)), 'the title is there');
    }
  });
});

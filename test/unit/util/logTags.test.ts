/**
 * The Upkeep output channel tags each line with its component, `[checks]`, `[tree]`, `[db]`:
 * every component the code names is written the same way, in lower case (the dashboard's read
 * `[Dashboard]` among them).
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

const SRC = path.join(__dirname, '../../../src');
const CHILD = /\.child\(\s*['"]([^'"]+)['"]\s*\)/g;

describe('log component tags', () => {
  it('are all lower case', async () => {
    const files = (await fs.readdir(SRC, { recursive: true })).filter((name) =>
      name.endsWith('.ts'),
    );
    const tags = new Map<string, string>();
    for (const file of files) {
      const text = await fs.readFile(path.join(SRC, file), 'utf8');
      for (const match of text.matchAll(CHILD)) tags.set(match[1], file);
    }
    assert.ok(tags.has('checks') && tags.has('tree'), [...tags.keys()].join(', '));
    const capitalised = [...tags].filter(([tag]) => tag !== tag.toLowerCase());
    assert.deepEqual(
      capitalised.map(([tag, file]) => `[${tag}] in ${file}`),
      [],
    );
  });
});

/**
 * The contributed snippet files stay equal to the built-in templates, and the manifest points at
 * them. Run with UPDATE_SNIPPETS=1 to rewrite the files after changing a template.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { contributedSnippets } from '../../../src/core/templates/snippetFiles';
import type { SnippetLanguage } from '../../../src/core/templates/snippetFiles';

const ROOT = path.join(__dirname, '../../..');

describe('contributed snippets', () => {
  const expected = contributedSnippets();

  for (const language of Object.keys(expected) as SnippetLanguage[]) {
    it(`snippets/${language}.json matches the built-in templates`, async () => {
      const file = path.join(ROOT, 'snippets', `${language}.json`);
      const wanted = `${JSON.stringify(expected[language], null, 2)}\n`;
      if (process.env.UPDATE_SNIPPETS) await fs.writeFile(file, wanted);
      assert.equal(await fs.readFile(file, 'utf8'), wanted, 'run with UPDATE_SNIPPETS=1');
    });
  }

  it('offers upkeep-bug in Ruby and Markdown and upkeep-feature in Markdown', () => {
    const prefixes = (language: SnippetLanguage): string[] =>
      Object.values(expected[language]).map((snippet) => snippet.prefix);
    assert.deepEqual(prefixes('ruby'), ['upkeep-bug']);
    assert.deepEqual(prefixes('markdown'), ['upkeep-bug', 'upkeep-feature']);
    const ruby = expected.ruby['Upkeep bug-fix comment'].body.join('\n');
    assert.match(ruby, /^# Bug: \$\{1:\[Brief description\]\}$/m);
    assert.match(
      expected.markdown['Upkeep bug report'].body.join('\n'),
      /\$\{\d+\|Critical,High,Medium,Low\|\}/,
    );
  });

  it('is contributed in package.json for both languages', async () => {
    const manifest = JSON.parse(await fs.readFile(path.join(ROOT, 'package.json'), 'utf8')) as {
      contributes: { snippets?: { language: string; path: string }[] };
    };
    assert.deepEqual(
      (manifest.contributes.snippets ?? []).map((s) => [s.language, s.path]).sort(),
      [
        ['markdown', './snippets/markdown.json'],
        ['ruby', './snippets/ruby.json'],
      ],
    );
  });
});

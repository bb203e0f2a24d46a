/**
 * The template language: known variables filled in, fields turned into tab stops, unknown names
 * reported and left as written, and the snippet form always resolving to the written text.
 */
import { strict as assert } from 'node:assert';
import { BUILTIN_TEMPLATES } from '../../../src/core/templates/builtin';
import { escapeSnippetText, renderTemplate } from '../../../src/core/templates/render';

/** What VS Code shows after inserting a snippet, before anything is typed. */
function resolveSnippet(snippet: string): string {
  let out = '';
  for (let i = 0; i < snippet.length; i++) {
    const char = snippet[i];
    if (char === '\\' && /[\\$}]/.test(snippet[i + 1] ?? '')) {
      out += snippet[++i];
    } else if (char === '$' && snippet[i + 1] === '{') {
      const colon = snippet.indexOf(':', i);
      i = colon; // the placeholder's text follows; its closing brace is skipped below
    } else if (char === '}') {
      // closes a placeholder (an escaped one was handled above)
    } else {
      out += char;
    }
  }
  return out;
}

describe('renderTemplate', () => {
  it('fills in known variables with or without spaces inside the braces', () => {
    const result = renderTemplate('# {{title}} by {{ author }} on {{date}}', {
      title: 'Login fails',
      author: 'Ada <ada@example.com>',
      date: '2026-12-04',
    });
    assert.equal(result.text, '# Login fails by Ada <ada@example.com> on 2026-12-04');
    assert.deepEqual(result.unknown, []);
  });

  it('reports unknown variables and leaves them in the text as written', () => {
    const result = renderTemplate('{{title}} {{ticket}} {{ assignee }} {{ticket}}', { title: 'x' });
    assert.deepEqual(result.unknown, ['ticket', 'assignee']);
    assert.equal(result.text, 'x {{ticket}} {{ assignee }} {{ticket}}');
  });

  it('turns fields into numbered tab stops showing [Label]', () => {
    const result = renderTemplate('1. {{field:Step 1}}\n2. {{ field: Step 2 }}', {});
    assert.equal(result.text, '1. [Step 1]\n2. [Step 2]');
    assert.equal(result.snippet, '1. ${1:[Step 1]}\n2. ${2:[Step 2]}');
  });

  it('makes a known variable without a value a field named after it', () => {
    const result = renderTemplate('Due: {{deadline}}', { deadline: undefined });
    assert.equal(result.text, 'Due: [deadline]');
    assert.equal(result.snippet, 'Due: ${1:[deadline]}');
    assert.deepEqual(result.unknown, []);
  });

  it('escapes snippet syntax in values and text so titles come out as typed', () => {
    const title = 'Price shows $0 for ${plan} \\ {weird}';
    const result = renderTemplate('# {{title}} $HOME {{field:a}}', { title });
    assert.equal(result.text, `# ${title} $HOME [a]`);
    assert.equal(escapeSnippetText('$1}'), '\\$1\\}');
    assert.equal(resolveSnippet(result.snippet), result.text);
  });

  it('leaves stray or unclosed braces alone', () => {
    const text = 'a {{ b\n}} c {{}} d {{{x}}} e {';
    const result = renderTemplate(text, {});
    assert.equal(result.text, text);
    assert.deepEqual(result.unknown, ['x']);
  });

  it('does not treat inherited object keys as variables', () => {
    const result = renderTemplate('{{constructor}} {{toString}}', {});
    assert.deepEqual(result.unknown, ['constructor', 'toString']);
  });

  it('resolves every built-in template snippet to exactly its text', () => {
    for (const [kind, template] of Object.entries(BUILTIN_TEMPLATES)) {
      const result = renderTemplate(template, {
        title: 'T $1 }',
        date: '2026-12-04',
        created: '2026-12-04 10:00 +01:00 (Europe/Berlin)',
        author: 'unknown',
        tier: 'High',
        responseTime: '4 hours',
        deadline: '2026-12-04 14:00 +01:00 (Europe/Berlin)',
        branch: 'main',
      });
      assert.deepEqual(result.unknown, [], kind);
      assert.doesNotMatch(result.text, /\$\{|\{\{/, kind);
      assert.equal(resolveSnippet(result.snippet), result.text, kind);
      assert.match(result.snippet, /\$\{1:/, kind);
    }
  });
});

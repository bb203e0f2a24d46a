/**
 * The snippet files Upkeep contributes (`snippets/markdown.json`, `snippets/ruby.json`), built from
 * the same built-in templates as the commands so typing `upkeep-bug` gives the same sections. A
 * unit test keeps the checked-in files equal to what this builds.
 */
import type { TemplateKind } from './builtin';
import { BUILTIN_TEMPLATES } from './builtin';
import type { TemplateVariables } from './render';
import { renderTemplate } from './render';
import { SEVERITIES } from './severity';

interface SnippetDefinition {
  prefix: string;
  description: string;
  body: string[];
}

export type SnippetLanguage = 'markdown' | 'ruby';

/** Snippet variables stand in for what only the commands know (git, the chosen zone). */
const TODAY = '$CURRENT_YEAR-$CURRENT_MONTH-$CURRENT_DATE';
const SNIPPET_VARIABLES: TemplateVariables = {
  title: { field: 'Brief description' },
  date: { snippet: TODAY, text: 'YYYY-MM-DD' },
  created: { snippet: `${TODAY} $CURRENT_HOUR:$CURRENT_MINUTE`, text: 'YYYY-MM-DD hh:mm' },
  author: { field: 'author' },
  tier: { choice: SEVERITIES.map((severity) => severity.label) },
  responseTime: { field: SEVERITIES.map((s) => s.responseTime).join(' / ') },
  deadline: { field: 'response due' },
  branch: { field: 'branch' },
};

function body(kind: TemplateKind): string[] {
  return renderTemplate(BUILTIN_TEMPLATES[kind], SNIPPET_VARIABLES).snippet.split('\n');
}

export function contributedSnippets(): Record<SnippetLanguage, Record<string, SnippetDefinition>> {
  return {
    markdown: {
      'Upkeep bug report': {
        prefix: 'upkeep-bug',
        description:
          'Bug report with the guidelines sections (Upkeep: New Bug Report also fills in git)',
        body: body('bugReport'),
      },
      'Upkeep feature spec': {
        prefix: 'upkeep-feature',
        description: 'Feature spec: requirements, acceptance criteria, design, testing, deployment',
        body: body('featureSpec'),
      },
    },
    ruby: {
      'Upkeep bug-fix comment': {
        prefix: 'upkeep-bug',
        description: 'The guidelines bug-fix comment: reproduce, root cause, fix, test, docs',
        body: body('bugFixComment'),
      },
    },
  };
}

/**
 * The template language of Upkeep's bug reports, bug-fix comments and feature specs: `{{name}}`
 * is a variable, `{{field:Label}}` a field the person fills in (a snippet tab stop showing
 * `[Label]`). One rendering gives both the plain text written to disk and the snippet the editor
 * plays over it, so the two can never disagree.
 *
 * Hand-written rather than Mustache or Handlebars: we need exactly two forms, unknown names
 * reported instead of rendered empty, and no logic at all, so that a repo's template stays plain
 * text even in an untrusted workspace.
 */

/**
 * What a variable stands for: its text, a field to fill in, a choice (a tab stop offering the
 * options, the first written to disk), or snippet syntax such as `$CURRENT_YEAR` for snippet files.
 */
type TemplateValue =
  string | { field: string } | { choice: readonly string[] } | { snippet: string; text: string };

export type TemplateVariables = Readonly<Record<string, TemplateValue | undefined>>;

export interface RenderedTemplate {
  /** Plain text, fields shown as `[Label]`: what is written to disk. */
  text: string;
  /** The same document as VS Code snippet syntax, one tab stop per field, in order. */
  snippet: string;
  /** Names between `{{ }}` that are not variables; left in the text exactly as written. */
  unknown: string[];
}

type Segment =
  | { kind: 'text'; text: string }
  | { kind: 'field'; label: string }
  | { kind: 'choice'; options: readonly string[] }
  | { kind: 'raw'; snippet: string; text: string };

/** A `{{ ... }}` on one line; anything longer or spanning lines is ordinary text. */
const TAG = /\{\{([^{}\n]{1,200})\}\}/g;
const FIELD = /^\s*field\s*:\s*(.*?)\s*$/;

/**
 * Renders `template`. A known name whose value is `undefined` (a deadline in a feature spec)
 * becomes a field labelled with its name, so the person sees what is missing.
 */
export function renderTemplate(template: string, variables: TemplateVariables): RenderedTemplate {
  const segments: Segment[] = [];
  const unknown = new Set<string>();
  let last = 0;

  for (const match of template.matchAll(TAG)) {
    const start = match.index ?? 0;
    if (start > last) segments.push({ kind: 'text', text: template.slice(last, start) });
    last = start + match[0].length;

    const field = FIELD.exec(match[1]);
    if (field) {
      segments.push({ kind: 'field', label: field[1] });
      continue;
    }
    const name = match[1].trim();
    if (!Object.prototype.hasOwnProperty.call(variables, name)) {
      unknown.add(name);
      segments.push({ kind: 'text', text: match[0] });
      continue;
    }
    segments.push(segmentOf(name, variables[name]));
  }
  if (last < template.length) segments.push({ kind: 'text', text: template.slice(last) });

  return { text: toText(segments), snippet: toSnippet(segments), unknown: [...unknown] };
}

function segmentOf(name: string, value: TemplateValue | undefined): Segment {
  if (value === undefined) return { kind: 'field', label: name };
  if (typeof value === 'string') return { kind: 'text', text: value };
  if ('field' in value) return { kind: 'field', label: value.field };
  if ('choice' in value) return { kind: 'choice', options: value.choice };
  return { kind: 'raw', snippet: value.snippet, text: value.text };
}

function toText(segments: Segment[]): string {
  return segments
    .map((segment) => {
      if (segment.kind === 'text') return segment.text;
      if (segment.kind === 'field') return `[${segment.label}]`;
      if (segment.kind === 'choice') return segment.options[0] ?? '';
      return segment.text;
    })
    .join('');
}

function toSnippet(segments: Segment[]): string {
  let stop = 0;
  return segments
    .map((segment) => {
      if (segment.kind === 'text') return escapeSnippetText(segment.text);
      if (segment.kind === 'raw') return segment.snippet;
      stop += 1;
      if (segment.kind === 'choice') {
        const options = segment.options.map((option) => option.replace(/[\\,|]/g, '\\$&'));
        return `\${${stop}|${options.join(',')}|}`;
      }
      return `\${${stop}:${escapeSnippetText(`[${segment.label}]`)}}`;
    })
    .join('');
}

/**
 * Escapes text for VS Code's snippet grammar: `$` would start a variable, `}` would end a
 * placeholder, `\` escapes. A title like "Price shows $0" must come out as typed.
 */
export function escapeSnippetText(text: string): string {
  return text.replace(/[\\$}]/g, (char) => `\\${char}`);
}

/**
 * Creates bug reports and feature specs and renders the bug-fix comment: picks the repo's template
 * or the built-in one, fills in the variables, and writes a new file that never replaces another.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { UpkeepSettings } from '../settings';
import type { Clock } from '../util/clock';
import { UpkeepError } from '../util/errors';
import { isInside, whereLeads } from '../util/paths';
import type { Logger } from '../util/logger';
import { silentLogger } from '../util/logger';
import { typedLine } from '../util/printable';
import { readTextFileLimited } from '../util/textFile';
import type { TemplateKind } from './builtin';
import type { AfterCheckHook } from '../util/confinedOpen';
import { BUILTIN_TEMPLATES, REPO_TEMPLATE_FOLDER, TEMPLATE_FILE_NAMES } from './builtin';
import type { GitInfo } from './gitInfo';
import { readGitInfo } from './gitInfo';
import { escapeMarkdownHtml } from './markdown';
import { documentFolder, writeNewFile } from './newFile';
import type { RenderedTemplate, TemplateVariables } from './render';
import { escapeSnippetText, renderTemplate } from './render';
import type { SeverityId } from './severity';
import { responseDue, severityById } from './severity';
import { slugify } from './slug';
import { checkTimeZone, machineTimeZone } from '../util/timeZone';
import { formatZonedDate, formatZonedTime } from './zonedTime';

/** Longer titles are refused by the input box; the core cuts rather than fails. */
export const MAX_TITLE_LENGTH = 200;
/** A repo template larger than this is not a template; the built-in one is used instead. */
const MAX_TEMPLATE_BYTES = 256 * 1024;

export interface ScaffoldContext {
  /** The workspace folder (the Rails app), absolute. */
  workspace: string;
  settings: UpkeepSettings;
  clock: Clock;
  /** Whether the workspace is trusted; an untrusted one still gets its templates (plain text). */
  trusted: boolean;
  /** IANA zone in which dates and the deadline are written; this machine's zone by default. */
  timeZone?: string;
  log?: Logger;
  /** Author and branch, when the caller already knows them; read from git otherwise. */
  git?: GitInfo;
}

interface TemplateSource {
  text: string;
  /** The repo's template file, absolute; undefined for the built-in template. */
  file?: string;
  /** Why a repo template present on disk was not used. */
  warnings: string[];
}

export interface RenderedDocument extends RenderedTemplate {
  /** The repo template used, if any: the file named when unknown variables are reported. */
  templateFile?: string;
  warnings: string[];
}

export interface CreatedDocument extends RenderedDocument {
  /** The new file, absolute; it holds `text`. */
  file: string;
}

/** A message for an unusable title, or undefined when it is fine. */
export function validateTitle(title: string): string | undefined {
  const clean = cleanTitle(title);
  if (!clean) return 'Type a short title.';
  if (clean.length > MAX_TITLE_LENGTH) {
    return `Keep the title under ${MAX_TITLE_LENGTH} characters (it has ${clean.length}).`;
  }
  return undefined;
}

/** A title goes into a heading and a file name: one typed line, as typedLine() keeps it. */
export function cleanTitle(title: string): string {
  return typedLine(title);
}

const graphemeSegmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * At most MAX_TITLE_LENGTH UTF-16 units (what the input box counts), ending between two
 * user-perceived characters: a plain slice could keep half an emoji, written as U+FFFD.
 */
function cutTitle(title: string): string {
  if (title.length <= MAX_TITLE_LENGTH) return title;
  let cut = 0;
  for (const { index, segment } of graphemeSegmenter.segment(title)) {
    if (index + segment.length > MAX_TITLE_LENGTH) break;
    cut = index + segment.length;
  }
  return title.slice(0, cut).trimEnd();
}

/** The repo's template for `kind` when it has a readable one, else the built-in template. */
export async function loadTemplate(
  workspace: string | undefined,
  kind: TemplateKind,
  hooks: AfterCheckHook = {},
): Promise<TemplateSource> {
  const builtin: TemplateSource = { text: BUILTIN_TEMPLATES[kind], warnings: [] };
  if (!workspace) return builtin;

  const file = path.join(workspace, REPO_TEMPLATE_FOLDER, TEMPLATE_FILE_NAMES[kind]);
  const refuse = (why: string): TemplateSource => ({
    ...builtin,
    warnings: [`${why}; the built-in template was used.`],
  });
  let text: string | undefined;
  try {
    // A template committed as a link to ~/.aws/credentials would be copied into a new report
    // inside the repo (and committed): only a file whose real path is in the workspace is read.
    // A dangling link out is refused too: the built-in template told that its file is missing.
    // The file opened is judged too: a link put at its name after that check is refused.
    const root = await fs.realpath(workspace);
    if (!isInside(root, await whereLeads(file))) {
      return refuse(`${file} links outside the workspace`);
    }
    await hooks.afterCheck?.(file);
    text = await readTextFileLimited(file, MAX_TEMPLATE_BYTES, { inside: root });
  } catch (error) {
    // Not a regular file, too large: the message names the file and the reason.
    if (UpkeepError.is(error)) return refuse(error.message);
    return refuse(
      `${file} could not be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  if (text === undefined) return builtin;
  if (text.includes('\u0000')) return refuse(`${file} is not a text file`);
  return { text: text.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n'), file, warnings: [] };
}

/** The shared variables as Markdown text (author and branch come from git config). */
function markdownVariables(variables: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(variables).map(([name, value]) => [name, escapeMarkdownHtml(value)]),
  );
}

/** The variables every template kind shares: dates in the chosen zone, author, branch. */
async function commonVariables(
  context: ScaffoldContext,
): Promise<{ now: Date; timeZone: string; variables: Record<string, string> }> {
  const timeZone = checkTimeZone(context.timeZone ?? machineTimeZone());
  const now = context.clock.now();
  const git =
    context.git ??
    (await readGitInfo(context.workspace, { trusted: context.trusted, log: context.log }));
  return {
    now,
    timeZone,
    variables: {
      date: formatZonedDate(now, timeZone),
      created: formatZonedTime(now, timeZone),
      author: git.author,
      branch: git.branch,
    },
  };
}

/**
 * Writes `<bugFolder>/YYYY-MM-DD-title-slug.md` (the date in `timeZone`) with the bug-report
 * template: severity, response due time, author and branch filled in, the sections as fields.
 */
export async function createBugReport(
  context: ScaffoldContext,
  input: { title: string; severity: SeverityId; evidence?: string[] },
): Promise<CreatedDocument> {
  const title = cutTitle(cleanTitle(input.title));
  const severity = severityById(input.severity);
  const setting = 'upkeep.templates.bugFolder';
  const folder = documentFolder(context.workspace, context.settings.templates.bugFolder, setting);
  const { now, timeZone, variables } = await commonVariables(context);

  const source = await loadTemplate(context.workspace, 'bugReport');
  // A bug report is Markdown: a title or author like `<script>` must stay text in a preview.
  const rendered = renderTemplate(source.text, {
    ...markdownVariables(variables),
    title: escapeMarkdownHtml(title),
    tier: severity.label,
    responseTime: severity.responseTime,
    deadline: formatZonedTime(responseDue(now, severity.id), timeZone),
  });
  withEvidence(rendered, input.evidence ?? []);

  const base = `${variables.date}-${slugify(title)}`;
  const file = await writeNewFile(context.workspace, folder, base, '.md', rendered.text, setting);
  (context.log ?? silentLogger).info(`bug report ${file} (${severity.label})`);
  return { ...rendered, file, templateFile: source.file, warnings: source.warnings };
}

/**
 * Adds what the logs showed of an exception (a dashboard row the report was started from) as a
 * section of its own, before the template's first `## ` heading, else at the end. The lines come
 * from the log: Markdown text, never HTML, and plain text in the snippet.
 */
function withEvidence(rendered: RenderedTemplate, evidence: string[]): void {
  if (evidence.length === 0) return;
  const lines = evidence.map((line) => `- ${escapeMarkdownHtml(typedLine(line))}`);
  const section = `## Seen in the logs\n${lines.join('\n')}\n\n`;
  for (const key of ['text', 'snippet'] as const) {
    const add = key === 'text' ? section : escapeSnippetText(section);
    const heading = /^## /m.exec(rendered[key]);
    rendered[key] = heading
      ? rendered[key].slice(0, heading.index) + add + rendered[key].slice(heading.index)
      : `${rendered[key].replace(/\n*$/, '\n\n')}${add.trimEnd()}\n`;
  }
}

/** Writes `<featureFolder>/title-slug.md` with the feature-spec template. */
export async function createFeatureSpec(
  context: ScaffoldContext,
  input: { title: string },
): Promise<CreatedDocument> {
  const title = cutTitle(cleanTitle(input.title));
  const setting = 'upkeep.templates.featureFolder';
  const folder = documentFolder(
    context.workspace,
    context.settings.templates.featureFolder,
    setting,
  );
  const { variables } = await commonVariables(context);

  const source = await loadTemplate(context.workspace, 'featureSpec');
  const rendered = renderTemplate(source.text, {
    ...markdownVariables(variables),
    title: escapeMarkdownHtml(title),
    tier: undefined,
    responseTime: undefined,
    deadline: undefined,
  });

  const slug = slugify(title);
  const file = await writeNewFile(context.workspace, folder, slug, '.md', rendered.text, setting);
  (context.log ?? silentLogger).info(`feature spec ${file}`);
  return { ...rendered, file, templateFile: source.file, warnings: source.warnings };
}

/**
 * The bug-fix comment to insert at the cursor of a Ruby file. The title, severity and deadline
 * are not known there, so they are fields like the rest.
 */
export async function renderBugFixComment(context: ScaffoldContext): Promise<RenderedDocument> {
  const { variables } = await commonVariables(context);
  const source = await loadTemplate(context.workspace, 'bugFixComment');
  const all: TemplateVariables = {
    ...variables,
    title: { field: 'Brief description' },
    tier: undefined,
    responseTime: undefined,
    deadline: undefined,
  };
  return {
    ...renderTemplate(source.text, all),
    templateFile: source.file,
    warnings: source.warnings,
  };
}

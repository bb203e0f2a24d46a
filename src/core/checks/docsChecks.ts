/**
 * Documentation checks: broken relative links and anchors in README.md and docs/**, docs older
 * than the code they mention (git history), and generated YARD docs present.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import fg from 'fast-glob';
import { simpleGit } from 'simple-git';
import type { SimpleGit } from 'simple-git';
import { headingContent } from '../templates/markdown';
import { isInside, whereLeads } from '../util/paths';
import { plural } from '../util/plural';
import { readTextFile, readWorkspaceFile, statWorkspaceFile } from './files';
import { ChangedAfterCheckError, statInside } from '../util/confinedOpen';
import type { AfterCheckHook } from '../util/confinedOpen';
import type { CheckContext, CheckDefinition, CheckReport, Finding } from './types';

const DOC_GLOBS = ['README.md', 'readme.md', 'docs/**/*.md'];

/**
 * The Markdown files the docs checks read. Links to folders are not walked: `docs/loop -> .`
 * was walked again at every depth (two such links never finished) and `docs/etc -> /` walked
 * the disk. A linked file counts when it lies in the workspace.
 */
export async function findDocs(workspace: string): Promise<string[]> {
  const entries = await fg(DOC_GLOBS, {
    cwd: workspace,
    onlyFiles: false,
    caseSensitiveMatch: true,
    followSymbolicLinks: false,
    objectMode: true,
  });
  const root = await fs.realpath(workspace).catch(() => workspace);
  const files: string[] = [];
  for (const entry of entries) {
    if (entry.dirent.isFile()) {
      files.push(entry.path);
    } else if (entry.dirent.isSymbolicLink()) {
      const real = await fs.realpath(path.join(workspace, entry.path)).catch(() => undefined);
      const stat =
        real && isInside(root, real) ? await fs.stat(real).catch(() => undefined) : undefined;
      if (stat?.isFile()) files.push(entry.path);
    }
  }
  return [...new Set(files)].sort();
}

export interface MarkdownLink {
  target: string;
  line: number;
  column: number;
}

export interface MarkdownOutline {
  links: MarkdownLink[];
  /** Heading slugs and explicit `id`/`name` anchors. */
  anchors: Set<string>;
}

/**
 * GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens, and `-1`, `-2`
 * for repeats. Hand-written (a few lines) since no slug library is a declared dependency.
 */
export function githubSlug(heading: string, seen: Map<string, number>): string {
  const base = heading
    .trim()
    .toLowerCase()
    // `[^<>]`, not `[^>]`: a heading of unclosed `<` scanned to its end from each of them.
    .replace(/<[^<>]+>/g, '')
    .replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, '')
    .replace(/\s/g, '-');
  const count = seen.get(base) ?? 0;
  seen.set(base, count + 1);
  return count ? `${base}-${count}` : base;
}

/**
 * `[text](url)` and `![alt](url)` replaced by their text, in one pass: the pattern this replaces
 * rescanned to the end of the line from every `[` when no `)` followed (seconds on a long line).
 */
function linkTexts(text: string): string {
  let out = '';
  let from = 0;
  let open = text.indexOf('[');
  while (open !== -1) {
    const close = text.indexOf(']', open + 1);
    if (close === -1) break;
    if (text[close + 1] !== '(') {
      open = text.indexOf('[', close + 1);
      continue;
    }
    const end = text.indexOf(')', close + 2);
    if (end === -1) break;
    const start = open > from && text[open - 1] === '!' ? open - 1 : open;
    out += text.slice(from, start) + text.slice(open + 1, close);
    from = end + 1;
    open = text.indexOf('[', from);
  }
  return out + text.slice(from);
}

/** Strips the Markdown a heading's visible text does not include: links, emphasis, code ticks. */
function headingText(raw: string): string {
  return linkTexts(headingContent(raw)).replace(/[*_`]/g, (char) => (char === '_' ? '_' : ''));
}

/** Lines longer than this are not scanned for links (generated or minified content). */
export const MAX_LINK_LINE = 5000;
const REFERENCE_DEFINITION = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$/;
const EXPLICIT_ANCHOR = /<a\s+(?:name|id)=["']([^"']+)["']|\{#([\w-]+)\}/g;

const isSpace = (char: string | undefined): boolean => char !== undefined && /\s/.test(char);

/**
 * The first character at or after a position that `stops`, or the line's length. Links are
 * read left to right, so asking again from inside the last answer reuses it: a line of `[a](<`
 * or of `[a](b "` is read once, not once for every `[`.
 */
function forwardFinder(line: string, stops: (char: string) => boolean): (start: number) => number {
  let last = { from: Infinity, at: -1 };
  return (start) => {
    if (start < last.from || start > last.at) {
      let at = start;
      while (at < line.length && !stops(line[at])) at++;
      last = { from: start, at };
    }
    return last.at;
  };
}

interface LineFinders {
  /** The `]` that closes a link text opened just before `start`, or a stop it cannot pass. */
  textEnd(start: number): number;
  /** The end of a target: `)`, a space or `>`. */
  targetEnd(start: number): number;
  closingParen(start: number): number;
}

/**
 * `[text](target)`, `![alt](<target> "title")`: the targets of a line's inline links and their
 * columns, in one pass. A `[` inside a link text ends where that text ends (a backslash escapes
 * the next character), so the end found for the first one serves all of them; the regular
 * expression this replaces looked for it again from each `[` (18 s for 1 MB of `[`).
 */
function inlineLinks(line: string): { target: string; column: number }[] {
  let escaped = false;
  const finders: LineFinders = {
    // A backslash takes the next character, but never a line break or nothing.
    textEnd: forwardFinder(line, (char) => {
      if (escaped) {
        escaped = false;
        return /[\r\u2028\u2029]/.test(char);
      }
      escaped = char === '\\';
      return char === ']';
    }),
    targetEnd: forwardFinder(line, (char) => /[)\s>]/.test(char)),
    closingParen: forwardFinder(line, (char) => char === ')'),
  };
  const links: { target: string; column: number }[] = [];
  let from = 0;
  for (let open = line.indexOf('[', from); open !== -1; open = line.indexOf('[', from)) {
    escaped = false;
    const textEnd = finders.textEnd(open + 1);
    const target = line[textEnd] === ']' ? linkTarget(line, textEnd + 1, finders) : undefined;
    if (!target) {
      from = open + 1;
      continue;
    }
    const start = open > from && line[open - 1] === '!' ? open - 1 : open;
    links.push({
      target: target.text,
      column: start + line.slice(start, target.end).indexOf(target.text) + 1,
    });
    from = target.end;
  }
  return links;
}

/** `(target)`, `(<target>)` or `(target "title")` at `at`: the target and where the link ends. */
function linkTarget(
  line: string,
  at: number,
  finders: LineFinders,
): { text: string; end: number } | undefined {
  if (line[at] !== '(') return undefined;
  let k = at + 1;
  while (isSpace(line[k])) k++;
  // In `(<)` and `(<>)` nothing is between the angle brackets: the `<` is the target then.
  if (line[k] === '<' && k + 1 < line.length && !/[)\s>]/.test(line[k + 1])) k++;
  const targetEnd = finders.targetEnd(k);
  if (targetEnd === k) return undefined;
  const text = line.slice(k, targetEnd);
  k = targetEnd;
  if (line[k] === '>') k++;
  if (line[k] === ')') return { text, end: k + 1 };
  if (!isSpace(line[k])) return undefined;
  while (isSpace(line[k])) k++;
  if (!`"'(`.includes(line[k] ?? 'x')) return undefined;
  const close = finders.closingParen(k + 1);
  return close === line.length ? undefined : { text, end: close + 1 };
}

/**
 * Links, headings and anchors of one Markdown file, outside fenced code and inline code.
 * A small scanner rather than a Markdown parser because findings need exact lines and columns.
 */
export function outlineMarkdown(text: string): MarkdownOutline {
  const links: MarkdownLink[] = [];
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fence: string | undefined;

  const lines = text.split(/\r?\n/);
  lines.forEach((line, index) => {
    const fenceMark = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
    if (fenceMark) {
      if (!fence) fence = fenceMark[1][0];
      else if (fenceMark[1][0] === fence) fence = undefined;
      return;
    }
    if (fence) return;

    const heading = /^\s{0,3}#{1,6}\s+(.*)$/.exec(line);
    if (heading) anchors.add(githubSlug(headingText(heading[1]), seen));
    const setext = /^\s{0,3}(=+|-+)\s*$/.exec(line);
    // `Title` underlined by === or --- is a heading too (a --- after a blank line is a rule).
    if (setext && index > 0 && lines[index - 1].trim() && !/^\s{0,3}#/.test(lines[index - 1])) {
      anchors.add(githubSlug(headingText(lines[index - 1]), seen));
    }
    for (const match of line.matchAll(EXPLICIT_ANCHOR)) anchors.add(match[1] ?? match[2]);

    if (line.length > MAX_LINK_LINE) return;
    const code = line.replace(/`[^`]*`/g, (span) => ' '.repeat(span.length));
    const reference = REFERENCE_DEFINITION.exec(code);
    if (reference) {
      links.push({ target: reference[1], line: index + 1, column: code.indexOf(reference[1]) + 1 });
      return;
    }
    for (const link of inlineLinks(code)) links.push({ ...link, line: index + 1 });
  });
  return { links, anchors };
}

function isExternal(target: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//');
}

/** A link an untrusted workspace does not follow: it leads out of the workspace. */
const WAITS_FOR_TRUST = 'leads outside the workspace; waits for workspace trust';

/**
 * Broken relative links and anchors across the given docs (workspace-relative paths). In an
 * untrusted workspace a link that leads outside it is neither looked at nor read: an `info`
 * finding says it waits for trust. A target that cannot be read (a FIFO, a device, a file over
 * 16 MB) is a `warning` naming why, whatever the trust.
 */
export async function findBrokenLinks(
  context: Pick<CheckContext, 'workspace' | 'trusted'> & AfterCheckHook,
  docs: string[],
): Promise<Finding[]> {
  const { workspace } = context;
  const root = await fs.realpath(workspace);
  const outlines = new Map<string, MarkdownOutline | Error | undefined>();
  const outline = async (file: string): Promise<MarkdownOutline | Error | undefined> => {
    if (!outlines.has(file)) {
      const read = await readWorkspaceFile(context, file).then(
        (text) => (text === undefined ? undefined : outlineMarkdown(text)),
        // Named as the doc names it, not by the absolute path the reader was given.
        (error: unknown) =>
          new Error(
            (error instanceof Error ? error.message : String(error))
              .split(path.join(workspace, file))
              .join(file),
          ),
      );
      outlines.set(file, read);
    }
    return outlines.get(file);
  };

  const findings: Finding[] = [];
  for (const doc of docs) {
    const own = await outline(doc);
    if (own instanceof Error) {
      const message = `not read: ${own.message}`;
      findings.push({ file: doc, severity: 'warning', source: 'docs.brokenLinks', message });
      continue;
    }
    if (!own) continue;
    for (const link of own.links) {
      if (isExternal(link.target)) continue;
      const [rawPath, rawAnchor] = splitOnce(link.target, '#');
      const linkPath = safeDecode(rawPath.split('?')[0]);
      const anchor = rawAnchor === undefined ? undefined : safeDecode(rawAnchor).toLowerCase();
      const at = { file: doc, line: link.line, column: link.column, source: 'docs.brokenLinks' };

      let targetFile = doc;
      if (linkPath) {
        const resolved = linkPath.startsWith('/')
          ? path.join(workspace, linkPath)
          : path.resolve(workspace, path.dirname(doc), linkPath);
        // Whether it is there, and its headings, would tell what lies outside.
        if (!context.trusted && !isInside(root, await whereLeads(resolved))) {
          findings.push({
            ...at,
            severity: 'info',
            message: `not checked: ${link.target} ${WAITS_FOR_TRUST}`,
          });
          continue;
        }
        await context.afterCheck?.(resolved);
        const relative = path.relative(workspace, resolved);
        // Looked at through the file opened: a link out put at its name since tells nothing.
        const stat = await (context.trusted ? fs.stat(resolved) : statInside(resolved, root)).catch(
          (error: unknown) => (error instanceof ChangedAfterCheckError ? error : undefined),
        );
        if (stat instanceof ChangedAfterCheckError) {
          const changed = `${relative} changed after it was checked and was not looked at`;
          findings.push({ ...at, severity: 'info', message: `not checked: ${changed}` });
          continue;
        }
        if (!stat) {
          findings.push({
            ...at,
            severity: 'warning',
            message: `broken link: ${link.target} does not exist`,
          });
          continue;
        }
        if (stat.isDirectory() || !/\.md$/i.test(resolved) || relative.startsWith('..')) continue;
        targetFile = relative;
      }
      if (!anchor) continue;
      const target = await outline(targetFile);
      if (target instanceof Error) {
        findings.push({
          ...at,
          severity: 'warning',
          message: `cannot check #${rawAnchor}: ${target.message}`,
        });
      } else if (target && !target.anchors.has(anchor)) {
        const where = linkPath ? ` in ${targetFile}` : '';
        findings.push({
          ...at,
          severity: 'warning',
          message: `broken anchor: #${rawAnchor} not found${where}`,
        });
      }
    }
  }
  return findings;
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const index = text.indexOf(separator);
  return index === -1 ? [text, undefined] : [text.slice(0, index), text.slice(index + 1)];
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export const brokenLinksCheck: CheckDefinition = {
  id: 'docs.brokenLinks',
  title: 'Documentation links',
  description:
    'Relative links and #anchors in README.md and ' +
    'docs/**/*.md point at files and headings that exist.',
  async run(context: CheckContext): Promise<CheckReport> {
    const docs = await findDocs(context.workspace);
    if (!docs.length) return { outcome: 'skipped', summary: 'no README.md or docs/**/*.md' };
    const found = await findBrokenLinks(context, docs);
    const findings = found.filter((finding) => finding.severity !== 'info');
    const waiting = found.length - findings.length;
    const values = { docs: docs.length, brokenLinks: findings.length };
    const wait = waiting
      ? `; ${plural(waiting, 'link')} out of the workspace wait${waiting > 1 ? '' : 's'} for ` +
        'workspace trust'
      : '';
    const trust = waiting ? { waitsForTrust: true } : {};
    if (!findings.length) {
      return {
        outcome: 'pass',
        summary: `${plural(docs.length, 'doc')}, no broken link${wait}`,
        values,
        ...(waiting ? { findings: found } : {}),
        ...trust,
      };
    }
    return {
      outcome: 'warn',
      summary:
        `${findings.length} broken link${findings.length > 1 ? 's' : ''} ` +
        `in ${plural(new Set(findings.map((f) => f.file)).size, 'doc')}${wait}`,
      values,
      findings: found,
      ...trust,
    };
  },
};

// ---------------------------------------------------------------------------------------------

const CODE_PATH = /(?<![\w/.-])((?:app|lib|config|db|bin|spec|test)\/[\w./-]*[\w])/g;

export interface CodeMention {
  path: string;
  line: number;
  column: number;
}

/** Repo paths a doc mentions, like `app/models/user.rb`. */
export function codeMentions(text: string): CodeMention[] {
  const mentions: CodeMention[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    for (const match of line.matchAll(CODE_PATH)) {
      mentions.push({ path: match[1], line: index + 1, column: (match.index ?? 0) + 1 });
    }
  });
  return mentions;
}

export const staleDocsCheck: CheckDefinition = {
  id: 'docs.stale',
  title: 'Docs up to date with the code',
  description:
    'A doc that mentions a file (app/models/user.rb) ' +
    "whose last commit is newer than the doc's last commit.",
  // `git log` reads the repository's .git/config, which can name programs git runs.
  needsTrust: true,
  async run(context: CheckContext): Promise<CheckReport> {
    const git = simpleGit({ baseDir: context.workspace, abort: context.signal });
    if (!(await git.checkIsRepo().catch(() => false))) {
      return { outcome: 'skipped', summary: 'not a git repository' };
    }
    const docs = await findDocs(context.workspace);
    if (!docs.length) return { outcome: 'skipped', summary: 'no README.md or docs/**/*.md' };

    // A shallow clone (a CI checkout) gives a file last changed before its cut the date of the
    // cut's commit: a doc and the code it mentions both from before it cannot be compared.
    const cut = await shallowCommits(git, context.workspace);
    const lastCommit = new Map<string, { date: Date; cut: boolean } | undefined>();
    const committedAt = async (file: string): Promise<{ date: Date; cut: boolean } | undefined> => {
      if (!lastCommit.has(file)) {
        const latest = (await git.log({ file, maxCount: 1 }).catch(() => undefined))?.latest;
        lastCommit.set(
          file,
          latest ? { date: new Date(latest.date), cut: cut.has(latest.hash) } : undefined,
        );
      }
      return lastCommit.get(file);
    };

    const findings: Finding[] = [];
    let undated = 0;
    for (const doc of docs) {
      const docCommit = await committedAt(doc);
      if (!docCommit) continue;
      const docDate = docCommit.date;
      const text = await readTextFile(path.join(context.workspace, doc));
      if (text === undefined) continue;
      const reported = new Set<string>();
      for (const mention of codeMentions(text)) {
        if (reported.has(mention.path)) continue;
        const code = await committedAt(mention.path);
        if (code?.cut && docCommit.cut) {
          reported.add(mention.path);
          undated++;
          continue;
        }
        const codeDate = code?.date;
        if (!codeDate || codeDate <= docDate) continue;
        reported.add(mention.path);
        const days = Math.max(0, Math.round((codeDate.getTime() - docDate.getTime()) / 86_400_000));
        findings.push({
          file: doc,
          line: mention.line,
          column: mention.column,
          severity: 'info',
          source: 'docs.stale',
          message: `${mention.path} was committed ${days ? `${days} days ` : ''}after this doc`,
        });
      }
    }
    const staleDocs = new Set(findings.map((f) => f.file)).size;
    const values = { docs: docs.length, staleDocs, staleMentions: findings.length };
    const undatedText = `${plural(undated, 'mention')} in docs cannot be dated`;
    const unshallow =
      'Fetch the whole history: fetch-depth: 0 for actions/checkout, GIT_DEPTH: 0 in GitLab CI, ' +
      'or git fetch --unshallow.';
    if (!findings.length && undated) {
      return {
        outcome: 'skipped',
        summary: `shallow clone: ${undatedText} (their last commits are cut off)`,
        details: unshallow,
        values: { ...values, undatedMentions: undated },
      };
    }
    if (!findings.length) {
      return {
        outcome: 'pass',
        summary: `${plural(docs.length, 'doc')}, none older than the code they mention`,
        values,
      };
    }
    return {
      outcome: 'warn',
      summary: `${staleDocs} doc${staleDocs > 1 ? 's' : ''} older than the code they mention`,
      ...(undated ? { details: `${undatedText}: the clone is shallow. ${unshallow}` } : {}),
      values: undated ? { ...values, undatedMentions: undated } : values,
      findings,
    };
  },
};

/** The commits a shallow clone's history is cut at (`.git/shallow`); none in a full one. */
async function shallowCommits(git: SimpleGit, workspace: string): Promise<Set<string>> {
  const file = await git.revparse(['--git-path', 'shallow']).catch(() => undefined);
  if (!file) return new Set();
  const text = await readTextFile(path.resolve(workspace, file.trim()));
  return new Set((text ?? '').split('\n').filter((line) => /^[0-9a-f]{40,64}$/.test(line)));
}

export const generatedDocsCheck: CheckDefinition = {
  id: 'docs.generated',
  title: 'Generated docs present',
  description: 'YARD output in doc/ (run `yard doc`), when the project uses YARD.',
  async run(context: CheckContext): Promise<CheckReport> {
    // Untrusted, a file linked out of the folder throws `untrusted` and the check waits, one
    // put there after that check `refused`: its presence, its text or its time would tell of
    // the file it leads to.
    const lock = (await readWorkspaceFile(context, 'Gemfile.lock')) ?? '';
    const usesYard =
      /^\s{4}yard \(/m.test(lock) || (await statWorkspaceFile(context, '.yardopts')) !== undefined;
    const stat = await statWorkspaceFile(context, path.join('doc', 'index.html'));
    if (!stat) {
      if (!usesYard) {
        return {
          outcome: 'skipped',
          summary: 'the project does not use YARD (no yard gem, no .yardopts)',
        };
      }
      return { outcome: 'warn', summary: 'no generated docs in doc/ (run yard doc)' };
    }
    // A file written a moment ago can carry an mtime a hair ahead of the clock.
    const age = Math.max(0, context.clock.now().getTime() - stat.mtimeMs);
    const days = Math.floor(age / 86_400_000);
    return {
      outcome: 'pass',
      summary: `doc/index.html generated ${days > 0 ? `${plural(days, 'day')} ago` : 'today'}`,
      values: { generatedDaysAgo: days },
    };
  },
};

/**
 * Sets or clears a task's `owner:` in the repo playbook's text, changing only the owner's own
 * span: comments, order, anchors, quoting, line endings and indentation of everything else stay
 * as the maintainer wrote them. The yaml Document says where things are; the change is one
 * splice of the text, and the result is read back with the loader before it is accepted.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  stringify,
  visit,
} from 'yaml';
import type { Document, Node, Pair, YAMLMap, YAMLSeq } from 'yaml';
import { UpkeepError, fileErrorWithCode } from '../util/errors';
import { isInside } from '../util/paths';
import { UNSAFE_CHAR } from '../util/printable';
import { describeSize, readTextFileLimited, replaceFile } from '../util/textFile';
import { MAX_YAML_DEPTH, lineNestedTooDeep } from '../util/yamlDepth';
import { makeFolder } from '../util/makeFolder';
import { defaultPlaybook } from './defaultPlaybook';
import {
  applyPlaybookText,
  ID_PATTERN,
  MAX_PLAYBOOK_BYTES,
  PLAYBOOK_FILE,
  withLineFeeds,
} from './loader';
import type { Playbook } from './model';
import { findTask } from './model';

/** A name or a team, never a paragraph: the tree row shows it. */
export const MAX_OWNER_LENGTH = 100;

/** Line and paragraph separators, the byte order mark and lone surrogates: not one line of text. */
const NOT_ONE_LINE = /[\u2028\u2029\ufeff]|\p{Cs}/u;

/** Why `owner` cannot be written as an owner, or undefined when it can. */
export function ownerProblem(owner: string): string | undefined {
  if (owner.trim() === '') return 'An owner cannot be blank; clear it instead.';
  const length = [...owner].length;
  if (length > MAX_OWNER_LENGTH) {
    return `An owner is at most ${MAX_OWNER_LENGTH} characters; this one has ${length}.`;
  }
  const unsafe = UNSAFE_CHAR.exec(owner) ?? NOT_ONE_LINE.exec(owner);
  if (unsafe) {
    const code = unsafe[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    return (
      'An owner is one line of plain text, without line breaks, control or bidirectional ' +
      `characters (it has U+${code}).`
    );
  }
  return undefined;
}

/** Replace `length` characters at `offset` with `insert`. */
export interface TextSplice {
  offset: number;
  length: number;
  insert: string;
}

/** A refused edit; `line` and `column` (1-based) point at the YAML error when there is one. */
export class PlaybookEditError extends UpkeepError {
  constructor(
    code: 'parse' | 'refused',
    message: string,
    hint?: string,
    readonly position?: { line: number; column: number },
  ) {
    super(code, message, hint);
  }

  static isEditError(value: unknown): value is PlaybookEditError {
    return value instanceof PlaybookEditError;
  }
}

/**
 * The change that makes `text` (the playbook's text; undefined when there is no file) give the
 * task `owner`, or no owner of the file's (the default) when `owner` is undefined, with the owner
 * the text gave it before (`previous`, undefined for none). Undefined when the text already says
 * so. A file with YAML errors, a hostile owner, or a result that reads back
 * as anything but that owner with the rest of the playbook unchanged is refused.
 */
export function setTaskOwner(
  text: string | undefined,
  taskId: string,
  owner: string | undefined,
): { text: string; splice: TextSplice; previous: string | undefined } | undefined {
  const problem = owner === undefined ? undefined : ownerProblem(owner);
  if (problem) throw new PlaybookEditError('refused', problem);
  if (!ID_PATTERN.test(taskId)) {
    throw new PlaybookEditError('refused', `"${taskId}" is not a task id.`);
  }
  const source = text ?? '';
  const document = parseChecked(source);
  // Where things are is read from the text with line feeds (the parser's line ends); the
  // splice, of the same offsets, goes into the file's own text, whatever its line ends.
  const lines = withLineFeeds(source);
  const before = applyPlaybookText(defaultPlaybook(), source);
  const task = findTask(before.playbook, taskId);
  if (!task) {
    throw new PlaybookEditError(
      'refused',
      `There is no task "${taskId}" in the playbook (was ${PLAYBOOK_FILE} changed?); ` +
        'nothing was written.',
    );
  }
  if (task.owner === owner) return undefined;

  const eol = lineEnding(source);
  let why = '';
  // Plain first, as a person writes it; double quotes when plain would read back otherwise (a
  // `%YAML 1.1` file's `yes`, a comma inside a flow mapping).
  for (const style of ['PLAIN', 'QUOTE_DOUBLE'] as const) {
    const splice = planSplice(document, lines, taskId, {
      id: scalarText(taskId, style),
      owner: owner === undefined ? undefined : scalarText(owner, style),
      eol,
    });
    if (!splice) {
      why = 'its owner does not come from an owner: line of its own entry';
      break;
    }
    const next = applySplice(source, splice);
    const failed = readsBackWrong(before, next, taskId, owner);
    if (!failed) return { text: next, splice, previous: task.owner };
    why = failed;
  }
  throw new PlaybookEditError(
    'refused',
    `Upkeep could not change the owner of "${taskId}" in ${PLAYBOOK_FILE} safely: ${why}. ` +
      'Nothing was written.',
    'Edit its owner: line by hand.',
  );
}

/** The line end the file uses, for the lines an edit adds: CRLF, LF, or a lone CR. */
function lineEnding(source: string): string {
  if (source.includes('\r\n')) return '\r\n';
  return source.includes('\r') && !source.includes('\n') ? '\r' : '\n';
}

export function applySplice(text: string, splice: TextSplice): string {
  return text.slice(0, splice.offset) + splice.insert + text.slice(splice.offset + splice.length);
}

/**
 * The parsed document; a file the loader would not read (YAML errors, too large) is refused.
 * Set Owner asks it before asking for the owner, so a broken file is shown, not typed at.
 */
export function parseChecked(source: string): Document {
  if (Buffer.byteLength(source, 'utf8') > MAX_PLAYBOOK_BYTES) {
    throw new PlaybookEditError('refused', `${PLAYBOOK_FILE} is too large to edit.`);
  }
  const deep = lineNestedTooDeep(withLineFeeds(source));
  if (deep !== undefined) {
    throw new PlaybookEditError(
      'parse',
      `${PLAYBOOK_FILE} nests more than ${MAX_YAML_DEPTH} levels deep at line ${deep}; ` +
        'nothing was written.',
      'Fix the file first.',
      { line: deep, column: 1 },
    );
  }
  const lines = new LineCounter();
  const document = parseDocument(withLineFeeds(source), {
    lineCounter: lines,
    prettyErrors: false,
    uniqueKeys: false,
  });
  const error = document.errors[0];
  if (error) {
    const { line, col } = lines.linePos(error.pos[0]);
    throw new PlaybookEditError(
      'parse',
      `${PLAYBOOK_FILE} has a YAML error at line ${line}, column ${col} ` +
        `(${error.message.split('\n')[0]}); nothing was written.`,
      'Fix the file first, then set the owner again.',
      { line, column: col },
    );
  }
  return document;
}

function scalarText(value: string, style: 'PLAIN' | 'QUOTE_DOUBLE'): string {
  // lineWidth 0: never folded over lines, whatever its length.
  return stringify(value, { lineWidth: 0, defaultStringType: style }).replace(/\r?\n$/, '');
}

/**
 * Where and what to change; undefined when the file has nothing to change. `id` and `owner` are
 * the scalars as written (`owner` undefined clears it).
 */
function planSplice(
  document: Document,
  source: string,
  taskId: string,
  { id, owner, eol }: { id: string; owner: string | undefined; eol: string },
): TextSplice | undefined {
  const root = document.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === ''))) {
    if (owner === undefined) return undefined;
    // An empty file or one of comments only: the least the loader reads as this override.
    const lead = source === '' || source.endsWith('\n') ? '' : eol;
    const lines = ['version: 1', 'tasks:', `  - id: ${id}`, `    owner: ${owner}`];
    return { offset: source.length, length: 0, insert: lead + lines.join(eol) + eol };
  }
  if (!isMap(root)) {
    throw new PlaybookEditError(
      'refused',
      `${PLAYBOOK_FILE} is not a mapping; nothing was written.`,
    );
  }

  const tasks = firstPair(root, 'tasks');
  if (!tasks) {
    if (owner === undefined) return undefined;
    return addPair(source, root, 'tasks', {
      block: (indent) =>
        ['tasks:', `${indent}  - id: ${id}`, `${indent}    owner: ${owner}`].join(eol),
      flow: `tasks: [{ id: ${id}, owner: ${owner} }]`,
      eol,
      atEnd: true,
    });
  }
  if (!isSeq(tasks.value)) {
    throw new PlaybookEditError(
      'refused',
      `tasks: in ${PLAYBOOK_FILE} is not a list; nothing was written.`,
      'Fix the file first.',
    );
  }

  const entry = findEntry(tasks.value, taskId);
  if (!entry) {
    if (owner === undefined) return undefined;
    return addEntry(source, tasks.value, {
      block: (indent) => `${indent}- id: ${id}${eol}${indent}  owner: ${owner}`,
      flow: `{ id: ${id}, owner: ${owner} }`,
      eol,
    });
  }
  const pair = firstPair(entry, 'owner');
  const anchor = pair?.value?.anchor;
  if (anchor && usesAnchor(document, anchor)) {
    throw new PlaybookEditError(
      'refused',
      `The owner of "${taskId}" is the anchor &${anchor}, used elsewhere in ${PLAYBOOK_FILE}; ` +
        'nothing was written.',
      'Edit the anchor, or give this task an owner of its own, by hand.',
    );
  }
  if (owner === undefined) return pair ? removePair(source, entry, pair) : undefined;
  if (pair) return replaceValue(source, pair, owner);
  return addPair(source, entry, 'owner', {
    block: () => `owner: ${owner}`,
    flow: `owner: ${owner}`,
    eol,
    after: firstPair(entry, 'id'),
  });
}

function firstPair(map: YAMLMap, key: string): Pair<Node, Node | null> | undefined {
  return (map.items as Pair<Node, Node | null>[]).find(
    (pair) => isScalar(pair.key) && String(pair.key.value) === key,
  );
}

function usesAnchor(document: Document, anchor: string): boolean {
  let used = false;
  visit(document, {
    Alias(_, node) {
      if (isAlias(node) && node.source === anchor) {
        used = true;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return used;
}

/** The first entry of `tasks:` whose id is `taskId`, as the loader keeps the first. */
function findEntry(tasks: YAMLSeq, taskId: string): YAMLMap | undefined {
  for (const item of tasks.items) {
    if (!isMap(item)) continue;
    const id = firstPair(item, 'id')?.value;
    if (isScalar(id) && id.value === taskId) return item;
  }
  return undefined;
}

const range = (node: Node | null | undefined): [number, number, number] | undefined =>
  node?.range ?? undefined;

/** The 0-based column of `offset`; a byte order mark (Notepad writes one) takes none. */
function columnOf(source: string, offset: number): number {
  const lineStart = source.lastIndexOf('\n', offset - 1) + 1;
  return offset - lineStart - (lineStart === 0 && source.startsWith('\ufeff') ? 1 : 0);
}

/** The offset just past the line break ending the line that holds `offset - 1`. */
function endOfLine(source: string, offset: number): number {
  if (offset > 0 && source[offset - 1] === '\n') return offset;
  const next = source.indexOf('\n', offset);
  return next === -1 ? source.length : next + 1;
}

/** Where a pair's text ends: its value's, or its key's when the value is empty. */
function pairEnd(pair: Pair<Node, Node | null>): number {
  return (range(pair.value) ?? range(pair.key))![1];
}

function replaceValue(source: string, pair: Pair<Node, Node | null>, text: string): TextSplice {
  const value = pair.value;
  const at = range(value);
  if (!value || !at || at[0] === at[1]) {
    // `owner:` with nothing after it.
    const offset = at ? at[0] : pairEnd(pair);
    const space = /[ \t]/.test(source[offset - 1] ?? '') ? '' : ' ';
    return { offset, length: 0, insert: `${space}${text}` };
  }
  const old = source.slice(at[0], at[1]);
  // A block scalar (`|`) ends with its line break; the next key keeps its line, and the break
  // stays the file's own.
  const lineBreak = /\r?\n$/.exec(old)?.[0] ?? '';
  // An anchor or a tag before the value stays (`&lead Bob` becomes `&lead Alice`); where the
  // anchor is used elsewhere, the read-back sees the other owner change and refuses.
  return { offset: at[0], length: at[1] - at[0] - lineBreak.length, insert: text };
}

interface PairText {
  /** The pair in block style; `indent` is the map's key indentation. */
  block: (indent: string) => string;
  flow: string;
  eol: string;
  /** The new pair goes on the line after this one (default: after the last pair). */
  after?: Pair<Node, Node | null>;
  /** In a block mapping, at the end of the text (the root: after its trailing comments). */
  atEnd?: boolean;
}

function addPair(source: string, map: YAMLMap, key: string, text: PairText): TextSplice {
  const pairs = map.items as Pair<Node, Node | null>[];
  const last = text.after ?? pairs.at(-1);
  if (map.flow) {
    if (!last) return { offset: range(map)![0] + 1, length: 0, insert: ` ${text.flow} ` };
    return { offset: pairEnd(last), length: 0, insert: `, ${text.flow}` };
  }
  if (!last) throw new PlaybookEditError('refused', `Cannot add ${key}: to an empty mapping.`);
  const indent = ' '.repeat(columnOf(source, range(pairs[0].key)![0]));
  const offset = text.atEnd ? source.length : endOfLine(source, pairEnd(last));
  const lead = offset > 0 && source[offset - 1] !== '\n' ? text.eol : '';
  return { offset, length: 0, insert: `${lead}${indent}${text.block(indent)}${text.eol}` };
}

function addEntry(
  source: string,
  seq: YAMLSeq,
  text: { block: (indent: string) => string; flow: string; eol: string },
): TextSplice {
  const items = seq.items as Node[];
  const last = items.at(-1);
  if (seq.flow) {
    if (!last) return { offset: range(seq)![0] + 1, length: 0, insert: text.flow };
    return { offset: range(last)![1], length: 0, insert: `, ${text.flow}` };
  }
  const indent = ' '.repeat(columnOf(source, range(seq)![0]));
  const offset = endOfLine(source, range(last)![1]);
  const lead = offset > 0 && source[offset - 1] !== '\n' ? text.eol : '';
  return { offset, length: 0, insert: `${lead}${text.block(indent)}${text.eol}` };
}

function removePair(source: string, map: YAMLMap, pair: Pair<Node, Node | null>): TextSplice {
  const pairs = map.items as Pair<Node, Node | null>[];
  const index = pairs.indexOf(pair);
  const start = range(pair.key)![0];
  if (map.flow) {
    // With the comma on one side: `{ id: a, owner: b, tier: c }` loses `owner: b, `.
    const next = pairs[index + 1];
    if (next) return { offset: start, length: range(next.key)![0] - start, insert: '' };
    const from = pairEnd(pairs[index - 1]);
    return { offset: from, length: pairEnd(pair) - from, insert: '' };
  }
  const lineStart = source.lastIndexOf('\n', start - 1) + 1;
  // The rest of its line goes with it: a trailing comment (`owner: Bob  # until March`).
  const end = endOfLine(source, pairEnd(pair));
  if (/^[ \t]*$/.test(source.slice(lineStart, start))) {
    return { offset: lineStart, length: end - lineStart, insert: '' };
  }
  // `- owner: Bob` opens the entry: the next key moves up behind the `- ` when it is on the
  // line after, at the same column; else the entry opens on a line of its own (`-`).
  const column = start - lineStart;
  const next = source.slice(end, end + column + 1);
  if (/^ *$/.test(next.slice(0, column)) && /^[^ #\r\n]$/.test(next.slice(column))) {
    return { offset: start, length: end + column - start, insert: '' };
  }
  let from = start;
  while (from > lineStart && source[from - 1] === ' ') from--;
  const lineEnd = end - (/\r?\n$/.exec(source.slice(start, end))?.[0].length ?? 0);
  return { offset: from, length: lineEnd - from, insert: '' };
}

/**
 * Why `next` does not read back as `before` with only that task's owner changed, or undefined
 * when it does: no YAML error, the owner exactly as given, no other part of the playbook and
 * no problem of the file's changed.
 */
function readsBackWrong(
  before: { playbook: Playbook; problems: { message: string }[] },
  next: string,
  taskId: string,
  owner: string | undefined,
): string | undefined {
  // The loader reads no larger file: the tree would fall back to the default playbook.
  if (Buffer.byteLength(next, 'utf8') > MAX_PLAYBOOK_BYTES) {
    return `the file would be larger than ${describeSize(MAX_PLAYBOOK_BYTES)}, which is not read`;
  }
  const document = parseDocument(withLineFeeds(next), { prettyErrors: false, uniqueKeys: false });
  if (document.errors.length) return `the result would not be valid YAML`;
  const after = applyPlaybookText(defaultPlaybook(), next);
  const task = findTask(after.playbook, taskId);
  if (!task) return `task "${taskId}" would leave the playbook`;
  if (task.owner !== owner) {
    return owner === undefined
      ? 'another owner: line would still apply'
      : 'the owner would read back differently';
  }
  const expected = structuredClone(before.playbook);
  const changed = findTask(expected, taskId)!;
  if (owner === undefined) delete changed.owner;
  else changed.owner = owner;
  changed.origin = task.origin;
  if (!isDeepStrictEqual(expected, after.playbook)) {
    return 'other parts of the playbook would change';
  }
  // Problems are compared without their numbers: lines move when one is added or removed.
  const known = before.problems.map((problem) => problem.message.replace(/\d+/g, '#'));
  for (const problem of after.problems) {
    const at = known.indexOf(problem.message.replace(/\d+/g, '#'));
    if (at === -1) return `it would add a problem (${problem.message})`;
    known.splice(at, 1);
  }
  return undefined;
}

/**
 * The playbook file of `workspace` for an edit, and its text (undefined when there is none).
 * The file is the repo's, maybe untrusted: a playbook that is a symbolic link, or a `.upkeep`
 * folder that links out of the workspace, is refused, so the write lands in this repository and
 * a link is never replaced by a file. Not a regular file, or too large: refused by the read.
 */
export async function readPlaybookForEdit(
  workspace: string,
): Promise<{ file: string; text: string | undefined }> {
  const file = path.join(workspace, PLAYBOOK_FILE);
  await refuseLinks(workspace, file);
  try {
    return { file, text: await readTextFileLimited(file, MAX_PLAYBOOK_BYTES) };
  } catch (error) {
    throw new PlaybookEditError(
      'refused',
      `Cannot read ${PLAYBOOK_FILE} (${fileErrorWithCode(error)}); nothing was written.`,
    );
  }
}

async function refuseLinks(workspace: string, file: string): Promise<void> {
  const link = await fs.lstat(file).catch(() => undefined);
  if (link?.isSymbolicLink()) {
    throw new PlaybookEditError(
      'refused',
      `${PLAYBOOK_FILE} is a symbolic link; Upkeep does not write through it. ` +
        'Nothing was written.',
      'Edit the file it points to by hand.',
    );
  }
  const root = await fs.realpath(workspace);
  const folder = await fs.realpath(path.dirname(file)).catch(() => undefined);
  if (folder && !isInside(root, folder)) {
    throw new PlaybookEditError(
      'refused',
      `.upkeep links to ${folder}, outside the workspace; nothing was written.`,
      'Remove the link, or point it inside the workspace.',
    );
  }
}

/**
 * Sets (or clears, `owner` undefined) the task's owner in the workspace's playbook file on disk.
 * The file is read afresh, and read once more just before the write: when it changed in
 * between (a save from an editor, a `git pull`), the change is made again on what is there now.
 * The new text goes to a temporary file renamed over the old one, so a crash leaves the old or
 * the new file, never half of one; a file that did not exist is created with `wx`, so one made
 * meanwhile is never overwritten. Returns whether the file changed, whether it was created, and
 * the owner the file gave the task before the change (undefined for none).
 */
export async function setTaskOwnerInFile(
  workspace: string,
  taskId: string,
  owner: string | undefined,
): Promise<{ file: string; changed: boolean; created: boolean; previous?: string }> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const { file, text } = await readPlaybookForEdit(workspace);
    const change = setTaskOwner(text, taskId, owner);
    if (!change) return { file, changed: false, created: false };
    const now = await readPlaybookForEdit(workspace);
    if (now.text !== text) continue;
    if (await writeUnlessCreatedMeanwhile(file, text, change.text)) {
      return { file, changed: true, created: text === undefined, previous: change.previous };
    }
  }
  throw new PlaybookEditError(
    'refused',
    `${PLAYBOOK_FILE} kept changing while Upkeep wrote the owner; nothing was written.`,
    'Try again in a moment.',
  );
}

/** Writes the text; false, writing nothing, when a file appeared meanwhile where there was none. */
async function writeUnlessCreatedMeanwhile(
  file: string,
  old: string | undefined,
  text: string,
): Promise<boolean> {
  try {
    if (old === undefined) {
      await makeFolder(path.dirname(file));
      await refuseLinks(path.dirname(path.dirname(file)), file);
      try {
        await fs.writeFile(file, text, { flag: 'wx' });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
        throw error;
      }
      return true;
    }
    const { mode } = await fs.stat(file);
    await replaceFile(file, text, { mode });
    return true;
  } catch (error) {
    if (PlaybookEditError.isEditError(error)) throw error;
    throw new PlaybookEditError(
      'refused',
      `Could not write ${PLAYBOOK_FILE} (${fileErrorWithCode(error)}); nothing was written.`,
      'Check that the workspace folder is writable.',
    );
  }
}

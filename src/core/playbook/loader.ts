/**
 * Loads the playbook: the default one, shaped by the repo's `.upkeep/playbook.yaml`. Every part
 * of the file that is wrong is reported with its position and skipped; the rest still applies.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, visit } from 'yaml';
import type { Alias, Node, Pair, YAMLMap } from 'yaml';
import type { UpkeepSettings } from '../settings';
import { defaultSettings } from '../settings';
import { didYouMean } from '../util/closest';
import { UpkeepError } from '../util/errors';
import { isInside, whereLeads } from '../util/paths';
import { asCode, printable, printableLine } from '../util/printable';
import { describeSize, readTextFileLimited } from '../util/textFile';
import { MAX_ALIAS_VALUES, readAliases } from '../util/yamlAliases';
import { MAX_YAML_DEPTH, lineNestedTooDeep } from '../util/yamlDepth';
import { yamlErrorText } from '../util/yamlErrors';
import { BUILTIN_CHECK_IDS, isBuiltinCheckId } from './checkIds';
import { defaultPlaybook, quoteThresholds } from './defaultPlaybook';
import type {
  ChecklistItem,
  CustomCheckExpect,
  CustomCheckKind,
  CustomCheckSpec,
  GuidelineLink,
  Playbook,
  RecordField,
  Task,
  TierId,
} from './model';
import { TIER_IDS } from './model';

/** The repo playbook, relative to the workspace folder. */
export const PLAYBOOK_FILE = '.upkeep/playbook.yaml';

/** A problem in the repo playbook; lines and columns are 1-based, the end is exclusive. */
export interface PlaybookProblem {
  message: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: 'error' | 'warning';
}

interface LoadedPlaybook {
  playbook: Playbook;
  problems: PlaybookProblem[];
  /** Absolute path of the repo playbook when it exists (or when text was given for it). */
  file?: string;
}

/**
 * The keys the loader accepts at each place of the file. The JSON Schema in
 * media/playbook.schema.json must list exactly these; a unit test holds the two together.
 */
export const PLAYBOOK_KEYS = {
  root: ['$schema', 'version', 'thresholds', 'tiers', 'checks', 'tasks', 'disable'],
  thresholds: Object.keys(defaultSettings.thresholds) as (keyof UpkeepSettings['thresholds'])[],
  tier: ['title', 'team'],
  check: [
    'id',
    'title',
    'description',
    'kind',
    'command',
    'sql',
    'url',
    'expect',
    'timeoutSeconds',
  ],
  expect: ['exitCode', 'pattern', 'jsonPath', 'equals', 'status'],
  task: [
    'id',
    'title',
    'tier',
    'team',
    'owner',
    'description',
    'guideline',
    'items',
    'addItems',
    'checks',
    'addChecks',
    'records',
    'disabled',
  ],
  guideline: ['section', 'file'],
  item: ['id', 'title', 'checks'],
  record: ['id', 'title', 'unit'],
} as const;

export const CUSTOM_CHECK_KINDS: readonly CustomCheckKind[] = ['shell', 'sql', 'http'];

/** What a custom check's id and a task's id may look like. */
export const ID_PATTERN = /^[A-Za-z][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*$/;

interface LoadPlaybookOptions {
  /** Absolute path of the workspace folder. */
  workspace: string;
  /** The file's text (for example an unsaved editor); read from disk when absent. */
  fileText?: string;
  /** The user's thresholds, which the file's override; checklist titles quote the result. */
  thresholds?: UpkeepSettings['thresholds'];
  /**
   * Whether the workspace is trusted (the default). Untrusted, a file that links out of the
   * workspace is not read: a repo could point it at a YAML file of the user's, whose keys and
   * titles the tree and the Problems panel would show.
   */
  trusted?: boolean;
}

export async function loadPlaybook(options: LoadPlaybookOptions): Promise<LoadedPlaybook> {
  const file = path.join(options.workspace, PLAYBOOK_FILE);
  const defaults = (): Playbook => {
    const playbook = defaultPlaybook();
    quoteThresholds(playbook, options.thresholds ?? defaultSettings.thresholds);
    return playbook;
  };
  let text = options.fileText;
  if (text === undefined && options.trusted === false) {
    const outside = await linkedOutside(options.workspace, file);
    if (outside !== undefined) {
      const message =
        `${PLAYBOOK_FILE} links outside the workspace (to ${outside}): in an untrusted ` +
        'workspace it is not read, and the default playbook is used.';
      return { playbook: defaults(), problems: [problemAt(1, 1, 1, 1, message, 'error')], file };
    }
  }
  if (text === undefined) {
    try {
      text = await readTextFileLimited(file, MAX_PLAYBOOK_BYTES);
    } catch (error) {
      const playbook = defaults();
      const message = UpkeepError.is(error)
        ? `${error.message}; the default playbook is used.`
        : `Cannot read ${PLAYBOOK_FILE}: ${(error as Error).message}. ` +
          'The default playbook is used.';
      return { playbook, problems: [problemAt(1, 1, 1, 1, message, 'error')], file };
    }
    if (text === undefined) return { playbook: defaults(), problems: [] };
  }
  if (Buffer.byteLength(text, 'utf8') > MAX_PLAYBOOK_BYTES) {
    const message =
      `${PLAYBOOK_FILE} is larger than ${describeSize(MAX_PLAYBOOK_BYTES)}; ` +
      'the default playbook is used.';
    return {
      playbook: defaults(),
      problems: [problemAt(1, 1, 1, 1, message, 'error')],
      file,
    };
  }
  const encoding = options.fileText === undefined ? encodingProblem(text) : undefined;
  if (encoding?.severity === 'error') {
    return { playbook: defaults(), problems: [encoding], file };
  }
  const { playbook, problems } = applyPlaybookText(defaultPlaybook(), text, options.thresholds);
  playbook.sourceFile = file;
  return { playbook, problems: encoding ? [encoding, ...problems] : problems, file };
}

/**
 * A file read from disk is decoded as UTF-8, every byte that is not UTF-8 becoming U+FFFD. One
 * saved as UTF-16 (Windows PowerShell 5's `>`, Notepad's "Unicode") then reads as no mapping at
 * all, and one in Latin-1 as names with U+FFFD in them: either is said, with where.
 */
function encodingProblem(text: string): PlaybookProblem | undefined {
  const body = text.startsWith('\ufeff') ? text.slice(1) : text;
  // A byte order mark (FF FE, FE FF), or ASCII with a NUL byte beside each letter.
  if (/^(?:\uFFFD\uFFFD|[^\u0000]\u0000|\u0000[^\u0000])/.test(body)) {
    const message =
      `${PLAYBOOK_FILE} is UTF-16 text; save it as UTF-8. Until then the default playbook ` +
      'is used.';
    return problemAt(1, 1, 1, 1, message, 'error');
  }
  const bad = body.indexOf('\uFFFD');
  if (bad === -1) return undefined;
  const before = withLineFeeds(body.slice(0, bad));
  const line = before.split('\n').length;
  const column = bad - (before.lastIndexOf('\n') + 1) + 1;
  const message =
    `${PLAYBOOK_FILE} is not UTF-8 text at line ${line}: what is not reads as U+FFFD ` +
    '(\uFFFD). Save the file as UTF-8.';
  return problemAt(line, column, line, column + 1, message, 'warning');
}

/**
 * Where `file` resolves when that is outside `workspace`; undefined inside, or when missing. A
 * dangling link out counts as out: read as missing, it told whether the file it names exists.
 */
async function linkedOutside(workspace: string, file: string): Promise<string | undefined> {
  const real = await whereLeads(file);
  const root = await fs.realpath(workspace).catch(() => path.resolve(workspace));
  return isInside(root, real) ? undefined : printableLine(real, 200);
}

/**
 * A playbook is a few kilobytes. The file comes from the repo and is read even in an untrusted
 * workspace, so anything that is not a small regular file (a committed symlink to /dev/zero, a
 * device, a FIFO, a huge file) is refused before it is read (readTextFileLimited).
 */
export const MAX_PLAYBOOK_BYTES = 256 * 1024;

/** Past this many problems the rest are counted, not listed: a broken file stays readable. */
export const MAX_PROBLEMS = 100;

function problemAt(
  line: number,
  column: number,
  endLine: number,
  endColumn: number,
  message: string,
  severity: PlaybookProblem['severity'],
): PlaybookProblem {
  return { message, line, column, endLine, endColumn, severity };
}

/**
 * The text with each lone carriage return (classic Mac OS line ends) made a line feed. A lone CR
 * ends a line for YAML and the editor, not for yaml's parser; one character for one, so offsets
 * and positions stay those of the file.
 */
export function withLineFeeds(text: string): string {
  return text.replace(/\r(?!\n)/g, '\n');
}

/**
 * Applies a repo playbook's text to a playbook (changed in place) and reports its problems. The
 * checklist titles that quote a threshold then quote the file's, else the user's.
 */
export function applyPlaybookText(
  playbook: Playbook,
  text: string,
  userThresholds: UpkeepSettings['thresholds'] = defaultSettings.thresholds,
): { playbook: Playbook; problems: PlaybookProblem[] } {
  const applied = applyText(playbook, text, userThresholds);
  quoteThresholds(playbook, { ...userThresholds, ...playbook.thresholds });
  return applied;
}

function applyText(
  playbook: Playbook,
  text: string,
  userThresholds: UpkeepSettings['thresholds'],
): { playbook: Playbook; problems: PlaybookProblem[] } {
  // The editor shows a file without its byte order mark: counted, it moved line 1's columns.
  if (text.startsWith('\ufeff')) text = text.slice(1);
  text = withLineFeeds(text);
  const deep = lineNestedTooDeep(text);
  if (deep !== undefined) {
    const message =
      `${PLAYBOOK_FILE} nests more than ${MAX_YAML_DEPTH} levels deep at line ${deep}; ` +
      'the default playbook is used.';
    return { playbook, problems: [problemAt(deep, 1, deep, 1, message, 'error')] };
  }
  const lineCounter = new LineCounter();
  // Duplicate keys are found by the reader: yaml's own uniqueKeys check is quadratic.
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  const reader = new Reader(lineCounter, text.length);

  // Each list on its own: a file of quote marks has a YAML error every second character, and
  // looking each up among all the errors was quadratic.
  const found = [
    [document.errors, 'error'],
    [document.warnings, 'warning'],
  ] as const;
  for (const [errors, severity] of found) {
    for (const error of errors) {
      const [start, end] = error.pos;
      reader.report(
        { range: [start, end, end] },
        `YAML: ${shown(yamlErrorText(error), MAX_YAML_MESSAGE)}`,
        severity,
      );
    }
  }
  reader.readAliases(document);

  const root = document.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === ''))) {
    return { playbook, problems: reader.finish() };
  }
  if (!isMap(root)) {
    reader.report(root, 'The playbook must be a mapping (keys such as tasks:, checks:).', 'error');
    return { playbook, problems: reader.finish() };
  }

  new Applier(reader, playbook, userThresholds).apply(root);
  return { playbook, problems: reader.finish() };
}

type Ranged = { range?: [number, number, number] | null };
type PairsByKey = Map<string, Pair<Node, Node>>;

/** Turns yaml nodes into checked values and problems with positions. */
class Reader {
  private readonly problems: PlaybookProblem[] = [];
  private untold = 0;
  /** The node each alias names; aliases with none are reported where they are, once. */
  private targets = new Map<Alias, Node>();
  private sizes = new Map<unknown, number>();
  /** Values read through aliases so far, each alias counted once (see MAX_ALIAS_VALUES). */
  private aliasValues = 0;
  private aliasesRefused = false;
  private readonly followed = new Set<Alias>();
  private readonly unread = new Set<Alias>();
  /** The known pairs of each mapping read, by the keys allowed: read once, merges included. */
  private readonly readPairs = new Map<readonly string[], Map<YAMLMap, PairsByKey>>();
  /** Mappings whose merge keys are being followed: a merge that names its own map is left. */
  private readonly merging = new Set<YAMLMap>();

  constructor(
    private readonly lines: LineCounter,
    private readonly textLength: number,
  ) {}

  /** The problems, with one last entry counting those past MAX_PROBLEMS. */
  finish(): PlaybookProblem[] {
    if (!this.untold) return this.problems;
    const last = this.problems[this.problems.length - 1];
    const message = `…and ${this.untold} more problems in ${PLAYBOOK_FILE}.`;
    return [...this.problems, { ...last, message, severity: 'warning' }];
  }

  /**
   * Finds the node each alias names, and reports each alias that names no anchor before it.
   * Aliases are followed, never copied, so a file that names one block many times costs what
   * reading that block costs each time: counted, and refused past MAX_ALIAS_VALUES.
   */
  readAliases(document: { contents: unknown }): void {
    ({ targets: this.targets, sizes: this.sizes } = readAliases(document.contents));
    visit(document.contents as Node, {
      Alias: (_, alias) => {
        if (this.targets.has(alias)) return;
        this.unread.add(alias);
        this.report(
          alias,
          `YAML: the alias *${shown(alias.source)} has no anchor &${shown(alias.source)} ` +
            'before it.',
          'error',
        );
      },
    });
  }

  /**
   * The node `node` stands for: the one an alias names, else itself. Null for an alias that
   * names nothing, or once the aliases followed have read more than MAX_ALIAS_VALUES values.
   */
  resolve(node: Node | null): Node | null {
    if (!isAlias(node)) return node;
    if (this.unread.has(node)) return null;
    const target = this.targets.get(node) ?? null;
    if (this.followed.has(node)) return target;
    this.aliasValues += this.sizes.get(target) ?? 1;
    if (this.aliasValues > MAX_ALIAS_VALUES) {
      this.unread.add(node);
      if (!this.aliasesRefused) {
        this.aliasesRefused = true;
        this.report(
          node,
          `YAML: this alias and those after it were not read: the aliases of ` +
            `${PLAYBOOK_FILE} name more than ${MAX_ALIAS_VALUES.toLocaleString('en-US')} values.`,
          'error',
        );
      }
      return null;
    }
    this.followed.add(node);
    return target;
  }

  /** A type problem at `node`, unless it is an alias already reported as unread. */
  private wrong(node: Node | null, message: string): void {
    if (isAlias(node) && this.unread.has(node)) return;
    this.report(node, message, 'error');
  }

  /** `node` when it is written inside `outer`, else `outer`: where to report a problem. */
  within(node: Node | null, outer: Node): Node {
    const [start, end] = node?.range ?? [-1, -1];
    const [from, to] = outer.range ?? [0, 0];
    return node && start >= from && end <= to ? node : outer;
  }

  /** The 1-based line where `node` starts. */
  lineOf(node: Ranged | null | undefined): number {
    return this.lines.linePos(Math.min(node?.range?.[0] ?? 0, this.textLength)).line;
  }

  report(node: Ranged | null | undefined, message: string, severity: PlaybookProblem['severity']) {
    if (this.problems.length >= MAX_PROBLEMS) {
      this.untold++;
      return;
    }
    const [start, end] = node?.range ?? [0, 0];
    const from = this.lines.linePos(Math.min(start, this.textLength));
    const to = this.lines.linePos(Math.min(Math.max(end, start), this.textLength));
    this.problems.push(problemAt(from.line, from.col, to.line, to.col, message, severity));
  }

  /**
   * The pairs of a mapping whose keys are known; unknown keys are reported and left out. A merge
   * key (`<<: *defaults`, or a list of aliases) adds the pairs of the mappings it names that the
   * mapping does not give itself, the first named first, as YAML 1.1 merges them. Each mapping
   * is read once for each set of keys: a mapping named again costs nothing more.
   */
  pairs(map: YAMLMap, allowed: readonly string[], where: string): PairsByKey {
    let read = this.readPairs.get(allowed);
    if (!read) this.readPairs.set(allowed, (read = new Map()));
    const earlier = read.get(map);
    if (earlier) return earlier;

    const known: PairsByKey = new Map();
    const seen = new Set<string>();
    const merges: Pair<Node, Node>[] = [];
    for (const pair of map.items as Pair<Node, Node>[]) {
      const keyNode = this.resolve(pair.key);
      if (isScalar(keyNode) && keyNode.value === '<<' && keyNode.type === 'PLAIN') {
        merges.push(pair);
        continue;
      }
      const key = isScalar(keyNode) ? String(keyNode.value) : undefined;
      if (key !== undefined && seen.has(key)) {
        this.report(
          pair.key,
          `Keys must be unique: ${quoted(key)} appears twice in ${where}; the first is used.`,
          'error',
        );
        continue;
      }
      if (key !== undefined) seen.add(key);
      if (key === undefined || !allowed.includes(key)) {
        const choices = allowed.filter((k) => !k.startsWith('$')).join(', ');
        this.report(
          pair.key,
          `Unknown key ${quoted(key ?? '?')} in ${where}; expected one of: ${choices}.` +
            didYouMean(key ?? '', allowed),
          'warning',
        );
        continue;
      }
      known.set(key, pair);
    }

    this.merging.add(map);
    for (const source of merges.flatMap((pair) => this.mergeSources(pair))) {
      if (this.merging.has(source)) continue;
      for (const [key, pair] of this.pairs(source, allowed, where)) {
        if (!seen.has(key) && !known.has(key)) known.set(key, pair);
      }
    }
    this.merging.delete(map);
    read.set(map, known);
    return known;
  }

  /** The mappings a merge key names; anything else is reported. */
  private mergeSources(pair: Pair<Node, Node>): YAMLMap[] {
    const value = this.resolve(pair.value);
    const named = isSeq(value) ? (value.items as Node[]) : [pair.value];
    const sources: YAMLMap[] = [];
    for (const entry of named) {
      const source = this.resolve(entry);
      if (isMap(source)) sources.push(source);
      else {
        this.wrong(
          entry,
          'A merge key (<<) takes an alias of a mapping, or a list of them; ' + 'it was left out.',
        );
      }
    }
    return sources;
  }

  string(node: Node | null, what: string, options: { pattern?: RegExp } = {}): string | undefined {
    const value = this.resolve(node);
    if (!isScalar(value) || typeof value.value !== 'string' || value.value.trim() === '') {
      this.wrong(node, `${what} must be a non-empty string.`);
      return undefined;
    }
    if (options.pattern && !options.pattern.test(value.value)) {
      this.wrong(node, `${what} ${quoted(value.value)} must match ${options.pattern.source}.`);
      return undefined;
    }
    return value.value;
  }

  number(
    node: Node | null,
    what: string,
    options: { min?: number; max?: number; integer?: boolean } = {},
  ): number | undefined {
    const scalar = this.resolve(node);
    const value = isScalar(scalar) ? scalar.value : undefined;
    const bad =
      typeof value !== 'number' ||
      !Number.isFinite(value) ||
      (options.integer && !Number.isInteger(value)) ||
      (options.min !== undefined && value < options.min) ||
      (options.max !== undefined && value > options.max);
    if (bad) {
      const range =
        options.max !== undefined ? ` from ${options.min ?? '-∞'} to ${options.max}` : '';
      const kind = options.integer ? 'a whole number' : 'a number';
      const floor =
        options.min !== undefined && options.max === undefined ? ` ≥ ${options.min}` : '';
      this.wrong(node, `${what} must be ${kind}${floor}${range}.`);
      return undefined;
    }
    return value as number;
  }

  boolean(node: Node | null, what: string): boolean | undefined {
    const value = this.resolve(node);
    if (!isScalar(value) || typeof value.value !== 'boolean') {
      this.wrong(node, `${what} must be true or false.`);
      return undefined;
    }
    return value.value;
  }

  map(node: Node | null, what: string): YAMLMap | undefined {
    const value = this.resolve(node);
    if (!isMap(value)) {
      this.wrong(node, `${what} must be a mapping.`);
      return undefined;
    }
    return value;
  }

  seq(node: Node | null, what: string): Node[] | undefined {
    const value = this.resolve(node);
    if (!isSeq(value)) {
      this.wrong(node, `${what} must be a list.`);
      return undefined;
    }
    return value.items as Node[];
  }
}

/** Applies the checked parts of the file to the playbook, in an order where references work. */
class Applier {
  /** Tasks whose team the repo set itself; a tier's team change leaves them alone. */
  private readonly ownTeam = new Set<string>();
  /** The line of each task id the file gives, so a second entry is reported, not merged. */
  private readonly givenTasks = new Map<string, number>();

  constructor(
    private readonly reader: Reader,
    private readonly playbook: Playbook,
    /** The user's thresholds, which the file's override. */
    private readonly userThresholds: UpkeepSettings['thresholds'],
  ) {}

  apply(root: YAMLMap): void {
    const pairs = this.reader.pairs(root, PLAYBOOK_KEYS.root, 'the playbook');
    const value = (key: string): Node | null => pairs.get(key)?.value ?? null;

    if (pairs.has('version')) {
      const version = this.reader.number(value('version'), 'version', { integer: true });
      if (version !== undefined && version !== 1) {
        this.reader.report(value('version'), 'Only version 1 is known.', 'error');
      }
    }
    if (pairs.has('thresholds')) this.applyThresholds(value('thresholds'));
    if (pairs.has('tiers')) this.applyTiers(value('tiers'));
    if (pairs.has('checks')) this.applyChecks(value('checks'));
    if (pairs.has('tasks')) this.applyTasks(value('tasks'));
    if (pairs.has('disable')) this.applyDisable(value('disable'));
  }

  private applyThresholds(node: Node | null): void {
    const map = this.reader.map(node, 'thresholds');
    if (!map) return;
    const given = new Map<string, Node | null>();
    for (const [key, pair] of this.reader.pairs(map, PLAYBOOK_KEYS.thresholds, 'thresholds')) {
      const number = this.reader.number(pair.value, `thresholds.${key}`, { min: 0 });
      if (number !== undefined) {
        this.playbook.thresholds[key as keyof UpkeepSettings['thresholds']] = number;
        given.set(key, pair.value as Node | null);
      }
    }
    this.checkErrorRatePair(given);
  }

  /**
   * The error-rate goal (warn above) and alert (fail above) are two thresholds, each overridden
   * on its own: a goal the file raises past the alert in force is never reached, since the check
   * fails first. Said at the key the file set, with which one to set too.
   */
  private checkErrorRatePair(given: Map<string, Node | null>): void {
    const goalNode = given.get('errorRatePercent');
    const alertNode = given.get('errorRateAlertPercent');
    if (goalNode === undefined && alertNode === undefined) return;
    const { errorRatePercent: goal, errorRateAlertPercent: alert } = {
      ...this.userThresholds,
      ...this.playbook.thresholds,
    };
    if (!(goal > alert)) return;
    const advice =
      goalNode !== undefined && alertNode !== undefined
        ? 'Make errorRatePercent at most errorRateAlertPercent.'
        : goalNode !== undefined
          ? `Set errorRateAlertPercent here too, at ${goal} or more.`
          : `Set errorRatePercent here too, at ${alert} or less.`;
    this.reader.report(
      goalNode ?? alertNode,
      `thresholds: errorRatePercent (${goal} %) is above errorRateAlertPercent (${alert} %), ` +
        `so logs.errorRate fails above ${alert} % and never warns. ${advice}`,
      'warning',
    );
  }

  private applyTiers(node: Node | null): void {
    const map = this.reader.map(node, 'tiers');
    if (!map) return;
    for (const [tierId, pair] of this.reader.pairs(map, TIER_IDS, 'tiers')) {
      const tier = this.playbook.tiers.find((candidate) => candidate.id === tierId);
      const fields = this.reader.map(pair.value, `tiers.${tierId}`);
      if (!tier || !fields) continue;
      const known = this.reader.pairs(fields, PLAYBOOK_KEYS.tier, `tiers.${tierId}`);
      const title = known.has('title')
        ? this.reader.string(known.get('title')!.value, `tiers.${tierId}.title`)
        : undefined;
      if (title) tier.title = title;
      const team = known.has('team')
        ? this.reader.string(known.get('team')!.value, `tiers.${tierId}.team`)
        : undefined;
      if (!team) continue;
      for (const task of this.playbook.tasks) {
        if (task.tier === tier.id && task.team === tier.team) task.team = team;
      }
      tier.team = team;
    }
  }

  private applyChecks(node: Node | null): void {
    const entries = this.reader.seq(node, 'checks');
    if (!entries) return;
    for (const entry of entries) {
      const spec = this.readCheck(entry);
      if (!spec) continue;
      if (this.playbook.customChecks.some((check) => check.id === spec.id)) {
        this.reader.report(
          entry,
          `Check "${spec.id}" is defined twice; the first one is kept.`,
          'error',
        );
        continue;
      }
      this.playbook.customChecks.push(spec);
    }
  }

  private readCheck(node: Node): CustomCheckSpec | undefined {
    const map = this.reader.map(node, 'A check');
    if (!map) return undefined;
    const known = this.reader.pairs(map, PLAYBOOK_KEYS.check, 'a check');
    // A missing key is reported on the whole check.
    const field = (key: string): Node | null => known.get(key)?.value ?? map;
    const where = (key: string): string => `check.${key}`;

    if (!known.has('id')) {
      this.reader.report(map, 'A check needs an id; it was skipped.', 'error');
      return undefined;
    }
    const id = this.reader.string(field('id'), 'The check id', { pattern: ID_PATTERN });
    if (!id) return undefined;
    if (isBuiltinCheckId(id)) {
      this.reader.report(
        field('id'),
        `"${id}" is a built-in check; give the custom check another id.`,
        'error',
      );
      return undefined;
    }
    const title = known.has('title') ? this.reader.string(field('title'), where('title')) : id;
    const kind = this.reader.string(field('kind'), `Check "${id}": kind`);
    if (!title || !kind) return undefined;
    if (!CUSTOM_CHECK_KINDS.includes(kind as CustomCheckKind)) {
      this.reader.report(
        field('kind'),
        `Check "${id}": kind must be one of ${CUSTOM_CHECK_KINDS.join(', ')}.`,
        'error',
      );
      return undefined;
    }

    const target = { shell: 'command', sql: 'sql', http: 'url' }[kind as CustomCheckKind];
    for (const other of ['command', 'sql', 'url'].filter((key) => key !== target)) {
      if (known.has(other)) {
        this.reader.report(
          known.get(other)!.key,
          `Check "${id}": "${other}" does not belong to a ${kind} check.`,
          'warning',
        );
      }
    }
    if (!known.has(target)) {
      this.reader.report(
        map,
        `Check "${id}": a ${kind} check needs "${target}"; it was skipped.`,
        'error',
      );
      return undefined;
    }
    const body = this.reader.string(field(target), `Check "${id}": ${target}`);
    if (!body) return undefined;
    if (kind === 'http' && !/^https?:\/\/[^\s/]+/i.test(body)) {
      this.reader.report(
        field(target),
        `Check "${id}": url must start with http:// or https://.`,
        'error',
      );
      return undefined;
    }

    const expect = known.has('expect') ? this.readExpect(field('expect'), id, kind) : {};
    if (!expect) return undefined;
    const base = { id, title, expect } as CustomCheckSpec;
    if (kind === 'shell') Object.assign(base, { kind, command: body });
    if (kind === 'sql') Object.assign(base, { kind, sql: body });
    if (kind === 'http') Object.assign(base, { kind, url: body });

    if (known.has('description')) {
      const description = this.reader.string(field('description'), `Check "${id}": description`);
      if (description) base.description = description;
    }
    if (known.has('timeoutSeconds')) {
      const timeout = this.reader.number(field('timeoutSeconds'), `Check "${id}": timeoutSeconds`, {
        min: 1,
        max: 3600,
      });
      if (timeout !== undefined) base.timeoutSeconds = timeout;
    }
    return base;
  }

  private readExpect(node: Node | null, id: string, kind: string): CustomCheckExpect | undefined {
    const map = this.reader.map(node, `Check "${id}": expect`);
    if (!map) return undefined;
    const expect: CustomCheckExpect = {};
    let ok = true;
    for (const [key, pair] of this.reader.pairs(map, PLAYBOOK_KEYS.expect, 'expect')) {
      const what = `Check "${id}": expect.${key}`;
      const value = pair.value;
      if (key === 'exitCode' || key === 'status') {
        const limits = key === 'exitCode' ? { min: 0, max: 255 } : { min: 100, max: 599 };
        const number = this.reader.number(value, what, { integer: true, ...limits });
        if (number === undefined) ok = false;
        else expect[key] = number;
        if (key === 'exitCode' && kind !== 'shell') {
          this.reader.report(pair.key, `${what} only applies to shell checks.`, 'warning');
        }
        if (key === 'status' && kind !== 'http') {
          this.reader.report(pair.key, `${what} only applies to http checks.`, 'warning');
        }
      } else if (key === 'pattern') {
        const pattern = this.reader.string(value, what);
        if (pattern === undefined) ok = false;
        else if (!compiles(pattern)) {
          this.reader.report(value, `${what} is not a valid regular expression.`, 'error');
          ok = false;
        } else expect.pattern = pattern;
      } else if (key === 'jsonPath') {
        const jsonPath = this.reader.string(value, what);
        if (jsonPath === undefined) ok = false;
        else expect.jsonPath = jsonPath;
      } else if (key === 'equals') {
        const equals = this.reader.resolve(value);
        const scalar = isScalar(equals) ? equals.value : undefined;
        const allowed = ['string', 'number', 'boolean'].includes(typeof scalar) || scalar === null;
        if (!allowed) {
          this.reader.report(value, `${what} must be a string, number, boolean or null.`, 'error');
          ok = false;
        } else expect.equals = scalar as CustomCheckExpect['equals'];
      }
    }
    if (expect.jsonPath !== undefined && kind !== 'http') {
      this.reader.report(
        map,
        `Check "${id}": expect.jsonPath only applies to http checks.`,
        'warning',
      );
    }
    if (!ok) {
      this.reader.report(map, `Check "${id}" was skipped because its expect is invalid.`, 'error');
      return undefined;
    }
    return expect;
  }

  private applyTasks(node: Node | null): void {
    const entries = this.reader.seq(node, 'tasks');
    if (!entries) return;
    for (const entry of entries) this.applyTask(entry);
  }

  private applyTask(node: Node): void {
    const map = this.reader.map(node, 'A task');
    if (!map) return;
    const known = this.reader.pairs(map, PLAYBOOK_KEYS.task, 'a task');
    const field = (key: string): Node | null => known.get(key)?.value ?? null;
    if (!known.has('id')) {
      this.reader.report(
        map,
        'A task needs an id (a default task id to change, or a new one).',
        'error',
      );
      return;
    }
    const id = this.reader.string(field('id'), 'The task id', { pattern: ID_PATTERN });
    if (!id) return;
    // An id from an alias or a merge key is written elsewhere: said where this entry is.
    const idNode = this.reader.within(field('id'), node);
    const first = this.givenTasks.get(id);
    if (first !== undefined) {
      this.reader.report(
        idNode,
        `Task "${id}" is given twice (first at line ${first}); the first one is kept.`,
        'error',
      );
      return;
    }
    this.givenTasks.set(id, this.reader.lineOf(idNode));
    const what = (key: string): string => `Task "${id}": ${key}`;

    const existing = this.playbook.tasks.find((task) => task.id === id);
    let tier: TierId | undefined;
    if (known.has('tier')) {
      const value = this.reader.string(field('tier'), what('tier'));
      if (value && !TIER_IDS.includes(value as TierId)) {
        this.reader.report(
          field('tier'),
          `${what('tier')} must be one of ${TIER_IDS.join(', ')}.${didYouMean(value, TIER_IDS)}`,
          'error',
        );
      } else if (value) tier = value as TierId;
    }
    const title = known.has('title')
      ? this.reader.string(field('title'), what('title'))
      : undefined;

    let task: Task;
    if (existing) {
      task = existing;
      task.origin = 'repo';
    } else {
      if (!tier || !title) {
        const missing = [!tier && 'tier', !title && 'title'].filter(Boolean).join(' and ');
        this.reader.report(
          idNode,
          `Task "${id}" is not a default task, so it needs a valid ${missing}; it was skipped.` +
            didYouMean(id, this.taskIds()),
          'error',
        );
        return;
      }
      task = { id, tier, title, team: this.teamOf(tier), items: [], checks: [], origin: 'repo' };
      this.playbook.tasks.push(task);
    }

    if (title) task.title = title;
    if (tier && tier !== task.tier) {
      if (!this.ownTeam.has(task.id) && task.team === this.teamOf(task.tier)) {
        task.team = this.teamOf(tier);
      }
      task.tier = tier;
    }
    if (known.has('team')) {
      const team = this.reader.string(field('team'), what('team'));
      if (team) {
        task.team = team;
        this.ownTeam.add(task.id);
      }
    }
    for (const key of ['owner', 'description'] as const) {
      if (!known.has(key)) continue;
      const text = this.reader.string(field(key), what(key));
      if (text) task[key] = text;
    }
    if (known.has('guideline')) {
      const guideline = this.readGuideline(field('guideline'), what('guideline'));
      if (guideline) task.guideline = guideline;
    }
    // The items this file gives: their checks join the task's below.
    const givenItems: ChecklistItem[] = [];
    if (known.has('items')) {
      const items = this.readItems(field('items'), what('items'));
      if (items) task.items = items;
      givenItems.push(...(items ?? []));
    }
    if (known.has('addItems')) {
      const items = this.readItems(field('addItems'), what('addItems'), task.items);
      if (items) task.items.push(...items);
      givenItems.push(...(items ?? []));
    }
    if (known.has('checks')) {
      const checks = this.readCheckRefs(field('checks'), what('checks'));
      if (checks) task.checks = checks;
    }
    if (known.has('addChecks')) {
      const checks = this.readCheckRefs(field('addChecks'), what('addChecks'));
      if (checks) task.checks = [...new Set([...task.checks, ...checks])];
    }
    // An item's checks help tick it, so its task runs them, as in the default playbook; without
    // this a task whose checks are only on its items (the starter's example) ran nothing.
    const itemChecks = givenItems.flatMap((item) => item.checks ?? []);
    if (itemChecks.length) task.checks = [...new Set([...task.checks, ...itemChecks])];
    if (known.has('records')) {
      const records = this.readRecords(field('records'), what('records'));
      if (records) task.records = records;
    }
    if (known.has('disabled')) {
      const disabled = this.reader.boolean(field('disabled'), what('disabled'));
      if (disabled !== undefined) task.disabled = disabled;
    }
  }

  private teamOf(tier: TierId): string {
    return this.playbook.tiers.find((candidate) => candidate.id === tier)?.team ?? '';
  }

  private readGuideline(node: Node | null, what: string): GuidelineLink | undefined {
    if (isScalar(this.reader.resolve(node))) {
      const section = this.reader.string(node, what);
      return section ? { section } : undefined;
    }
    const map = this.reader.map(node, what);
    if (!map) return undefined;
    const known = this.reader.pairs(map, PLAYBOOK_KEYS.guideline, what);
    if (!known.has('section')) {
      this.reader.report(map, `${what} needs a section (a heading text).`, 'error');
      return undefined;
    }
    const section = this.reader.string(known.get('section')!.value, `${what}.section`);
    if (!section) return undefined;
    const link: GuidelineLink = { section };
    if (known.has('file')) {
      const file = this.reader.string(known.get('file')!.value, `${what}.file`);
      if (file && (path.isAbsolute(file) || file.split(/[\\/]/).includes('..'))) {
        this.reader.report(
          known.get('file')!.value,
          `${what}.file must be a path inside the workspace.`,
          'error',
        );
        return undefined;
      }
      if (file) link.file = file;
    }
    return link;
  }

  private readItems(
    node: Node | null,
    what: string,
    existing: ChecklistItem[] = [],
  ): ChecklistItem[] | undefined {
    const entries = this.reader.seq(node, what);
    if (!entries) return undefined;
    const items: ChecklistItem[] = [];
    const taken = new Set(existing.map((item) => item.id));
    const suffixes = new Map<string, number>();
    for (const entry of entries) {
      let item: ChecklistItem | undefined;
      if (isScalar(this.reader.resolve(entry))) {
        const title = this.reader.string(entry, `${what} entry`);
        if (title) item = { id: uniqueId(slug(title), taken, suffixes), title };
      } else {
        const map = this.reader.map(entry, `${what} entry`);
        if (!map) continue;
        const known = this.reader.pairs(map, PLAYBOOK_KEYS.item, 'a checklist item');
        const title = known.has('title')
          ? this.reader.string(known.get('title')!.value, `${what} title`)
          : undefined;
        if (!title) {
          if (!known.has('title')) {
            this.reader.report(map, `A checklist item needs a title.`, 'error');
          }
          continue;
        }
        const id = known.has('id')
          ? this.reader.string(known.get('id')!.value, `${what} id`, { pattern: ID_PATTERN })
          : uniqueId(slug(title), taken, suffixes);
        if (!id) continue;
        if (taken.has(id)) {
          this.reader.report(
            known.get('id')?.value ?? map,
            `Checklist item id "${id}" is used twice.`,
            'error',
          );
          continue;
        }
        item = { id, title };
        if (known.has('checks')) {
          const checks = this.readCheckRefs(known.get('checks')!.value, `${what} checks`);
          if (checks?.length) item.checks = checks;
        }
      }
      if (!item) continue;
      taken.add(item.id);
      items.push(item);
    }
    return items;
  }

  private readCheckRefs(node: Node | null, what: string): string[] | undefined {
    const entries = this.reader.seq(node, what);
    if (!entries) return undefined;
    const ids: string[] = [];
    for (const entry of entries) {
      const id = this.reader.string(entry, `${what} entry`);
      if (!id) continue;
      const custom = this.playbook.customChecks.some((check) => check.id === id);
      if (!custom && !isBuiltinCheckId(id)) {
        this.reader.report(
          entry,
          `Unknown check ${quoted(id)}: not a built-in check and not defined under checks:.` +
            didYouMean(id, [
              ...BUILTIN_CHECK_IDS,
              ...this.playbook.customChecks.map((check) => check.id),
            ]),
          'error',
        );
        continue;
      }
      if (!ids.includes(id)) ids.push(id);
    }
    return ids;
  }

  private readRecords(node: Node | null, what: string): RecordField[] | undefined {
    const entries = this.reader.seq(node, what);
    if (!entries) return undefined;
    const records: RecordField[] = [];
    for (const entry of entries) {
      const map = this.reader.map(entry, `${what} entry`);
      if (!map) continue;
      const known = this.reader.pairs(map, PLAYBOOK_KEYS.record, 'a record');
      const id = this.reader.string(known.get('id')?.value ?? map, `${what} id`, {
        pattern: ID_PATTERN,
      });
      const title = this.reader.string(known.get('title')?.value ?? map, `${what} title`);
      if (!id || !title) continue;
      const record: RecordField = { id, title };
      if (known.has('unit')) {
        const unit = this.reader.string(known.get('unit')!.value, `${what} unit`);
        if (unit) record.unit = unit;
      }
      records.push(record);
    }
    return records;
  }

  /** The ids a task entry can name: the default tasks and those added above it. */
  private taskIds(): string[] {
    return this.playbook.tasks.map((task) => task.id);
  }

  private applyDisable(node: Node | null): void {
    const entries = this.reader.seq(node, 'disable');
    if (!entries) return;
    for (const entry of entries) {
      const id = this.reader.string(entry, 'disable entry');
      if (!id) continue;
      const task = this.playbook.tasks.find((candidate) => candidate.id === id);
      if (!task) {
        this.reader.report(
          entry,
          `No task ${quoted(id)} to disable.${didYouMean(id, this.taskIds())}`,
          'warning',
        );
        continue;
      }
      task.disabled = true;
    }
  }
}

/** A key or value of the file, quoted in a problem (see shown). */
function quoted(text: string): string {
  return `"${shown(text)}"`;
}

/**
 * Text of the file in a problem (a key, a value, an alias's name, yaml's message naming a tag):
 * its controls written as their code (a raw U+202E turned the rest of the message around in the
 * Problems panel, a line break split it) and a long one cut.
 */
function shown(text: string, maxLength = MAX_QUOTED): string {
  const coded = printable(text, asCode);
  if (coded.length <= maxLength) return coded;
  let end = maxLength - 1;
  if (/[\ud800-\udbff]/.test(coded.charAt(end - 1))) end -= 1;
  return `${coded.slice(0, end)}…`;
}

const MAX_QUOTED = 80;
/** yaml's own messages are short; one naming a tag holds the tag as written. */
const MAX_YAML_MESSAGE = 200;

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

function slug(title: string): string {
  const words = title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .split(' ')
    .filter(Boolean)
    .slice(0, 5);
  const joined = words
    .map((word, index) => (index ? word[0].toUpperCase() + word.slice(1) : word))
    .join('');
  return /^[a-z]/.test(joined) ? joined : `item${joined}`;
}

/**
 * `base`, else `base2`, `base3`...: the first not taken. `suffixes` keeps where each base's count
 * got to, so that many items of one title take linear time, not quadratic.
 */
function uniqueId(base: string, taken: Set<string>, suffixes: Map<string, number>): string {
  if (!taken.has(base)) return base;
  let n = suffixes.get(base) ?? 2;
  while (taken.has(`${base}${n}`)) n++;
  suffixes.set(base, n + 1);
  return `${base}${n}`;
}

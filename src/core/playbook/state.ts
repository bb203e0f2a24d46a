/**
 * Checklist progress and task history as plain data, and the changes a maintainer makes to it
 * (tick an item, mark done, snooze, reset). Pure functions; the state store persists the result.
 */
import type { CheckOutcome } from '../checks/types';
import type { Task, Tier } from './model';
import { isRecord } from '../util/isRecord';
import { printableLine, typedLine } from '../util/printable';
import {
  completedIn,
  lastStanding,
  periodAt,
  stateInstant,
  ticksIn,
  type Period,
} from './schedule';

/** The version of the state this Upkeep reads and writes. */
export const STATE_VERSION = 1;

export interface PlaybookState {
  version: typeof STATE_VERSION;
  tasks: Record<string, TaskState>;
}

interface Tick {
  /** ISO 8601. */
  at: string;
  by: string;
}

export interface TaskState {
  /** When Upkeep first tracked the task; a task never done is due from this period on. */
  since: string;
  /** The period the ticks belong to; ticks of an older period no longer count. */
  periodKey?: string;
  ticks: Record<string, Tick>;
  /** The last completion. */
  done?: { periodKey: string; at: string; by: string };
  /** A local date `YYYY-MM-DD`: the task is not due before it. */
  snoozedUntil?: string;
  /** Why it was snoozed, as the maintainer wrote it; cleared with the snooze. */
  snoozeReason?: string;
  /** Oldest first, bounded. */
  history: HistoryEntry[];
}

export interface HistoryCheck {
  checkId: string;
  outcome: CheckOutcome;
  summary: string;
  startedAt: string;
}

export interface HistoryEntry {
  /**
   * done: completed for the period; incomplete: a period ended with only some items ticked;
   * reset: someone took a completion back; snoozed: put off until a date; owner: someone gave
   * the task another owner with Set Owner… (the owner itself lives in the playbook).
   */
  action: 'done' | 'incomplete' | 'reset' | 'snoozed' | 'owner';
  periodKey: string;
  at: string;
  by: string;
  /** Ticked checklist item ids. */
  items: string[];
  /** The latest result of each of the task's checks at the time. */
  checks: HistoryCheck[];
  /** Values asked for on completion (e.g. the recovery time). */
  values?: Record<string, string>;
  note?: string;
  /** `owner`: the owner before and after; null is none, the tier's team then. */
  owner?: OwnerChange;
}

export interface OwnerChange {
  from: string | null;
  to: string | null;
}

/** How many history entries a task keeps: years of weekly work, and a file that stays small. */
const HISTORY_LIMIT = 200;

export function emptyState(): PlaybookState {
  return { version: STATE_VERSION, tasks: record() };
}

/*
 * Task and checklist item ids come from the repo's playbook, so ids such as `constructor` or
 * `toString` are keys here. The records have no prototype and are read with Object.hasOwn, so
 * such an id is never mistaken for an inherited member; the JSON on disk looks the same.
 */

/** An empty record without a prototype. */
function record<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** The same entries in a record without a prototype (`__proto__` stays a plain key). */
function recordOf<T>(entries: Record<string, T>): Record<string, T> {
  const copy = record<T>();
  for (const key of Object.keys(entries)) copy[key] = entries[key];
  return copy;
}

/** The stored state of a task, if any; never an inherited member such as `toString`. */
export function taskEntry(state: PlaybookState, taskId: string): TaskState | undefined {
  return Object.hasOwn(state.tasks, taskId) ? state.tasks[taskId] : undefined;
}

/** The tick of a checklist item, if it is ticked; never an inherited member. */
export function tickOf(task: TaskState | undefined, itemId: string): Tick | undefined {
  return task && Object.hasOwn(task.ticks, itemId) ? task.ticks[itemId] : undefined;
}

/**
 * A state parsed from JSON (checked by `validateState`) with its records made prototype-free,
 * so the changes below can use any id as a key.
 */
export function normalizeState(state: PlaybookState): PlaybookState {
  const tasks = record<TaskState>();
  for (const id of Object.keys(state.tasks)) {
    const task = state.tasks[id];
    tasks[id] = { ...task, ticks: recordOf(task.ticks) };
  }
  return { ...state, tasks };
}

/** Who and when a change happens, and the period it belongs to. */
export interface ChangeContext {
  now: Date;
  by: string;
  periodKey: string;
  /**
   * The period `periodKey` names, in the zone the tree reads: a completion is this period's as
   * the tree reads it (`completedIn`), also one another zone filed under another key.
   */
  period?: Period;
  /** The zone `period` was read in: it places ticks of an earlier period in theirs. */
  timeZone?: string;
}

/**
 * The context of a change made at `now` to a task of `tier`, read in `timeZone`, as the tree
 * makes it: Reset, unticking and a tick then go by what the tree reads as this period's.
 */
export function changeContext(tier: Tier, now: Date, by: string, timeZone: string): ChangeContext {
  if (tier.period === 'none') return { now, by, periodKey: 'onDemand' };
  const period = periodAt(tier.period, now, timeZone);
  return { now, by, periodKey: period.key, period, timeZone };
}

/** Whether a completion is the context's period's: the one Reset and unticking take back. */
function ofPeriod(done: { periodKey: string; at: string } | undefined, context: ChangeContext) {
  if (!done) return false;
  if (context.period) return completedIn(done, context.period, context.now);
  return done.periodKey === context.periodKey;
}

function taskState(state: PlaybookState, taskId: string, context: ChangeContext): TaskState {
  let task = taskEntry(state, taskId);
  if (!task) {
    task = { since: context.now.toISOString(), ticks: record(), history: [] };
    setKey(state.tasks, taskId, task);
  }
  rollOver(task, context);
  return task;
}

/**
 * Starts the period's checklist afresh, keeping a partly ticked old period in the history. With
 * the context's period, a tick stays while its time is in it (`ticksIn`), also one a machine in
 * another zone filed under another period's key; without, while the key is the context's.
 */
function rollOver(task: TaskState, context: ChangeContext): void {
  const kept = ticksKept(task, context);
  const stale = Object.keys(task.ticks).filter((id) => !kept.includes(id));
  if (stale.length) {
    const last = stale
      .map((id) => task.ticks[id])
      .sort((a, b) => a.at.localeCompare(b.at))
      .at(-1)!;
    const period = periodOfTick(last, context);
    const completed = period
      ? completedIn(task.done, period, context.now)
      : task.done?.periodKey === task.periodKey;
    if (!completed && (period || task.periodKey)) {
      pushHistory(task, {
        action: 'incomplete',
        periodKey: period?.key ?? task.periodKey!,
        at: last.at,
        by: last.by,
        items: stale,
        checks: [],
      });
    }
  }
  const ticks = record<Tick>();
  for (const id of kept) ticks[id] = task.ticks[id];
  task.periodKey = context.periodKey;
  task.ticks = ticks;
}

/**
 * The ticks a new period's checklist keeps: its own, and those of a period still to come (a
 * clock that ran ahead stamped them), which count once it comes, as a completion would.
 */
function ticksKept(task: TaskState, context: ChangeContext): string[] {
  const { period } = context;
  if (!period) return task.periodKey === context.periodKey ? Object.keys(task.ticks) : [];
  const current = tickedNow(task, context);
  return Object.keys(task.ticks).filter((id) => {
    const at = stateInstant(task.ticks[id].at);
    return current.includes(id) || (at !== undefined && at >= period.end);
  });
}

/**
 * The items ticked in the context's period: without ticks kept for a period still to come. A
 * completion, the history and "all ticked" go by these.
 */
function tickedNow(task: TaskState, context: ChangeContext): string[] {
  return context.period ? ticksIn(task, context.period, context.now) : Object.keys(task.ticks);
}

/** The period a tick's time falls in, in the context's zone; none for a time that is no time. */
function periodOfTick(tick: Tick, context: ChangeContext): Period | undefined {
  const at = stateInstant(tick.at);
  if (!at || !context.period || !context.timeZone) return undefined;
  return periodAt(context.period.unit, at, context.timeZone);
}

/**
 * Sets an own key. A state built by hand or parsed elsewhere may still have Object.prototype,
 * where assigning `__proto__` would change the prototype instead of adding a key.
 */
function setKey<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/** What the maintainer did now to the task, with the items ticked so far and no checks. */
function entryNow(
  task: TaskState,
  action: HistoryEntry['action'],
  context: ChangeContext,
  note?: string,
): HistoryEntry {
  const entry: HistoryEntry = {
    action,
    periodKey: context.periodKey,
    at: context.now.toISOString(),
    by: context.by,
    items: tickedNow(task, context),
    checks: [],
  };
  if (note !== undefined) entry.note = note;
  return entry;
}

function pushHistory(task: TaskState, entry: HistoryEntry): void {
  task.history.push(entry);
  if (task.history.length > HISTORY_LIMIT) {
    task.history.splice(0, task.history.length - HISTORY_LIMIT);
  }
}

/** Makes sure the task is tracked, so "due since" starts now rather than never. */
export function trackTask(state: PlaybookState, taskId: string, context: ChangeContext): void {
  if (!taskEntry(state, taskId)) taskState(state, taskId, context);
}

/**
 * Ticks or unticks a checklist item. Ticking the last item completes the task for the period;
 * unticking an item of a task completed this period takes the completion back.
 */
export function setItemChecked(
  state: PlaybookState,
  task: Task,
  itemId: string,
  checked: boolean,
  context: ChangeContext,
  checks: HistoryCheck[] = [],
): 'completed' | 'reopened' | 'changed' {
  const entry = taskState(state, task.id, context);
  if (checked) setKey(entry.ticks, itemId, { at: context.now.toISOString(), by: context.by });
  else if (Object.hasOwn(entry.ticks, itemId)) delete entry.ticks[itemId];

  const doneNow = ofPeriod(entry.done, context);
  const ticked = tickedNow(entry, context);
  const allTicked = task.items.length > 0 && task.items.every((item) => ticked.includes(item.id));
  if (checked && allTicked && !doneNow) {
    markDone(state, task, context, { checks });
    return 'completed';
  }
  if (!checked && doneNow) {
    takeBackDone(entry, context, 'An item was unticked.');
    return 'reopened';
  }
  return 'changed';
}

/** Completes the task for the period, filing what was ticked and the checks' results. */
export function markDone(
  state: PlaybookState,
  task: Task,
  context: ChangeContext,
  extra: {
    checks?: HistoryCheck[];
    values?: Record<string, string>;
    note?: string;
    /** Ticks every item: marking a task done says its whole checklist was worked through. */
    tickAll?: boolean;
  } = {},
): void {
  const entry = taskState(state, task.id, context);
  const at = context.now.toISOString();
  if (extra.tickAll) {
    const ticked = tickedNow(entry, context);
    for (const item of task.items) {
      if (ticked.includes(item.id)) continue;
      setKey(entry.ticks, item.id, { at, by: context.by });
    }
  }
  entry.done = { periodKey: context.periodKey, at, by: context.by };
  delete entry.snoozedUntil;
  delete entry.snoozeReason;
  const history = entryNow(entry, 'done', context);
  history.checks = extra.checks ?? [];
  const values = Object.entries(extra.values ?? {})
    .map(([key, value]) => [key, typedLine(value)] as const)
    .filter(([, value]) => value);
  if (values.length) history.values = Object.fromEntries(values);
  const note = extra.note === undefined ? '' : typedLine(extra.note);
  if (note) history.note = note;
  pushHistory(entry, history);

  // On-demand work has no period: a finished run leaves a fresh checklist for the next one.
  if (context.periodKey === 'onDemand') {
    entry.ticks = record();
    delete entry.done;
  }
}

/**
 * Puts the task off until a local date (`YYYY-MM-DD`), with why when given: the tree shows it
 * while the snooze lasts, and the history keeps it.
 */
export function snoozeTask(
  state: PlaybookState,
  taskId: string,
  until: string,
  context: ChangeContext,
  reason?: string,
): void {
  const entry = taskState(state, taskId, context);
  const why = reason === undefined ? undefined : typedLine(reason);
  entry.snoozedUntil = until;
  if (why) entry.snoozeReason = why;
  else delete entry.snoozeReason;
  pushHistory(entry, entryNow(entry, 'snoozed', context, `until ${until}${why ? `: ${why}` : ''}`));
}

/**
 * Files who gave the task another owner, when, and from whom to whom: the playbook says who owns
 * it now (and its git log, once committed), the history says who changed it from the editor.
 */
export function recordOwnerChange(
  state: PlaybookState,
  taskId: string,
  context: ChangeContext,
  change: OwnerChange,
): void {
  const entry = taskState(state, taskId, context);
  const history = entryNow(entry, 'owner', context);
  history.owner = { from: change.from, to: change.to };
  pushHistory(entry, history);
}

/**
 * The history entry of a completion (the task's last one by default): what was found, and the
 * values asked for, which the completion itself does not keep.
 */
export function completionEntry(
  task: TaskState | undefined,
  done: Pick<HistoryEntry, 'at' | 'periodKey'> | undefined = task?.done,
): HistoryEntry | undefined {
  if (!task || !done) return undefined;
  return task.history.find(
    (item) => item.action === 'done' && item.at === done.at && item.periodKey === done.periodKey,
  );
}

/** The task's last owner change in the history, if any. */
export function lastOwnerChange(
  task: TaskState | undefined,
): (HistoryEntry & { owner: OwnerChange }) | undefined {
  return task?.history
    .filter(
      (entry): entry is HistoryEntry & { owner: OwnerChange } =>
        entry.action === 'owner' && entry.owner !== undefined,
    )
    .at(-1);
}

/** "Ann → Sam", "Ann → no owner (the tier's team)", as the history and upkeep status say. */
export function describeOwnerChange({ from, to }: OwnerChange): string {
  const name = (owner: string | null): string => owner ?? "no owner (the tier's team)";
  return `${name(from)} → ${name(to)}`;
}

/** Clears the period's ticks, completion and snooze; the history keeps that it happened. */
export function resetTask(state: PlaybookState, taskId: string, context: ChangeContext): void {
  const entry = taskState(state, taskId, context);
  const doneNow = ofPeriod(entry.done, context);
  if (doneNow) takeBackDone(entry, context, 'Reset.');
  else pushHistory(entry, entryNow(entry, 'reset', context));
  entry.ticks = record();
  delete entry.snoozedUntil;
  delete entry.snoozeReason;
}

function takeBackDone(entry: TaskState, context: ChangeContext, note: string): void {
  pushHistory(entry, entryNow(entry, 'reset', context, note));
  // The completion before this period still counts for "overdue since", unless reset too.
  const { period, timeZone } = context;
  const reading = period && timeZone ? { unit: period.unit, timeZone } : undefined;
  const earlier = lastStanding(entry.history, (item) => !ofPeriod(item, context), reading);
  if (earlier) entry.done = { periodKey: earlier.periodKey, at: earlier.at, by: earlier.by };
  else delete entry.done;
}

/**
 * Checks that a parsed file has the shape of a state; the reason when it does not. Used to tell a
 * hand-broken file from a valid one before anything is written over it.
 */
export function validateState(value: unknown): string | undefined {
  if (!isRecord(value)) return 'not a JSON object';
  if (value.version === undefined) return 'no "version"';
  if (value.version !== STATE_VERSION) {
    const newer = newerStateVersion(value) === undefined ? '' : ', from a newer Upkeep';
    return `unknown version ${quotedVersion(value.version)}${newer}`;
  }
  if (!isRecord(value.tasks)) return '"tasks" is not an object';
  for (const [id, task] of Object.entries(value.tasks)) {
    const named = `task "${printableLine(id, MAX_QUOTED)}"`;
    if (!isRecord(task)) return `${named} is not an object`;
    const problem = taskProblem(task);
    if (problem) return `${named} ${problem}`;
  }
  return undefined;
}

/**
 * The version of a state a newer Upkeep wrote (a whole number above this one's), else undefined.
 * Such a file is not broken: it is left as it is, for the teammate whose Upkeep reads it.
 */
export function newerStateVersion(value: unknown): number | undefined {
  if (!isRecord(value)) return undefined;
  const version = value.version;
  return typeof version === 'number' && Number.isSafeInteger(version) && version > STATE_VERSION
    ? version
    : undefined;
}

/** Of the file's text, a reason quotes one short line: the file may hold megabytes. */
const MAX_QUOTED = 80;

/**
 * A version as the file wrote it, when it is text or a number; a list or an object is named, not
 * written out (one nested 100,000 deep cannot be: JSON.stringify runs out of stack).
 */
function quotedVersion(version: unknown): string {
  if (Array.isArray(version)) return '(a list)';
  if (isRecord(version)) return '(an object)';
  return printableLine(JSON.stringify(version), MAX_QUOTED);
}

/*
 * Every field the status, the history and the changes read is checked, down to the history
 * entries: a hand-edited or badly merged file that is still JSON (a null tick, a history entry
 * without a time) would otherwise make the tree throw instead of being set aside.
 */

const ACTIONS: readonly HistoryEntry['action'][] = [
  'done',
  'incomplete',
  'reset',
  'snoozed',
  'owner',
];

const isString = (value: unknown): value is string => typeof value === 'string';
const optional = (value: unknown): boolean => value === undefined || isString(value);
const stringList = (value: unknown): boolean => Array.isArray(value) && value.every(isString);
const nameOrNull = (value: unknown): boolean => value === null || isString(value);

/** An object with a string `at` and `by`: a tick, a completion, a history entry. */
function isStamp(value: unknown): value is Record<string, unknown> & { at: string; by: string } {
  return isRecord(value) && isString(value.at) && isString(value.by);
}

function taskProblem(task: Record<string, unknown>): string | undefined {
  if (!isString(task.since)) return 'has no "since"';
  if (!optional(task.periodKey)) return 'has a "periodKey" that is not text';
  if (!isRecord(task.ticks)) return 'has no "ticks"';
  if (!Object.values(task.ticks).every(isStamp)) return 'has a tick without "at" and "by"';
  if (task.done !== undefined && !(isStamp(task.done) && isString(task.done.periodKey))) {
    return 'has a "done" without "periodKey", "at" and "by"';
  }
  if (!optional(task.snoozedUntil)) return 'has a "snoozedUntil" that is not a date';
  if (!optional(task.snoozeReason)) return 'has a "snoozeReason" that is not text';
  if (!Array.isArray(task.history)) return 'has no "history" list';
  const index = task.history.findIndex((entry) => !isHistoryEntry(entry));
  return index === -1 ? undefined : `has a broken history entry (number ${index + 1})`;
}

function isHistoryEntry(entry: unknown): boolean {
  if (!isStamp(entry)) return false;
  const { action, periodKey, items, checks, values, note, owner } = entry;
  return (
    ACTIONS.includes(action as HistoryEntry['action']) &&
    isString(periodKey) &&
    stringList(items) &&
    Array.isArray(checks) &&
    checks.every(
      (check) => isRecord(check) && isString(check.checkId) && isString(check.summary),
    ) &&
    (values === undefined || (isRecord(values) && Object.values(values).every(isString))) &&
    optional(note) &&
    // An owner change says from whom to whom; no other entry has an owner.
    (action === 'owner'
      ? isRecord(owner) && nameOrNull(owner.from) && nameOrNull(owner.to)
      : owner === undefined)
  );
}

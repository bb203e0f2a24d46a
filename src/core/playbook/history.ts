/**
 * Task history as a read-only Markdown document: what was done in each period, by whom, which
 * items were ticked and what the checks said, so a maintainer can show what was done last month.
 */
import type { Playbook } from './model';
import type { HistoryEntry, PlaybookState } from './state';
import { periodAt, stateInstant } from './schedule';
import { describeOwnerChange, taskEntry } from './state';
import { printable } from '../util/printable';

/** `2026-03`: the month of a time in `timeZone`; of one that is no time, its first characters. */
function monthOf(at: string, timeZone: string): string {
  const instant = stateInstant(at);
  return instant ? periodAt('month', instant, timeZone).key : at.slice(0, 7);
}

const ACTIONS: Record<HistoryEntry['action'], string> = {
  done: 'Done',
  incomplete: 'Period ended unfinished',
  reset: 'Reset',
  snoozed: 'Snoozed',
  owner: 'Owner changed',
};

/**
 * Markdown for one task (`taskId`) or every task (undefined), newest first, under the months of
 * `timeZone`, the zone `formatTime` writes times in.
 */
export function historyMarkdown(
  playbook: Playbook,
  state: PlaybookState,
  taskId: string | undefined,
  formatTime: (iso: string) => string,
  timeZone = 'UTC',
): string {
  const tasks = playbook.tasks.filter((task) => !taskId || task.id === taskId);
  const title = taskId ? `History: ${plain(tasks[0]?.title ?? taskId)}` : 'Maintenance history';
  const entries = tasks.flatMap((task) =>
    (taskEntry(state, task.id)?.history ?? []).map((entry) => ({ task, entry })),
  );
  entries.sort((a, b) => b.entry.at.localeCompare(a.entry.at));

  const lines = [`# ${title}`, ''];
  if (!entries.length) lines.push('Nothing recorded yet.');
  let month = '';
  for (const { task, entry } of entries) {
    const entryMonth = monthOf(entry.at, timeZone);
    if (entryMonth !== month) {
      month = entryMonth;
      lines.push(`## ${plain(month)}`, '');
    }
    const who = entry.by ? ` by ${plain(entry.by)}` : '';
    const heading = taskId
      ? ACTIONS[entry.action]
      : `${plain(task.title)}: ${ACTIONS[entry.action]}`;
    lines.push(`### ${heading} — ${plain(formatTime(entry.at))}${who}`, '');
    lines.push(`- Period: ${plain(entry.periodKey)}`);
    if (entry.items.length) {
      const titles = entry.items.map(
        (id) => task.items.find((item) => item.id === id)?.title ?? id,
      );
      lines.push(
        `- Items (${entry.items.length}/${task.items.length}): ${titles.map(plain).join('; ')}`,
      );
    }
    for (const check of entry.checks) {
      lines.push(
        `- Check ${code(check.checkId)}: ${plain(check.outcome)} — ${plain(check.summary)}`,
      );
    }
    for (const [key, value] of Object.entries(entry.values ?? {})) {
      const record = task.records?.find((candidate) => candidate.id === key);
      const unit = record?.unit ? ` ${plain(record.unit)}` : '';
      lines.push(`- ${plain(record?.title ?? key)}: ${plain(value)}${unit}`);
    }
    if (entry.owner) lines.push(`- Owner: ${plain(describeOwnerChange(entry.owner))}`);
    if (entry.note) lines.push(`- Note: ${plain(entry.note)}`);
    lines.push('');
  }
  return lines.join('\n');
}

/**
 * Names, summaries and everything else read from the state file (which a repo may commit) come
 * from people and tools; keep them from becoming Markdown, or more than one line, or reversed.
 * The document opens as text, where an escape reads as a backslash in the name, so `_` between
 * two letters or digits (`index_users_on_email`, which CommonMark never takes for emphasis) and
 * a `#` inside the text (`ReportsController#monthly`, `see #42`) stay as they are: only one that
 * starts the text (a heading) or a run of them that ends it after a space (a heading's closing
 * run) is escaped. An `&` is escaped only where it begins a character reference.
 */
function plain(text: string): string {
  return printable(text.replace(/[\r\n]+/g, ' '))
    .replace(/[\\`*_[\]<>#|]/g, (char: string, at: number, line: string) =>
      (char === '_' && WORD.test(line[at - 1] ?? '') && WORD.test(line[at + 1] ?? '')) ||
      (char === '#' && !marksHeading(line, at))
        ? char
        : `\\${char}`,
    )
    .replace(REFERENCE, '\\$&');
}

/**
 * A character reference (`&#x202E;`, `&rlm;`): a preview of the document decodes it to the
 * character, bidirectional controls included, that printable() keeps out of the text. Escaped,
 * it reads as written; a lone `&` (`R&D`) stays as it is. One that ends the text is escaped
 * too: the `; ` between a task's items would close it.
 */
const REFERENCE = /&(?=(?:#\d{1,7}|#[xX][\da-fA-F]{1,6}|[A-Za-z][A-Za-z\d]{1,31})(?:;|$))/g;

const WORD = /^[\p{L}\p{N}]$/u;

/** Whether the `#` at `at` is in a run that opens `line` or closes it after a space. */
function marksHeading(line: string, at: number): boolean {
  let start = at;
  while (start > 0 && line[start - 1] === '#') start--;
  if (start === 0) return true;
  return /^#+\s*$/.test(line.slice(at)) && /\s/.test(line[start - 1]);
}

/**
 * A check id as code, one line and no controls (Markdown leaves code as written); one holding a
 * backtick, which would end the code span, as plain text.
 */
function code(text: string): string {
  const line = printable(text);
  return line.includes('`') ? plain(line) : `\`${line}\``;
}

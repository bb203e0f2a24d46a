/**
 * The bug reports in the repository, read back from their files, so the On demand tier can list
 * the open ones with their severity and response due time until someone marks them done.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { UpkeepSettings } from '../settings';
import { UpkeepError } from '../util/errors';
import { isInside } from '../util/paths';
import { plural } from '../util/plural';
import { openRegularFile } from '../util/textFile';
import { machineTimeZone } from '../util/timeZone';
import { headingContent, unescapeMarkdownHtml } from './markdown';
import { documentFolder } from './newFile';
import type { SeverityId } from './severity';
import { parseSeverity, responseDue } from './severity';
import { parseZonedTime } from './zonedTime';

export interface BugReportSummary {
  /** Absolute path of the report. */
  file: string;
  /** The `# Bug:` heading, else the first heading, else the file name. */
  title: string;
  severity?: SeverityId;
  createdAt?: Date;
  /** The `Response due:` line, else created time plus the severity's response time. */
  dueAt?: Date;
  /** A `Status:` of Done, Fixed, Closed or Resolved, or a ticked `[x] Done` checkbox. */
  done: boolean;
}

type ReportState = 'done' | 'overdue' | 'open';

/** Only the head of a report holds its metadata; a huge file is not read whole. */
const HEAD_BYTES = 16 * 1024;
/** Reports read at the same time: each holds a file open while it is read. */
const OPEN_AT_ONCE = 16;

// No two runs of a pattern match the same characters, and the markers before a key stay on its
// line: a repo's report can hold any text, and overlapping runs (`[\s*]*\**`) backtrack in
// quadratic time (16 KB of stars took most of a second).
const DONE_STATUS = /^[ \t>*-]*status\**[ \t]*:[\s*]*(done|fixed|closed|resolved)\b/im;
const DONE_CHECKBOX = /^[ \t]*[-*+][ \t]*\[[xX]\][ \t*]*(done|fixed|closed|resolved)\b/im;
const SEVERITY_LINE = /^[ \t>*-]*(?:severity|tier)\**[ \t]*:[ \t*]*([a-z]+)/im;
const DUE_LINE = /^[ \t>*-]*response due\**[ \t]*:(.*)$/im;
const CREATED_LINE = /^[ \t>*-]*(?:reported|created)\**[ \t]*:(.*)$/im;
const BUG_HEADING = /^#[ \t]+bug[ \t]*:(.*)$/im;
const ANY_HEADING = /^#{1,6}[ \t]+(.*)$/m;
const FILE_DATE = /^(\d{4}-\d{2}-\d{2})-/;

/**
 * Every `*.md` report in the bug folder (`settings.templates.bugFolder`), sorted by the time a
 * response is due (soonest first, reports without one last). A missing folder means no reports;
 * an unreadable file, or one that is a link, is skipped. A folder that links out of the
 * workspace is refused with an UpkeepError (`refused`), whatever the workspace trust.
 */
export async function listReports(
  workspace: string,
  settings: UpkeepSettings,
  timeZone: string = settings.schedule.timeZone?.trim() || machineTimeZone(),
): Promise<BugReportSummary[]> {
  const setting = 'upkeep.templates.bugFolder';
  const folder = documentFolder(workspace, settings.templates.bugFolder, setting);
  const real = await fs.realpath(folder).catch(() => undefined);
  if (real === undefined) return [];

  // Reports belong to the repository, as writeNewFile holds for the ones Upkeep writes. A
  // cloned repo whose bug folder links to ~/notes would otherwise put the headings of someone's
  // private files in the tree; a trusted one gains nothing from it that a folder would not give.
  if (!isInside(await fs.realpath(workspace), real)) {
    throw new UpkeepError(
      'refused',
      `The bug folder ${settings.templates.bugFolder} links to ${real}, outside the ` +
        'workspace; no report there is read.',
      `Set ${setting} to a folder inside the workspace, or replace the link with a folder.`,
    );
  }

  let names: string[];
  try {
    const entries = await fs.readdir(folder, { withFileTypes: true });
    names = entries.filter((e) => e.isFile() && /\.md$/i.test(e.name)).map((e) => e.name);
  } catch {
    return [];
  }

  // A few files open at a time: all at once, an old app's thousands of reports ran past the
  // limit of open files (`ulimit -n`), and those past it were skipped as unreadable.
  const reports: (BugReportSummary | undefined)[] = [];
  for (let start = 0; start < names.length; start += OPEN_AT_ONCE) {
    const batch = names.slice(start, start + OPEN_AT_ONCE).map(async (name) => {
      const file = path.join(folder, name);
      const head = await readReportHead(file);
      return head === undefined ? undefined : parseReport(file, head, timeZone);
    });
    reports.push(...(await Promise.all(batch)));
  }
  return reports
    .filter((report): report is BugReportSummary => report !== undefined)
    .sort(byDueTime);
}

/**
 * The workspace-relative glob of report files, for a file watcher that refreshes the list
 * (`new vscode.RelativePattern(folder, reportFilesGlob(settings))`). It takes in the folder and
 * each folder above it too: a pull or `mkdir -p` that brings the folder with its reports may be
 * reported as the new folder alone, its files written before the watcher looked inside.
 */
export function reportFilesGlob(settings: UpkeepSettings): string {
  const folder = settings.templates.bugFolder.replace(/\\/g, '/').replace(/^\.?\/+|\/+$/g, '');
  if (!folder) return '*.md';
  const parts = folder.split('/');
  const folders = parts.map((_, index) => parts.slice(0, index + 1).join('/'));
  return `{${[...folders, `${folder}/*.md`].join(',')}}`;
}

/** Reads the metadata of one report from its text. */
export function parseReport(file: string, text: string, timeZone?: string): BugReportSummary {
  const severity = parseSeverity(SEVERITY_LINE.exec(text)?.[1] ?? '')?.id;
  const createdLine = CREATED_LINE.exec(text)?.[1];
  const fileDate = FILE_DATE.exec(path.basename(file))?.[1];
  // A time without an offset (the upkeep-bug snippet's) is the team's wall clock, and so is the
  // file name's date: the day began at midnight there.
  const createdAt =
    (createdLine !== undefined ? parseZonedTime(createdLine, timeZone) : undefined) ??
    (fileDate
      ? (parseZonedTime(`${fileDate} 00:00`, timeZone) ?? new Date(`${fileDate}T00:00:00Z`))
      : undefined);
  const dueLine = DUE_LINE.exec(text)?.[1];
  const dueAt =
    (dueLine !== undefined ? parseZonedTime(dueLine, timeZone) : undefined) ??
    (createdAt && severity ? responseDue(createdAt, severity) : undefined);
  // The heading was written with escapeMarkdownHtml; the tree shows the title as typed.
  const heading =
    headingContent(BUG_HEADING.exec(text)?.[1] ?? '') ||
    headingContent(ANY_HEADING.exec(text)?.[1] ?? '');
  const title = heading ? unescapeMarkdownHtml(heading) : path.basename(file, '.md');

  return {
    file,
    title,
    severity,
    createdAt,
    dueAt,
    done: DONE_STATUS.test(text) || DONE_CHECKBOX.test(text),
  };
}

/** Done, overdue (response due time passed) or open, at `now`. */
export function reportState(report: BugReportSummary, now: Date): ReportState {
  if (report.done) return 'done';
  if (report.dueAt && report.dueAt.getTime() < now.getTime()) return 'overdue';
  return 'open';
}

/** "2 open bug reports, 1 response overdue" for the On demand tier's row; '' when none is open. */
export function describeOpenReports(reports: BugReportSummary[], now: Date): string {
  const states = reports.map((report) => reportState(report, now));
  const open = states.filter((state) => state !== 'done').length;
  if (open === 0) return '';
  const overdue = states.filter((state) => state === 'overdue').length;
  const late = overdue ? `, ${plural(overdue, 'response')} overdue` : '';
  return `${plural(open, 'open bug report')}${late}`;
}

/**
 * The first HEAD_BYTES of a report, or undefined when it cannot be read as one. The folder was
 * listed for regular files; what is there by the time it is opened may be a FIFO (whose plain
 * open waits for a writer for ever, and the tree and `upkeep status` with it) or a link: both
 * are passed over.
 */
export async function readReportHead(file: string): Promise<string | undefined> {
  let handle: fs.FileHandle | undefined;
  try {
    ({ handle } = await openRegularFile(file, { followLinks: false }));
    const buffer = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
    return buffer.subarray(0, bytesRead).toString('utf8').replace(/\r\n/g, '\n');
  } catch {
    return undefined;
  } finally {
    await handle?.close();
  }
}

function byDueTime(a: BugReportSummary, b: BugReportSummary): number {
  const due = (r: BugReportSummary): number => r.dueAt?.getTime() ?? Number.POSITIVE_INFINITY;
  return due(a) - due(b) || a.file.localeCompare(b.file);
}

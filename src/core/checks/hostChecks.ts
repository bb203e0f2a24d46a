/**
 * Checks of the machine the workspace is on: memory of the application server processes (from
 * /proc), free disk space, and the number of folders under `storage/`.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { readWorkspaceFolder } from './files';
import type { CheckContext, CheckDefinition, CheckReport } from './types';

export interface AppProcess {
  pid: number;
  server: 'puma' | 'unicorn' | 'passenger';
  rssKb: number;
  command: string;
}

/** Program names of the servers; a worker renames itself `puma: cluster worker 0: ...`. */
const SERVERS = new Map<string, AppProcess['server']>([
  ['puma', 'puma'],
  ['unicorn', 'unicorn'],
  ['unicorn_rails', 'unicorn'],
]);
/** What may start a server before its own name: `ruby bin/bundle exec puma -C ...`. */
const LAUNCHER = /^(?:j?ruby[\d.]*|truffleruby|bundle|bundler|exec|-\S*)$/;

/**
 * Which application server a command line belongs to, if any: by the program it runs, not by a
 * word anywhere in it, so `vim config/puma.rb` or `tail -f log/puma.log` is no server.
 */
export function serverOf(command: string): AppProcess['server'] | undefined {
  // Passenger names the processes that hold the app; its core and watchdog hold none.
  if (/^Passenger (?:RubyApp|AppPreloader):/.test(command)) return 'passenger';
  const words = command.trim().split(/\s+/);
  const program = words.find((word) => !LAUNCHER.test(path.basename(word)));
  return program ? SERVERS.get(path.basename(program).replace(/:$/, '')) : undefined;
}

/** Puma, Unicorn and Passenger processes from /proc, with their resident memory. */
export async function findAppProcesses(proc = '/proc'): Promise<AppProcess[]> {
  let entries: string[];
  try {
    entries = await fs.readdir(proc);
  } catch {
    return [];
  }
  const found: AppProcess[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const raw = await fs.readFile(path.join(proc, entry, 'cmdline'), 'utf8');
      const command = raw.split('\0').join(' ').trim();
      const server = command ? serverOf(command) : undefined;
      if (!server) continue;
      const status = await fs.readFile(path.join(proc, entry, 'status'), 'utf8');
      const rss = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
      if (!rss) continue;
      found.push({ pid: Number(entry), server, rssKb: Number(rss[1]), command });
    } catch {
      // the process ended while we looked, or is not ours to read
    }
  }
  return found;
}

/** Whole megabytes, as the guidelines' `ps -o rss=` value `.to_i / 1024` gives them. */
function megabytes(kb: number): number {
  return Math.floor(kb / 1024);
}

/**
 * The guidelines alert when `memory_usage > 1000`, and their memory_usage is one process's
 * (`ps -o rss= -p Process.pid`): each Puma worker is held to the limit, not their sum, which
 * grows with the worker count. The total is reported beside it.
 */
export const appMemoryCheck: CheckDefinition = {
  id: 'host.appMemory',
  title: 'Application server memory',
  description:
    'Resident memory of each Puma, Unicorn and Passenger process on this machine against the ' +
    'limit, and their total.',
  async run(context: CheckContext): Promise<CheckReport> {
    const processes = await findAppProcesses();
    if (!processes.length) {
      return {
        outcome: 'skipped',
        summary: 'no Puma, Unicorn or Passenger process runs on this machine',
      };
    }
    const limitMb = context.settings.thresholds.memoryMb;
    const totalMb = megabytes(processes.reduce((sum, p) => sum + p.rssKb, 0));
    const largest = processes.reduce((max, p) => (p.rssKb > max.rssKb ? p : max));
    const largestMb = megabytes(largest.rssKb);
    const servers = [...new Set(processes.map((p) => p.server))].join(', ');
    const values = {
      memoryMb: totalMb,
      largestMb,
      limitMb,
      processes: processes.length,
      servers,
    };
    const plural = processes.length > 1 ? 'es' : '';
    const what =
      `${totalMb} MB in ${processes.length} ${servers} process${plural}` +
      (processes.length > 1 ? `, largest ${largestMb} MB (pid ${largest.pid})` : '');
    const details = processes
      .map((p) => `${p.pid} ${megabytes(p.rssKb)} MB ${p.command}`)
      .join('\n');
    if (largestMb > limitMb) {
      return {
        outcome: 'fail',
        summary: `${what} (limit ${limitMb} MB a process)`,
        values,
        details,
      };
    }
    if (largestMb > limitMb * 0.9) {
      return {
        outcome: 'warn',
        summary: `${what}, near the ${limitMb} MB limit a process`,
        values,
        details,
      };
    }
    return { outcome: 'pass', summary: what, values, details };
  },
};

export const FREE_DISK_WARN_PERCENT = 15;
export const FREE_DISK_FAIL_PERCENT = 5;

export const diskSpaceCheck: CheckDefinition = {
  id: 'host.diskSpace',
  title: 'Free disk space',
  description:
    `Free space on the workspace's file system: warns under ${FREE_DISK_WARN_PERCENT} %, ` +
    `fails under ${FREE_DISK_FAIL_PERCENT} %.`,
  async run(context: CheckContext): Promise<CheckReport> {
    const stats = await fs.statfs(context.workspace);
    const total = stats.blocks * stats.bsize;
    const free = stats.bavail * stats.bsize;
    const percent = total ? Math.round((free / total) * 1000) / 10 : 0;
    const freeGb = Math.round((free / 1024 ** 3) * 10) / 10;
    const values = {
      freeGb,
      freePercent: percent,
      totalGb: Math.round((total / 1024 ** 3) * 10) / 10,
    };
    const summary = `${freeGb} GB free (${percent} %)`;
    if (percent < FREE_DISK_FAIL_PERCENT) return { outcome: 'fail', summary, values };
    if (percent < FREE_DISK_WARN_PERCENT) return { outcome: 'warn', summary, values };
    return { outcome: 'pass', summary, values };
  },
};

export const storageFoldersCheck: CheckDefinition = {
  id: 'host.storageFolders',
  title: 'Folders in storage/',
  description: 'Counts the folders directly under storage/ (the guidelines watch uploads there).',
  async run(context: CheckContext): Promise<CheckReport> {
    // Untrusted, a storage/ linked out of the folder throws `untrusted`: the check waits, as
    // the count would be of a folder of the user's; one put there after that check is refused.
    const entries = await readWorkspaceFolder(context, 'storage');
    if (!entries) return { outcome: 'skipped', summary: 'no storage/ folder' };
    const folders = entries.filter((entry) => entry.isDirectory()).length;
    return {
      outcome: 'pass',
      summary: `${folders} folder${folders === 1 ? '' : 's'} in storage/`,
      values: { folders },
    };
  },
};

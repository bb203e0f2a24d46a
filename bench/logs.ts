/**
 * Benchmark of the log engine (issue 4): generates a realistic production log, times the full
 * summary against `grep -c Completed` on the same file (throughput ratio, peak memory), and
 * times "last hour" on a 200 MB and a 2 GB file. Run: npx tsx bench/logs.ts [sizeMB] [bigMB].
 * Each measurement runs in its own process, from an esbuild bundle as the shipped CLI is (tsx
 * alone would add ~35 MB), so that peak memory is the engine's.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FAST_TAKEN, readLines } from '../src/core/logs/lineReader';
import { summarizeLogs } from '../src/core/logs/summary';
import { parseWindow } from '../src/core/logs/window';
import { fixedClock } from '../src/core/util/clock';

/** The end of the generated logs; children get the parent's, so their "last hour" is the same. */
const NOW = new Date(process.env.UPKEEP_BENCH_NOW ?? Date.now());
/** One request every 0.4 s: a busy small app. A bigger file reaches further back in time. */
const INTERVAL_MS = 400;

const ACTIONS = [
  { name: 'BookingsController#index', path: '/bookings', weight: 30, ms: 80 },
  { name: 'BookingsController#show', path: '/bookings/:id', weight: 25, ms: 45 },
  { name: 'BookingsController#create', path: '/bookings', weight: 6, ms: 160, method: 'POST' },
  { name: 'ServicesController#index', path: '/services', weight: 15, ms: 60 },
  {
    name: 'Api::V1::SlotsController#index',
    path: '/api/v1/slots',
    weight: 15,
    ms: 35,
    format: 'JSON',
  },
  {
    name: 'Users::SessionsController#create',
    path: '/users/sign_in',
    weight: 4,
    ms: 220,
    method: 'POST',
  },
  { name: 'ReportsController#show', path: '/reports/:id', weight: 2, ms: 1400 },
  { name: 'Rails::HealthController#show', path: '/up', weight: 3, ms: 1 },
];
const TOTAL_WEIGHT = ACTIONS.reduce((sum, a) => sum + a.weight, 0);

let seed = 12345;
function random(): number {
  // Math.imul keeps the product in 32 bits; a float product loses the low bits that matter.
  seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
}

function pick(): (typeof ACTIONS)[number] {
  let r = random() * TOTAL_WEIGHT;
  for (const action of ACTIONS) {
    r -= action.weight;
    if (r <= 0) return action;
  }
  return ACTIONS[0];
}

function uuid(): string {
  const hex = (n: number): string =>
    Math.floor(random() * 16 ** n)
      .toString(16)
      .padStart(n, '0');
  return `${hex(8)}-${hex(4)}-4${hex(3)}-8${hex(3)}-${hex(6)}${hex(6)}`;
}

function stamp(epoch: number): string {
  return new Date(epoch).toISOString().slice(0, 23).replace('Z', '') + '000';
}

/** The lines of one request, Rails 7 production style (Logger::Formatter, request-id tag). */
function requestLines(at: number): string {
  const action = pick();
  const id = uuid();
  const pid = 3000 + Math.floor(random() * 4);
  const ip = `203.0.113.${Math.floor(random() * 250)}`;
  const p = (offset: number, level = 'INFO'): string =>
    `${level[0]}, [${stamp(at + offset)} #${pid}] ${level.padStart(5)} -- : [${id}] `;
  const route = action.path.replace(':id', String(Math.floor(random() * 5000)));
  const duration = Math.max(1, Math.round(action.ms * Math.exp((random() - 0.5) * 1.6)));
  const r = random();
  let status = 200;
  if (action.name.startsWith('Users::')) status = r < 0.3 ? 401 : 303;
  else if (r < 0.003) status = 500;
  else if (r < 0.02) status = 404;
  else if (action.method === 'POST') status = 302;

  const lines = [
    `${p(0)}Started ${action.method ?? 'GET'} "${route}" for ${ip} ` +
      `at ${new Date(at).toISOString().slice(0, 19).replace('T', ' ')} +0000`,
    `${p(1)}Processing by ${action.name} as ${action.format ?? 'HTML'}`,
  ];
  if (route !== action.path || action.method) {
    lines.push(`${p(1)}  Parameters: {"id"=>"${route.split('/').pop()}", "locale"=>"en"}`);
  }
  if (status === 200 && !action.format) {
    lines.push(
      `${p(2)}  Rendered ${action.path.split('/')[1]}/index.html.erb within layouts/application ` +
        `(Duration: ${(duration * 0.5).toFixed(1)}ms | ` +
        `Allocations: ${Math.floor(random() * 9000)})`,
      `${p(3)}  Rendered layout layouts/application.html.erb ` +
        `(Duration: ${(duration * 0.6).toFixed(1)}ms | ` +
        `Allocations: ${Math.floor(random() * 19000)})`,
    );
  }
  if (status === 302 || status === 303) {
    lines.push(`${p(3)}Redirected to https://example.com/bookings`);
  }
  const text = {
    200: 'OK',
    302: 'Found',
    303: 'See Other',
    401: 'Unauthorized',
    404: 'Not Found',
    500: 'Internal Server Error',
  }[status];
  lines.push(
    `${p(duration)}Completed ${status} ${text} in ${duration}ms ` +
      `(Views: ${(duration * 0.6).toFixed(1)}ms | ` +
      `ActiveRecord: ${(duration * 0.25).toFixed(1)}ms ` +
      `(${Math.floor(random() * 12)} queries, ${Math.floor(random() * 3)} cached) | ` +
      `GC: ${(random() * 3).toFixed(1)}ms)`,
  );
  if (status === 500) {
    lines.push(
      `${p(duration + 1, 'FATAL')}  `,
      `${p(duration + 1, 'FATAL')}NoMethodError (undefined method \`name' for nil):`,
      `${p(duration + 1, 'FATAL')}  `,
      `${p(duration + 1, 'FATAL')}app/models/booking.rb:42:in \`label'`,
    );
  }
  return lines.join('\n') + '\n';
}

/** Writes about `megabytes` of log ending now, in order, without holding it in memory. */
async function generate(file: string, megabytes: number): Promise<void> {
  const target = megabytes * 1024 * 1024;
  const sample = Array.from({ length: 2000 }, () => requestLines(0)).join('').length / 2000;
  const count = Math.ceil(target / sample);
  const start = NOW.getTime() - count * INTERVAL_MS;
  const out = createWriteStream(file);
  let buffer = '';
  // Exactly `count` requests, so that the last one is stamped now whatever the size.
  for (let i = 0; i < count; i++) {
    buffer += requestLines(start + i * INTERVAL_MS);
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) {
        await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      }
      buffer = '';
    }
  }
  out.write(buffer);
  await new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
}

interface Measure {
  wallMs: number;
  cpuMs: number;
  maxRssMb: number;
  requests: number;
  bytesRead: number;
  lines?: number;
}

/** Child mode: times `work` in this process and prints the measure as JSON. */
async function timed(
  work: () => Promise<Pick<Measure, 'requests' | 'bytesRead' | 'lines'>>,
): Promise<void> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const counts = await work();
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const result: Measure = {
    wallMs,
    cpuMs: (used.user + used.system) / 1000,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    ...counts,
  };
  process.stdout.write(JSON.stringify(result));
}

/** Summarizes one file. */
async function measure(file: string, window: string | undefined): Promise<void> {
  await timed(async () => {
    const summary = await summarizeLogs({
      workspace: path.dirname(file),
      sources: [file],
      window: window ? parseWindow(window, fixedClock(NOW)) : undefined,
      timeZone: 'UTC',
      clock: fixedClock(NOW),
    });
    return {
      requests: summary.requests.total,
      bytesRead: summary.sources.reduce((sum, s) => sum + s.bytesRead, 0),
    };
  });
}

/**
 * Only reads the file and splits it into lines, as the engine's reader does, with nothing done
 * per line: the floor under any summary built on that reader (see main).
 */
async function measureSplit(file: string): Promise<void> {
  await timed(async () => {
    const size = (await fs.stat(file)).size;
    const read = await readLines(
      file,
      { end: size, gzip: false, firstLine: 1 },
      () => true,
      () => FAST_TAKEN,
    );
    return { requests: 0, bytesRead: read.bytesRead, lines: read.lines };
  });
}

let bundle = '';

async function bundleSelf(folder: string): Promise<void> {
  bundle = path.join(folder, 'bench.cjs');
  // Imported here, so the bundle itself does not need esbuild to run.
  const esbuild = await import('esbuild');
  // CommonJS like the shipped CLI, with the range worker next to it as in dist/.
  await esbuild.build({
    entryPoints: {
      bench: fileURLToPath(import.meta.url),
      logWorker: fileURLToPath(new URL('../src/core/logs/logWorker.ts', import.meta.url)),
    },
    outExtension: { '.js': '.cjs' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outdir: folder,
    external: ['esbuild'],
    // Only the parent, never the bundled child, reads its own location.
    define: { 'import.meta.url': '"file:///bench"' },
    logLevel: 'warning',
  });
  await fs.rename(path.join(folder, 'logWorker.cjs'), path.join(folder, 'logWorker.js'));
}

function runChild(file: string, window?: string, mode = '--measure'): Measure {
  const args = [bundle, mode, file, ...(window ? [window] : [])];
  const child = spawnSync(process.execPath, args, {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
    env: { ...process.env, UPKEEP_BENCH_NOW: NOW.toISOString() },
  });
  if (child.status !== 0) throw new Error(`measure failed: ${child.stderr}`);
  return JSON.parse(child.stdout) as Measure;
}

function grepCount(file: string): { wallMs: number; cpuMs: number; count: number } {
  const started = performance.now();
  const child = spawnSync('/usr/bin/time', ['-f', '%U %S', 'grep', '-c', 'Completed', file], {
    encoding: 'utf8',
  });
  const wallMs = performance.now() - started;
  const [user, system] = child.stderr.trim().split('\n').pop()!.split(' ').map(Number);
  return { wallMs, cpuMs: (user + system) * 1000, count: Number(child.stdout.trim()) };
}

/**
 * The native prototype of the hot path (bench/native/hotPath.cc, not the product) on `file`,
 * built with g++ into `folder`: what a native engine could reach, for the decision the README
 * describes. Undefined when there is no g++.
 */
function nativeHotPath(
  folder: string,
  file: string,
): { wallMs: number; requests: number } | undefined {
  const binary = path.join(folder, 'hotPath');
  const source = fileURLToPath(new URL('native/hotPath.cc', import.meta.url));
  const build = spawnSync('g++', ['-O2', '-std=c++17', '-pthread', source, '-o', binary], {
    encoding: 'utf8',
  });
  if (build.error || build.status !== 0) return undefined;
  const runs = [0, 1, 2].map(() => {
    const started = performance.now();
    const child = spawnSync(binary, [file, String(os.availableParallelism())], {
      encoding: 'utf8',
    });
    const wallMs = performance.now() - started;
    if (child.status !== 0) throw new Error(`hotPath failed: ${child.stderr}`);
    return { wallMs, requests: (JSON.parse(child.stdout) as { requests: number }).requests };
  });
  return best(runs);
}

/** Reads the file once so both contenders start from a warm page cache. */
async function warm(file: string): Promise<void> {
  const handle = await fs.open(file, 'r');
  const buffer = Buffer.allocUnsafe(8 << 20);
  try {
    let position = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      if (!bytesRead) break;
      position += bytesRead;
    }
  } finally {
    await handle.close();
  }
}

const mb = (bytes: number): string => (bytes / 1048576).toFixed(0);
const best = <T extends { wallMs: number }>(runs: T[]): T =>
  runs.reduce((a, b) => (b.wallMs < a.wallMs ? b : a));

async function main(): Promise<void> {
  if (process.argv[2] === '--measure') {
    await measure(process.argv[3], process.argv[4]);
    return;
  }
  if (process.argv[2] === '--split') {
    await measureSplit(process.argv[3]);
    return;
  }
  if (process.argv[2] === '--generate') {
    // Only write a log (npx tsx bench/logs.ts --generate FILE MB), for profiling by hand.
    await generate(process.argv[3], Number(process.argv[4] ?? 200));
    return;
  }
  const sizeMb = Number(process.argv[2] ?? 200);
  const bigMb = Number(process.argv[3] ?? sizeMb * 10);
  const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-bench-'));
  try {
    const small = path.join(folder, 'production.log');
    const big = path.join(folder, 'production-big.log');
    await bundleSelf(folder);
    let t = performance.now();
    await generate(small, sizeMb);
    const size = (await fs.stat(small)).size;
    console.log(
      `generated ${mb(size)} MB in ${((performance.now() - t) / 1000).toFixed(1)} s: ${small}`,
    );
    console.log(
      `machine: ${os.availableParallelism()} CPUs, load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );

    await warm(small);
    const grep = best([grepCount(small), grepCount(small), grepCount(small)]);
    const full = best([runChild(small), runChild(small)]);
    console.log(
      `grep -c Completed: ${grep.count} lines, ${grep.wallMs.toFixed(0)} ms wall ` +
        `(${mb((size / grep.wallMs) * 1000)} MB/s), ${grep.cpuMs.toFixed(0)} ms CPU`,
    );
    console.log(
      `full summary:      ${full.requests} requests, ${full.wallMs.toFixed(0)} ms wall ` +
        `(${mb((size / full.wallMs) * 1000)} MB/s), ${full.cpuMs.toFixed(0)} ms CPU, ` +
        `peak RSS ${full.maxRssMb.toFixed(0)} MB`,
    );
    console.log(
      `throughput ratio summary/grep: ${(grep.wallMs / full.wallMs).toFixed(3)} by wall time ` +
        `(goal >= 0.5; worker threads allowed), ${(grep.cpuMs / full.cpuMs).toFixed(3)} by CPU ` +
        'time summed over threads',
    );
    console.log(`peak memory of the full summary: ${full.maxRssMb.toFixed(0)} MB (goal < 150 MB)`);
    // The floor: what reading and splitting lines costs before any line is looked at. With it,
    // the time left per line at the goal (twice grep's time, all threads) can be read off.
    const split = best([0, 1].map(() => runChild(small, undefined, '--split')));
    const budgetNs = ((2 * grep.wallMs - split.wallMs) * 1e6) / Math.max(1, split.lines ?? 1);
    console.log(
      `reading and splitting ${split.lines} lines alone, one thread: ` +
        `${split.wallMs.toFixed(0)} ms wall (${(grep.wallMs / split.wallMs).toFixed(2)}x ` +
        `grep's throughput); at the goal a thread may spend ${budgetNs.toFixed(0)} ns more ` +
        `per line, ${os.availableParallelism()} threads at most ${os.availableParallelism()}x that`,
    );
    const spentNs = ((full.cpuMs - split.cpuMs) * 1e6) / Math.max(1, split.lines ?? 1);
    console.log(
      `the full summary spends ${spentNs.toFixed(0)} ns of CPU per line beyond that, summed ` +
        'over its threads',
    );

    const native = nativeHotPath(folder, small);
    console.log(
      native
        ? `native prototype of the hot path (bench/native/hotPath.cc, not the product), ` +
            `${os.availableParallelism()} threads: ${native.wallMs.toFixed(0)} ms wall, ` +
            `${(grep.wallMs / native.wallMs).toFixed(2)}x grep's throughput ` +
            `(${native.requests} requests)`
        : 'native prototype of the hot path: not built (no g++)',
    );

    t = performance.now();
    await generate(big, bigMb);
    const bigSize = (await fs.stat(big)).size;
    console.log(`generated ${mb(bigSize)} MB in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    const runs = (file: string): Measure[] => Array.from({ length: 5 }, () => runChild(file, '1h'));
    const smallRuns = runs(small);
    const bigRuns = runs(big);
    const hourSmall = best(smallRuns);
    const hourBig = best(bigRuns);
    const cpuSmall = Math.min(...smallRuns.map((r) => r.cpuMs));
    const cpuBig = Math.min(...bigRuns.map((r) => r.cpuMs));
    console.log(
      `last hour, ${mb(size)} MB: ${hourSmall.requests} requests, ` +
        `${hourSmall.wallMs.toFixed(0)} ms, read ${mb(hourSmall.bytesRead)} MB, ` +
        `peak RSS ${hourSmall.maxRssMb.toFixed(0)} MB`,
    );
    console.log(
      `last hour, ${mb(bigSize)} MB: ${hourBig.requests} requests, ` +
        `${hourBig.wallMs.toFixed(0)} ms, read ${mb(hourBig.bytesRead)} MB, ` +
        `peak RSS ${hourBig.maxRssMb.toFixed(0)} MB`,
    );
    console.log(
      `last-hour ratio big/small: ` +
        `${(hourBig.wallMs / hourSmall.wallMs).toFixed(2)} by wall time, ` +
        `${(cpuBig / cpuSmall).toFixed(2)} by CPU time ` +
        `(${cpuSmall.toFixed(0)} vs ${cpuBig.toFixed(0)} ms; goal <= 1.2)`,
    );
    if (process.env.UPKEEP_BENCH_FULL_BIG) {
      const fullBig = runChild(big);
      console.log(
        `full summary, ${mb(bigSize)} MB: ${fullBig.wallMs.toFixed(0)} ms, ` +
          `peak RSS ${fullBig.maxRssMb.toFixed(0)} MB`,
      );
    }
  } finally {
    await fs.rm(folder, { recursive: true, force: true });
  }
}

// The bundle's copy of this file runs as a child with --measure only.
main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

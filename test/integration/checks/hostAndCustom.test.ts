/**
 * Host checks on this machine (a process named like Puma, the disk, storage folders), custom
 * playbook checks (shell, HTTP, read-only SQL on the embedded PostgreSQL) and the result log
 * persisted to a JSON file.
 */
import { strict as assert } from 'node:assert';
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { customCheck, MAX_HTTP_BODY } from '../../../src/core/checks/customChecks';
import { closeSharedResources, createRegistry } from '../../../src/core/checks/registry';
import {
  appMemoryCheck,
  diskSpaceCheck,
  storageFoldersCheck,
} from '../../../src/core/checks/hostChecks';
import { FileResultLog } from '../../../src/core/checks/resultLog';
import { runChecks } from '../../../src/core/checks/runner';
import type { CheckDefinition, CheckResult } from '../../../src/core/checks/types';
import type { CustomCheckSpec } from '../../../src/core/playbook/model';
import { defaultPlaybook } from '../../../src/core/playbook/defaultPlaybook';
import type { UpkeepSettings } from '../../../src/core/settings';
import { resolveSettings } from '../../../src/core/settings';
import { systemClock } from '../../../src/core/util/clock';
import { silentLogger } from '../../../src/core/util/logger';
import { createDatabase, embeddedServer } from '../../support/postgres';

describe('host checks, custom checks and the result log', function () {
  this.timeout(60_000);
  let folder: string;

  before(async () => {
    folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-host-'));
  });
  after(async () => {
    await fs.rm(folder, { recursive: true, force: true });
  });

  const run = async (
    definitions: CheckDefinition[],
    settings: UpkeepSettings = resolveSettings(),
    trusted = true,
  ): Promise<CheckResult[]> =>
    runChecks(
      definitions,
      { workspace: folder, settings, clock: systemClock, log: silentLogger, trusted },
      { onFinished: closeSharedResources },
    );

  describe('host', () => {
    let puma: ChildProcess | undefined;
    afterEach(() => {
      puma?.kill('SIGKILL');
      puma = undefined;
    });

    it('finds application server processes by name and judges their memory', async () => {
      // bash's exec -a names the process as Puma names its own: found by its command line.
      puma = spawn(
        'bash',
        ['-c', 'exec -a "puma 6.4.2 (tcp://127.0.0.1:3999) [upkeep-test]" sleep 30'],
        { stdio: 'ignore' },
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
      const [within] = await run(
        [appMemoryCheck],
        resolveSettings({ thresholds: { memoryMb: 100_000 } }),
      );
      assert.equal(within.outcome, 'pass', within.summary);
      assert.ok(Number(within.values?.processes) >= 1);
      assert.match(within.details ?? '', new RegExp(`^${puma.pid} \\d+ MB puma 6\\.4\\.2`, 'm'));

      const [over] = await run(
        [appMemoryCheck],
        resolveSettings({ thresholds: { memoryMb: 0.001 } }),
      );
      assert.equal(over.outcome, 'fail');
      assert.match(over.summary, /\(limit 0\.001 MB a process\)$/);
    });

    it('takes no editor, tail or grep that names puma for an application server', async () => {
      const logs = path.join(folder, 'log');
      await fs.mkdir(logs, { recursive: true });
      await fs.writeFile(path.join(logs, 'puma.log'), '');
      const others = [
        spawn('tail', ['-f', path.join(logs, 'puma.log')], { stdio: 'ignore' }),
        spawn('bash', ['-c', 'exec -a vim sleep 30 config/puma.rb config/unicorn.rb'], {
          stdio: 'ignore',
        }),
      ];
      try {
        await new Promise((resolve) => setTimeout(resolve, 200));
        const [result] = await run([appMemoryCheck]);
        const rows = (result.details ?? '').split('\n');
        for (const other of others) {
          assert.ok(!rows.some((row) => row.startsWith(`${other.pid} `)), result.details);
        }
      } finally {
        for (const other of others) other.kill('SIGKILL');
      }
    });

    it("holds each process to the limit, as the guidelines' memory_usage does", async () => {
      // Two workers holding about 65 MB each: 130 MB together, under a 90 MB limit each. Perl
      // renames itself ($0) as Puma does; an interpreter behind a shim would lose exec -a's name.
      const workers = [0, 1].map((n) =>
        spawn(
          'perl',
          [
            '-e',
            `$0 = "puma: cluster worker ${n}: 4242 [upkeep-test]"; ` +
              'my $held = "x" x (30 * 1024 * 1024); sleep 30',
          ],
          { stdio: 'ignore' },
        ),
      );
      try {
        const pids = workers.map((worker) => worker.pid!);
        const started = Date.now();
        let result: CheckResult | undefined;
        // Wait until both hold their memory (perl starts in well under a second).
        while (Date.now() - started < 10_000) {
          [result] = await run([appMemoryCheck], resolveSettings({ thresholds: { memoryMb: 90 } }));
          const rows = (result.details ?? '').split('\n');
          const held = pids.filter((pid) =>
            rows.some((row) => row.startsWith(`${pid} `) && Number(row.split(' ')[1]) >= 55),
          );
          if (held.length === 2) break;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        assert.equal(result?.outcome, 'pass', result?.summary);
        assert.ok(Number(result?.values?.memoryMb) >= 110, result?.summary);
        assert.ok(Number(result?.values?.largestMb) < 90, result?.summary);
        assert.match(result?.summary ?? '', /, largest \d+ MB \(pid \d+\)$/);

        const [over] = await run(
          [appMemoryCheck],
          resolveSettings({ thresholds: { memoryMb: 50 } }),
        );
        assert.equal(over.outcome, 'fail');
        assert.match(over.summary, /\(limit 50 MB a process\)$/);
      } finally {
        for (const worker of workers) worker.kill('SIGKILL');
      }
    });

    it('measures free disk space and counts storage folders', async () => {
      const [disk] = await run([diskSpaceCheck]);
      assert.ok(['pass', 'warn', 'fail'].includes(disk.outcome));
      assert.ok(Number(disk.values?.totalGb) > 0);
      assert.equal((await run([storageFoldersCheck]))[0].outcome, 'skipped');
      for (const name of ['ab', 'cd', 'ef']) {
        await fs.mkdir(path.join(folder, 'storage', name), { recursive: true });
      }
      await fs.writeFile(path.join(folder, 'storage', 'file.txt'), 'x');
      const [storage] = await run([storageFoldersCheck]);
      assert.deepEqual([storage.outcome, storage.summary], ['pass', '3 folders in storage/']);
    });
  });

  describe('custom checks', () => {
    const spec = (
      extra: Partial<CustomCheckSpec> & Pick<CustomCheckSpec, 'kind'>,
    ): CustomCheckSpec => ({ id: 'custom.x', title: 'X', expect: {}, ...extra }) as CustomCheckSpec;

    it('runs a shell command with exit code, pattern and JSON expectations', async () => {
      const results = await run([
        customCheck(
          spec({
            kind: 'shell',
            command: 'echo \'{"queue":{"size":3}}\'',
            expect: { jsonPath: '$.queue.size', equals: 3 },
          }),
        ),
        customCheck(
          spec({
            kind: 'shell',
            command: 'echo ready; exit 2',
            expect: { exitCode: 2, pattern: '^ready$' },
          }),
        ),
        customCheck(spec({ kind: 'shell', command: 'echo busy', expect: { pattern: 'idle' } })),
        customCheck(spec({ kind: 'shell', command: 'exit 1', expect: {} })),
      ]);
      assert.deepEqual(
        results.map((r) => r.outcome),
        ['pass', 'pass', 'fail', 'fail'],
      );
      assert.equal(results[2].summary, 'output does not match /idle/ — output: busy');
      assert.equal(results[3].summary, 'exit code 1, expected 0');
    });

    it('says a shell command was not found, not a failure of what it checks', async () => {
      // The starter playbook's `bundle exec rails runner …` on a host without Bundler read
      // "FAIL exit code 127 … output does not match", as if the queue were long.
      const [missing] = await run([
        customCheck(
          spec({
            kind: 'shell',
            command: 'upkeep-no-such-command --size',
            expect: { pattern: '^[0-9]+$' },
          }),
        ),
      ]);
      assert.equal(missing.outcome, 'error');
      assert.match(
        missing.summary,
        /^command not found \(exit code 127\): .*upkeep-no-such-command/,
      );
      assert.match(
        missing.details ?? '',
        /Install it, or correct the command of custom\.x in \.upkeep\/playbook\.yaml\.$/,
      );
    });

    it('checks an HTTP URL with status and JSON expectations, once trusted', async () => {
      const server = http.createServer((request, response) => {
        response.setHeader('content-type', 'application/json');
        response.statusCode = request.url === '/down' ? 503 : 200;
        response.end(JSON.stringify({ status: request.url === '/down' ? 'down' : 'ok' }));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      try {
        let requests = 0;
        server.on('request', () => requests++);
        const repoUrl = customCheck(spec({ kind: 'http', url: `${base}/up`, expect: {} }));
        const [untrusted] = await run([repoUrl], resolveSettings(), false);
        assert.deepEqual(
          [untrusted.outcome, requests],
          ['skipped', 0],
          'a repo URL waits for trust',
        );

        const results = await run(
          [
            customCheck(
              spec({
                kind: 'http',
                url: `${base}/up`,
                expect: { jsonPath: 'status', equals: 'ok' },
              }),
            ),
            customCheck(
              spec({
                kind: 'http',
                url: `${base}/down`,
                expect: { jsonPath: 'status', equals: 'ok' },
              }),
            ),
            customCheck(spec({ kind: 'http', url: `${base}/down`, expect: { status: 503 } })),
          ],
          resolveSettings(),
        );
        assert.deepEqual(
          results.map((r) => r.outcome),
          ['pass', 'fail', 'pass'],
        );
        assert.equal(
          results[1].summary,
          'status 503, expected 2xx; status is "down", expected "ok"',
        );
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
      const [refused] = await run([
        customCheck(spec({ kind: 'http', url: `${base}/gone`, expect: {} })),
      ]);
      assert.equal(refused.outcome, 'fail');
      assert.match(refused.summary, /\/gone did not answer: (.*ECONNREFUSED|other side closed)/);
    });

    it('reads 1 MiB of a body that never ends, then closes the connection', async () => {
      // Each answer a JSON object that never closes, written as fast as the client reads it.
      const sent = new Map<string, number>();
      const closed = new Map<string, Promise<void>>();
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const server = http.createServer((request, response) => {
        const url = request.url ?? '';
        closed.set(url, new Promise((resolve) => response.on('close', resolve)));
        response.on('error', () => undefined);
        response.setHeader('content-type', 'application/json');
        if (url === '/small') {
          response.end('{"status":"ok"}');
          return;
        }
        let bytes = 0;
        const pump = (): void => {
          while (!response.destroyed) {
            bytes += chunk.length;
            sent.set(url, bytes);
            if (!response.write(chunk)) {
              response.once('drain', pump);
              return;
            }
          }
        };
        response.write('{"status":"ok","pad":"');
        pump();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const check = (id: string, url: string, expect: CustomCheckSpec['expect']): CheckDefinition =>
        customCheck(spec({ id, kind: 'http', url: base + url, expect, timeoutSeconds: 20 }));
      try {
        const results = await run([
          check('custom.any', '/any', {}),
          check('custom.json', '/json', { jsonPath: 'status', equals: 'ok' }),
          check('custom.pattern', '/pattern', { pattern: '^\\{"status":"ok"' }),
          check('custom.missing', '/missing', { pattern: 'never' }),
          check('custom.inherited', '/small', { jsonPath: 'constructor.name' }),
        ]);
        assert.deepEqual(
          results.map((r) => [r.checkId, r.outcome, r.summary.replace(/\d+ ms/, 'N ms')]),
          [
            ['custom.any', 'pass', 'status 200 in N ms, body cut at 1 MiB'],
            [
              'custom.json',
              'fail',
              'status cannot be read: the body is over 1 MiB, only its start was read',
            ],
            ['custom.pattern', 'pass', 'status 200 in N ms, body cut at 1 MiB'],
            ['custom.missing', 'fail', 'output does not match /never/; body cut at 1 MiB'],
            ['custom.inherited', 'fail', 'constructor.name is nothing'],
          ],
        );
        // Each connection closed once the check had its 1 MiB: what the server could write
        // before then is bounded by the sockets' buffers, not by the check's 20 s timeout.
        for (const url of ['/any', '/json', '/pattern', '/missing']) {
          await closed.get(url);
          assert.ok((sent.get(url) ?? 0) < 16 * MAX_HTTP_BODY, `${url}: ${sent.get(url)}`);
        }
      } finally {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    });

    it('checks a URL on a port browsers block (6000, 6665, 10080) as health.url does', async () => {
      const server = http.createServer((_request, response) => response.end('{"db":"ok"}'));
      // The Fetch standard's "bad ports": fetch() refuses them without connecting.
      let port: number | undefined;
      for (const candidate of [6000, 6665, 6666, 6667, 6668, 6669, 10080, 5060, 5061]) {
        const listening = await new Promise<boolean>((resolve) => {
          server.once('error', () => resolve(false));
          server.listen(candidate, '127.0.0.1', () => resolve(true));
        });
        if (listening) {
          port = candidate;
          break;
        }
      }
      if (port === undefined) assert.fail('no port of the list was free on 127.0.0.1');
      try {
        const url = `http://127.0.0.1:${port}/health`;
        const [result] = await run([
          customCheck(spec({ kind: 'http', url, expect: { jsonPath: 'db', equals: 'ok' } })),
        ]);
        assert.deepEqual(
          [result.outcome, result.summary.replace(/\d+ ms/, 'N ms')],
          ['pass', 'status 200 in N ms'],
        );
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    });

    it('runs SQL read-only on the monitored database, once trusted', async () => {
      const url = await createDatabase(await embeddedServer(), 'custom_sql');
      const client = new Client({ connectionString: url });
      await client.connect();
      await client.query(
        'CREATE TABLE jobs (id int, failed boolean); INSERT INTO jobs VALUES (1, false), (2, true)',
      );
      const settings = resolveSettings({ database: { url } });
      const playbook = {
        ...defaultPlaybook(),
        customChecks: [
          spec({
            id: 'custom.failedJobs',
            kind: 'sql',
            sql: 'SELECT count(*) FROM jobs WHERE failed',
            expect: { equals: 0 },
          }),
          spec({
            id: 'custom.jobCount',
            kind: 'sql',
            sql: 'SELECT count(*) FROM jobs',
            expect: { equals: 2 },
          }),
          spec({
            id: 'custom.sneaky',
            kind: 'sql',
            sql: 'DELETE FROM jobs RETURNING id',
            expect: {},
          }),
        ],
      };
      const registry = createRegistry(playbook);
      const definitions = ['custom.failedJobs', 'custom.jobCount', 'custom.sneaky'].map((id) =>
        registry.resolve(id),
      );
      try {
        const untrusted = await run(definitions, settings, false);
        assert.ok(untrusted.every((r) => r.outcome === 'skipped'));

        const results = await run(definitions, settings);
        assert.deepEqual(
          results.map((r) => r.outcome),
          ['fail', 'pass', 'error'],
        );
        assert.equal(results[0].summary, 'first cell is "1", expected 0');
        assert.match(results[2].summary, /read-only transaction/);
        assert.equal(
          (await client.query('SELECT count(*)::int AS n FROM jobs')).rows[0].n,
          2,
          'nothing was deleted',
        );
      } finally {
        await client.end();
      }
    });
  });

  describe('result log file', () => {
    const result = (checkId: string, outcome: CheckResult['outcome']): CheckResult => ({
      checkId,
      title: checkId,
      outcome,
      summary: outcome,
      startedAt: new Date().toISOString(),
      durationMs: 1,
    });

    it('keeps results across reopening, bounded per check', async () => {
      const file = path.join(folder, 'state', 'results.json');
      const first = await FileResultLog.open(file);
      await first.record([result('a', 'pass'), result('b', 'fail')]);
      for (let i = 0; i < 60; i++) await first.record([result('a', i % 2 ? 'warn' : 'pass')]);

      const heard: string[] = [];
      const second = FileResultLog.create(file);
      second.onDidChange((results) => heard.push(...results.map((r) => r.checkId)));
      await second.ready;
      assert.deepEqual(
        heard.sort(),
        ['a', 'b'],
        'listeners hear about the kept results once loaded',
      );
      assert.equal(second.latest('b')?.outcome, 'fail');
      assert.equal(second.history('a').length, 50);
      assert.deepEqual(
        (await fs.readdir(path.dirname(file))).sort(),
        ['results.json'],
        'no temporary file is left',
      );
    });

    it('sets an unreadable file aside instead of overwriting it', async () => {
      const file = path.join(folder, 'broken', 'results.json');
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(file, '{"version": 1, "results": ');
      const problems: string[] = [];
      const log = await FileResultLog.open(file, (message) => problems.push(message));
      assert.equal(log.allLatest().length, 0);
      assert.equal(problems.length, 1);
      await log.record([result('a', 'pass')]);
      const names = await fs.readdir(path.dirname(file));
      const aside = names.find((name) => name.startsWith('results.json.unreadable-'));
      assert.ok(aside, names.join(', '));
      assert.equal(
        await fs.readFile(path.join(path.dirname(file), aside), 'utf8'),
        '{"version": 1, "results": ',
      );
    });

    it('reads read-only: kept results, a broken file left as it is, nothing created', async () => {
      const dir = path.join(folder, 'read-only');
      const file = path.join(dir, 'results.json');
      await (await FileResultLog.open(file)).record([result('a', 'fail')]);
      const kept = await fs.readFile(file, 'utf8');
      const keptTime = (await fs.stat(file)).mtimeMs;

      const reader = await FileResultLog.read(file);
      assert.equal(reader.latest('a')?.outcome, 'fail');
      await reader.record([result('a', 'pass')]);
      assert.equal(reader.latest('a')?.outcome, 'pass', 'recorded in memory');
      assert.equal(await fs.readFile(file, 'utf8'), kept, 'the file is not rewritten');
      assert.equal((await fs.stat(file)).mtimeMs, keptTime);
      assert.deepEqual(await fs.readdir(dir), ['results.json']);

      const broken = '{"version": 1, "results": ';
      await fs.writeFile(file, broken);
      const problems: string[] = [];
      const brokenReader = await FileResultLog.read(file, (message) => problems.push(message));
      assert.equal(brokenReader.allLatest().length, 0);
      assert.equal(problems.length, 1);
      assert.match(problems[0], /is not readable \(.+\); left as it is/);
      await brokenReader.record([result('a', 'pass')]);
      assert.equal(await fs.readFile(file, 'utf8'), broken, 'the broken file is not touched');
      assert.deepEqual(await fs.readdir(dir), ['results.json'], 'nothing set aside');

      const missing = path.join(folder, 'never', 'results.json');
      await (await FileResultLog.read(missing)).record([result('a', 'pass')]);
      await assert.rejects(fs.stat(path.dirname(missing)), 'no folder is created');
    });
  });
});

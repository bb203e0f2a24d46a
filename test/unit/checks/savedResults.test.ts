/**
 * The editor's view of the results the CLI saved in `.upkeep/results.json`, on real files
 * written the way `upkeep check --save` writes them: the newer of the two logs wins per check,
 * histories hold both, a changed file is read again, and a missing, empty, broken, huge or
 * hostile file gives a warning, keeps the editor's own results and is never touched.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileResultLog, MemoryResultLog } from '../../../src/core/checks/resultLog';
import {
  CombinedResultLog,
  readSavedResults,
  SAVED_RESULTS_FILE,
} from '../../../src/core/checks/savedResults';
import type { CheckResult } from '../../../src/core/checks/types';
import { createLogger } from '../../../src/core/util/logger';

const NOW = new Date('2026-12-04T12:00:00.000Z');

function result(checkId: string, startedAt: string, outcome: CheckResult['outcome']): CheckResult {
  return {
    checkId,
    title: checkId,
    outcome,
    summary: `${outcome} at ${startedAt}`,
    startedAt,
    durationMs: 12,
  };
}

describe('results saved by the command line, in the editor', () => {
  let workspace: string;
  let file: string;
  let lines: string[];
  let combined: CombinedResultLog;
  let own: MemoryResultLog;
  const log = createLogger((level, line) => lines.push(`${level} ${line}`));

  async function save(...results: CheckResult[]): Promise<void> {
    // The CLI's own writer, as `upkeep check --save` uses it.
    const cli = await FileResultLog.open(file);
    await cli.record(results);
  }

  async function read(): Promise<void> {
    await combined.readSaved({ file, label: SAVED_RESULTS_FILE, log, now: NOW });
  }

  beforeEach(async () => {
    workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-saved-results-'));
    file = path.join(workspace, SAVED_RESULTS_FILE);
    lines = [];
    own = new MemoryResultLog();
    combined = new CombinedResultLog(own);
  });

  afterEach(async () => {
    await fs.rm(workspace, { recursive: true, force: true });
  });

  it('shows the newer result of each check and says which came from the command line', async () => {
    await own.record([
      result('backups.recoveryDrill', '2026-11-01T09:00:00.000Z', 'fail'),
      result('db.vacuum', '2026-12-04T10:00:00.000Z', 'pass'),
    ]);
    await save(
      result('backups.recoveryDrill', '2026-12-03T09:00:00.000Z', 'pass'),
      result('db.vacuum', '2026-12-02T10:00:00.000Z', 'warn'),
      result('tools.rubocop', '2026-12-02T10:00:00.000Z', 'fail'),
    );
    const changes: string[][] = [];
    combined.onDidChange((results) => changes.push(results.map((r) => r.checkId).sort()));
    await read();

    const drill = combined.latest('backups.recoveryDrill')!;
    assert.equal(drill.outcome, 'pass');
    assert.equal(combined.originOf(drill), 'commandLine');
    const vacuum = combined.latest('db.vacuum')!;
    assert.equal(vacuum.outcome, 'pass', "the editor's newer run wins");
    assert.equal(combined.originOf(vacuum), 'editor');
    assert.equal(combined.latest('tools.rubocop')?.outcome, 'fail');
    assert.equal(combined.latest('health.url'), undefined);
    assert.deepEqual(
      combined
        .allLatest()
        .map((r) => `${r.checkId}:${r.outcome}`)
        .sort(),
      ['backups.recoveryDrill:pass', 'db.vacuum:pass', 'tools.rubocop:fail'],
    );
    // The drill check reads the history: the CLI's drill is in it, after the editor's.
    assert.deepEqual(
      combined.history('backups.recoveryDrill').map((r) => r.outcome),
      ['fail', 'pass'],
    );
    assert.deepEqual(changes, [['backups.recoveryDrill', 'db.vacuum', 'tools.rubocop']]);
    assert.match(
      lines.join('\n'),
      /info .upkeep\/results.json: 3 results of 3 checks saved by the command line$/m,
    );

    // New runs go to the editor's own log only, and show when newer.
    await combined.record([result('tools.rubocop', '2026-12-04T11:00:00.000Z', 'pass')]);
    assert.equal(own.latest('tools.rubocop')?.outcome, 'pass');
    assert.equal(combined.latest('tools.rubocop')?.outcome, 'pass');
    assert.equal(combined.originOf(combined.latest('tools.rubocop')!), 'editor');
  });

  it('reads the file again when it changes, and forgets it when it is gone', async () => {
    await save(result('db.vacuum', '2026-12-02T10:00:00.000Z', 'warn'));
    await read();
    assert.equal(combined.latest('db.vacuum')?.outcome, 'warn');

    let told = 0;
    combined.onDidChange(() => told++);
    await read();
    assert.equal(told, 0, 'an unchanged file is not read again');

    await save(result('db.vacuum', '2026-12-04T10:00:00.000Z', 'fail'));
    await read();
    assert.equal(combined.latest('db.vacuum')?.outcome, 'fail');
    assert.equal(combined.history('db.vacuum').length, 2);
    assert.equal(told, 1);

    await fs.rm(file);
    await read();
    assert.equal(combined.latest('db.vacuum'), undefined);
    assert.equal(told, 2);
    assert.match(lines.join('\n'), /\.upkeep\/results\.json is gone/);
  });

  it('takes a missing file and folder quietly and creates nothing', async () => {
    await own.record([result('db.vacuum', '2026-12-04T10:00:00.000Z', 'pass')]);
    await read();
    assert.equal(combined.latest('db.vacuum')?.outcome, 'pass');
    assert.deepEqual(lines, []);
    assert.deepEqual(await fs.readdir(workspace), [], 'no .upkeep folder created');
  });

  const BROKEN: Record<string, { text: string; warning: RegExp }> = {
    empty: { text: '', warning: /results\.json is empty/ },
    'cut short': { text: '{"version":1,"results":{"db.vac', warning: /is not JSON/ },
    'another version': { text: '{"version":2,"results":{}}', warning: /not a results file/ },
    'a list': { text: '[1,2]', warning: /not a results file/ },
    'a secret': {
      text: 'hunter2 is the password\n',
      warning: /is not JSON/,
    },
  };
  for (const [name, { text, warning }] of Object.entries(BROKEN)) {
    it(`warns about a file that is ${name}, keeps the editor's results, leaves it`, async () => {
      await own.record([result('db.vacuum', '2026-12-04T10:00:00.000Z', 'pass')]);
      await fs.mkdir(path.dirname(file));
      await fs.writeFile(file, text);
      const before = await fs.stat(file);
      await read();

      assert.equal(combined.latest('db.vacuum')?.outcome, 'pass');
      assert.equal(combined.allLatest().length, 1);
      const output = lines.join('\n');
      assert.match(output, warning);
      assert.match(output, /^warn .*the editor shows its own results only$/m);
      assert.doesNotMatch(output, /hunter2/, 'nothing of the file is quoted');
      assert.equal(await fs.readFile(file, 'utf8'), text, 'the file is left as it is');
      assert.equal((await fs.stat(file)).mtimeMs, before.mtimeMs);
      assert.deepEqual(await fs.readdir(path.dirname(file)), ['results.json']);
    });
  }

  it('refuses unread a huge file, a folder, a FIFO and a link to /dev/zero', async () => {
    await fs.mkdir(path.dirname(file));
    const cases: Array<[string, () => Promise<void>, RegExp]> = [
      // Sparse: the size is what counts, and it is refused before a byte is read.
      [
        'huge',
        async () => {
          await fs.writeFile(file, '');
          await fs.truncate(file, 65 * 1024 * 1024);
        },
        /larger than 64 MB/,
      ],
      ['folder', () => fs.mkdir(file), /not a regular file/],
      ['fifo', async () => void execFileSync('mkfifo', [file]), /not a regular file/],
      ['/dev/zero', () => fs.symlink('/dev/zero', file), /not a regular file/],
    ];
    for (const [name, make, warning] of cases) {
      await fs.rm(file, { recursive: true, force: true });
      await make();
      lines = [];
      const fresh = new CombinedResultLog(own);
      await fresh.readSaved({ file, label: SAVED_RESULTS_FILE, log, now: NOW });
      assert.match(lines.join('\n'), warning, name);
      assert.deepEqual(fresh.allLatest(), [], name);
    }
  });

  it('keeps only results of the shape the CLI writes, with bounded texts', async () => {
    const good = result('db.vacuum', '2026-12-03T10:00:00.000Z', 'pass');
    const stored = {
      version: 1,
      results: {
        'db.vacuum': [
          good,
          { ...good, startedAt: 'zzzz', outcome: 'fail' },
          { ...good, startedAt: '9999-01-01T00:00:00.000Z', outcome: 'fail' },
          { ...good, outcome: '<img src=x onerror=alert(1)>' },
          { ...good, checkId: 'tools.rubocop' },
          { ...good, summary: { toString: 'x' } },
          { ...good, durationMs: 'slow' },
          null,
          'text',
        ],
        __proto__: [{ ...good, checkId: '__proto__' }],
        'not a list': { ...good },
        'health.url': [
          {
            ...result('health.url', '2026-12-03T10:00:00.000Z', 'fail'),
            summary: 'x'.repeat(100_000),
            details: 'y'.repeat(1_000_000),
            values: { status: 500, nested: { deep: true } },
            findings: [
              { message: 'found', severity: 'warning', file: 'app/x.rb', line: 3 },
              { message: 'bad severity', severity: 'fatal' },
              ...Array.from({ length: 2000 }, () => ({ message: 'm', severity: 'info' })),
            ],
          },
        ],
      },
    };
    await fs.mkdir(path.dirname(file));
    // JSON.stringify drops a `__proto__` set by a literal; the file has it as a real key.
    await fs.writeFile(
      file,
      JSON.stringify(stored).replace('"not a list"', '"__proto__":[{"checkId":"x"}],"not a list"'),
    );
    const read = await readSavedResults(file, { now: NOW, label: SAVED_RESULTS_FILE });

    assert.deepEqual([...read.histories.keys()].sort(), ['db.vacuum', 'health.url']);
    assert.deepEqual(read.histories.get('db.vacuum'), [good]);
    const health = read.histories.get('health.url')![0];
    assert.ok(health.summary.length <= 2000);
    assert.ok(health.details!.length <= 20_000);
    assert.deepEqual(health.values, { status: 500 });
    assert.equal(health.findings!.length, 500);
    assert.deepEqual(health.findings![0], {
      message: 'found',
      severity: 'warning',
      file: 'app/x.rb',
      line: 3,
    });
    assert.equal(Object.getPrototypeOf({}).checkId, undefined, 'nothing polluted');
    assert.deepEqual(read.problems, [
      '.upkeep/results.json: 9 entries not shaped as upkeep --save writes results were left out',
      '.upkeep/results.json: 1 result dated in the future left out',
    ]);

    // A result from next year would hide every later run; it is left out, with a warning.
    await combined.readSaved({ file, label: SAVED_RESULTS_FILE, log, now: NOW });
    assert.equal(combined.latest('db.vacuum')?.outcome, 'pass');
    assert.match(lines.join('\n'), /^warn .*dated in the future.*; its other results are shown$/m);
  });

  it('cuts a long text between characters, never inside an emoji', async () => {
    const emoji = '\u{1F600}';
    // Each cut (one short of the limit, for the ellipsis) falls between an emoji's halves.
    const at = (limit: number): string => `${'x'.repeat(limit - 2)}${emoji}${'y'.repeat(limit)}`;
    const long = {
      ...result('health.url', '2026-12-03T10:00:00.000Z', 'fail'),
      title: at(300),
      summary: at(2000),
      details: at(20_000),
      values: { body: at(2000) },
      findings: [{ message: at(2000), severity: 'warning', file: at(2000), code: at(300) }],
    };
    await fs.mkdir(path.dirname(file));
    await fs.writeFile(file, JSON.stringify({ version: 1, results: { 'health.url': [long] } }));
    const read = await readSavedResults(file, { now: NOW, label: SAVED_RESULTS_FILE });

    const shown = read.histories.get('health.url')![0];
    const texts = [shown.title, shown.summary, shown.details!, String(shown.values!.body)];
    const finding = shown.findings![0];
    texts.push(finding.message, finding.file!, finding.code!);
    for (const text of texts) {
      assert.match(text, /^x+…$/);
      assert.doesNotMatch(text, /[\ud800-\udfff]/);
    }
  });

  /** A skipped result with a summary of its own, and fields such as `cancelled`. */
  const skipped = (checkId: string, summary: string, extra: Partial<CheckResult> = {}) => ({
    ...result(checkId, '2026-12-03T10:00:00.000Z', 'skipped'),
    summary,
    ...extra,
  });

  /**
   * Writes `results` as the file, then each check's latest result through `view`, as the editor
   * reads the CLI's file and as the CLI's and the editor's own writer read theirs.
   */
  async function readBoth(
    results: Record<string, CheckResult[]>,
    view: (latest: CheckResult | undefined) => unknown,
  ): Promise<{ editor: unknown[]; writer: unknown[] }> {
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, JSON.stringify({ version: 1, results }));
    await read();
    const writer = await FileResultLog.read(file);
    const ids = Object.keys(results);
    return {
      editor: ids.map((id) => [id, view(combined.latest(id))]),
      writer: ids.map((id) => [id, view(writer.latest(id))]),
    };
  }

  it("keeps a check's last real result when a cancel stops it, on disk too", async () => {
    // The editor's own log as the services build it: a file under storage, the CLI's beside it.
    const storage = path.join(workspace, 'storage', 'results.json');
    const editor = new CombinedResultLog(FileResultLog.create(storage));
    const heard: string[] = [];
    editor.onDidChange((results) => heard.push(...results.map((r) => r.checkId)));
    const warned = {
      ...result('db.vacuum', '2026-12-04T09:00:00.000Z', 'warn'),
      values: { deadTuples: 52_000 },
    };
    await editor.record([warned]);

    const stopped = skipped('db.vacuum', 'cancelled', { cancelled: true });
    const unstarted = skipped('tools.rspec', 'cancelled before it started', { cancelled: true });
    await editor.record([
      { ...stopped, startedAt: '2026-12-04T11:00:00.000Z' },
      { ...unstarted, startedAt: '2026-12-04T11:00:00.000Z' },
    ]);

    assert.deepEqual(editor.latest('db.vacuum'), warned, 'the warn, its figures and its time');
    assert.equal(editor.latest('tools.rspec'), undefined, 'still never run');
    assert.deepEqual(editor.history('db.vacuum'), [warned]);
    assert.deepEqual(heard, ['db.vacuum'], 'the tree is not told of the cancelled ones');
    const reopened = await FileResultLog.read(storage);
    assert.deepEqual(reopened.latest('db.vacuum'), warned);
    assert.doesNotMatch(await fs.readFile(storage, 'utf8'), /cancelled/);
  });

  it('reads past a check a cancel stopped, also in a file older than `cancelled`', async () => {
    // Upkeep before `cancelled` said so only in the summary and kept such results, hiding the
    // check's last real one: both kinds of file read as if the cancelled run never happened.
    const before = result('custom.slow', '2026-12-02T10:00:00.000Z', 'fail');
    const earlier = (id: string, after: CheckResult): CheckResult[] => [
      { ...before, checkId: id, title: id },
      after,
    ];
    const read = await readBoth(
      {
        'custom.slow': earlier('custom.slow', skipped('custom.slow', 'cancelled')),
        'tools.rspec': earlier(
          'tools.rspec',
          skipped('tools.rspec', 'cancelled before it started'),
        ),
        'db.vacuum': earlier('db.vacuum', skipped('db.vacuum', 'stop', { cancelled: true })),
        'tools.brakeman': [skipped('tools.brakeman', 'cancelled', { cancelled: true })],
        'host.storageFolders': earlier(
          'host.storageFolders',
          skipped('host.storageFolders', 'no storage/ folder'),
        ),
        'custom.says': earlier(
          'custom.says',
          skipped('custom.says', 'cancelled', { cancelled: false }),
        ),
      },
      (latest) => latest && `${latest.outcome}: ${latest.summary}`,
    );
    const expected = [
      ['custom.slow', `fail: ${before.summary}`],
      ['tools.rspec', `fail: ${before.summary}`],
      ['db.vacuum', `fail: ${before.summary}`],
      ['tools.brakeman', undefined],
      ['host.storageFolders', 'skipped: no storage/ folder'],
      ['custom.says', 'skipped: cancelled'],
    ];
    assert.deepEqual(read.editor, expected);
    assert.deepEqual(read.writer, expected);
  });

  it('reads a check held for trust, also from a file older than `waitsForTrust`', async () => {
    // Upkeep before `waitsForTrust` said so only in the summary; both kinds of file must read.
    const read = await readBoth(
      {
        'tools.rubocop': [skipped('tools.rubocop', 'waits for workspace trust')],
        'tools.brakeman': [skipped('tools.brakeman', 'held', { waitsForTrust: true })],
        'host.storageFolders': [skipped('host.storageFolders', 'no storage/ folder')],
        'custom.says': [
          { ...skipped('custom.says', 'waits for workspace trust'), outcome: 'fail' },
        ],
      },
      (latest) => latest?.waitsForTrust === true,
    );
    const expected = [
      ['tools.rubocop', true],
      ['tools.brakeman', true],
      ['host.storageFolders', false],
      ['custom.says', false],
    ];
    assert.deepEqual(read.editor, expected);
    assert.deepEqual(read.writer, expected);
  });
});

/**
 * The JSON pages of docs/ against what the commands print: every key `upkeep logs`, `status`,
 * `check` and `db` emit on real inputs is named where its page describes that object, and
 * every field a page's tables list is emitted by one of the runs. Also each command's flags,
 * in `--help` and in the usage lines of docs/cli.md (and docs/db-json.md).
 */
import { strict as assert } from 'node:assert';
import { promises as fs, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { generateRailsLog } from '../../../scripts/lib/demoLog';
import { embeddedServer } from '../../support/postgres';
import { createDemoDatabaseFor } from '../db/demoDatabase';
import { runCli, startCli } from '../../support/cli';
import { tempFolderWith } from '../../support/tempFolders';
import type { Location } from '../../../src/core/logs/summaryTypes';

const ROOT = path.resolve(__dirname, '../../..');
const LOGS = path.join(ROOT, 'test/fixtures/logs');

function page(name: string): string {
  return readFileSync(path.join(ROOT, 'docs', name), 'utf8');
}

/** The text under a heading (`## Top level`), up to the next heading. */
function section(doc: string, heading: string): string {
  const lines = doc.split('\n');
  const start = lines.indexOf(heading);
  assert.ok(start >= 0, `no heading ${heading}`);
  const end = lines.findIndex((line, i) => i > start && /^#+ /.test(line));
  return lines.slice(start, end < 0 ? undefined : end).join('\n');
}

/** The table row, or the bullet with its lines, whose first cell or label is `name`. */
function entry(doc: string, name: string): string {
  const lines = doc.split('\n');
  const start = lines.findIndex(
    (text) => text.startsWith(`| \`${name}\``) || text.startsWith(`- \`${name}\`:`),
  );
  assert.ok(start >= 0, `no row for ${name}`);
  if (lines[start].startsWith('|')) return lines[start];
  const end = lines.findIndex((text, i) => i > start && !text.startsWith('  '));
  return lines.slice(start, end < 0 ? undefined : end).join('\n');
}

/** Every word written in backticks: the names a page gives a reader. */
function backticked(text: string): Set<string> {
  const words = new Set<string>();
  for (const [, code] of text.matchAll(/`([^`]+)`/g)) {
    for (const [word] of code.matchAll(/\w+/g)) words.add(word);
  }
  return words;
}

/** Key paths of a JSON value, `[]` for an array's items: `tiers[].tasks[].id`. */
function keyPaths(value: unknown, prefix = '', into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) keyPaths(item, `${prefix}[]`, into);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      const at = prefix ? `${prefix}.${key}` : key;
      into.add(at);
      keyPaths(child, at, into);
    }
  }
  return into;
}

/** The key paths of the page's ```json example (its arrays hold one item each). */
function examplePaths(doc: string): Set<string> {
  const example = /```json\n([^]*?)\n```/.exec(doc);
  assert.ok(example, 'no JSON example');
  return keyPaths(JSON.parse(example[1]));
}

/** Where a key path's object is described: the page's texts whose backticked words name it. */
type Places = (objectPath: string) => string[] | 'any';

/** The key paths emitted that neither the example nor the texts of their object name. */
function undocumented(emitted: Set<string>, example: Set<string>, places: Places): string[] {
  const missing: string[] = [];
  for (const at of emitted) {
    if (example.has(at)) continue;
    const dot = at.lastIndexOf('.');
    const parent = dot < 0 ? '' : at.slice(0, dot);
    const key = at.slice(dot + 1);
    const texts = places(parent);
    if (texts === 'any') continue;
    if (!texts.some((text) => backticked(text).has(key))) missing.push(at);
  }
  return missing;
}

/**
 * The fields a table lists (its first cell's backticked names), as key paths under `prefix`.
 * A name after a dotted one in the same cell is its sibling (`results[].startedAt`,
 * `durationMs`).
 */
function tableFields(text: string, prefix: string): string[] {
  const fields: string[] = [];
  for (const line of text.split('\n')) {
    const cell = /^\| ((?:`[^`]+`(?:, | \/ )?)+) \|/.exec(line)?.[1];
    if (!cell || line.startsWith('| field') || /^\| -/.test(line)) continue;
    let parent = prefix;
    for (const [, name] of cell.matchAll(/`([^`]+)`/g)) {
      // `results[].findings[]` is the key `findings` of each result.
      const field = name.replace(/\[\]$/, '');
      if (field.includes('.')) parent = field.slice(0, field.lastIndexOf('.'));
      const own = field.includes('.') ? field : parent ? `${parent}.${field}` : field;
      fields.push(own.startsWith(prefix) || !prefix ? own : `${prefix}.${own}`);
    }
  }
  return fields;
}

async function json(run: Promise<{ code: number | null; stdout: string; stderr: string }>) {
  const done = await run;
  assert.ok(done.stdout.trim().startsWith('{'), `no JSON: ${done.stderr}`);
  return { code: done.code, value: JSON.parse(done.stdout) as unknown };
}

describe('docs/*-json.md against the JSON the commands print', function () {
  this.timeout(180_000);

  it('logs-json.md names each key upkeep logs prints, and the reverse', async () => {
    const doc = page('logs-json.md');
    const now = Date.now();
    const folder = await tempFolderWith('upkeep-docs-logs-', {
      'old.log': readFileSync(path.join(LOGS, 'rails22.log'), 'utf8'),
      // Over 8 MB: a window of an hour is found by seeking, its lines unnumbered.
      'large.log': generateRailsLog({ now: new Date(now), hours: 48, perHour: 400 }).text,
      // Dated up to 5 hours ahead of the clock.
      'future.log': generateRailsLog({ now: new Date(now + 5 * 3_600_000), hours: 8 }).text,
      // Requests over longer than the 2,208 hours perHour keeps.
      'years.log': generateRailsLog({ now: new Date(now), hours: 2_400, perHour: 3 }).text,
    });
    // Last changed in 2020: a window of an hour skips it unread.
    await fs.utimes(path.join(folder, 'old.log'), new Date('2020-01-01'), new Date('2020-01-01'));
    const files = (await fs.readdir(LOGS)).filter((name) => /\.log(\.gz)?$/.test(name));
    const runs: string[][] = files.map((name) => [path.join(LOGS, name), '--time-zone', 'UTC']);
    runs.push([path.join(LOGS, 'security.log'), '--window', '3h']);
    runs.push([path.join(folder, 'old.log'), '--window', '1h']);
    const missingAt = runs.length;
    runs.push([path.join(folder, 'none.log')]);
    runs.push([path.join(folder, 'large.log'), '--window', '1h']);
    runs.push([path.join(folder, 'future.log'), '--window', 'all']);
    runs.push([path.join(folder, 'years.log'), '--window', 'all']);
    // Three commands at a time: the machine is shared.
    const outputs: { code: number | null; value: unknown }[] = [];
    for (let i = 0; i < runs.length; i += 3) {
      const batch = runs
        .slice(i, i + 3)
        .map((args) => runCli(['logs', ...args, '--format', 'json']));
      outputs.push(...(await Promise.all(batch.map(json))));
    }
    const piped = startCli(['logs', '-', '--format', 'json']);
    piped.child.stdin.end(readFileSync(path.join(LOGS, 'rails52_production_tagged.log')));
    outputs.push(await json(piped.exited));
    // One source was missing: exit 2, its JSON printed all the same, as the page says.
    assert.deepEqual(
      outputs.map((output) => output.code),
      outputs.map((_, i) => (i === missingAt ? 2 : 0)),
    );
    const emitted = new Set<string>();
    for (const output of outputs) keyPaths(output.value, '', emitted);
    // "A `line` is `null` when Upkeep found the window by seeking ... `offset` is always there".
    const seeked = outputs
      .map((output) => output.value as { sources: { seeked?: true }[]; slowest: Location[] })
      .find((summary) => summary.sources[0].seeked);
    assert.ok(seeked?.slowest.length);
    for (const slow of seeked.slowest) {
      assert.deepEqual([slow.line, typeof slow.offset], [null, 'number']);
    }
    // A window it does not know: exit 2 and no JSON, only stderr says why.
    const badWindow = await runCli(['logs', path.join(LOGS, 'crlf.log'), '--window', '5x']);
    assert.deepEqual([badWindow.code, badWindow.stdout], [2, '']);

    const top = section(doc, '## Top level');
    const security = section(doc, '## Security');
    const sql = section(doc, '## `sql` and `nPlusOne`');
    const places: Places = (at) => {
      const named: Record<string, string[]> = {
        '': [top],
        'sources[]': [section(doc, '### `Source`')],
        timeZone: [section(doc, '### `timeZone`')],
        window: [entry(top, 'window')],
        span: [entry(top, 'span')],
        statusClasses: [entry(top, 'statusClasses')],
        requests: [section(doc, '### `requests`')],
        'requests.perHour[]': [entry(doc, 'perHour')],
        'requests.perFiveMinutes[]': [entry(doc, 'perFiveMinutes')],
        errors: [section(doc, '### `errors`')],
        'errors.byClass[]': [section(doc, '### `errors`')],
        duration: [entry(top, 'duration'), section(doc, '### `Duration`')],
        'actions[]': [section(doc, '### `Action`'), section(doc, '### `Duration`')],
        'slowest[]': [section(doc, '### `SlowRequest`')],
        'exceptions[]': [section(doc, '### `Exception`')],
        routingErrors: [entry(top, 'routingErrors')],
        'routingErrors.paths[]': [entry(top, 'routingErrors')],
        failedLogins: [entry(top, 'failedLogins')],
        'failedLogins.byIp[]': [entry(top, 'failedLogins')],
        'failedLogins.byHour[]': [entry(top, 'failedLogins')],
        suspiciousRequests: [entry(top, 'suspiciousRequests')],
        'suspiciousRequests.byIp[]': [entry(top, 'suspiciousRequests')],
        'suspicious[]': [entry(security, 'Suspicious')],
        'bursts[]': [entry(security, 'Burst')],
        sql: [entry(sql, 'sql')],
        'sql.maxPerRequest': [entry(sql, 'sql')],
        'nPlusOne[]': [entry(sql, 'NPlusOne')],
        assembly: [section(doc, '## `assembly`')],
      };
      // Keyed by status: `{ "200": number, ... }`.
      if (at === 'statuses' || at === 'bursts[].statuses') return 'any';
      return named[at] ?? [];
    };
    assert.deepEqual(undocumented(emitted, examplePaths(doc), places), []);

    const listed = [
      ...tableFields(top, ''),
      ...tableFields(section(doc, '### `Source`'), 'sources[]'),
      ...tableFields(section(doc, '### `timeZone`'), 'timeZone'),
      ...tableFields(section(doc, '### `requests`'), 'requests'),
      ...tableFields(section(doc, '## `assembly`'), 'assembly'),
      ...examplePaths(doc),
    ];
    // Only a .gz cut at its decompressed limit gives it: sources.test.ts covers it.
    const notHere = ['sources[].warning'];
    assert.deepEqual(
      listed.filter((field) => !emitted.has(field) && !notHere.includes(field)),
      [],
    );
  });

  it('status-json.md names each key upkeep status prints, and the reverse', async () => {
    const doc = page('status-json.md');
    const folder = await tempFolderWith('upkeep-docs-status-', {
      Gemfile: "source 'https://rubygems.org'\n",
      '.vscode/settings.json': JSON.stringify({
        'upkeep.state.location': 'repository',
        'upkeep.schedule.timeZone': 'Europe/Berlin',
      }),
      '.upkeep/playbook.yaml': 'version: 1\ntasks:\n  - id: weekly.database\n    owner: Dana\n',
      '.upkeep/state.json': JSON.stringify(STATE),
      'docs/maintenance/bugs/2026-12-01-login.md':
        '# Bug: Login broken\n\nSeverity: High\nReported: 2026-12-01 10:00\n' +
        'Response due: 2026-12-01 14:00\nStatus: Open\n',
    });
    const env = { UPKEEP_NOW: '2026-12-07T09:00:00Z', TZ: 'UTC' };
    const outputs = await Promise.all([
      json(runCli(['status', '--workspace', folder, '--format', 'json'], env)),
      json(runCli(['status', '--workspace', folder, '--format', 'json', '--tier', 'weekly'], env)),
    ]);
    assert.deepEqual(
      outputs.map((output) => output.code),
      [1, 1],
    );
    const emitted = new Set<string>();
    for (const output of outputs) keyPaths(output.value, '', emitted);

    const documentPart = section(doc, '## The document');
    const task = section(doc, '## A task');
    const places: Places = (at) => {
      if (at === 'tiers[].tasks[].lastDone.values') return 'any';
      if (at === '' || ['timeZone', 'state', 'selection'].includes(at)) return [documentPart];
      if (at === 'counts') return [entry(task, 'state')];
      if (at.startsWith('bugReports')) return [section(doc, '## Bug reports')];
      if (at === 'tiers[]') return [section(doc, '## A tier')];
      if (at.startsWith('tiers[].tasks[]')) return [task];
      return [];
    };
    assert.deepEqual(undocumented(emitted, examplePaths(doc), places), []);

    const listed = [
      ...tableFields(documentPart, ''),
      ...tableFields(section(doc, '## Bug reports'), 'bugReports'),
      ...tableFields(section(doc, '## A tier'), 'tiers[]'),
      ...tableFields(task, 'tiers[].tasks[]'),
      ...examplePaths(doc),
    ];
    assert.deepEqual(
      listed.filter((field) => !emitted.has(field)),
      [],
    );
    // "Every field below is always present": --tier weekly leaves On demand out, not the key.
    assert.equal((outputs[1].value as { bugReports: unknown }).bugReports, null);
  });

  it('check-json.md names each key upkeep check prints, and the reverse', async () => {
    const doc = page('check-json.md');
    const folder = await tempFolderWith('upkeep-docs-check-', {
      Gemfile: "source 'https://rubygems.org'\n",
      'docs/guide.md': '# Guide\n\n[missing](nowhere.md)\n',
    });
    const outputs = await Promise.all([
      json(runCli(['check', '--workspace', folder, '--format', 'json'])),
      json(
        runCli([
          ...['check', '--workspace', folder, '--format', 'json', '--untrusted'],
          ...['--tier', 'weekly', '--tier', 'monthly', '--tier', 'quarterly'],
        ]),
      ),
      json(runCli(['check', '--workspace', folder, '--format', 'json', '--check', 'nope'])),
    ]);
    // `exitCode` is the process's: 2 for the unknown check.
    assert.deepEqual(
      outputs.map((output) => output.code),
      outputs.map((output) => (output.value as { exitCode: number }).exitCode),
    );
    assert.equal(outputs[2].code, 2);
    const emitted = new Set<string>();
    for (const output of outputs) keyPaths(output.value, '', emitted);

    const table = doc.slice(doc.indexOf('| field |'));
    const places: Places = (at) => {
      // Named per check, and a custom check's are its own.
      if (at === 'results[].values') return 'any';
      if (at === '') return [table];
      if (at === 'counts') return [entry(doc, 'results[].outcome')];
      if (at === 'selection') return [entry(doc, 'selection')];
      if (at === 'problems[]') return [entry(doc, 'problems')];
      if (at === 'results[]') return [table];
      if (at === 'results[].findings[]') return [entry(doc, 'results[].findings[]')];
      return [];
    };
    assert.deepEqual(undocumented(emitted, examplePaths(doc), places), []);

    // A run cancelled by a signal gives `cancelled` (cliCancel.test.ts covers it); a finding's
    // `code` is a tool's rule id, and the example's values are Brakeman's.
    const notHere = ['results[].cancelled', 'results[].findings[].code'];
    const listed = [...tableFields(table, ''), ...examplePaths(doc)].filter(
      (field) => !field.startsWith('results[].values.') && !notHere.includes(field),
    );
    assert.deepEqual(
      listed.filter((field) => !emitted.has(field)),
      [],
    );
  });

  it('db-json.md names every key of upkeep db on the demo database', async () => {
    const doc = page('db-json.md');
    const server = await embeddedServer();
    const url = new URL(await createDemoDatabaseFor(server));
    const folder = await tempFolderWith('upkeep-docs-db-', {
      Gemfile: "source 'https://rubygems.org'\n",
      'config/database.yml':
        `development:\n  adapter: postgresql\n  host: 127.0.0.1\n  port: ${server.port}\n` +
        `  username: ${server.user}\n  database: ${url.pathname.slice(1)}\n`,
    });
    const output = await json(
      runCli(['db', '--workspace', folder, '--format', 'json'], {
        PGPASSWORD: server.password,
        XDG_CACHE_HOME: path.join(folder, 'cache'),
      }),
    );
    assert.equal(output.code, 0);
    const emitted = keyPaths(output.value);

    const top = section(doc, '## Top level');
    const card = section(doc, '## A card');
    const cards = section(doc, '## Cards and their `data`');
    const ids = (output.value as { cards: { id: string }[] }).cards.map((c) => c.id);
    // "`DbCard`, in the order below": every card of the table, in its order.
    const tableIds = [...cards.matchAll(/^\| `([^`]+)` \|/gm)].map(([, id]) => id);
    assert.deepEqual([...ids, 'metric:<id>'], tableIds);
    // And `upkeep db --help` offers the same ids to --card.
    const help = (await runCli(['db', '--help'])).stdout.replace(/\s+/g, ' ');
    assert.equal(/only these cards \(([^)]*)\)/.exec(help)?.[1], ids.join(', '));
    const missing: string[] = [];
    for (const at of emitted) {
      const dot = at.lastIndexOf('.');
      const parent = dot < 0 ? '' : at.slice(0, dot);
      const key = at.slice(dot + 1);
      let texts: string[];
      if (parent === '' || parent.startsWith('connection')) texts = [top];
      else if (parent === 'cards[]') texts = [card];
      else texts = ids.map((id) => entry(cards, id));
      if (!texts.some((text) => backticked(text).has(key))) missing.push(at);
    }
    assert.deepEqual(missing, []);
    // Each card's own keys are in its row, not another card's.
    for (const item of (output.value as { cards: { id: string; data: unknown }[] }).cards) {
      const own = backticked(entry(cards, item.id));
      const keys = [...keyPaths(item.data)].map((at) => at.slice(at.lastIndexOf('.') + 1));
      assert.deepEqual(
        keys.filter((key) => !own.has(key)),
        [],
        item.id,
      );
    }
    const listed = [
      ...tableFields(top, ''),
      ...tableFields(card, 'cards[]'),
      ...[...examplePaths(doc.replace(/\/\*[^]*?\*\//g, ''))],
    ];
    const optional = ['cards[].fixes', 'cards[].configProblem', 'cards[].reason', 'cards[].fix'];
    assert.deepEqual(
      listed.filter((field) => !emitted.has(field) && !optional.includes(field)),
      [],
    );
  });
});

describe('docs/cli.md against each command --help', () => {
  /** The long flags of a usage block that starts with `upkeep NAME`. */
  function usageFlags(doc: string, command: string): Set<string> {
    const blocks = [...doc.matchAll(/```\n(upkeep [^]*?)```|^`(upkeep [^`]*)`$/gm)].map(
      (match) => match[1] ?? match[2],
    );
    const usage = blocks.filter((block) => block.startsWith(`upkeep ${command} `)).join('\n');
    return new Set([...usage.matchAll(/--[a-z-]+/g)].map(([flag]) => flag));
  }

  for (const [command, doc] of [
    ['check', 'cli.md'],
    ['logs', 'cli.md'],
    ['drill', 'cli.md'],
    ['status', 'cli.md'],
    ['db', 'db-json.md'],
  ]) {
    it(`upkeep ${command}: the same flags in --help as in ${doc}`, async () => {
      const run = await runCli([command, '--help']);
      assert.equal(run.code, 0);
      const help = new Set(
        [...run.stdout.matchAll(/^ {2}(?:-\w, )?(--[a-z-]+)/gm)].map(([, flag]) => flag),
      );
      help.delete('--help');
      assert.deepEqual([...usageFlags(page(doc), command)].sort(), [...help].sort());
    });
  }
});

const STATE = {
  version: 1,
  tasks: {
    'weekly.database': {
      since: '2026-10-01T08:00:00Z',
      periodKey: '2026-W46',
      ticks: {},
      done: { periodKey: '2026-W46', at: '2026-11-12T09:30:00Z', by: 'Ann' },
      history: [
        {
          ...{ action: 'done', periodKey: '2026-W46', at: '2026-11-12T09:30:00Z', by: 'Ann' },
          ...{ items: [], checks: [], note: 'vacuumed bookings' },
        },
        {
          ...{ action: 'owner', periodKey: '2026-W48', at: '2026-11-26T10:15:00Z', by: 'Pat' },
          ...{ items: [], checks: [], owner: { from: null, to: 'Dana' } },
        },
      ],
    },
    'monthly.backups': {
      since: '2026-10-01T08:00:00Z',
      ticks: {},
      snoozedUntil: '2026-12-20',
      snoozeReason: 'waiting for the new bucket',
      history: [],
    },
  },
};

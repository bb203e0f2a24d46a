/**
 * The history document and the guideline heading finder: what a maintainer reads when showing
 * what was done, and where "Open Guideline Section" lands.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { defaultPlaybook, GUIDELINES_FILE } from '../../../src/core/playbook/defaultPlaybook';
import { findHeadingLine } from '../../../src/core/playbook/guidelines';
import { historyMarkdown } from '../../../src/core/playbook/history';
import { findTask } from '../../../src/core/playbook/model';
import {
  emptyState,
  markDone,
  recordOwnerChange,
  setItemChecked,
} from '../../../src/core/playbook/state';

describe('task history document', () => {
  const playbook = defaultPlaybook();
  const logs = findTask(playbook, 'daily.logs')!;
  const drill = findTask(playbook, 'annual.disasterRecovery')!;

  it('lists completions newest first, by month, with items, checks and recorded values', () => {
    const state = emptyState();
    const context = (at: string, by: string) => ({
      now: new Date(at),
      by,
      periodKey: at.slice(0, 10),
    });
    setItemChecked(state, logs, 'errors', true, context('2026-11-03T09:00:00Z', 'Ann'));
    setItemChecked(state, logs, 'slow', true, context('2026-11-03T09:05:00Z', 'Ann'), [
      {
        checkId: 'logs.slowRequests',
        outcome: 'warn',
        summary: '3 slow *requests*',
        startedAt: 'x',
      },
    ]);
    markDone(
      state,
      drill,
      { ...context('2026-12-01T15:00:00Z', 'Bo <b>'), periodKey: '2026' },
      {
        values: { recoveryMinutes: '42' },
        tickAll: true,
      },
    );

    const all = historyMarkdown(playbook, state, undefined, (iso) => iso.slice(0, 16));
    assert.ok(all.indexOf('## 2026-12') < all.indexOf('## 2026-11'), 'newest month first');
    assert.match(all, /### Log monitoring: Done — 2026-11-03T09:05 by Ann/);
    assert.match(all, /- Items \(2\/2\): Errors in the last hour reviewed; Slow requests/);
    assert.match(all, /- Check `logs\.slowRequests`: warn — 3 slow \\\*requests\\\*/);
    assert.match(all, /- Recovery time: 42 minutes/);
    assert.match(all, /by Bo \\<b\\>/, 'names cannot inject markup');

    const one = historyMarkdown(playbook, state, 'daily.logs', (iso) => iso);
    assert.match(one, /^# History: Log monitoring/);
    assert.doesNotMatch(one, /Recovery time/);
    assert.match(
      historyMarkdown(playbook, emptyState(), 'daily.logs', (iso) => iso),
      /Nothing recorded yet/,
    );
  });

  it("heads an entry with its time's month in the zone read, not in UTC", () => {
    // Done at 08:00 on 1 March in Tokyo: its time is 2026-02-28T23:00Z, and the history in
    // Tokyo listed it under February, its heading reading 1 March.
    const state = emptyState();
    const now = new Date('2026-02-28T23:00:00Z');
    markDone(state, logs, { now, by: 'Kei', periodKey: '2026-03-01' });
    markDone(state, logs, { now: new Date('2026-02-27T12:00:00Z'), by: 'Kei', periodKey: 'x' });
    const months = (zone: string): string[] =>
      historyMarkdown(playbook, state, 'daily.logs', (iso) => iso, zone)
        .split('\n')
        .filter((line) => line.startsWith('## '));
    assert.deepEqual(months('Asia/Tokyo'), ['## 2026-03', '## 2026-02']);
    assert.deepEqual(months('Europe/London'), ['## 2026-02']);
  });

  it('keeps a committed state file from putting markup in through its period or check', () => {
    const state = emptyState();
    const context = {
      now: new Date('2026-11-03T09:00:00Z'),
      by: 'Ann',
      periodKey: '![x](https://tracker.example/p.png)',
    };
    markDone(state, logs, context, {
      checks: [
        {
          checkId: 'logs.x` <img src=https://tracker.example/q.png> `',
          outcome: 'pass',
          summary: 'ok',
          startedAt: 'x',
        },
      ],
    });
    const text = historyMarkdown(playbook, state, 'daily.logs', (iso) => iso);
    assert.match(text, /- Period: !\\\[x\\\]\(https:/);
    assert.match(text, /- Check logs\.x\\` \\<img src=https:/);
    assert.doesNotMatch(text, /[^\\]<img/);
  });

  it('lists an owner change: who, when, from whom to whom', () => {
    const state = emptyState();
    const context = { now: new Date('2026-11-03T09:00:00Z'), by: 'Pat', periodKey: 'p' };
    recordOwnerChange(state, logs.id, context, { from: 'Ann_B', to: null });
    const text = historyMarkdown(playbook, state, 'daily.logs', (iso) => iso);
    assert.match(text, /### Owner changed — 2026-11-03T09:00:00\.000Z by Pat\n\n- Period: p\n/);
    assert.match(text, /\n- Owner: Ann_B → no owner \(the tier's team\)\n/);
  });

  it('shows actions, identifiers and notes as written where Markdown would not act on them', () => {
    // The document opens as text: an escape there is a backslash in the action's name.
    const state = emptyState();
    const context = { now: new Date('2026-11-03T09:00:00Z'), by: 'Ann', periodKey: 'p' };
    markDone(state, logs, context, {
      note: 'Dropped index_bookings_on_service_id (see #42); _stray_ and *stars* stay escaped ##',
      checks: [
        {
          checkId: 'logs.slowRequests',
          outcome: 'warn',
          summary: 'slowest 2.5 s in ReportsController#monthly (users.email_confirmed_at)',
          startedAt: 'x',
        },
      ],
    });
    const text = historyMarkdown(playbook, state, 'daily.logs', (iso) => iso);
    assert.match(
      text,
      /: warn — slowest 2\.5 s in ReportsController#monthly \(users\.email_confirmed_at\)\n/,
    );
    assert.ok(
      text.includes(
        '- Note: Dropped index_bookings_on_service_id (see #42); \\_stray\\_ and ' +
          '\\*stars\\* stay escaped \\#\\#\n',
      ),
      text,
    );
  });

  it('keeps character references from bringing bidi controls back in a preview', () => {
    // The document is a .md: Markdown: Open Preview decodes &#x202E; to the character printable
    // keeps out, and turns the rest of the line around. `R&D` and `a & b` stay as written.
    const state = emptyState();
    const context = { now: new Date('2026-11-03T09:00:00Z'), by: 'Ann&#8238;', periodKey: 'p' };
    markDone(state, logs, context, { note: 'R&D: x&#x202e;gnp.exe &rlm; a & b &#35;42' });
    // Item ids from a committed state file; the `; ` between them would end a reference.
    state.tasks[logs.id].history[0].items = ['a&#x202e', 'gnp.exe'];
    const text = historyMarkdown(playbook, state, 'daily.logs', (iso) => iso);
    assert.match(text, /- Items \(2\/2\): a\\&#x202e; gnp\.exe\n/);
    assert.match(text, / by Ann\\&#8238;\n/);
    assert.match(text, /- Note: R&D: x\\&#x202e;gnp\.exe \\&rlm; a & b \\&#35;42\n/);
  });

  it("keeps a note's control, bidi and line separator characters off the page", () => {
    const state = emptyState();
    const context = { now: new Date('2026-11-03T09:00:00Z'), by: 'Ann\u202e', periodKey: 'p' };
    // A committed note: U+2028 is a line break to the editor (and its unusual-terminator
    // prompt), U+202E turns the rest of the line around, ESC [ is for terminals only.
    const note = 'disk ok\u2028- Note: forged\u202egnp.exe\x1b[2J\u0085end';
    markDone(state, logs, context);
    // As a committed file may hold it: markDone keeps no such character in a note it is given.
    const done = state.tasks[logs.id].history.at(-1);
    if (done) done.note = note;
    const text = historyMarkdown(playbook, state, 'daily.logs', (iso) => iso);
    assert.doesNotMatch(text, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e]/);
    assert.equal(text.split('\n').filter((line) => line.startsWith('- Note: ')).length, 1);
    assert.match(text, /- Note: disk ok - Note: forged gnp\.exe \\\[2J end/);
  });
  it("keeps a committed check id's controls, bidi and line separators off the page", () => {
    // A check id is shown as code, which Markdown leaves as written: the characters printable
    // keeps out of the rest reached the page raw there.
    const state = emptyState();
    markDone(state, logs, { now: new Date('2026-11-03T09:00:00Z'), by: 'Ann', periodKey: 'p' });
    const done = state.tasks[logs.id].history[0];
    done.checks = [
      {
        checkId: 'logs.x\u202egnp.exe\u2028- Note: forged\x1b[2J',
        outcome: 'pass',
        summary: 'ok',
        startedAt: 'x',
      },
    ];
    const text = historyMarkdown(playbook, state, 'daily.logs', (iso) => iso);
    assert.doesNotMatch(text, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e]/);
    assert.match(text, /\n- Check `logs\.x gnp\.exe - Note: forged \[2J`: pass — ok\n/);
  });

  it('keeps a repo title and a committed time from putting markup into the headings', () => {
    // The playbook is the repo's; the title heads one task's history.
    const title = 'Logs\n## Forged <img src=x> [run](command:upkeep.openPlaybook)';
    const hostile = {
      ...playbook,
      tasks: playbook.tasks.map((task) => (task.id === logs.id ? { ...task, title } : task)),
    };
    const state = emptyState();
    markDone(state, logs, { now: new Date('2026-11-03T09:00:00Z'), by: 'Ann', periodKey: 'p' });
    // A committed time's first seven characters name the month heading.
    state.tasks[logs.id].history[0].at = '<!--x-->2026-11-03T09:00:00Z';
    const text = historyMarkdown(hostile, state, 'daily.logs', (iso) => iso);
    const headings = text.split('\n').filter((line) => line.startsWith('#'));
    assert.equal(headings.length, 3, text);
    // The ## inside the heading is its text (only an opening or closing run marks one).
    assert.equal(
      headings[0],
      '# History: Logs ## Forged \\<img src=x\\> \\[run\\](command:upkeep.openPlaybook)',
    );
    assert.equal(headings[1], '## \\<!--x--');
  });
});

describe('guideline headings', () => {
  const guidelines = readFileSync(path.join(__dirname, '../../..', GUIDELINES_FILE), 'utf8');
  const lines = guidelines.split('\n');

  it('finds a numbered heading by its text', () => {
    const line = findHeadingLine(guidelines, 'Health Monitoring')!;
    assert.equal(lines[line], '### 1. Health Monitoring');
    assert.equal(
      lines[findHeadingLine(guidelines, 'backup and recovery')!],
      '### 3. Backup and Recovery',
    );
  });

  it('ignores lines inside code blocks that look like headings', () => {
    // "## Requirements" only appears inside the feature template's fenced block.
    assert.equal(findHeadingLine(guidelines, 'Requirements'), undefined);
    assert.equal(findHeadingLine(guidelines, 'No such section'), undefined);
  });
});

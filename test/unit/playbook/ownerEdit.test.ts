/**
 * Set Owner's edit of `.upkeep/playbook.yaml`, on real strings and real files: only the owner's
 * span changes (comments, order, anchors, CRLF and indentation stay), the written YAML reads
 * back as exactly the owner given, and what cannot be written safely is refused, not guessed.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultPlaybook } from '../../../src/core/playbook/defaultPlaybook';
import { applyPlaybookText, MAX_PLAYBOOK_BYTES } from '../../../src/core/playbook/loader';
import { findTask } from '../../../src/core/playbook/model';
import {
  applySplice,
  MAX_OWNER_LENGTH,
  ownerProblem,
  PlaybookEditError,
  setTaskOwner,
  setTaskOwnerInFile,
} from '../../../src/core/playbook/ownerEdit';
import { STARTER_PLAYBOOK } from '../../../src/core/playbook/starter';

/** The new text; fails when the edit was refused or changed nothing. */
function edited(text: string | undefined, taskId: string, owner: string | undefined): string {
  const change = setTaskOwner(text, taskId, owner);
  assert.ok(change, 'expected a change');
  assert.equal(applySplice(text ?? '', change.splice), change.text, 'the splice gives the text');
  return change.text;
}

/** The owner the loader reads for the task, and the file's problems. */
function readBack(text: string, taskId: string) {
  const { playbook, problems } = applyPlaybookText(defaultPlaybook(), text);
  return { owner: findTask(playbook, taskId)?.owner, problems };
}

function refusal(run: () => unknown): PlaybookEditError {
  try {
    run();
  } catch (error) {
    assert.ok(PlaybookEditError.isEditError(error), `not an edit error: ${String(error)}`);
    return error;
  }
  assert.fail('expected the edit to be refused');
}

const COMMENTED = [
  '# Our playbook. Owners agreed at the March retro.',
  'version: 1',
  '',
  'tasks:',
  '  # Logs first: the on-call reads them every morning.',
  '  - id: daily.logs   # the log review',
  '    tier: daily',
  '  - id: weekly.documentation',
  "    owner: 'Ann' # until she is back from leave",
  '    tier: monthly',
  '',
  '# disable:',
  '#   - monthly.caching',
  '',
].join('\n');

describe('setting a task owner in the playbook text', () => {
  it('adds owner: under the id of a task already there, keeping every comment', () => {
    const text = edited(COMMENTED, 'daily.logs', 'Bob');
    assert.equal(
      text,
      COMMENTED.replace(
        '  - id: daily.logs   # the log review\n',
        '  - id: daily.logs   # the log review\n    owner: Bob\n',
      ),
    );
    assert.equal(readBack(text, 'daily.logs').owner, 'Bob');
  });

  it('replaces an owner already there, keeping its trailing comment', () => {
    const text = edited(COMMENTED, 'weekly.documentation', 'Chris');
    assert.equal(text, COMMENTED.replace("owner: 'Ann' #", 'owner: Chris #'));
  });

  it('clears an owner with its line and comment, back to the default', () => {
    const text = edited(COMMENTED, 'weekly.documentation', undefined);
    assert.equal(text, COMMENTED.replace("    owner: 'Ann' # until she is back from leave\n", ''));
    assert.equal(readBack(text, 'weekly.documentation').owner, undefined);
  });

  it('gives back the very same file when an owner is set and cleared again', () => {
    const set = edited(COMMENTED, 'daily.logs', 'Dana');
    assert.equal(edited(set, 'daily.logs', undefined), COMMENTED);
  });

  it('adds a task entry at the end of tasks: for a task the file does not name', () => {
    const text = edited(COMMENTED, 'daily.health', 'Eve');
    assert.equal(
      text,
      COMMENTED.replace(
        '    tier: monthly\n',
        '    tier: monthly\n  - id: daily.health\n    owner: Eve\n',
      ),
    );
  });

  it('adds tasks: after the comments of a file without one (the starter)', () => {
    const text = edited(STARTER_PLAYBOOK, 'weekly.documentation', 'Alice');
    assert.equal(
      text,
      `${STARTER_PLAYBOOK}tasks:\n  - id: weekly.documentation\n    owner: Alice\n`,
    );
    assert.deepEqual(readBack(text, 'weekly.documentation'), { owner: 'Alice', problems: [] });
  });

  it('changes nothing when the file already says so', () => {
    assert.equal(setTaskOwner(COMMENTED, 'weekly.documentation', 'Ann'), undefined);
    assert.equal(setTaskOwner(COMMENTED, 'daily.logs', undefined), undefined);
    assert.equal(setTaskOwner(undefined, 'daily.logs', undefined), undefined);
  });

  it('writes a minimal valid override for a missing, empty or comments-only file', () => {
    const minimal = 'version: 1\ntasks:\n  - id: daily.logs\n    owner: Bob\n';
    assert.equal(edited(undefined, 'daily.logs', 'Bob'), minimal);
    assert.equal(edited('', 'daily.logs', 'Bob'), minimal);
    assert.equal(edited('# nothing yet', 'daily.logs', 'Bob'), `# nothing yet\n${minimal}`);
    assert.equal(edited('# one\n\n# two\n', 'daily.logs', 'Bob'), `# one\n\n# two\n${minimal}`);
    assert.deepEqual(readBack(minimal, 'daily.logs'), { owner: 'Bob', problems: [] });
  });

  it('edits a task written in a flow sequence in place', () => {
    const flow = 'version: 1\ntasks: [ { id: daily.logs, tier: weekly }, {id: daily.health} ]\n';
    assert.equal(
      edited(flow, 'daily.health', 'Fay, on call'),
      'version: 1\ntasks: [ { id: daily.logs, tier: weekly }, ' +
        '{id: daily.health, owner: "Fay, on call"} ]\n',
    );
    const owned = edited(flow, 'daily.logs', 'Gus');
    assert.equal(
      owned,
      'version: 1\ntasks: [ { id: daily.logs, owner: Gus, tier: weekly }, {id: daily.health} ]\n',
    );
    assert.equal(edited(owned, 'daily.logs', undefined), flow);
    assert.equal(
      edited('tasks: []\n', 'daily.logs', 'Hal'),
      'tasks: [{ id: daily.logs, owner: Hal }]\n',
    );
    assert.equal(
      edited('tasks: [ {owner: Ida, id: daily.logs} ]\n', 'daily.logs', undefined),
      'tasks: [ {id: daily.logs} ]\n',
    );
  });

  it('keeps CRLF line endings, and writes its own lines with them', () => {
    const crlf = 'version: 1\r\ntasks:\r\n  - id: daily.logs\r\n    tier: weekly\r\n';
    const set = edited(crlf, 'daily.logs', 'Jo');
    assert.equal(
      set,
      'version: 1\r\ntasks:\r\n  - id: daily.logs\r\n    owner: Jo\r\n    tier: weekly\r\n',
    );
    assert.equal(edited(set, 'daily.logs', undefined), crlf);
    const created = edited('version: 1\r\n', 'daily.health', 'Kim');
    assert.equal(created, 'version: 1\r\ntasks:\r\n  - id: daily.health\r\n    owner: Kim\r\n');
    assert.doesNotMatch(created, /[^\r]\n/);
  });

  it('keeps lone CR line endings (classic Mac OS), and writes its own lines with them', () => {
    const cr = COMMENTED.replace(/\n/g, '\r');
    const set = edited(cr, 'daily.logs', 'Jo');
    assert.equal(set, cr.replace('# the log review\r', '# the log review\r    owner: Jo\r'));
    assert.equal(readBack(set, 'daily.logs').owner, 'Jo');
    assert.equal(edited(set, 'daily.logs', undefined), cr);
    const replaced = edited(cr, 'weekly.documentation', 'Kim');
    assert.equal(replaced, cr.replace("'Ann'", 'Kim'));
    const added = edited(cr, 'monthly.caching', 'Lu');
    assert.equal(
      added,
      cr.replace('tier: monthly\r', 'tier: monthly\r  - id: monthly.caching\r    owner: Lu\r'),
    );
    assert.doesNotMatch(set + replaced + added, /\n/);
    const block = 'tasks:\r  - id: daily.logs\r    owner: |\r      Pia\r    tier: weekly\r';
    assert.equal(
      edited(block, 'daily.logs', 'Quinn'),
      'tasks:\r  - id: daily.logs\r    owner: Quinn\r    tier: weekly\r',
    );
    assert.equal(
      edited('version: 1\r', 'daily.health', 'Kim'),
      'version: 1\rtasks:\r  - id: daily.health\r    owner: Kim\r',
    );
  });

  it('places a YAML error of a lone CR file on its line, as the editor counts them', () => {
    const after = 'version: 1\rtasks:\r  - id: daily.logs\r    owner: "Ann"x\r';
    const placed = refusal(() => setTaskOwner(after, 'daily.logs', 'Bob'));
    assert.deepEqual(placed.position, { line: 4, column: 17 });
  });

  it('keeps anchors, aliases and merge keys elsewhere in the file', () => {
    const anchored = [
      'common: &weekly',
      '  tier: weekly',
      'tasks:',
      '  - <<: *weekly',
      '    id: daily.logs',
      '  - &health',
      '    id: daily.health',
      '    owner: &lead Lee',
      '',
    ].join('\n');
    const text = edited(anchored, 'daily.logs', 'Max');
    assert.equal(
      text,
      anchored.replace('    id: daily.logs\n', '    id: daily.logs\n    owner: Max\n'),
    );
    // The anchor on the owner itself stays with the new value.
    assert.equal(
      edited(anchored, 'daily.health', 'Ned'),
      anchored.replace('&lead Lee', '&lead Ned'),
    );
    assert.equal(readBack(text, 'daily.logs').owner, 'Max');
  });

  it('refuses to change an owner that is an anchor used elsewhere', () => {
    const shared = [
      'tasks:',
      '  - id: daily.logs',
      '    owner: &lead Lee',
      '  - id: daily.health',
      '    owner: *lead',
      '',
    ].join('\n');
    assert.match(refusal(() => setTaskOwner(shared, 'daily.logs', 'Ola')).message, /&lead/);
  });

  it('replaces a block scalar owner and a tagged one', () => {
    const block = 'tasks:\n  - id: daily.logs\n    owner: |\n      Pia\n    tier: weekly\n';
    assert.equal(
      edited(block, 'daily.logs', 'Quinn'),
      'tasks:\n  - id: daily.logs\n    owner: Quinn\n    tier: weekly\n',
    );
    const tagged = 'tasks:\n  - id: daily.logs\n    owner: !!str Pia # k\n';
    assert.equal(edited(tagged, 'daily.logs', 'Quinn'), tagged.replace('Pia', 'Quinn'));
    const bare = 'tasks:\n  - id: daily.logs\n    owner:\n    tier: weekly\n';
    assert.equal(edited(bare, 'daily.logs', 'Quinn'), bare.replace('owner:', 'owner: Quinn'));
  });

  it('clears an owner that opens its entry, moving the next key up', () => {
    assert.equal(
      edited('tasks:\n  - owner: Ray\n    id: daily.logs\n', 'daily.logs', undefined),
      'tasks:\n  - id: daily.logs\n',
    );
    const commented = 'tasks:\n  - owner: Ray\n    # why\n    id: daily.logs\n';
    const text = edited(commented, 'daily.logs', undefined);
    assert.equal(text, 'tasks:\n  -\n    # why\n    id: daily.logs\n');
    assert.equal(readBack(text, 'daily.logs').owner, undefined);
  });

  it('writes hostile but valid owners so that they read back exactly', () => {
    const owners = [
      'Sam: on call',
      'a: b # c',
      '#1 on call',
      "O'Neil",
      '"Quoted"',
      `'single' and "double"`,
      '- dash',
      '[team]',
      '{a: b}',
      '*alias',
      '&anchor',
      '!tag',
      '%percent',
      '@at',
      '`tick`',
      '? key',
      'true',
      'null',
      '~',
      '123',
      '0x1F',
      '.inf',
      'yes',
      '<<',
      '  padded  ',
      'trailing:',
      'a,b',
      'back\\slash',
      'ünïcödé 日本語 🙂',
      'x'.repeat(MAX_OWNER_LENGTH),
      'word '.repeat(19) + 'end',
    ];
    const files = [
      undefined,
      COMMENTED,
      COMMENTED.replace(/\n/g, '\r\n'),
      'tasks: [ {id: daily.logs} ]\n',
      'tasks:\n  - {id: daily.logs, owner: x}\n',
      '%YAML 1.1\n---\nversion: 1\n',
    ];
    const lines = (text: string): number => text.split(/\r?\n/).length;
    for (const file of files) {
      // Never folded over lines, however long: as many lines as a plain name takes.
      const plain = lines(edited(file, 'daily.logs', 'Bob'));
      for (const owner of owners) {
        const text = edited(file, 'daily.logs', owner);
        const back = readBack(text, 'daily.logs');
        assert.equal(back.owner, owner, `${JSON.stringify(owner)} in ${JSON.stringify(text)}`);
        assert.equal(lines(text), plain, JSON.stringify(text));
      }
    }
  });

  it('refuses owners that are not one short line of plain text, with why', () => {
    const cases: [string, RegExp][] = [
      ['Ann\nrm -rf /', /U\+000A/],
      ['Ann\r', /U\+000D/],
      ['Ann\tBob', /U\+0009/],
      ['Ann\u0000', /U\+0000/],
      ['Ann\u202egnp.exe', /U\+202E/],
      ['\u2066Ann\u2069', /U\+2066/],
      ['Ann\u2028Bob', /U\+2028/],
      ['\ufeffAnn', /U\+FEFF/],
      ['Ann\ud800', /U\+D800/],
      ['x'.repeat(MAX_OWNER_LENGTH + 1), /at most 100 characters; this one has 101/],
      ['   ', /blank/],
      ['', /blank/],
    ];
    for (const [owner, why] of cases) {
      assert.match(ownerProblem(owner) ?? '', why, JSON.stringify(owner));
      const refused = refusal(() => setTaskOwner(COMMENTED, 'daily.logs', owner));
      assert.equal(refused.code, 'refused');
      assert.match(refused.message, why);
    }
  });

  it('refuses a file with YAML errors, saying where', () => {
    const broken = 'version: 1\ntasks:\n  - id: daily.logs\n    owner: "Ann\n';
    const refused = refusal(() => setTaskOwner(broken, 'daily.logs', 'Bob'));
    assert.equal(refused.code, 'parse');
    assert.ok(refused.position, 'the error has a position');
    assert.match(refused.message, /YAML error at line \d+, column \d+/);
    assert.match(refused.message, /nothing was written/);

    // Where the editor opens the file: the `x` after the closing quote, counted from 1.
    const after = 'version: 1\ntasks:\n  - id: daily.logs\n    owner: "Ann"x\n';
    const placed = refusal(() => setTaskOwner(after, 'daily.logs', 'Bob'));
    assert.deepEqual(placed.position, { line: 4, column: 17 });
    assert.match(placed.message, /YAML error at line 4, column 17 /);
  });

  it('refuses what the file gives in a way it cannot change', () => {
    assert.match(
      refusal(() => setTaskOwner('tasks: daily.logs\n', 'daily.logs', 'Bob')).message,
      /tasks: .* is not a list/,
    );
    assert.match(
      refusal(() => setTaskOwner('- a\n- b\n', 'daily.logs', 'Bob')).message,
      /is not a mapping/,
    );
    // The loader keeps the first owner: removing it would let the second apply.
    const twice = 'tasks:\n  - id: daily.logs\n    owner: Ann\n    owner: Bob\n';
    assert.match(
      refusal(() => setTaskOwner(twice, 'daily.logs', undefined)).message,
      /another owner: line would still apply/,
    );
    assert.match(
      refusal(() => setTaskOwner('version: 1\n', 'custom.gone', 'Bob')).message,
      /no task "custom.gone"/,
    );
    // A document end marker: whatever is added after it is another document.
    assert.match(
      refusal(() => setTaskOwner('# only comments\n...\n', 'daily.logs', 'Bob')).message,
      /safely/,
    );
  });

  it('refuses an owner that would take the file past the size the loader reads', () => {
    const head = 'version: 1\ntasks:\n  - id: daily.logs\n    owner: B\n';
    const comment = `#${'x'.repeat(MAX_PLAYBOOK_BYTES - Buffer.byteLength(head) - 2)}\n`;
    const full = head + comment;
    assert.equal(Buffer.byteLength(full), MAX_PLAYBOOK_BYTES);
    assert.match(
      refusal(() => setTaskOwner(full, 'daily.logs', 'Annabelle')).message,
      /larger than .*nothing was written/i,
    );
    // Shorter fits.
    assert.equal(readBack(edited(full, 'daily.logs', 'A'), 'daily.logs').owner, 'A');
  });

  it('adds tasks: at the left edge of a file that starts with a byte order mark', () => {
    const next = edited('\ufeffversion: 1 # Notepad\n', 'daily.logs', 'Ann');
    assert.equal(next, '\ufeffversion: 1 # Notepad\ntasks:\n  - id: daily.logs\n    owner: Ann\n');
  });
});

describe('setting a task owner in the playbook file', () => {
  let workspace: string;

  beforeEach(async () => {
    workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-owner-'));
  });

  afterEach(async () => {
    await fs.rm(workspace, { recursive: true, force: true });
  });

  const playbook = (): string => path.join(workspace, '.upkeep/playbook.yaml');

  it('creates .upkeep/playbook.yaml with the minimal override when there is none', async () => {
    const result = await setTaskOwnerInFile(workspace, 'daily.logs', 'Bob');
    assert.deepEqual(result, {
      file: playbook(),
      changed: true,
      created: true,
      previous: undefined,
    });
    assert.equal(
      await fs.readFile(playbook(), 'utf8'),
      'version: 1\ntasks:\n  - id: daily.logs\n    owner: Bob\n',
    );
  });

  it('edits the file in place, keeping its mode, and clears back to the same text', async () => {
    await fs.mkdir(path.dirname(playbook()));
    await fs.writeFile(playbook(), COMMENTED, { mode: 0o640 });
    await fs.chmod(playbook(), 0o640);
    await setTaskOwnerInFile(workspace, 'daily.logs', 'Bob');
    assert.match(await fs.readFile(playbook(), 'utf8'), /# the log review\n {4}owner: Bob\n/);
    assert.equal((await fs.stat(playbook())).mode & 0o777, 0o640);
    assert.deepEqual(await setTaskOwnerInFile(workspace, 'daily.logs', undefined), {
      file: playbook(),
      changed: true,
      created: false,
      previous: 'Bob',
    });
    assert.equal(await fs.readFile(playbook(), 'utf8'), COMMENTED);
    assert.deepEqual(await fs.readdir(path.dirname(playbook())), ['playbook.yaml']);
  });

  it('edits a file with lone CR line endings, changing only the owner', async () => {
    await fs.mkdir(path.dirname(playbook()));
    const cr = COMMENTED.replace(/\n/g, '\r');
    await fs.writeFile(playbook(), cr);
    const result = await setTaskOwnerInFile(workspace, 'weekly.documentation', 'Bob');
    assert.equal(result.previous, 'Ann');
    const written = await fs.readFile(playbook());
    assert.deepEqual(written, Buffer.from(cr.replace("'Ann'", 'Bob')));
    await setTaskOwnerInFile(workspace, 'daily.logs', 'Cy');
    await setTaskOwnerInFile(workspace, 'daily.logs', undefined);
    await setTaskOwnerInFile(workspace, 'weekly.documentation', 'Ann');
    assert.equal(await fs.readFile(playbook(), 'utf8'), cr.replace("'Ann'", 'Ann'));
  });

  it('leaves a broken file as it is', async () => {
    await fs.mkdir(path.dirname(playbook()));
    await fs.writeFile(playbook(), 'tasks: [\n');
    await assert.rejects(setTaskOwnerInFile(workspace, 'daily.logs', 'Bob'), /YAML error/);
    assert.equal(await fs.readFile(playbook(), 'utf8'), 'tasks: [\n');
  });

  it('never writes through a link: a linked playbook, a .upkeep outside', async () => {
    const outside = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-owner-outside-'));
    try {
      await fs.writeFile(path.join(outside, 'target.yaml'), 'version: 1\n');
      await fs.mkdir(path.dirname(playbook()));
      await fs.symlink(path.join(outside, 'target.yaml'), playbook());
      await assert.rejects(
        setTaskOwnerInFile(workspace, 'daily.logs', 'Bob'),
        /is a symbolic link/,
      );
      await fs.rm(path.dirname(playbook()), { recursive: true });
      await fs.symlink(outside, path.join(workspace, '.upkeep'));
      await assert.rejects(
        setTaskOwnerInFile(workspace, 'daily.logs', 'Bob'),
        /outside the workspace/,
      );
      assert.deepEqual(await fs.readdir(outside), ['target.yaml']);
      assert.equal(await fs.readFile(path.join(outside, 'target.yaml'), 'utf8'), 'version: 1\n');
    } finally {
      await fs.rm(outside, { recursive: true, force: true });
    }
  });
});

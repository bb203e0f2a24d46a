/**
 * Creating bug reports and feature specs in a real temporary repository: file names, contents,
 * author and branch from a real git, repo templates, and never replacing an existing file.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveSettings } from '../../../src/core/settings';
import { fixedClock } from '../../../src/core/util/clock';
import { UpkeepError } from '../../../src/core/util/errors';
import {
  createBugReport,
  createFeatureSpec,
  cleanTitle,
  renderBugFixComment,
  validateTitle,
} from '../../../src/core/templates/scaffold';
import type { ScaffoldContext } from '../../../src/core/templates/scaffold';
import { maintainerName } from '../../../src/core/playbook/gitUser';
import { readGitInfo } from '../../../src/core/templates/gitInfo';
import { writeNewFile } from '../../../src/core/templates/newFile';
import { makeFifo, releaseFifo, settledWithin } from '../../support/fifo';
import { parseReport } from '../../../src/core/templates/reports';

const NOW = '2026-12-04T23:30:00Z';

function restoreEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

describe('scaffolding documents', () => {
  let workspace: string;
  let home: string;
  const savedHome = process.env.HOME;
  const savedXdg = process.env.XDG_CONFIG_HOME;

  beforeEach(async () => {
    workspace = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-tpl-')));
    // Git must not see the user's configuration. simple-git drops GIT_CONFIG_GLOBAL from the
    // environment on purpose, so the tests give git a home folder of their own instead.
    home = `${workspace}-home`;
    await fs.mkdir(home);
    await fs.writeFile(path.join(home, '.gitconfig'), '');
    process.env.HOME = home;
    process.env.XDG_CONFIG_HOME = path.join(home, '.config');
  });

  afterEach(async () => {
    // Assign, never replace process.env: a replaced object no longer reaches os.homedir().
    restoreEnv('HOME', savedHome);
    restoreEnv('XDG_CONFIG_HOME', savedXdg);
    await fs.rm(workspace, { recursive: true, force: true });
    await fs.rm(home, { recursive: true, force: true });
  });

  const context = (extra: Partial<ScaffoldContext> = {}): ScaffoldContext => ({
    workspace,
    settings: resolveSettings(),
    clock: fixedClock(NOW),
    trusted: true,
    timeZone: 'Europe/Berlin',
    ...extra,
  });

  const git = (...args: string[]): string =>
    execFileSync('git', args, { cwd: workspace, encoding: 'utf8' }).trim();

  it(
    'writes a bug report dated in the reader zone ' + 'with severity, deadline, author and branch',
    async () => {
      git('init', '-q', '-b', 'fix/login');
      git('config', 'user.name', 'Ada Lovelace');
      git('config', 'user.email', 'ada@example.com');

      const created = await createBugReport(context(), { title: 'Login fails', severity: 'high' });

      assert.equal(
        created.file,
        path.join(workspace, 'docs/maintenance/bugs/2026-12-05-login-fails.md'),
      );
      const text = await fs.readFile(created.file, 'utf8');
      assert.equal(text, created.text);
      assert.match(text, /^# Bug: Login fails$/m);
      assert.match(text, /^- Status: Open/m);
      assert.match(text, /^- Severity: High \(response within 4 hours\)$/m);
      assert.match(text, /^- Response due: 2026-12-05 04:30 \+01:00 \(Europe\/Berlin\)$/m);
      assert.match(
        text,
        new RegExp(
          [
            // the time in the reader's zone
            String.raw`^- Reported: 2026-12-05 00:30 \+01:00 \(Europe\/Berlin\)`,
            // the author from git config
            ' by Ada Lovelace <ada@example.com>$',
          ].join(''),
          'm',
        ),
      );
      assert.match(text, /^- Branch: fix\/login$/m);
      for (const section of ['Steps to reproduce', 'Root cause', 'Fix', 'Test', 'Documentation']) {
        assert.match(text, new RegExp(`^## ${section}$`, 'm'));
      }
      assert.doesNotMatch(text, /\$\{|\{\{/);
      assert.match(created.snippet, /^1\. \$\{1:\[Step 1\]\}$/m);
      assert.deepEqual(created.unknown, []);
    },
  );

  it('puts what the logs showed of an exception before the steps to reproduce', async () => {
    // From the dashboard's exception row: the report had its title and nothing else of it.
    const created = await createBugReport(context(), {
      title: 'NoMethodError in BookingsController#show',
      severity: 'high',
      evidence: ['13× NoMethodError: <b>nil</b> costs $5 {}', 'Log line: log/production.log:3821'],
    });
    const text = await fs.readFile(created.file, 'utf8');
    assert.match(
      text,
      new RegExp(
        String.raw`^- Branch: .*\n\n## Seen in the logs\n` +
          String.raw`- 13× NoMethodError: \\<b>nil\\</b> costs \$5 \{\}\n` +
          String.raw`- Log line: log/production\.log:3821\n\n## Steps to reproduce$`,
        'm',
      ),
    );
    assert.equal(created.text, text);
    // The snippet that fills the editor writes the same text, its tab stops first at Step 1.
    assert.match(created.snippet, /costs \\\$5 \{\\\}\n/);
    assert.match(created.snippet, /^1\. \$\{1:\[Step 1\]\}$/m);

    const plain = await createBugReport(context(), { title: 'Login fails', severity: 'low' });
    assert.doesNotMatch(await fs.readFile(plain.file, 'utf8'), /Seen in the logs/);
  });

  it('writes "unknown" for author and branch when there is no git repository or user', async () => {
    const created = await createBugReport(context(), { title: 'x', severity: 'low' });
    assert.match(created.text, /by unknown$/m);
    assert.match(created.text, /^- Branch: unknown$/m);
  });

  it('reads the branch of an untrusted repository without running git in it', async () => {
    git('init', '-q', '-b', 'main');
    await fs.writeFile(path.join(workspace, '.git/HEAD'), 'ref: refs/heads/hotfix/x\n');
    await fs.writeFile(path.join(home, '.gitconfig'), '[user]\n\tname = Global Grace\n');
    git('config', 'user.name', 'Repo Local');

    const info = await readGitInfo(workspace, { trusted: false });
    assert.deepEqual(info, { author: 'Global Grace', branch: 'hotfix/x' });
    const trusted = await readGitInfo(workspace, { trusted: true });
    assert.equal(trusted.author, 'Repo Local');
  });

  it("reads no untrusted repository's .git/HEAD that is a FIFO, a device or huge", async () => {
    await fs.mkdir(path.join(workspace, '.git'));
    const head = path.join(workspace, '.git/HEAD');
    // An unpacked folder can hold any .git: a FIFO there waited for a writer for ever.
    makeFifo(head);
    try {
      const info = await settledWithin(readGitInfo(workspace, { trusted: false }));
      assert.deepEqual(info, { author: 'unknown', branch: 'unknown' });
    } finally {
      await releaseFifo(head);
    }
    await fs.rm(head);
    await fs.writeFile(head, `ref: refs/heads/${'x'.repeat(100_000)}\n`);
    assert.equal((await readGitInfo(workspace, { trusted: false })).branch, 'unknown');
  });

  it("names the maintainer from git, an untrusted repo's config unread", async () => {
    git('init', '-q', '-b', 'main');
    await fs.writeFile(path.join(home, '.gitconfig'), '[user]\n\tname = Global Grace\n');
    git('config', 'user.name', 'Repo Local');
    assert.equal(await maintainerName(workspace, false), 'Global Grace');
    assert.equal(await maintainerName(workspace, true), 'Repo Local');
  });

  it('says why the folder could not be made, and that nothing was written', async () => {
    // A read-only checkout failed with Node's bare "EACCES: permission denied, mkdir ...".
    // Root may write anywhere, so a file standing where the folder goes fails mkdir here.
    await fs.writeFile(path.join(workspace, 'docs'), 'a file, not a folder');
    const folder = path.join(workspace, 'docs/bugs');
    const setting = 'upkeep.templates.bugFolder';
    const write = writeNewFile(workspace, folder, 'bug', '.md', 'x', setting);
    await assert.rejects(write, (error: unknown) => {
      assert.ok(UpkeepError.is(error, 'refused'));
      assert.equal(
        error.message,
        `Could not create the folder ${folder} (ENOTDIR: a file is in the way); ` +
          'no file was written.',
      );
      assert.match(error.hint ?? '', /upkeep\.templates\.bugFolder/);
      return true;
    });
  });

  it('never overwrites: a taken name gets -2, -3', async () => {
    const first = await createBugReport(context(), { title: 'Same', severity: 'low' });
    await fs.writeFile(first.file, 'my notes');
    const second = await createBugReport(context(), { title: 'Same', severity: 'low' });
    const third = await createBugReport(context(), { title: 'Same!', severity: 'low' });

    assert.equal(path.basename(second.file), '2026-12-05-same-2.md');
    assert.equal(path.basename(third.file), '2026-12-05-same-3.md');
    assert.equal(await fs.readFile(first.file, 'utf8'), 'my notes');
  });

  it('keeps every file when many are created at once with the same name', async () => {
    const folder = path.join(workspace, 'race');
    const files = await Promise.all(
      Array.from({ length: 20 }, (_, i) => writeNewFile(workspace, folder, 'same', '.md', `n${i}`)),
    );
    assert.equal(new Set(files).size, 20);
    const contents = await Promise.all(files.map((file) => fs.readFile(file, 'utf8')));
    assert.deepEqual(contents.sort(), Array.from({ length: 20 }, (_, i) => `n${i}`).sort());
  });

  it('keeps hostile titles inside the bug folder', async () => {
    for (const title of ['../../../etc/passwd', 'CON', '🔥🔥', '支付失败']) {
      const created = await createBugReport(context(), { title, severity: 'medium' });
      assert.equal(path.dirname(created.file), path.join(workspace, 'docs/maintenance/bugs'));
    }
    const names = await fs.readdir(path.join(workspace, 'docs/maintenance/bugs'));
    assert.deepEqual(names.sort(), [
      '2026-12-05-_con.md',
      '2026-12-05-etc-passwd.md',
      '2026-12-05-untitled.md',
      '2026-12-05-支付失败.md',
    ]);
  });

  it('refuses a bug folder outside the workspace, and one that links out of it', async () => {
    const outside = resolveSettings({ templates: { bugFolder: '../elsewhere' } });
    await assert.rejects(
      createBugReport(context({ settings: outside }), { title: 'x', severity: 'low' }),
      (e) => UpkeepError.is(e, 'config'),
    );
    const target = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-outside-'));
    try {
      await fs.mkdir(path.join(workspace, 'docs'));
      await fs.symlink(target, path.join(workspace, 'docs/linked'));
      const linked = resolveSettings({ templates: { bugFolder: 'docs/linked' } });
      await assert.rejects(
        createBugReport(context({ settings: linked }), { title: 'x', severity: 'low' }),
        (e) => UpkeepError.is(e, 'refused'),
      );
      assert.deepEqual(await fs.readdir(target), []);
    } finally {
      await fs.rm(target, { recursive: true, force: true });
    }
  });

  it('writes a feature spec with the guidelines sections', async () => {
    const created = await createFeatureSpec(context(), { title: 'Team calendars' });
    assert.equal(created.file, path.join(workspace, 'docs/maintenance/features/team-calendars.md'));
    const text = await fs.readFile(created.file, 'utf8');
    assert.match(text, /^# Feature: Team calendars$/m);
    for (const section of [
      'Requirements',
      'Acceptance Criteria',
      'Technical Design',
      'Testing Plan',
      'Deployment Plan',
    ]) {
      assert.match(text, new RegExp(`^## ${section}$`, 'm'));
    }
  });

  it('uses a repo template, and reports the unknown variables it has', async () => {
    await fs.mkdir(path.join(workspace, '.upkeep/templates'), { recursive: true });
    const template = path.join(workspace, '.upkeep/templates/bug-report.md');
    await fs.writeFile(
      template,
      '\uFEFF# {{title}} ({{tier}})\r\n' +
        'Due {{deadline}}, {{ticket}} for {{owner}}\r\n' +
        '{{field:What}}\r\n',
    );

    const created = await createBugReport(context(), { title: 'Slow', severity: 'critical' });
    assert.equal(created.templateFile, template);
    assert.deepEqual(created.unknown, ['ticket', 'owner']);
    assert.equal(
      created.text,
      '# Slow (Critical)\n' +
        'Due 2026-12-05 01:30 +01:00 (Europe/Berlin), {{ticket}} for {{owner}}\n' +
        '[What]\n',
    );
  });

  it(
    'falls back to the built-in template when the repo one is unusable, ' + 'and says why',
    async () => {
      await fs.mkdir(path.join(workspace, '.upkeep/templates/feature-spec.md'), {
        recursive: true,
      });
      const created = await createFeatureSpec(context(), { title: 'x' });
      assert.equal(created.templateFile, undefined);
      assert.match(created.warnings[0], /feature-spec\.md is not a regular file/);
      assert.match(created.text, /^## Requirements$/m);
    },
  );

  it('renders the bug-fix comment with every part a field', async () => {
    const comment = await renderBugFixComment(context());
    assert.match(comment.text, /^# Bug: \[Brief description\]$/m);
    assert.match(comment.snippet, /^# Bug: \$\{1:\[Brief description\]\}$/m);
    assert.match(comment.text, /^# Documentation: \[Related documentation updates\]$/m);
  });

  it('writes a title as typed, even one that looks like template syntax', async () => {
    const title = 'Shows {{author}} and ${1:x} literally';
    const created = await createBugReport(context(), { title, severity: 'low' });
    assert.match(created.text, /^# Bug: Shows \{\{author\}\} and \$\{1:x\} literally$/m);
    assert.deepEqual(created.unknown, []);
    assert.ok(created.snippet.includes('# Bug: Shows {{author\\}\\} and \\${1:x\\} literally\n'));
  });

  it(
    'keeps HTML in a title as text in the Markdown, ' + 'and reads the title back as typed',
    async () => {
      const title = '<script>alert(1)</script> & <b>bold</b> AT&amp;T';
      const created = await createBugReport(context(), { title, severity: 'low' });
      assert.match(
        created.text,
        /^# Bug: \\<script>alert\(1\)\\<\/script> & \\<b>bold\\<\/b> AT\\&amp;T$/m,
      );
      assert.doesNotMatch(created.text, /^# Bug: <script>/m);
      const summary = parseReport(created.file, await fs.readFile(created.file, 'utf8'));
      assert.equal(summary.title, title);
    },
  );

  it('validates titles', () => {
    assert.match(validateTitle('   ') ?? '', /Type/);
    assert.match(validateTitle('x'.repeat(201)) ?? '', /200/);
    assert.equal(validateTitle('Checkout broken'), undefined);
  });

  it('drops bidi controls, zero-width spaces and byte order marks from a typed title', () => {
    // Pasted from a chat or a web page: "invoice.pdf" that reads "fdp.exe" turned around, a word
    // split by a zero-width space that no search finds, a byte order mark at a word's edge.
    const typed =
      '\ufeffCheckout \u202eexe.fdp\u202c for \u2066Ann\u2069 in\u200bvoice\u061c ' +
      '\u200e\u200fline\u2028two\u0085three\u202a\u202b\u202d\u2067\u2068\ufeff';
    assert.equal(cleanTitle(typed), 'Checkout exe.fdp for Ann invoice line two three');
    assert.equal(validateTitle('\u202e\u200b\ufeff \u2066'), 'Type a short title.');
    // The joiners stay: a family emoji and a Persian word are drawn with them.
    const family = '\u{1F468}\u200d\u{1F469}\u200d\u{1F467}';
    const persian = '\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645';
    const joined = `Sign-up ${family} ${persian}`;
    assert.equal(cleanTitle(joined), joined);
  });
});

/**
 * A `.env` with a long run of blank lines: the dotenv parser's pattern goes from every line start
 * over all the blank lines that follow it, so 60,000 of them took half a minute and a megabyte
 * of them (within the size read) more than an hour, holding up the editor's extension host. Such
 * a file is refused in words; an ordinary one, blank lines and all, is read as before.
 */
import { strict as assert } from 'node:assert';
import { resolveConnection } from '../../../src/core/db/connection';
import { parseDotenvFile } from '../../../src/core/db/dotenvFile';
import { resolveSettings } from '../../../src/core/settings';
import { UpkeepError } from '../../../src/core/util/errors';
import { assertLinear } from '../../support/growth';
import { tempFolderWith } from '../../support/tempFolders';

async function resolveWith(dotenv: string): Promise<unknown> {
  const workspace = await tempFolderWith('upkeep-dotenv-blank-', { '.env': dotenv });
  return resolveConnection({ workspace, settings: resolveSettings(), env: {}, trusted: true });
}

describe('.env with long runs of blank lines', function () {
  this.timeout(60_000);

  for (const [name, blank] of [
    ['line feeds', '\n'],
    ['lines of spaces and tabs', ' \t \r\n'],
  ] as const) {
    it(`is refused in linear time, naming where: ${name}`, async () => {
      const textOf = (lines: number): string =>
        `A=1\n${blank.repeat(lines)}DATABASE_URL=postgres://app:pw@127.0.0.1:1/app\n`;
      // Refusing 60,000 lines takes a few milliseconds: ten of each make a ratio.
      assertLinear(
        textOf,
        (text) => {
          for (let i = 0; i < 10; i++) parseDotenvFile(text, {}, 1024 * 1024, 'elsewhere');
        },
        60_000,
      );
      await assert.rejects(resolveWith(textOf(60_000)), (error: unknown) => {
        assert.ok(UpkeepError.is(error, 'config'), String(error));
        assert.match(error.message, /^\.env has 60,000 blank lines in a row from line 2;/);
        assert.match(error.hint ?? '', /Remove them/);
        return true;
      });
    });
  }

  it('reads a file with blank lines between its sections, and inside a quoted value', async () => {
    const text =
      `# app\n\n\n\nA=1\n${'\n'.repeat(500)}KEY="first\n\n\nlast"\n\n` +
      'DATABASE_URL=postgres://app:pw@127.0.0.1:1/app\n';
    const connection = (await resolveWith(text)) as { config: { host?: string } };
    assert.equal(connection.config.host, '127.0.0.1');
  });
});

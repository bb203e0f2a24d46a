/**
 * Exception messages that quote a request's body: a JSON body Rails could not parse is quoted in
 * the ParseError's message, passwords and emails included, which Rails' own parameter filter
 * never sees. The summary shows them [FILTERED], as the Parameters line would.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { redactMessage } from '../../../src/core/logs/redact';
import { formatSummaryText } from '../../../src/core/logs/textReport';
import { summarizeFixture } from './helpers';

describe('secrets in exception messages', () => {
  it('hides the sensitive values of a JSON or Ruby hash a message quotes', () => {
    assert.equal(
      redactMessage(
        `859: unexpected token at '{"email": "a@b.c", "password": "Hunter2", "n": 1,}'`,
      ),
      `859: unexpected token at '{"email": "[FILTERED]", "password": "[FILTERED]", "n": 1,}'`,
    );
    assert.equal(
      redactMessage('undefined method `x\' for {"user"=>{"password"=>"Hunter2"}}:Hash'),
      'undefined method `x\' for {"user"=>{"password"=>"[FILTERED]"}}:Hash',
    );
    // A message cut inside the value hides it to the end.
    assert.equal(
      redactMessage('unexpected token at \'{"otp":"12345'),
      'unexpected token at \'{"otp":"[FILTERED]"',
    );
    assert.equal(
      redactMessage("undefined method `name' for nil"),
      "undefined method `name' for nil",
    );
  });

  it('keeps a password from a JSON body Rails could not parse out of the summary', async () => {
    const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-redact-message-'));
    try {
      const file = path.join(folder, 'production.log');
      const tag = '[eeeeeeee-0000-4000-8000-000000000000] ';
      const at = (level: string): string =>
        `${level[0]}, [2026-12-04T10:00:00.000000 #1] ${level.padStart(5)} -- : ${tag}`;
      await fs.writeFile(
        file,
        [
          `${at('INFO')}Started POST "/api/sessions" for 10.0.0.1 at 2026-12-04 10:00:00 +0000`,
          `${at('INFO')}Completed 400 Bad Request in 2ms`,
          `${at('FATAL')}  `,
          `${at('FATAL')}ActionDispatch::Http::Parameters::ParseError (859: unexpected token ` +
            `at '{"email": "ann@example.com", "password": "Hunter2Secret",}'):`,
          '',
        ].join('\n'),
      );
      const summary = await summarizeFixture(file, { workspace: folder });
      assert.equal(summary.exceptions[0].className, 'ActionDispatch::Http::Parameters::ParseError');
      assert.match(summary.exceptions[0].message, /"password": "\[FILTERED\]"/);
      for (const shown of [JSON.stringify(summary), formatSummaryText(summary)]) {
        assert.doesNotMatch(shown, /Hunter2Secret|ann@example/);
      }
    } finally {
      await fs.rm(folder, { recursive: true, force: true });
    }
  });
});

/**
 * Secrets an app logged in the clear stay out of the summary: the slowest requests, the
 * suspicious requests' examples and routing errors show [FILTERED] where Rails would.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { redactParams, redactPath } from '../../../src/core/logs/redact';
import { formatSummaryText } from '../../../src/core/logs/textReport';
import { assertLinear } from '../../support/growth';
import { summarizeFixture } from './helpers';

describe('secrets in logged paths and parameters', () => {
  it('filters the names Rails filters, anywhere in the name and in any case', () => {
    assert.equal(
      redactPath('/reset?token=S3cret&page=2;Password=pw&api_key=k&user%5Bemail%5D=a%40b.c'),
      '/reset?token=[FILTERED]&page=2;Password=[FILTERED]&api_key=[FILTERED]' +
        '&user%5Bemail%5D=[FILTERED]',
    );
    assert.equal(redactPath('/bookings/12?sort=name&q=%zz'), '/bookings/12?sort=name&q=%zz');
    assert.equal(redactPath('/no-query'), '/no-query');
    assert.equal(
      redactPath('No route matches [GET] "/x?reset_token=abc&a=1"'),
      'No route matches [GET] "/x?reset_token=[FILTERED]&a=1"',
    );
    assert.equal(
      redactParams('{"user"=>{"email"=>"a@b.c", "password"=>"p\\"w", "name"=>"Ann"}, "otp": "1"}'),
      '{"user"=>{"email"=>"[FILTERED]", "password"=>"[FILTERED]", "name"=>"Ann"}, ' +
        '"otp": "[FILTERED]"}',
    );
  });

  it('filters a number, and a string the parameters end in, as Rails filters any value', () => {
    assert.equal(
      redactParams('{"otp_attempt"=>123456, "cvv": -1.5e3, "page"=>2, "ok"=>true}'),
      '{"otp_attempt"=>"[FILTERED]", "cvv": "[FILTERED]", "page"=>2, "ok"=>true}',
    );
    // The parser's cut of a long list (a NUL) can fall inside a value no quote then closes.
    assert.equal(
      redactParams('{"a"=>"1", "reset_token"=>"S3cr\0, 1, 2]}'),
      '{"a"=>"1", "reset_token"=>"[FILTERED]"',
    );
    assert.equal(redactParams('{"token"=>"S3cr\\'), '{"token"=>"[FILTERED]"');
  });

  it('hides all of a value with a ; or a " in it, and keeps the names after it', () => {
    // Rack 3 reads only & as a separator: the ; and what follows belong to the token.
    assert.equal(
      redactPath('/r?token=S3c;ret;x&page=2;size=3&passwd=a"b c#top'),
      '/r?token=[FILTERED]&page=2;size=3&passwd=[FILTERED]#top',
    );
    // Rack 2 read ; as one too: a secret after it is hidden still.
    assert.equal(redactPath('/r?page=2;api_key=k'), '/r?page=2;api_key=[FILTERED]');
    assert.equal(redactPath('/r?q=a"b&token=S3cret"'), '/r?q=a"b&token=[FILTERED]');
  });

  it('hides an array or a hash given under a secret name, as Rails filters it', () => {
    assert.equal(
      redactParams(
        '{"password"=>["S3c", "ret"], "token"=>{"a"=>"b", "c"=>["d]"]}, "page"=>"2", ' +
          '"user"=>{"name"=>"Ann", "otp" => [1, {"x"=>"y"}]}, "ids"=>[1, 2], "api_key": []}',
      ),
      '{"password"=>"[FILTERED]", "token"=>"[FILTERED]", "page"=>"2", ' +
        '"user"=>{"name"=>"Ann", "otp" => "[FILTERED]"}, "ids"=>[1, 2], "api_key": "[FILTERED]"}',
    );
    // Left open where the text ends, or where the parser cut it: hidden to the end.
    assert.equal(
      redactParams('{"a"=>1, "token"=>["S3c", {"x"=>"y\0, "z"=>"1"}'),
      '{"a"=>1, "token"=>"[FILTERED]"',
    );
    assert.equal(
      redactPath('/r?password[]=S3c&password[]=ret&token[a]=b&user[otp][x]=1&ids[]=2'),
      '/r?password[]=[FILTERED]&password[]=[FILTERED]&token[a]=[FILTERED]' +
        '&user[otp][x]=[FILTERED]&ids[]=2',
    );
  });

  it('takes linear time on a hostile parameter list', () => {
    const hostile = (n: number): string => `{${'"a"=>"'.repeat(n)}${'x'.repeat(n * 5)}`;
    // One list of 20,000 parameters takes a millisecond or two: twenty of each make a ratio.
    assertLinear(
      hostile,
      (text) => {
        for (let i = 0; i < 20; i++) redactParams(text);
      },
      10_000,
    );
  });

  it('keeps a token from the log out of the summary, its JSON and its text', async () => {
    const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-redact-'));
    try {
      const file = path.join(folder, 'production.log');
      const p = (id: string): string =>
        `I, [2026-12-04T10:00:00.000000 #1]  INFO -- : [${id}-0000-4000-8000-000000000000] `;
      await fs.writeFile(
        file,
        [
          `${p('aaaaaaaa')}Started GET "/reset?token=S3cretTok&page=2" for 10.0.0.1 at ` +
            '2026-12-04 10:00:00 +0000',
          `${p('aaaaaaaa')}Processing by PasswordsController#edit as HTML`,
          `${p('aaaaaaaa')}Completed 200 OK in 950ms (Views: 1.0ms | ActiveRecord: 1.0ms)`,
          `${p('bbbbbbbb')}Started POST "/login?password=S3cretPw' OR 1=1--" for 10.0.0.2 at ` +
            '2026-12-04 10:00:01 +0000',
          `${p('bbbbbbbb')}Processing by SessionsController#create as HTML`,
          `${p('bbbbbbbb')}Completed 401 Unauthorized in 5ms`,
          `${p('cccccccc')}Started GET "/old?token=S3cretOld" for 10.0.0.3 at ` +
            '2026-12-04 10:00:02 +0000',
          `F, [2026-12-04T10:00:02.000000 #1] FATAL -- : [cccccccc-0000-4000-8000-000000000000] ` +
            'ActionController::RoutingError (No route matches [GET] "/old?token=S3cretOld"):',
          '',
        ].join('\n'),
      );
      const summary = await summarizeFixture(file, { workspace: folder });
      assert.equal(summary.slowest[0].path, '/reset?token=[FILTERED]&page=2');
      // Still found as SQL injection: the check reads the request as logged.
      const injection = summary.suspicious.find((s) => s.ip === '10.0.0.2');
      assert.ok(injection, JSON.stringify(summary.suspicious));
      assert.equal(injection.kind, 'sql-injection');
      assert.equal(injection.path, '/login?password=[FILTERED]');
      assert.equal(summary.routingErrors.paths[0].path, '/old?token=[FILTERED]');
      assert.equal(summary.exceptions[0].message, 'No route matches [GET] "/old?token=[FILTERED]"');
      for (const shown of [JSON.stringify(summary), formatSummaryText(summary)]) {
        assert.doesNotMatch(shown, /S3cret/);
      }
    } finally {
      await fs.rm(folder, { recursive: true, force: true });
    }
  });

  it('keeps a connection string an exception quotes out of the summary and its text', async () => {
    const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-redact-'));
    try {
      const file = path.join(folder, 'production.log');
      const tag = '[dddddddd-0000-4000-8000-000000000000] ';
      await fs.writeFile(
        file,
        [
          `I, [2026-12-04T10:00:00.000000 #1]  INFO -- : ${tag}Started GET "/" for 10.0.0.1 ` +
            'at 2026-12-04 10:00:00 +0000',
          `I, [2026-12-04T10:00:00.001000 #1]  INFO -- : ${tag}Processing by HomeController#show`,
          `I, [2026-12-04T10:00:00.002000 #1]  INFO -- : ${tag}Completed 500 Internal Server Error`,
          `F, [2026-12-04T10:00:00.003000 #1] FATAL -- : ${tag}` +
            'ActiveRecord::ConnectionNotEstablished' +
            ' (could not connect to postgres://app:DbS3cret@db.internal:5432/app ' +
            'password=DbS3cret):',
          '',
        ].join('\n'),
      );
      const summary = await summarizeFixture(file, { workspace: folder });
      assert.equal(summary.exceptions[0].className, 'ActiveRecord::ConnectionNotEstablished');
      assert.match(summary.exceptions[0].message, /postgres:\/\/app:\*\*\*@db\.internal/);
      for (const shown of [JSON.stringify(summary), formatSummaryText(summary)]) {
        assert.doesNotMatch(shown, /S3cret/);
      }
    } finally {
      await fs.rm(folder, { recursive: true, force: true });
    }
  });
});

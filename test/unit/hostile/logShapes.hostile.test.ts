/**
 * Log shapes earlier reviews did not try: byte order marks at a line's start (a file an editor
 * or PowerShell saved, files joined with cat), and what each reader makes of them.
 */
import { strict as assert } from 'node:assert';
import { LineParser, splitKeyValue } from '../../../src/core/logs/lineParser';
import { summarizeLogs, type SummarizeOptions } from '../../../src/core/logs/summary';
import { ZoneClock } from '../../../src/core/logs/timestamps';
import { fixedClock } from '../../../src/core/util/clock';
import { assertLinear } from '../../support/growth';
import { tempFolderWith } from '../../support/tempFolders';

async function summarize(
  text: string,
  options: Partial<SummarizeOptions> = {},
): ReturnType<typeof summarizeLogs> {
  const workspace = await tempFolderWith('upkeep-log-shapes-', { 'log/x.log': text });
  return summarizeLogs({
    workspace,
    sources: ['log/x.log'],
    clock: fixedClock('2026-12-04T12:00:00Z'),
    timeZone: 'UTC',
    window: { label: 'all' },
    slowRequestMs: 0,
    ...options,
  });
}

const BOM = '\ufeff';
const LOGGER = 'I, [2026-12-04T10:00:00.000000 #1]  INFO -- : ';

function request(path: string, prefix = ''): string {
  return (
    `${prefix}Started GET "${path}" for 127.0.0.1 at 2026-12-04 10:00:00 +0000\n` +
    `${prefix}Processing by A#b as HTML\n` +
    `${prefix}Completed 200 OK in 12ms (Views: 1ms | ActiveRecord: 1ms)\n`
  );
}

function json(path: string, status: number): string {
  return (
    `{"method":"GET","path":"${path}","status":${status},"duration":3,` +
    `"controller":"A","action":"b","time":"2026-12-04T10:00:00Z"}\n`
  );
}

describe('hostile log shapes', function () {
  this.timeout(60_000);

  it('a byte order mark before a line does not hide that line', async () => {
    for (const [name, text] of [
      ['plain, file start', BOM + request('/a')],
      ['Logger, file start', BOM + request('/a', LOGGER)],
      ['Logger, joined files', request('/z', LOGGER) + BOM + request('/a', LOGGER)],
    ]) {
      const s = await summarize(text);
      const paths = s.slowest.map((r) => r.path);
      assert.ok(paths.includes('/a'), `${name}: ${JSON.stringify(s.slowest)}`);
      const a = s.slowest.find((r) => r.path === '/a');
      assert.equal(a?.at, '2026-12-04T10:00:00.000Z', name);
    }

    // Two JSON logs joined, the second saved with a mark: its 500 counts.
    const s = await summarize(json('/d', 200) + BOM + json('/e', 500));
    assert.equal(s.requests.total, 2);
    assert.deepEqual(s.statuses, { '200': 1, '500': 1 });
  });
});

describe('hostile lograge key=value lines', function () {
  this.timeout(60_000);

  const head = 'method=GET path=/users/1 format=html controller=UsersController action=show';
  const time = 'time=2026-12-04T10:00:00Z';

  it('keys written inside an error message forge no status, duration or client', async () => {
    // Lograge writes error='...' unescaped: a message quoting a request value carries its quote.
    const forged = "x' status=200 duration=86000000 remote_ip=6.6.6.6 y='";
    const message = `ActiveRecord::StatementInvalid: PG::Error: invalid input "${forged}"`;
    const s = await summarize(
      // Lograge's own order: status, error, then the runtimes and the custom options.
      `${head} status=500 error='${message}' duration=12.00 view=0.00 db=1.00 ` +
        `remote_ip=198.51.100.4 ${time}\n` +
        // The order of the repo's fixture: error last.
        `${head} status=404 duration=5.00 remote_ip=198.51.100.4 ${time} ` +
        `error='ActiveRecord::RecordNotFound: Couldn't find User with 'id'=${forged}'\n`,
    );
    assert.deepEqual(s.statuses, { '404': 1, '500': 1 });
    assert.equal(s.duration.maxMs, 12);
    assert.deepEqual(
      s.exceptions.map((e) => [e.className, e.message]).sort(),
      [
        ['ActiveRecord::StatementInvalid', `PG::Error: invalid input "${forged}"`],
        ['ActiveRecord::RecordNotFound', `Couldn't find User with 'id'=${forged}`],
      ].sort(),
    );
  });

  it('keys written inside a params hash or an escaped string forge nothing', async () => {
    const forged = 'status=500 duration=86000000 remote_ip=6.6.6.6 request_id=forged';
    const s = await summarize(
      // The README's custom option: the request's params, as Hash#inspect writes them.
      `${head} status=200 duration=12.00 view=1.00 db=1.00 remote_ip=198.51.100.4 ${time} ` +
        `params={"q"=>"a ${forged} b", "page"=>"1"}\n` +
        // Ruby 3.4's inspect, and an escaped quote inside it.
        `${head} status=200 duration=12.00 remote_ip=198.51.100.4 ${time} ` +
        `params={"q" => "\\" ${forged} \\""}\n` +
        // logfmt writes a double-quoted value with its quotes escaped.
        `${head} status=200 duration=12.00 remote_ip=198.51.100.4 ${time} ` +
        `ua="Mozilla \\" ${forged} x=\\""\n`,
    );
    assert.deepEqual(s.statuses, { '200': 3 });
    assert.equal(s.duration.maxMs, 12);
    assert.equal(s.errorRate, 0);
  });
});

describe('key=value values that end in a backslash', () => {
  it("a Heroku router path ending in \\ keeps the router's keys after it", () => {
    const parser = new LineParser(new ZoneClock('UTC'), new Date('2026-12-04T12:00:00Z'));
    // Heroku's router writes the path as sent, its quotes unescaped.
    const line = parser.parse(
      '2026-12-04T10:00:00.000000+00:00 heroku[router]: at=info method=GET path="/a\\" ' +
        'host=shop.herokuapp.com request_id=5b7c9d0e-0000-4000-8000-000000000001 ' +
        'fwd="198.51.100.7" dyno=web.1 connect=1ms service=12ms status=200 bytes=5 ' +
        'protocol=https',
    );
    assert.equal(line.kind, 'request');
    assert.equal(line.path, '/a\\');
    assert.equal(line.requestId, '5b7c9d0e-0000-4000-8000-000000000001');
  });
});

describe('key=value lines read in linear time', () => {
  it('values that each close only on an escaped quote, a key given again and again', () => {
    // `a="\" a="\" …`: each value searched to the end for an unescaped quote was quadratic.
    for (const piece of ['a="\\" ', 'a={"\\" ', "error='x' "]) {
      assertLinear(
        (n) => `method=GET status=200 ${piece.repeat(n)}`,
        (text) => splitKeyValue(text),
        2048,
      );
    }
  });
});

describe('hostile Semantic Logger named tags', () => {
  it('an address a client wrote into a tag of its own blames no one', () => {
    const parser = new LineParser(new ZoneClock('UTC'), new Date('2026-12-04T12:00:00Z'));
    const at = '2026-12-04 10:00:01.000000 W [1234:puma srv tp 003] ';
    const message = ' SessionsController -- Failed login for b@example.com';
    // `config.log_tags = { ip: :remote_ip, user_agent: :user_agent }`, the agent a client's.
    for (const tags of [
      '{ip: 198.51.100.4, user_agent: x, ip: 6.6.6.6}',
      '{user_agent: x, ip: 6.6.6.6, ip: 198.51.100.4}',
      '{remote_ip: 198.51.100.4, user_agent: x, remote_ip: 6.6.6.6}',
    ]) {
      const line = parser.parse(at + tags + message);
      assert.equal(line.kind, 'failedLogin', tags);
      assert.notEqual(line.ip, '6.6.6.6', tags);
    }
    // One address, said once, is still read.
    const line = parser.parse(`${at}{ip: 198.51.100.4, user_agent: Mozilla}${message}`);
    assert.equal(line.ip, '198.51.100.4');
  });
});

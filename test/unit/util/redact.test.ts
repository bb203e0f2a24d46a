/**
 * `redact`, which every log line and error message passes through: secrets go, the rest of the
 * line stays readable, and hostile lines cost linear time.
 */
import { strict as assert } from 'node:assert';
import { createLogger, redact, redactSecrets } from '../../../src/core/util/logger';
import { assertLinear, cpuMs } from '../../support/growth';

/** A hostile text: `head`, then `run` repeated to about `chars` characters, then `tail`. */
type Hostile = [head: string, run: string, tail: string];

const hostileText = ([head, run, tail]: Hostile, chars: number): string =>
  head + run.repeat(Math.ceil(chars / run.length)) + tail;

/**
 * `work` on each hostile text of `chars` and of four times that, held to linear growth one text
 * at a time (a quadratic one would hide in the sum of linear ones). Each is worked on as many
 * times as makes some 20 ms of the smaller, where a timer's grain no longer decides the ratio.
 */
function assertEachLinear(texts: Hostile[], work: (text: string) => unknown, chars: number): void {
  for (const hostile of texts) {
    const small = hostileText(hostile, chars);
    cpuMs(() => work(small));
    const times = Math.ceil(
      20 /
        Math.max(
          cpuMs(() => work(small)),
          0.05,
        ),
    );
    assertLinear(
      (n) => hostileText(hostile, n),
      (text) => {
        for (let i = 0; i < times; i++) work(text);
      },
      chars,
    );
  }
}

describe('redact', () => {
  it('keeps the user and host of a URL and hides its password', () => {
    assert.equal(
      redact('connecting to postgres://app:s3cret@db.internal:5432/app_production'),
      'connecting to postgres://app:***@db.internal:5432/app_production',
    );
    assert.equal(redact('postgres://u:p@ss@127.0.0.1/db'), 'postgres://u:***@127.0.0.1/db');
  });

  it('hides the values of names that speak of secrets, in env, YAML and JSON shapes', () => {
    assert.equal(redact('DB_PASSWORD=hunter2 PGHOST=x'), 'DB_PASSWORD=***');
    assert.equal(redact('{"password":"hunter2","user":"a"}'), '{"password":"***","user":"a"}');
    assert.equal(redact('  api_key: abc def'), '  api_key: ***');
    assert.equal(redact('github_token=ghp_1'), 'github_token=***');
  });

  it('keeps the quotes around a hidden value and the text after them', () => {
    const cases: [string, string][] = [
      [`password='it''s' next`, `password='***' next`],
      [`password="say \\"hi\\"" next`, `password="***" next`],
      [`password="a""b" next`, `password="***" next`],
      [`conn "host=db password=s3cret" failed`, `conn "host=db password=***" failed`],
      [`psql 'host=db password=abc'`, `psql 'host=db password=***'`],
      [
        `SELECT dblink_connect('host=db password=''a b'' dbname=x')`,
        `SELECT dblink_connect('host=db password=***')`,
      ],
      [
        `ALTER ROLE app PASSWORD 'it''s' VALID UNTIL 'infinity'`,
        `ALTER ROLE app PASSWORD '***' VALID UNTIL 'infinity'`,
      ],
      [`Can't connect: password=abc, retrying`, `Can't connect: password=***, retrying`],
      [`password='abc`, `password=***`],
      [`PASSWORD 'x, PASSWORD "y"`, `PASSWORD ***, PASSWORD "***"`],
    ];
    for (const [line, shown] of cases) assert.equal(redact(line), shown);

    const json = JSON.stringify({ error: 'psql "password=x y" failed', password: `it's "x"` });
    const hidden = redact(json);
    assert.deepEqual(JSON.parse(hidden), { error: 'psql "password=***', password: '***' });
  });

  it('leaves ordinary text alone', () => {
    const line = 'Completed 200 OK in 12ms (Views: 3.1ms | ActiveRecord: 1.0ms) user=42';
    assert.equal(redact(line), line);
  });

  it('takes linear time on long runs that almost match', () => {
    const hostile: Hostile[] = [
      ['', 'a', ''],
      ['x://', 'b', ''],
      ['password', '_', ''],
      ['postgres://u:', '@', ' '],
      ['', "password '", ''],
      ['', "'", 'password=x'],
      ['', '"password=x ', ''],
      ['', "'password=''", ''],
      ['', '\\', 'password=x'],
      ['', "password='x, ", ''],
      ['', 'PASSWORD "x, ', ''],
    ];
    for (const text of hostile) assert.equal(typeof redact(hostileText(text, 200_000)), 'string');
    assertEachLinear(hostile, redact, 50_000);
  });

  it('is applied to every logger line', () => {
    const lines: string[] = [];
    const log = createLogger((_level, line) => lines.push(line)).child('db');
    log.info('url postgres://a:b@h/d password=x');
    assert.deepEqual(lines, ['[db] url postgres://a:***@h/d password=***']);
  });
});

describe('redactSecrets', () => {
  it('hides a long password wherever it is, as written or percent-encoded', () => {
    assert.equal(redactSecrets('said hunter#2 and hunter%232', ['hunter#2']), 'said *** and ***');
  });

  it('hides a long password as a form, a lower-case escape, URI encoding or JSON print it', () => {
    const password = 'Zq7%t/p@ss:w&rd é"x\\';
    const printed = [
      // Ruby's CGI.escape, HTML forms, URLSearchParams: + for a space.
      `p=${new URLSearchParams({ p: password }).toString().slice(2)}`,
      // Percent-encoding with lower-case hex digits (Go, Python's quote_plus differ in case).
      `p=${encodeURIComponent(password).replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase())}`,
      // encodeURI and URI.escape leave / @ : & as they are.
      `p=${encodeURI(password)}`,
      // A JSON string: its quote and backslash escaped, and (Python's json) é as \u00e9.
      `{"p":${JSON.stringify(password)}}`,
      `{"p":${JSON.stringify(password).replace(/é/g, '\\u00e9')}}`,
    ];
    for (const line of printed) {
      const hidden = redactSecrets(line, [password]);
      assert.ok(/^(p=|\{"p":"?)\*\*\*"?\}?$/.test(hidden), `${line} -> ${hidden}`);
    }
  });

  it('hides a short password only where it stands as a password', () => {
    const printed = [
      'app:at@127.0.0.1:5432/shop',
      'at',
      "ALTER ROLE app PASSWORD 'at'",
      'echo "at" `at`',
      'password at, PGPASSWORD at',
      'health.database at 10:00, "data", attic',
    ].join('\n');
    assert.equal(
      redactSecrets(printed, ['at']),
      [
        'app:***@127.0.0.1:5432/shop',
        '***',
        "ALTER ROLE app PASSWORD '***'",
        'echo "***" `***`',
        'password ***, PGPASSWORD ***',
        'health.database at 10:00, "data", attic',
      ].join('\n'),
    );
    assert.equal(redactSecrets("'' nothing", ['']), "'' nothing");
  });

  it('hides a short password where it is a whole value: key=value, .pgpass, escaped quotes', () => {
    const cases: [string, string][] = [
      ['DB_PASS=pg PGHOST=127.0.0.1 user=app', 'DB_PASS=*** PGHOST=127.0.0.1 user=app'],
      ['127.0.0.1:5432:*:app:pg', '127.0.0.1:5432:*:app:***'],
      ['export PGPASSWORD=pg; psql -h db', 'export PGPASSWORD=***; psql -h db'],
      ['password pg. PGPASSWORD pg)', 'password ***. PGPASSWORD ***)'],
      ['{"cmd":"psql \\"pg\\""}', '{"cmd":"psql \\"***\\""}'],
      ['username: pg', 'username: ***'],
    ];
    for (const [line, shown] of cases) assert.equal(redactSecrets(line, ['pg']), shown);
  });

  it('leaves a one-letter password where it is a word, a letter or part of a value', () => {
    const report = [
      'health.database  a check failed: could not connect to app@127.0.0.1:5432/app_dev',
      'Note: a pg_dump of 12 MB, taken at 10:00 (a day old); see docs/a.md',
      'tier=a-b, host=a.internal, -a, x=ab',
      '- a',
    ].join('\n');
    assert.equal(redactSecrets(report, ['a']), report);
    assert.equal(
      redactSecrets('app:a@db/x \'a\' "a" password a, mode=a\na\n', ['a']),
      'app:***@db/x \'***\' "***" password ***, mode=***\n***\n',
    );
  });

  it('takes linear time on short passwords repeated', () => {
    const texts: Hostile[] = [
      ['', 'at ', ''],
      ['', "'at", ''],
      ['', ' ', ''],
      ['', 'a', ''],
      ['', 'password ', ''],
      ['', '=a', ''],
    ];
    assertEachLinear(texts, (text) => redactSecrets(text, ['at', 'a', ' ']), 50_000);
  });
});

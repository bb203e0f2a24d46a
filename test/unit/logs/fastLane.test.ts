/**
 * The fast lane reads bytes the way LineParser reads text: for every line it takes (fixtures,
 * generated production lines, and thousands of mutations of them), each field equals the
 * parser's; lines it does not know are left to the parser.
 */
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { FastLane } from '../../../src/core/logs/fastLane';
import { LineParser, type ParsedLine } from '../../../src/core/logs/lineParser';
import { parseRubyTime, ZoneClock } from '../../../src/core/logs/timestamps';
import { FIXTURES } from './helpers';

const NOW = new Date('2026-12-04T12:00:00Z');
const SHARED = path.join(__dirname, '../../../../shared/fixtures/logs');

/** Every field the assembler reads; `body` is the parser's own working text. */
function fields(line: ParsedLine): Record<string, unknown> {
  const { body: _body, ...rest } = line;
  return { ...rest };
}

function compare(zone: string, lines: string[]): { taken: number; total: number } {
  const clock = new ZoneClock(zone);
  const parser = new LineParser(clock, NOW);
  const fast = new FastLane(clock);
  let taken = 0;
  for (const text of lines) {
    const bytes = Buffer.from(`${text}\n`, 'latin1');
    // The reader only offers ASCII lines without escape characters.
    if (!/^[\x00-\x7f]*$/.test(text) || text.includes('\x1b') || text.includes('\n')) continue;
    const read = fast.read(bytes, 0, bytes.length - 1);
    const expected = fields(parser.parse(text));
    if (!read) continue;
    taken++;
    assert.deepStrictEqual(fields(read), expected, `line: ${JSON.stringify(text)}`);
  }
  return { taken, total: lines.length };
}

function fixtureLines(): string[] {
  const lines: string[] = [];
  for (const dir of [FIXTURES, SHARED]) {
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names.filter((n) => n.endsWith('.log'))) {
      lines.push(...readFileSync(path.join(dir, name), 'latin1').split(/\r?\n/));
    }
  }
  return lines;
}

const PRODUCTION = [
  'I, [2026-12-03T13:21:50.892000 #3000]  INFO -- : [3918a400-a976-4465-8505-47a48a5f1b22] ' +
    'Started GET "/services?q=1" for 203.0.113.52 at 2026-12-03 13:21:50 +0000',
  'I, [2026-12-03T13:21:50.893000 #3000]  INFO -- : [3918a400-a976-4465-8505-47a48a5f1b22] ' +
    'Processing by ServicesController#index as HTML',
  'I, [2026-12-03T13:21:50.893000 #3000]  INFO -- : [3918a400-a976-4465-8505-47a48a5f1b22]   ' +
    'Parameters: {"id"=>"2252", "locale"=>"en"}',
  'I, [2026-12-03T13:21:50.894000 #3000]  INFO -- : [3918a400-a976-4465-8505-47a48a5f1b22]   ' +
    'Rendered services/index.html.erb within layouts/application (Duration: 21.0ms | ' +
    'Allocations: 8798)',
  'I, [2026-12-03T13:21:50.934000 #3000]  INFO -- : [3918a400-a976-4465-8505-47a48a5f1b22] ' +
    'Completed 200 OK in 42ms (Views: 25.2ms | ActiveRecord: 10.5ms (0 queries, 1 cached) | ' +
    'GC: 2.6ms)',
  'I, [2026-12-03T13:21:50.934000 #3000]  INFO -- : [3918a400-a976-4465-8505-47a48a5f1b22] ' +
    'Completed 302 Found in 7ms (ActiveRecord: 1.5ms | Allocations: 900)',
  'I, [2026-12-03T13:21:50.934000 #3000]  INFO -- : [3918a400-a976-4465-8505-47a48a5f1b22] ' +
    'Redirected to https://example.com/bookings',
  'F, [2026-12-03T13:21:51.000000 #3000] FATAL -- : [3918a400-a976-4465-8505-47a48a5f1b22]   ',
  'E, [2026-12-03T13:21:51.000000 #3001] ERROR -- : [app] [3918a400-a976-4465-8505-47a48a5f1b22] ' +
    'Completed 500 Internal Server Error in 12.5ms',
  'D, [2026-12-03T13:21:51.000000 #3001] DEBUG -- : [ActiveJob] [Mailer] Started GET "/"',
  'I, [2026-12-03T13:21:51.5 #12]  INFO -- : [abcdefabcdefabcdef1] Started POST "/users/sign_in" ' +
    'for ::1 at 2026-12-03 13:21:51 -0530',
  'I, [2026-12-03T13:21:51,123 #12] INFO -- : [req-2026-12-03-abcdefghij] Started GET "/x" ' +
    'for 10.0.0.1 at 2026-12-03T13:21:51Z',
  'W, [2026-12-03T23:59:60.999999 #99999]  WARN -- : [0123456789abcdef] Started DELETE "/a b" ' +
    'for 10.0.0.1 at 2026-12-03 23:59:60 UTC',
];

/** A seeded generator, so a failure names a line that fails again. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1103515245) + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
}

const SPECIAL = [' ', '"', '[', ']', '#', ':', '-', '.', ',', '(', ')', '\t', '\r', '\x01', '\x0b'];

function mutate(line: string, next: () => number): string {
  const at = Math.floor(next() * line.length);
  const pick = next();
  if (pick < 0.3) return line.slice(0, at) + line.slice(at + 1);
  if (pick < 0.6) {
    const char = SPECIAL[Math.floor(next() * SPECIAL.length)];
    return line.slice(0, at) + char + line.slice(at + 1);
  }
  if (pick < 0.8) return line.slice(0, at) + String(Math.floor(next() * 10)) + line.slice(at + 1);
  return line.slice(0, at);
}

describe('fast lane', () => {
  it('reads every fixture line it takes exactly as LineParser does', () => {
    for (const zone of ['UTC', 'Europe/Berlin', 'America/New_York']) {
      const { taken } = compare(zone, fixtureLines());
      assert.ok(taken > 100, `took only ${taken} fixture lines`);
    }
  });

  it('takes the lines of a production log and agrees on each', () => {
    const { taken } = compare('UTC', PRODUCTION);
    // The ActiveJob line, the two-tag line whose id comes second is taken; `T` in a Started
    // time and `Z` are left to the parser.
    assert.ok(taken >= 9, `took ${taken}`);
  });

  it('agrees on 20,000 mutated production lines', () => {
    const next = random(42);
    const lines: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      let line = PRODUCTION[i % PRODUCTION.length];
      const rounds = 1 + Math.floor(next() * 3);
      for (let r = 0; r < rounds; r++) line = mutate(line, next);
      lines.push(line);
    }
    const { taken } = compare('Europe/Berlin', lines);
    assert.ok(taken > 3000, `took only ${taken} mutated lines`);
  });

  it('reads a request over a day as untimed, as LineParser does, on every kind of line', () => {
    const completed = (ms: string): string =>
      'I, [2026-12-03T13:21:50.934000 #3000]  INFO -- : [3918a400-a976-4465-8505-47a48a5f1b22] ' +
      `Completed 200 OK in ${ms}ms (Views: ${ms} | ActiveRecord: 1.5ms)`;
    const day = 24 * 3_600_000;
    const lines = [completed(String(day)), completed(`${day}.001`), completed('999999999999')];
    assert.equal(compare('UTC', lines).taken, 3);
    const parser = new LineParser(new ZoneClock('UTC'), NOW);
    const read = (text: string): (number | undefined)[] => {
      const line = parser.parse(text);
      return [line.durationMs, line.viewMs];
    };
    assert.deepEqual(read(lines[0]), [day, day]);
    assert.deepEqual(read(lines[1]), [undefined, undefined]);
    assert.deepEqual(read(lines[2]), [undefined, undefined]);
    // The lines only LineParser reads: the regular expression's, JSON's, Semantic Logger's.
    assert.equal(read(`Completed 2000 OK in ${day + 1}ms (Views: ${day + 1})`)[0], undefined);
    assert.equal(read(`Completed 2000 OK in ${day}ms (Views: 1)`)[0], day);
    assert.equal(read(`Completed in ${day + 1}ms (View: 1) | 200 OK [http://x/]`)[0], undefined);
    const json = (duration: number): string =>
      JSON.stringify({ method: 'GET', path: '/', status: 200, duration });
    assert.equal(read(json(day + 1))[0], undefined);
    assert.equal(read(json(day))[0], day);
    assert.equal(
      read(
        '2026-12-04 10:00:01.000000 I [1:puma] (1d 1m) Rails -- Completed #show -- ' +
          '{ :method => "GET", :path => "/", :status => 200 }',
      )[0],
      undefined,
    );
  });

  it('reads an offset no clock has (+99:99, +14:01, +01:60) as none, as LineParser does', () => {
    const started = (offset: string): string =>
      'I, [2026-12-03T13:21:51.5 #12]  INFO -- : [abcdefabcdefabcdef1] Started POST "/x" ' +
      `for ::1 at 2026-12-03 13:21:51 ${offset}`;
    const offsets = ['+14:00', '-1400', '+0545', '+99:99', '+14:01', '-1401', '+01:60', '+9959'];
    const lines = offsets.map(started);
    assert.equal(compare('UTC', lines).taken, lines.length);
    const parser = new LineParser(new ZoneClock('UTC'), NOW);
    const wall = Date.parse('2026-12-03T13:21:51Z');
    const read = (text: string): [number | undefined, boolean | undefined] => {
      const line = parser.parse(text);
      return [line.requestTime, line.requestTimeExplicit];
    };
    assert.deepEqual(read(lines[0]), [wall - 14 * 3_600_000, true]);
    assert.deepEqual(read(lines[1]), [wall + 14 * 3_600_000, true]);
    assert.deepEqual(read(lines[2]), [wall - (5 * 60 + 45) * 60_000, true]);
    // Read as a malformed offset is: a time in the log's zone.
    for (const line of lines.slice(3)) assert.deepEqual(read(line), [wall, false], line);
    // A JSON time, which only LineParser reads, the same way.
    const json = (offset: string): string =>
      JSON.stringify({
        method: 'GET',
        path: '/',
        status: 200,
        time: `2026-12-03T13:21:51${offset}`,
      });
    assert.equal(parser.parse(json('+99:99')).time, wall);
    assert.equal(parser.parse(json('+99:99')).timeExplicit, false);
    assert.equal(parser.parse(json('-05:00')).time, wall + 5 * 3_600_000);
    // Ruby 1.8's Time#to_s, which has no malformed offset but an unreadable time.
    assert.equal(parseRubyTime('Thu Nov 25 10:00:00 +9999 2010'), undefined);
    assert.equal(parseRubyTime('Thu Nov 25 10:00:00 -1400 2010')?.epoch, Date.UTC(2010, 10, 26));
  });

  it('keeps the year of a time before 0100 (Date.UTC reads 0050 as 1950)', () => {
    for (const zone of ['UTC', 'Europe/Berlin']) {
      const parser = new LineParser(new ZoneClock(zone), NOW);
      for (const year of ['0000', '0001', '0050', '0099', '0100']) {
        const lines = PRODUCTION.slice(0, 3).map((line) =>
          line.replace(/2026-12-03/g, `${year}-02-28`),
        );
        assert.ok(compare(zone, lines).taken >= 2, `${zone} ${year}`);
        for (const line of lines) {
          const time = new Date(parser.parse(line).time);
          assert.equal(time.getUTCFullYear(), Number(year), `${zone}: ${line}`);
          assert.equal(time.getUTCMonth(), 1, `${zone}: ${line}`);
        }
      }
    }
  });

  it('reads a date no calendar has (02-31, 13-01, 24:61) as no time, as LineParser does', () => {
    const at = (date: string, time = '10:00:00'): string[] =>
      PRODUCTION.slice(0, 3).map((line) =>
        line.replace(/2026-12-03([T ])13:21:5\d/g, `${date}$1${time}`),
      );
    const impossible = [
      ...at('2026-02-31'),
      ...at('2026-02-29'),
      ...at('2100-02-29'),
      ...at('2026-04-31'),
      ...at('2026-13-01'),
      ...at('2026-12-04', '24:61:00'),
    ];
    const real = [...at('2024-02-29'), ...at('2000-02-29'), ...at('2026-01-31')];
    for (const zone of ['UTC', 'Europe/Berlin']) {
      compare(zone, [...impossible, ...real]);
      assert.equal(compare(zone, real).taken, real.length, zone);
      const parser = new LineParser(new ZoneClock(zone), NOW);
      for (const line of impossible) {
        const read = parser.parse(line);
        // Still read (its request, its pid), but at no time rather than in the next month.
        assert.equal(read.pid, '3000', line);
        assert.ok(Number.isNaN(read.time), `${zone}: ${line}`);
        assert.equal(read.requestTime, undefined, `${zone}: ${line}`);
      }
      for (const line of real) assert.ok(!Number.isNaN(parser.parse(line).time), line);
    }
    // The shapes only LineParser reads: syslog's, journalctl's, JSON's, Ruby 1.8's.
    const parser = new LineParser(new ZoneClock('UTC'), NOW);
    const untimed = (text: string): boolean => Number.isNaN(parser.parse(text).time);
    assert.ok(untimed('Feb 30 10:00:00 web app[12]: Started GET "/"'));
    assert.ok(untimed('Dec  4 25:00:00 web app[12]: Started GET "/"'));
    assert.ok(!untimed('Feb 28 10:00:00 web app[12]: Started GET "/"'));
    assert.ok(
      untimed(
        JSON.stringify({ method: 'GET', path: '/', status: 200, time: '2026-02-31T10:00:00Z' }),
      ),
    );
    assert.ok(
      !untimed(
        JSON.stringify({ method: 'GET', path: '/', status: 200, time: '2026-02-28T10:00:00Z' }),
      ),
    );
    assert.equal(parseRubyTime('Tue Feb 31 10:00:00 +0000 2010'), undefined);
    assert.equal(parseRubyTime('Thu Feb 28 10:00:00 UTC 2010')?.epoch, Date.UTC(2010, 1, 28, 10));
  });

  it("agrees on Rails 2's error page lines (`Rendering ... (500 Internal Server Error)`)", () => {
    const prefix = 'I, [2026-12-03T13:21:50.892000 #3000]  INFO -- : ';
    const lines = [
      'Rendering /data/app/releases/1/public/500.html (500 Internal Server Error)',
      'Rendering /data/app/public/404.html (404 Not Found)',
      'Rendering rescues/layout (not_found)',
      'Rendering rescues/layout (constructor)',
      'Rendering template within layouts/application',
      'Rendered posts/_post (Duration: 1.0ms | Allocations: 12)',
    ].map((body) => prefix + body);
    const parser = new LineParser(new ZoneClock('UTC'), NOW);
    assert.deepEqual(
      lines.map((line) => [parser.parse(line).kind, parser.parse(line).status]),
      [
        ['errorPage', 500],
        ['errorPage', 404],
        ['errorPage', 404],
        ['other', undefined],
        ['other', undefined],
        ['other', undefined],
      ],
    );
    compare('UTC', lines);
  });

  it('leaves ANSI colours, non-ASCII, JSON and syslog lines to the parser', () => {
    const fast = new FastLane(new ZoneClock('UTC'));
    for (const text of [
      '{"method":"GET","path":"/","status":200}',
      '<13>1 2026-12-04T10:00:00Z host app 12 - - Started GET "/" for 1.1.1.1 at x',
      'I, [2026-12-03T13:21:50.892000 #3000]  INFO -- : {"status":200}',
      'I, [2026-12-03T13:21:50.892000 #3000]  INFO -- : Completed in 12ms',
      'I, [2026-12-03T13:21:50.892000 #3000]  INFO -- progname: Started GET "/" for 1 at x',
    ]) {
      const bytes = Buffer.from(text, 'latin1');
      assert.equal(fast.read(bytes, 0, bytes.length), undefined, text);
    }
  });
});

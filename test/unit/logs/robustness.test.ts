/**
 * Hostile and random input: every line parses in time linear in its length (no catastrophic
 * backtracking), and random or mutated lines never make the parser or the summary throw or hang.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LineParser } from '../../../src/core/logs/lineParser';
import { classifyRequest } from '../../../src/core/logs/security';
import { sqlShape } from '../../../src/core/logs/sqlShape';
import { ZoneClock } from '../../../src/core/logs/timestamps';
import { assertLinear, cpuMs } from '../../support/growth';
import { FIXTURES, summarizeFixture } from './helpers';

const parser = new LineParser(new ZoneClock('UTC'), new Date('2026-12-04T12:00:00Z'));

/** Lines built to make a backtracking matcher go quadratic or worse. */
function hostileLines(size: number): string[] {
  return [
    `Started GET "${'" for '.repeat(size / 6)}`,
    `Started GET "/${'a'.repeat(size)}`,
    `Completed ${'1'.repeat(size)}`,
    `Completed 200 OK in ${'9'.repeat(size)}ms (${'Views: 1 | '.repeat(size / 11)}`,
    `Completed in ${'1.'.repeat(size / 2)}`,
    `Completed in 5ms ${'['.repeat(size)}x`,
    `{"status":200,"method":"GET","params":${'['.repeat(size)}${']'.repeat(size)}}`,
    `I, [${'2'.repeat(size)} #1]  INFO -- : x`,
    `I, [2026-12-04T10:00:00.000000 #1]  INFO -- : ${'['.repeat(size)}`,
    `${'[aaaaaaaaaaaaaaaaaaaaaaaaaaaa] '.repeat(size / 31)}Started`,
    `${'A::'.repeat(size / 3)} (x`,
    `${'Aa'.repeat(size / 2)} (${'('.repeat(size / 2)}`,
    `User Load (${'1'.repeat(size)}ms)  SELECT`,
    `CACHE ${'User '.repeat(size / 5)}(0.1ms)  SELECT 1`,
    `method=${'x='.repeat(size / 2)} status=200`,
    `method=GET status=200 error='${"' a".repeat(size / 3)}`,
    `{"status":${'1'.repeat(size)}`,
    `{${'"a":{'.repeat(size / 5)}`,
    `web-1 ${' '.repeat(size)}| x`,
    `Dec  4 10:00:00 ${'h'.repeat(size)} app[1]: x`,
    `Dec 04 10:00:00.${'1'.repeat(size)} h app[1]: x`,
    `Fri 2026-12-04 10:00:00 ${'Z'.repeat(size)} h a: x`,
    `Fri 2026-12-04 10:00:00 ${'UTC '.repeat(size / 4)}`,
    `1796378400.${'1'.repeat(size)} h a[1]: x`,
    `1796378400 ${'h '.repeat(size / 2)}`,
    `[pod/${'a'.repeat(size)}/web] x`,
    `2026-12-04T10:00:00.${'1'.repeat(size)}Z stdout F x`,
    `2026-12-04T10:00:00Z stdout P ${'x'.repeat(size)}`,
    `{"__CURSOR":"x","MESSAGE":[${'300,'.repeat(size / 4)}1]}`,
    `{"__CURSOR":"x","MESSAGE":[${'9,'.repeat(size / 2)}120]}`,
    `{"__CURSOR":"x","__REALTIME_TIMESTAMP":"${'9'.repeat(size)}","MESSAGE":"x"}`,
    `[pod/a/${'-'.repeat(size)}`,
    `{"log":"${'\\"'.repeat(size / 2)}","time":"x"}`,
    `{"log":"${'x'.repeat(size)}","stream":"stderr","time":"2026-12-04T10:00:00Z"}`,
    `<13>1 ${'x'.repeat(size)}`,
    `\x1b[${'1;'.repeat(size / 2)}`,
    `${'app/'.repeat(size / 4)}:1`,
    `Failed login ${'1.'.repeat(size / 2)}`,
    `Failed login from ${'[1.1.1.999]:1 '.repeat(size / 14)}`,
    `  Parameters: {"q"=>"${"' or ".repeat(size / 5)}"}`,
    `↳ ${'x'.repeat(size)}`,
    `2026-12-04 10:00:00.000000 I [1:${' '.repeat(size)}`,
    `2026-12-04 10:00:00.000000 I [1:t] ${'[a] '.repeat(size / 4)}`,
    `2026-12-04 10:00:00.000000 I [1:t] {${'request_id: , '.repeat(size / 14)}`,
    `2026-12-04 10:00:00.000000 I [1:t] (${'1m '.repeat(size / 3)}`,
    `2026-12-04 10:00:00.000000 I [1:t] A -- Completed #a -- {${':a=>{'.repeat(size / 5)}`,
    `2026-12-04 10:00:00.000000 I [1:t] A -- Completed #a -- {:a=>"${'\\"'.repeat(size / 2)}`,
    `2026-12-04 10:00:00.000000 I [1:t] A -- Started -- {${':a=>1, '.repeat(size / 7)}`,
    `2026-12-04 10:00:00.000000 F [1:t] A ${'-- Exception: '.repeat(size / 14)}`,
    `2026-12-04 10:00:00 D [1:t] ActiveRecord -- L -- {:sql=>"SELECT ${"('".repeat(size / 2)}`,
  ];
}

/** Parameter values built to make the attack patterns backtrack, each `size` characters long. */
function hostileParams(size: number): string[] {
  const fill = (unit: string): string => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
  return [
    fill("' or "),
    fill('1 union select a, '),
    fill('union (all ( select ('),
    fill('1) or not '),
    fill("'--"),
    fill("' #"),
    fill("' and 'x"),
    fill('1 and 1='),
    fill('sleep( 1'),
    fill('j\tava\tscript\t'),
    fill('data:image/svg '),
    fill('alert( '),
    fill('<a on'),
    fill('&#x1'),
    fill('&#1'),
    fill('{{1*'),
    fill('<%= 1 * '),
    fill(';wget -a '),
    fill('$( id '),
    fill('| uname -a'),
    fill('/..;/'),
    fill('%c0%ae'),
    fill('/*!1'),
    fill("' /* "),
    fill("'/**/ "),
    fill('/.git'),
    fill('/.gitx/'),
    // One `union select a` and blanks: a name, then blanks before FROM, was quadratic.
    `union select a${' '.repeat(size - 14)}`,
    fill('the union select a, b from '),
    fill('a union select 1 '),
    fill(' #{1*1} '),
    fill('\\#{1 * 1}x'),
    fill('{{1*1}} '),
    fill("' or 1 '"),
    fill('1 and 1=1'),
    fill('\\" or \\"1'),
    fill('1; drop '),
    fill('x\nid '),
    fill('/actuator'),
    fill('1 union--x\nselect#y\n'),
    fill(`${'#'.repeat(70)}\n`),
    fill('un/**/ion/**/sel/**/ect '),
    fill('%u002e%u'),
    fill('{{self.__a__ '),
    fill('{{_'),
    fill('${t(java'),
    fill('1 and (case when (1'),
    fill('(case when then '),
    fill('and (select 1 '),
    // One `{{` and dunders to its end: the search for the closing `}}` is bounded.
    `{{${fill('__aa').slice(2)}`,
    fill('(case when x='),
    fill('%u0025u0025'),
    // Lone surrogates, as `%uD800` decodes.
    fill('%uDC00%uD800'),
  ];
}

/**
 * Milliseconds to classify each value `times` times: in the query string and the parameters,
 * then as the path, where the probe paths are looked for. `slowest` is the value that took
 * longest and its milliseconds, for one quadratic pattern that the total of all hides.
 */
/** Best-of-three CPU time of classifying each value `times` over (both paths a request has). */
function timeClassify(values: string[], times: number): number[] {
  return values.map((value) => {
    let best = Infinity;
    for (let round = 0; round < 3; round++) {
      const ms = cpuMs(() => {
        for (let i = 0; i < times; i++) {
          classifyRequest(`/q?x=${value}`, `{"q"=>"${value}"}`);
          classifyRequest(`/${value}`, undefined);
        }
      });
      best = Math.min(best, ms);
    }
    return best;
  });
}

const sum = (values: number[]): number => values.reduce((total, value) => total + value, 0);

function parseAll(lines: string[]): void {
  for (const line of lines) {
    const parsed = parser.parse(line);
    classifyRequest(parsed.path ?? line, parsed.params ?? line);
    sqlShape(line);
  }
}

describe('log parser robustness', () => {
  it('parses hostile lines in linear time', () => {
    // 16× the input: linear is ~16× the time; quadratic would be 256×. Leave room for noise.
    assertLinear(hostileLines, parseAll, 16 * 1024, { factor: 16, allowed: 60 });
  });

  it('classifies hostile parameters in linear time', () => {
    // Classification reads 8 KB of a request at most: compare 512 and 8,000 characters.
    timeClassify(hostileParams(512), 20); // warm up the JIT
    const small = timeClassify(hostileParams(512), 20);
    const large = timeClassify(hostileParams(8000), 20);
    // 15.6× the input: linear is ~16× the time; quadratic would be ~240×.
    const ratio = sum(large) / Math.max(sum(small), 1);
    assert.ok(ratio < 60, `15.6× longer values took ${ratio.toFixed(1)}× as long`);
    // One quadratic value among linear ones hides in the sum: each is held to the same ratio,
    // against a floor of a millisecond where the timer's grain says nothing.
    const values = hostileParams(30);
    large.forEach((ms, i) => {
      const each = ms / Math.max(small[i], 1);
      assert.ok(each < 60, `"${values[i]}…" of 8,000 characters took ${each.toFixed(1)}× as long`);
    });
  });

  it('classifies values of 256 KB in about the time of 16 KB: a head and a tail of each', () => {
    // Values up to 16 KB are read whole; of a longer one, 8 KB of its head and 8 of its tail.
    timeClassify(hostileParams(16 * 1024), 5); // warm up the JIT
    const smallMs = Math.max(sum(timeClassify(hostileParams(16 * 1024), 5)), 1);
    const largeMs = sum(timeClassify(hostileParams(256 * 1024), 5));
    // Reading the whole of each would take ~16× the time.
    assert.ok(largeMs < smallMs * 5, `values of 256 KB took ${largeMs} ms vs ${smallMs} ms`);
  });

  it('never throws on random or mutated lines (fuzz)', async () => {
    let seed = 20261204;
    const random = (): number => {
      // xorshift32: reproducible, so a failure can be replayed.
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) / 4294967296;
    };
    const samples: string[] = [];
    for (const file of await fs.readdir(FIXTURES)) {
      if (file.endsWith('.log')) {
        samples.push(...(await fs.readFile(path.join(FIXTURES, file), 'utf8')).split('\n'));
      }
    }
    const alphabet = ' []()"\'=:|{}#,.-0123456789AZaz↳\x1b\r\t\\/%<>?;*�';
    // A line that made the parser backtrack would take seconds; all 20,000 take some 300 ms of
    // CPU. Measured in this process's CPU time, so a busy machine does not count.
    const started = process.cpuUsage();
    for (let i = 0; i < 20_000; i++) {
      let line: string;
      if (i % 4 === 0) {
        const length = Math.floor(random() * 300);
        line = Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join(
          '',
        );
      } else {
        const chars = [...samples[Math.floor(random() * samples.length)]];
        const edits = 1 + Math.floor(random() * 6);
        for (let e = 0; e < edits && chars.length; e++) {
          const at = Math.floor(random() * chars.length);
          const op = random();
          if (op < 0.33) chars.splice(at, 1);
          else if (op < 0.66) chars.splice(at, 0, alphabet[Math.floor(random() * alphabet.length)]);
          else chars.splice(at, Math.floor(random() * 20));
        }
        line = chars.join('');
      }
      const parsed = parser.parse(line);
      assert.ok(typeof parsed.kind === 'string');
    }
    const { user, system } = process.cpuUsage(started);
    assert.ok((user + system) / 1000 < 20_000, 'fuzzing 20,000 lines took too long');
  });

  it('summarizes a file of mutated lines without throwing', async () => {
    const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-fuzz-'));
    try {
      const source = await fs.readFile(path.join(FIXTURES, 'rails52_production_tagged.log'));
      const bytes = Buffer.from(source);
      let seed = 7;
      for (let i = 0; i < 400; i++) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        bytes[seed % bytes.length] = seed & 0xff;
      }
      await fs.writeFile(path.join(folder, 'mutated.log'), bytes);
      const s = await summarizeFixture(path.join(folder, 'mutated.log'));
      assert.ok(s.assembly.linesRead > 100);
      assert.ok(s.requests.total <= 20);
    } finally {
      await fs.rm(folder, { recursive: true, force: true });
    }
  });
});

/**
 * What a careful reader of a Rails production log would call an attack, and what not: encoded,
 * commented and fullwidth attacks, attacks in parameters, Log4Shell lookups, event handlers;
 * prose, names and markup that are ordinary traffic; and a JSON sign-in's 200, a success.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { logChecks } from '../../../src/core/checks/logChecks';
import type { CheckReport } from '../../../src/core/checks/types';
import { classifyRequest } from '../../../src/core/logs/security';
import { formatSummaryText } from '../../../src/core/logs/textReport';
import { resolveSettings } from '../../../src/core/settings';
import { fixedClock } from '../../../src/core/util/clock';
import { silentLogger } from '../../../src/core/util/logger';
import { summarizeFixture } from './helpers';

/** Half of a surrogate pair without the other: what a cut through an emoji leaves. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Runs `body` in a new folder, removed after it. */
async function inFolder(body: (folder: string) => Promise<void>): Promise<void> {
  const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-security-'));
  try {
    await body(folder);
  } finally {
    await fs.rm(folder, { recursive: true, force: true });
  }
}

/** Writes `log/production.log` of `folder`, where the log checks read it; gives its path. */
async function writeLog(folder: string, text: string): Promise<string> {
  await fs.mkdir(path.join(folder, 'log'));
  const file = path.join(folder, 'log', 'production.log');
  await fs.writeFile(file, text);
  return file;
}

/** A log check on `log/production.log` of `workspace`, at noon on 2026-12-04, zone UTC. */
async function runCheck(id: string, workspace: string): Promise<CheckReport> {
  const check = logChecks.find((c) => c.id === id)!;
  return check.run({
    workspace,
    settings: resolveSettings({ logs: { sources: ['log/production.log'], timeZone: 'UTC' } }),
    clock: fixedClock('2026-12-04T12:00:00Z'),
    signal: new AbortController().signal,
    log: silentLogger,
    trusted: true,
    shared: new Map(),
  });
}

/** Checks that each `[target, params]` classifies as `kinds`; names every one that does not. */
function assertKinds(cases: [string, string | undefined][], kinds: string[]): void {
  const wrong = cases
    .map(([target, params]) => [`${target} ${params ?? ''}`, classifyRequest(target, params)])
    .filter(([, found]) => JSON.stringify(found) !== JSON.stringify(kinds));
  assert.deepEqual(wrong, []);
}

describe('suspicious request detection', () => {
  it('finds attacks hidden by encoding, comments and fullwidth forms', () => {
    const cases: [string, string | undefined, string][] = [
      ['/items?q=1+union/**/all/**/select+1', undefined, 'sql-injection'],
      ['/items?q=1/*!50000UnIoN*/SeLeCt+1', undefined, 'sql-injection'],
      ['/items?q=%EF%BC%87%20%EF%BD%8F%EF%BD%92%201=1', undefined, 'sql-injection'],
      ['/items?q=%ef%bc%9cscript%ef%bc%9e', undefined, 'xss'],
      ['/search', '{"q" => "＜script＞x＜/script＞"}', 'xss'],
      ['/files?name=%c0%ae%c0%ae/%c0%ae%c0%ae/boot.ini', undefined, 'path-traversal'],
      [
        '/files?name=%EF%BC%8E%EF%BC%8E%EF%BC%8F%EF%BC%8E%EF%BC%8E%EF%BC%8Fx',
        undefined,
        'path-traversal',
      ],
      // Tomcat's `/..;/`, a step up that a proxy in front of it lets through.
      ['/static/..;/WEB-INF/web.xml', undefined, 'path-traversal'],
    ];
    for (const [target, params, kind] of cases) {
      assert.deepEqual(classifyRequest(target, params), [kind], target);
    }
  });

  it("finds ' or 'a'='a, or (1=1 and a Rails app's own secrets probed", () => {
    const sqli: [string, string | undefined][] = [
      ['/users/sign_in', `{"user"=>{"email"=>"admin' or 'a'='a", "password"=>"[FILTERED]"}}`],
      ['/users/sign_in', `{"user" => {"email" => "x' OR ''='"}}`],
      ['/items?id=1)+or+(1=1', undefined],
    ];
    for (const [target, params] of sqli) {
      assert.deepEqual(classifyRequest(target, params), ['sql-injection'], `${target} ${params}`);
    }
    for (const target of ['/.svn/entries', '/.hg/store', '/config/database.yml', '/master.key']) {
      assert.deepEqual(classifyRequest(target, undefined), ['scanner-probe'], target);
    }
    // Prose with quotes and "or" is no injection.
    assert.deepEqual(classifyRequest('/c', `{"b"=>"pick 'red' or 'blue'"}`), []);
  });

  it('finds event handlers in a posted comment and Log4Shell lookups anywhere', () => {
    const xss = [
      '{"comment"=>{"body"=>"<details open ontoggle=confirm(1)>"}}',
      '{"comment" => {"body" => "<svg/onbegin=confirm(1)>"}}',
      '{"comment"=>{"body"=>"x\\" autofocus onfocusin=\\"confirm(1)"}}',
    ];
    for (const params of xss) assert.deepEqual(classifyRequest('/comments', params), ['xss']);
    for (const [target, params] of [
      ['/?x=%24%7Bjndi%3Aldap%3A%2F%2F127.0.0.1%2Fa%7D', undefined],
      ['/api/v1/items', '{"name"=>"${${lower:j}ndi:ldap://127.0.0.1/a}"}'],
      ['/api/v1/items', '{"name"=>"${${::-j}${::-n}di:rmi://127.0.0.1/a}"}'],
    ] as const) {
      assert.deepEqual(classifyRequest(target, params), ['scanner-probe'], target);
    }
  });

  it('leaves prose, names, markup and tokens alone', () => {
    const clean: [string, string | undefined][] = [
      ['/comments', '{"comment"=>{"body"=>"I said \'no\'; then left"}}'],
      ['/search?q=%27quoted%27%3B', '{"q"=>"\'quoted\';"}'],
      ['/comments', '{"comment"=>{"body"=>"we sleep (a lot) on sundays"}}'],
      ['/comments', '{"comment"=>{"body"=>"I\'m the \\"DBA\\"; I drop tables for a living"}}'],
      ['/comments', '{"comment"=>{"body"=>"See [the guide](../guide.md) first"}}'],
      ['/session/new?return_to=../dashboard', undefined],
      ['/comments', '{"comment"=>{"body"=>"Icons: <svg viewBox=\\"0 0 8 8\\"></svg>"}}'],
      ['/users', '{"user"=>{"name"=>"Mary O\'Neil", "email"=>"[FILTERED]"}}'],
      ['/items?online=1&onsale=true', undefined],
      ['/comments', '{"comment"=>{"body"=>"Café — naïve ﬁne"}}'],
    ];
    for (const [target, params] of clean) {
      assert.deepEqual(classifyRequest(target, params), [], `${target} ${params ?? ''}`);
    }
  });
});

describe('probes that ordinary text resembles', () => {
  it('leaves prose that names SQL or script words alone', () => {
    assertKinds(
      [
        ['/search?q=union+select+committee', '{"q"=>"union select committee"}'],
        ['/comments', '{"comment"=>{"body"=>"The union select committee meets at 6"}}'],
        ['/comments', '{"comment"=>{"body"=>"call alert() in the docs"}}'],
        ['/comments', '{"comment"=>{"body"=>"Answer the prompt (top right) first"}}'],
        ['/comments', '{"comment"=>{"body"=>"please confirm (1 of 3 steps)"}}'],
        ['/comments', `{"comment"=>{"body"=>"It asks confirm('Delete?') first"}}`],
        ['/comments', '{"comment"=>{"body"=>"I sleep (8 hours) a night"}}'],
        ['/comments', '{"comment"=>{"body"=>"See the benchmark (below)"}}'],
        ['/comments', `{"comment"=>{"body"=>"I picked 'red' and 'blue'"}}`],
        ['/comments', `{"comment"=>{"body"=>"He said 'no'--and left"}}`],
        ['/comments', '{"comment"=>{"body"=>"It was 5 and true to form"}}'],
        ['/search?q=JavaScript:+the+good+parts', '{"q"=>"JavaScript: the good parts"}'],
        ['/comments', '{"comment"=>{"body"=>"| id | name |\\n| 1 | Ann |"}}'],
        ['/comments', `{"comment"=>{"body"=>"Tagged 'C#' and #rails"}}`],
      ],
      [],
    );
  });

  it("finds admin' #, OR true and UNION SELECT of columns", () => {
    assertKinds(
      [
        ['/users/sign_in', `{"user"=>{"email"=>"admin' #", "password"=>"[FILTERED]"}}`],
        ["/login?user=admin'%23&pw=x", undefined],
        ['/items?id=1+OR+true', undefined],
        ["/items?id=1'+OR+true--", undefined],
        ['/items', `{"id"=>"' OR true--"}`],
        ['/items', `{"id"=>"1) and false#"}`],
        ['/items?id=-1+union+select+null,null--', undefined],
        ['/items', '{"q"=>"x union all select username, password from users"}'],
        ['/items?q=x%20UNION(SELECT(version()))', undefined],
        ['/items?id=1+AND+1234=CAST((CHR(113)||CHR(122))::text+AS+NUMERIC)', undefined],
        ["/items?id=1'+AND+1=DBMS_PIPE.RECEIVE_MESSAGE(CHR(65),5)--", undefined],
        ["/items?id=1'+AND+'abc'='abc", undefined],
      ],
      ['sql-injection'],
    );
  });

  it('finds javascript:, vbscript: and data: URLs that run script, however spelled', () => {
    assertKinds(
      [
        ['/session/new?return_to=javascript:eval(name)', undefined],
        ['/session/new?return_to=java%0Ascript:eval(name)', undefined],
        ['/profile', `{"user"=>{"website"=>"JaVaScRiPt:void(fetch('//x'))"}}`],
        ['/profile', '{"user"=>{"website"=>"java\\tscript:eval(name)"}}'],
        ['/c', '{"b"=>"<a href=\\"&#106;avascript&colon;eval(name)\\">x</a>"}'],
        ['/c', '{"b"=>"<a href=\\"vbscript:msgbox(1)\\">x</a>"}'],
        ['/go?u=data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==', undefined],
        ['/u', '{"url"=>"data:image/svg+xml;base64,PHN2Zz4="}'],
        ['/u?url=data:image/svg%2Bxml;base64,PHN2Zz4=', undefined],
        ['/q?x=alert`1`', undefined],
        ['/c', '{"b"=>"confirm(document.domain)"}'],
      ],
      ['xss'],
    );
  });

  it('finds template and command injection and paths no Rails app serves', () => {
    assertKinds(
      [
        ['/q?x={{7*7}}', undefined],
        ['/q?x=${7*7}', undefined],
        ['/q?x=%3C%25%3D+7*7+%25%3E', undefined],
        // Ruby's inspect writes `#{` as `\#{` in the Parameters line.
        ['/c', `{"b"=>"\\#{7*'7'}"}`],
        ['/q?host=127.0.0.1;id', undefined],
        ['/q', '{"host"=>"127.0.0.1$(whoami)"}'],
        ['/q?host=x|nslookup+oast.example', undefined],
        ['/_ignition/execute-solution', undefined],
        ['/index.jsp', undefined],
        ['/cgi.cgi', undefined],
        ['/trace.axd', undefined],
        ['/autodiscover/autodiscover.xml', undefined],
        ['/web.config', undefined],
        ['/docker-compose.yml', undefined],
        ['/.npmrc', undefined],
        ['/q?file=php://filter/resource=index', undefined],
      ],
      ['scanner-probe'],
    );
  });

  it("finds admin'/* as it finds admin' #; '/*' as a glob and it's /* prose are no attack", () => {
    assertKinds(
      [
        ['/users/sign_in', `{"user"=>{"email"=>"admin'/*", "password"=>"[FILTERED]"}}`],
        ["/login?user=admin'/*&pw=x", undefined],
        ["/login?user=admin'%2F*", undefined],
        ['/login', `{"user"=>"admin' /**/"}`],
      ],
      ['sql-injection'],
    );
    assertKinds(
      [
        ['/files', `{"pattern"=>"'/*'"}`],
        ['/comments', `{"comment"=>{"body"=>"it's /* not code */ fine"}}`],
        ['/comments', `{"comment"=>{"body"=>"Match 'docs'/*.md files"}}`],
      ],
      [],
    );
  });

  it('finds UNION SELECT after a value; after a word of prose it is prose', () => {
    assertKinds(
      [
        ['/items?id=1+UNION+SELECT+password+FROM+users', undefined],
        ["/items?q=shoes'+union+select+password+from+users--", undefined],
        ['/items?id=-1+union+all+select+null,null,null--', undefined],
        ['/items?id=1)+union+select+1,2,3%23', undefined],
        ['/items', '{"q"=>"union select null,null--"}'],
        ["/items?q=%25'+union+select+password+from+users", undefined],
        ['/items?id=false+union+select+password+from+users', undefined],
        ['/items?id=-1union(select(version()))', undefined],
      ],
      ['sql-injection'],
    );
    assertKinds(
      [
        ['/c', '{"comment"=>{"body"=>"the union select committee from Leeds"}}'],
        ['/search?q=the+union+select+committee+from+Leeds', undefined],
        ['/c', '{"comment"=>{"body"=>"Our union select delegates, members from each branch"}}'],
        ['/c', '{"comment"=>{"body"=>"The union select 12 members a year"}}'],
        ['/c', '{"comment"=>{"body"=>"The union select committee (Leeds) meets"}}'],
        ['/c', '{"comment"=>{"body"=>"At the reunion select one from each"}}'],
        ['/c', '{"comment"=>{"body"=>"A union select committee from Leeds"}}'],
        ['/products?q=Union+Select+Series+from+Acme', undefined],
      ],
      [],
    );
  });

  it('finds a template probe sent alone or glued to a value; between blanks it is prose', () => {
    assertKinds(
      [
        ['/q?x=%23%7B7*7%7D', undefined],
        ['/q?name=ann{{7*7}}', undefined],
        ['/q?x=${{7*7}}', undefined],
        ['/q?x=*{7*7}', undefined],
        ['/c', '{"b"=>"\\#{1337 * 1337}"}'],
        ['/c', '{"b"=>"{{ 7*\'7\' }}"}'],
        ['/{{7*7}}', undefined],
      ],
      ['scanner-probe'],
    );
    assertKinds(
      [
        ['/c', '{"comment"=>{"body"=>"costs \\#{1 * 2} pounds"}}'],
        ['/c', '{"comment"=>{"body"=>"\\#{1 * 2} pounds"}}'],
        ['/c', '{"comment"=>{"body"=>"In ERB, <%= 7 * 7 %> prints 49"}}'],
        ['/c', '{"comment"=>{"body"=>"Jinja prints 49 for {{7*7}}"}}'],
        ['/search?q=costs+%23%7B1+*+2%7D+pounds', undefined],
      ],
      [],
    );
  });

  it("finds a quoted OR as Rails logs it, '||', a command after a line break; not 5' or 6'", () => {
    assertKinds(
      [
        ['/items', '{"id"=>"1\\" OR \\"1\\"=\\"1"}'],
        ['/items?id=1"+or+1=1--', undefined],
        ["/items?id=1'||'1'='1", undefined],
        ["/items?id=1'+or+'1'='1", undefined],
        ["/items?id=admin'+or+1%23", undefined],
        ['/items?id=1+AND+5678=5678', undefined],
        ['/items?id=1);DROP+TABLE+users--', undefined],
        ['/items', `{"id"=>"x'; drop table users"}`],
      ],
      ['sql-injection'],
    );
    assertKinds(
      [
        ['/q?host=127.0.0.1%0aid', undefined],
        ['/q?host=127.0.0.1%0Acat+/etc/x', undefined],
        ['/q?host=x%0Awget+-q+http://127.0.0.1/a', undefined],
        ['/actuator', undefined],
        ['/actuator/env', undefined],
      ],
      ['scanner-probe'],
    );
    assertKinds(
      [
        ['/search?q=or+2+more', '{"q"=>"or 2 more"}'],
        ['/search?q=5%27+or+6%27+tall', undefined],
        ['/c', `{"comment"=>{"body"=>"I'm 5' or 6' tall"}}`],
        ['/c', '{"comment"=>{"body"=>"We ran 5 and 5 = 10 tests"}}'],
        ['/products?q=drop+table+lamp', '{"q"=>"Drop Table Set"}'],
        ['/products/actuators', undefined],
        ['/c', '{"comment"=>{"body"=>"Name\\nid"}}'],
        ['/c', `{"comment"=>{"body"=>"Pass '--' to stop options"}}`],
        ['/items?ref=OR5xK2', '{"ref"=>"OR5xK2", "token"=>"or0QpZ=="}'],
      ],
      [],
    );
  });

  it('finds UNION SELECT split by line comments, as sqlmap writes it with a tamper script', () => {
    assertKinds(
      [
        ['/items?id=1+union--%0Aselect+1,2--', undefined],
        ['/items?id=1%23ngNv%0AUNION%23nVNa%0ASELECT%23lujY%0A1,2', undefined],
        ['/items?id=1+AND%23ngNv%0A9227=9227', undefined],
      ],
      ['sql-injection'],
    );
    assertKinds([['/c?body=the+union+--+ours%0Aselect+1,2+from+Leeds', undefined]], []);
  });

  it("finds the repository's .git folder and the git files scanners fetch, not .github", () => {
    assertKinds(
      [
        ['/.git', undefined],
        ['/.git/', undefined],
        ['/.git/config', undefined],
        ['/.GIT/HEAD', undefined],
        ['/.git?x=1', undefined],
        ['/app/.git/index', undefined],
        ['/.gitignore', undefined],
        ['/.gitlab-ci.yml', undefined],
        ['/.git-credentials', undefined],
        ['/.gitconfig', undefined],
        ['/.gitmodules', undefined],
        ['/.gitattributes', undefined],
        ['/.git.zip', undefined],
      ],
      ['scanner-probe'],
    );
    assertKinds(
      [
        ['/.github', undefined],
        ['/.github/', undefined],
        ['/.github/funding.yml', undefined],
        ['/.github/ISSUE_TEMPLATE/bug.md', undefined],
      ],
      [],
    );
  });
});

describe("attack shapes seen in scanners' traffic that the first patterns missed", () => {
  it('finds SQL keywords split by empty comments: UN/**/ION/**/SEL/**/ECT', () => {
    assertKinds(
      [
        ['/items?id=-1+UN/**/ION/**/SEL/**/ECT+1,2--', undefined],
        ['/items', '{"id"=>"1 uni/**/on sel/**/ect password from users"}'],
        // Already found, kept so: comments between the words, MySQL's version comments.
        ['/items?id=-1+UNION/**/SELECT/**/1,2', undefined],
        ['/items?id=-1/*!50000UNION*//*!50000SELECT*/1,2', undefined],
      ],
      ['sql-injection'],
    );
    assertKinds([['/c', '{"comment"=>{"body"=>"reun/**/ion select one of us"}}']], []);
  });

  it("reads IIS's %u escapes: %u0027 as a quote, %u002e%u002e%u2215 as ../", () => {
    assertKinds(
      [
        ['/login?user=admin%u0027--', undefined],
        ['/items?id=1%u0027+or+%u00271%u0027=%u00271', undefined],
        ['/login?user=admin%25u0027--', undefined],
      ],
      ['sql-injection'],
    );
    assertKinds(
      [
        ['/files?f=%u002e%u002e%u2215%u002e%u002e%u2215etc%u2215hosts', undefined],
        ['/files?f=%u002e%u002e%u2216%u002e%u002e%u2216boot.ini', undefined],
        ['/files/%u002e%u002e%u2215app.yml', undefined],
      ],
      ['path-traversal'],
    );
    assertKinds(
      [
        ['/search?q=%u00e9t%u00e9', undefined],
        ['/c', '{"comment"=>{"body"=>"Pay 1∕2 now, 1∕2 later"}}'],
      ],
      [],
    );
  });

  it('finds Jinja and Spring EL template probes: {{config}}, {{self.__init__}}, ${T(', () => {
    assertKinds(
      [
        ['/q?x={{config}}', undefined],
        ['/q?x=%7B%7Bconfig.items()%7D%7D', undefined],
        ['/q?x={{self.__init__}}', undefined],
        ['/c', `{"b"=>"{{''.__class__.__mro__[1].__subclasses__()}}"}`],
        ['/c', '{"name"=>"ann{{request.application.__globals__}}"}'],
        ['/q?x=${T(java.lang.Runtime)}', undefined],
        ['/c', `{"b"=>"\${T(java.lang.Runtime).getRuntime().exec('id')}"}`],
        ['/q?x=*%7BT(java.lang.System).getenv()%7D', undefined],
        // Already found, kept so.
        ["/q?x={{7*'7'}}", undefined],
        ['/q?x=%23%7B7*7%7D', undefined],
      ],
      ['scanner-probe'],
    );
    // Template syntax written about between blanks is prose, as {{7*7}} is: a markdown comment
    // on templates, an empty {{ }}, a variable of a template the app lets users edit.
    assertKinds(
      [
        ['/c', '{"comment"=>{"body"=>"Use {{ }} for variables, and {{config}} in Jinja"}}'],
        ['/c', '{"comment"=>{"body"=>"In Flask, {{ self.__init__ }} is a known probe"}}'],
        ['/c', '{"comment"=>{"body"=>"Jinja shows the settings with {{config}}"}}'],
        ['/c', '{"comment"=>{"body"=>"{{ }}"}}'],
        ['/pages', '{"page"=>{"template"=>"<h1>{{ page.title }}</h1>"}}'],
        ['/pages', '{"page"=>{"template"=>"{{config_name}}"}}'],
        ['/c', '{"comment"=>{"body"=>"JS: `${t(key)}` and ${total}"}}'],
      ],
      [],
    );
  });

  it('finds blind SQL injection: CASE WHEN ... THEN, AND 1=(SELECT ...), pg_sleep(', () => {
    assertKinds(
      [
        ['/items?id=1+AND+(CASE+WHEN+(1=1)+THEN+1+ELSE+0+END)=1', undefined],
        ['/items?id=1+AND+CASE+WHEN+1=1+THEN+1+ELSE+0+END', undefined],
        ['/items?sort=(CASE+WHEN+(SELECT+1)=1+THEN+name+ELSE+id+END)', undefined],
        ['/items', '{"sort"=>"CASE WHEN ascii(substr(version(),1,1))>64 THEN id END"}'],
        ['/items?id=1+AND+1=(SELECT+1+FROM+users)', undefined],
        ["/items?id=1'+AND+1=(SELECT+COUNT(*)+FROM+users)--", undefined],
        ['/items?id=1+AND+(SELECT+COUNT(*)+FROM+users)>0', undefined],
        // Already found, kept so.
        ['/items?id=1;SELECT+pg_sleep(5)--', undefined],
        ["/items?id=1'+AND+(SELECT+1+FROM+pg_sleep(5))--", undefined],
      ],
      ['sql-injection'],
    );
    // "case when" and "and (select" are English: no comparison in the condition, no SQL
    // before it.
    assertKinds(
      [
        ['/c', '{"comment"=>{"body"=>"In case when the user leaves, then else, the end"}}'],
        ['/c', '{"comment"=>{"body"=>"case when the user logs out then log in again"}}'],
        ['/search?q=case+when+then+else+end', undefined],
        ['/c', '{"comment"=>{"body"=>"Pick a size and (select one) colour"}}'],
        ['/c', '{"comment"=>{"body"=>"and case when it rains, then stay in"}}'],
      ],
      [],
    );
  });

  it('reads the head and the tail of a long value: padding before an attack hides nothing', () => {
    const pad = 'A'.repeat(12 * 1024);
    assertKinds(
      [
        [`/items?pad=${pad}&id=1'+or+'1'='1`, undefined],
        ['/items', `{"pad"=>"${pad}", "id"=>"1' or '1'='1"}`],
      ],
      ['sql-injection'],
    );
    // A long query string is no attack by itself: a DataTables search sends 17 KB of columns.
    const columns = Array.from({ length: 600 }, (_, i) => `columns[${i}][data]=name${i}`);
    assertKinds([[`/items?${columns.join('&')}`, undefined]], []);
  });
});

describe('failed logins from a Rails 7 production log, counted by hand', () => {
  it("a JSON sign-in's 200 is a success; the HTML form rendered again is a failure", async () => {
    const at = (s: number): string => `2026-12-04T10:00:${String(s).padStart(2, '0')}.000000`;
    const request = (
      s: number,
      id: string,
      ip: string,
      target: string,
      action: string,
      format: string,
      completed: string,
    ): string[] => [
      `I, [${at(s)} #7]  INFO -- : [${id}] Started POST "${target}" for ${ip} at ` +
        `2026-12-04 10:00:${String(s).padStart(2, '0')} +0000`,
      `I, [${at(s)} #7]  INFO -- : [${id}] Processing by ${action} as ${format}`,
      `I, [${at(s)} #7]  INFO -- : [${id}]   Parameters: {"user" => {"email" => "[FILTERED]", ` +
        `"password" => "[FILTERED]"}}`,
      `I, [${at(s)} #7]  INFO -- : [${id}] Completed ${completed} in 12ms (ActiveRecord: 1.0ms)`,
    ];
    await inFolder(async (folder) => {
      const lines = [
        // An API's sign-ins: 200 with a token (2), and a wrong password (401).
        ...request(
          1,
          'a1',
          '192.0.2.1',
          '/api/v1/sessions',
          'Api::V1::SessionsController#create',
          'JSON',
          '200 OK',
        ),
        ...request(
          2,
          'a2',
          '192.0.2.2',
          '/api/v1/sessions',
          'Api::V1::SessionsController#create',
          'JSON',
          '200 OK',
        ),
        ...request(
          3,
          'a3',
          '192.0.2.3',
          '/api/v1/sessions',
          'Api::V1::SessionsController#create',
          'JSON',
          '401 Unauthorized',
        ),
        // Devise's form rendered again (200 HTML, 422 TURBO_STREAM): failures.
        ...request(
          4,
          'h1',
          '192.0.2.4',
          '/users/sign_in',
          'Devise::SessionsController#create',
          'HTML',
          '200 OK',
        ),
        ...request(
          5,
          'h2',
          '192.0.2.4',
          '/users/sign_in',
          'Devise::SessionsController#create',
          'TURBO_STREAM',
          '422 Unprocessable Entity',
        ),
        '',
      ];
      const file = await writeLog(folder, lines.join('\n'));
      for (const parallel of [false, { ranges: 2, inProcess: true }] as const) {
        const s = await summarizeFixture(file, { parallel });
        assert.equal(s.requests.total, 5);
        assert.equal(s.failedLogins.total, 3);
        assert.deepEqual(s.failedLogins.byIp, [
          { ip: '192.0.2.4', count: 2 },
          { ip: '192.0.2.3', count: 1 },
        ]);
      }
    });
  });
  it("lograge's format field tells an API's sign-in from the form rendered again", async () => {
    const line = (s: number, ip: string, format: string, status: number): string =>
      JSON.stringify({
        method: 'POST',
        path: '/users/sign_in',
        format,
        controller: 'Users::SessionsController',
        action: 'create',
        status,
        duration: 30.5,
        remote_ip: ip,
        request_id: `r${s}`,
        '@timestamp': `2026-12-04T10:00:0${s}.000Z`,
      });
    await inFolder(async (folder) => {
      const lines = [
        line(1, '192.0.2.1', 'json', 200), // a token: signed in
        line(2, '192.0.2.2', 'json', 401),
        line(3, '192.0.2.3', 'html', 200), // the form again
        line(4, '192.0.2.3', 'turbo_stream', 422),
        '',
      ];
      const file = await writeLog(folder, lines.join('\n'));
      const s = await summarizeFixture(file);
      assert.equal(s.requests.total, 4);
      assert.deepEqual(s.failedLogins.byIp, [
        { ip: '192.0.2.3', count: 2 },
        { ip: '192.0.2.2', count: 1 },
      ]);
    });
  });
});

describe('suspicious requests from a Rails 7 production log, counted by hand', () => {
  /** A tagged request of Rails 7's Logger::Formatter at 10:00:SS on 2026-12-04. */
  function request(s: number, ip: string, target: string, params: string, status: string) {
    const id = `00000000-0000-4000-8000-${String(s).padStart(12, '0')}`;
    const at = `2026-12-04T10:00:${String(s).padStart(2, '0')}.000000`;
    const line = (body: string): string => `I, [${at} #9]  INFO -- : [${id}] ${body}`;
    return [
      line(`Started POST "${target}" for ${ip} at 2026-12-04 10:00:${s} +0000`),
      line('Processing by CommentsController#create as HTML'),
      line(`  Parameters: ${params}`),
      line(`Completed ${status} in 9ms (ActiveRecord: 1.0ms | Allocations: 800)`),
    ];
  }

  it('counts a request once however many parameters and kinds match', async () => {
    const long = 'a'.repeat(425);
    await inFolder(async (folder) => {
      const lines = [
        // SQL injection in three parameters and XSS in a fourth: one request, two kinds.
        ...request(
          11,
          '192.0.2.50',
          '/comments',
          '{"comment" => {"body" => "\' UNION SELECT 1--", "title" => "1 OR 1=1", ' +
            '"x" => "pg_sleep(5)", "tag" => "<script>alert(1)</script>"}}',
          '302 Found',
        ),
        // SQL injection in the query string: the example is the path alone.
        ...request(
          12,
          '192.0.2.50',
          '/comments?id=1%27%20OR%201%3D1--',
          '{"id"=>"1\' OR 1=1--"}',
          '422 Unprocessable Entity',
        ),
        // XSS in a body, with a token logged in the clear that the example's cut runs into.
        ...request(
          13,
          '192.0.2.51',
          '/comments',
          `{"comment"=>{"body"=>"<img src=x onerror=alert(1)> ${long}", ` +
            '"reset_token"=>"s3cr3t-s3cr3t-s3cr3t-s3cr3t"}}',
          '200 OK',
        ),
        // Ordinary traffic between them.
        ...request(
          14,
          '192.0.2.52',
          '/comments',
          '{"comment"=>{"body"=>"O\'Neil said: select the union rep"}}',
          '302 Found',
        ),
        '',
      ];
      const file = await writeLog(folder, lines.join('\n'));
      const s = await summarizeFixture(file);
      assert.equal(s.requests.total, 4);
      assert.deepEqual(s.suspiciousRequests, {
        total: 3,
        ips: 2,
        byIp: [
          { ip: '192.0.2.50', count: 2 },
          { ip: '192.0.2.51', count: 1 },
        ],
      });
      assert.deepEqual(
        s.suspicious.map((r) => [r.ip, r.kind, r.count, r.line]),
        [
          ['192.0.2.50', 'sql-injection', 2, 1],
          ['192.0.2.50', 'xss', 1, 1],
          ['192.0.2.51', 'xss', 1, 9],
        ],
      );
      const [sqli, xss, cut] = s.suspicious;
      // The attack was in the parameters: the example shows them after the path.
      assert.match(sqli.path, /^\/comments \{"comment" => \{"body" => "' UNION SELECT 1--"/);
      assert.match(xss.path, /<script>alert\(1\)<\/script>/);
      // Cut to 500 characters in the middle, the token hidden before the cut.
      const params =
        `{"comment"=>{"body"=>"<img src=x onerror=alert(1)> ${long}", ` +
        '"reset_token"=>"[FILTERED]"}}';
      assert.equal(cut.path, `/comments ${params.slice(0, 248)} … ${params.slice(-249)}`);
      assert.doesNotMatch(cut.path, /s3cr3t|s3c/);

      const report = await runCheck('logs.suspiciousRequests', folder);
      assert.match(
        report.summary,
        /^3 suspicious requests from 2 IPs \(2× sql-injection, 2× xss\)/,
      );
      assert.deepEqual(report.values, { suspicious: 3, ips: 2, bursts: 0 });
      assert.match(formatSummaryText(s), /^Suspicious requests {2}3 from 2 IPs$/m);
    });
  });

  it('finds an attack after a padded parameter, past the 4 KB the parser kept', async () => {
    const attack = '"email"=>"admin\' or \'1\'=\'1"';
    await inFolder(async (folder) => {
      const lines = [
        // 6 KB of padding: the fast lane keeps it whole. 20 KB: LineParser keeps head and tail.
        ...request(
          21,
          '192.0.2.60',
          '/users',
          `{"bio"=>"${'x'.repeat(6000)}", ${attack}}`,
          '200 OK',
        ),
        ...request(
          22,
          '192.0.2.61',
          '/users',
          `{"bio"=>"${'x'.repeat(20000)}", ${attack}}`,
          '200 OK',
        ),
        // The same padding with nothing after it.
        ...request(23, '192.0.2.62', '/users', `{"bio"=>"${'x'.repeat(20000)}"}`, '200 OK'),
        '',
      ];
      const file = await writeLog(folder, lines.join('\n'));
      for (const parallel of [false, { ranges: 2, inProcess: true }] as const) {
        const s = await summarizeFixture(file, { parallel });
        assert.equal(s.requests.total, 3);
        assert.deepEqual(
          s.suspicious.map((r) => [r.ip, r.kind]),
          [
            ['192.0.2.60', 'sql-injection'],
            ['192.0.2.61', 'sql-injection'],
          ],
        );
      }
    });
  });

  it('finds an attack at the end of a padded path over 16 KB, with its time', async () => {
    await inFolder(async (folder) => {
      const padded = `/search?q=${'a'.repeat(20_000)}%27%20OR%201=1--`;
      const lines = [...request(24, '192.0.2.63', padded, '{}', '200 OK'), ''];
      const file = await writeLog(folder, lines.join('\n'));
      for (const parallel of [false, { ranges: 2, inProcess: true }] as const) {
        const s = await summarizeFixture(file, { parallel });
        assert.equal(s.requests.total, 1);
        assert.deepEqual(
          s.suspicious.map((r) => [r.ip, r.kind]),
          [['192.0.2.63', 'sql-injection']],
        );
        assert.deepEqual(s.warnings, []);
      }
    });
  });

  it('shows the head and tail of a padded example: the attack after the padding', async () => {
    await inFolder(async (folder) => {
      const attack = '"name"=>"admin\' or \'1\'=\'1"';
      const lines = [
        ...request(
          25,
          '192.0.2.64',
          `/search?q=${'a'.repeat(3_000)}%27%20OR%201=1--`,
          '{}',
          '200 OK',
        ),
        ...request(
          26,
          '192.0.2.65',
          '/users',
          `{"bio"=>"${'x'.repeat(20_000)}", ${attack}}`,
          '200 OK',
        ),
        '',
      ];
      const s = await summarizeFixture(await writeLog(folder, lines.join('\n')));
      const shown = s.suspicious.map((row) => row.path);
      assert.equal(shown.length, 2);
      // 500 characters of a path, and of the parameters after it.
      assert.equal(shown[0].length, 500);
      assert.equal(shown[1].length, '/users '.length + 500);
      assert.match(shown[0], /^\/search\?q=a+ … a+%27%20OR%201=1--$/);
      assert.match(shown[1], /^\/users \{"bio"=>"x+ … , "name"=>"admin' or '1'='1"\}$/);
    });
  });

  it('shows no part of a secret whose name the parser cut out of a long value', async () => {
    await inFolder(async (folder) => {
      // The parser keeps 8 KB of a path's tail and 4 KB of a Parameters line's: both start
      // inside the token, whose name is in the part left out.
      const path = `/x?pad=${'a'.repeat(20_000)}&api_token=${'T'.repeat(9_000)}&q=%27%20OR%201=1--`;
      const params =
        `{"bio"=>"${'x'.repeat(20_000)}", "api_token"=>"${'S'.repeat(6_000)}", ` +
        `"q"=>"' or '1'='1"}`;
      // Or start inside its name, where a ; in its value or an array looks like the next name.
      const pathTail = (secret: string): string =>
        `ken=${'T'.repeat(100)};${secret}&q=%27%20OR%201=1--`;
      const cutPath =
        `/x?pad=${'a'.repeat(20_000)}&api_to` + pathTail('S'.repeat(8192 - pathTail('').length));
      const paramsTail = (secret: string): string =>
        `oken"=>["${secret}", "${'R'.repeat(50)}"], "q"=>"' or '1'='1"}`;
      const cutParams =
        `{"bio"=>"${'x'.repeat(20_000)}", "api_t` +
        paramsTail('S'.repeat(4096 - paramsTail('').length));
      const lines = [
        ...request(27, '192.0.2.66', path, '{}', '200 OK'),
        ...request(28, '192.0.2.67', '/users', params, '200 OK'),
        ...request(35, '192.0.2.74', cutPath, '{}', '200 OK'),
        ...request(36, '192.0.2.75', '/users', cutParams, '200 OK'),
        '',
      ];
      const s = await summarizeFixture(await writeLog(folder, lines.join('\n')));
      const shown = s.suspicious.map((row) => row.path);
      assert.equal(shown.length, 4, JSON.stringify(shown));
      for (const [i, example] of shown.entries()) {
        const expected =
          i % 2 === 0
            ? /^\/x\?pad=a+ … &q=%27%20OR%201=1--$/
            : /^\/users \{"bio"=>"x+ … , "q"=>"' or '1'='1"\}$/;
        assert.match(example, expected);
      }
      assert.doesNotMatch(shown.join('\n'), /TTT|SSS|RRR/);
    });
  });

  it('hides a secret the parser cut in its value, when no quote follows the cut', async () => {
    await inFolder(async (folder) => {
      // The kept 4 KB tail is a list of numbers: no quote closes the token's value after the cut.
      const params =
        `{"q"=>"' or '1'='1", "api_token"=>"${'S'.repeat(6_000)}", ` +
        `"ids"=>[${'1, '.repeat(2_000)}1]}`;
      const lines = [...request(29, '192.0.2.68', '/users', params, '200 OK'), ''];
      const s = await summarizeFixture(await writeLog(folder, lines.join('\n')));
      const shown = s.suspicious.map((row) => row.path);
      assert.equal(shown.length, 1, JSON.stringify(shown));
      assert.match(shown[0], /^\/users \{"q"=>"' or '1'='1", "api_token"=>"\[FILTERED\]"/);
      assert.doesNotMatch(shown[0], /SSS/);
    });
  });

  it('hides all of a secret with a ; or a " in it, or an array or a hash', async () => {
    await inFolder(async (folder) => {
      const attack = '"q"=>"\' or \'1\'=\'1"';
      const lines = [
        ...request(33, '192.0.2.72', '/s?token=S3c;ret"x&q=%27%20OR%201=1--', '{}', '200 OK'),
        ...request(
          34,
          '192.0.2.73',
          '/users?password[]=S3cret&token[a]=S3cret',
          `{"password"=>["S3cret"], "user"=>{"token"=>{"a"=>"S3cret"}, "name"=>"Ann"}, ${attack}}`,
          '200 OK',
        ),
        '',
      ];
      const s = await summarizeFixture(await writeLog(folder, lines.join('\n')));
      assert.deepEqual(
        s.suspicious.map((row) => row.path),
        [
          '/s?token=[FILTERED]&q=%27%20OR%201=1--',
          '/users?password[]=[FILTERED]&token[a]=[FILTERED] {"password"=>"[FILTERED]", ' +
            `"user"=>{"token"=>"[FILTERED]", "name"=>"Ann"}, ${attack}}`,
        ],
      );
    });
  });

  it('cuts an example between characters, never inside an emoji', async () => {
    await inFolder(async (folder) => {
      const emoji = '\u{1F600}';
      // Each cut (248 characters of the head, 249 of the tail) falls inside an emoji.
      const head = `/search?q=${'a'.repeat(237)}${emoji}${'b'.repeat(300)}%27%20OR%201=1--`;
      const tail = `/search?q=%27%20OR%201=1--${'b'.repeat(300)}${emoji}${'a'.repeat(248)}`;
      // Past the parser's cut of a path over 16 KB, the tail from the next name on.
      const long = `/x?q=%27%20OR%201=1--${'a'.repeat(20_000)}&b=${emoji}${'c'.repeat(248)}`;
      const lines = [
        ...request(30, '192.0.2.69', head, '{}', '200 OK'),
        ...request(31, '192.0.2.70', tail, '{}', '200 OK'),
        ...request(32, '192.0.2.71', long, '{}', '200 OK'),
        '',
      ];
      const s = await summarizeFixture(await writeLog(folder, lines.join('\n')));
      const shown = s.suspicious.map((row) => row.path);
      assert.equal(shown.length, 3, JSON.stringify(shown));
      for (const path of shown) {
        assert.ok(path.length <= 500, `${path.length} characters`);
        assert.doesNotMatch(path, LONE_SURROGATE);
      }
    });
  });
});

describe('credential stuffing from many addresses, counted by hand', () => {
  it('names how many IPs tried, past the 50 rows byIp lists', async () => {
    await inFolder(async (folder) => {
      // 60 addresses, one wrong password each, a second apart: no burst, no address over 1.
      const lines: string[] = [];
      for (let i = 0; i < 60; i++) {
        const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
        const at =
          `2026-12-04T10:${String(Math.floor(i / 60)).padStart(2, '0')}:` +
          `${String(i % 60).padStart(2, '0')}`;
        const line = (body: string): string => `I, [${at}.000000 #9]  INFO -- : [${id}] ${body}`;
        lines.push(
          line(
            `Started POST "/users/sign_in" for 198.18.0.${i + 1} at ${at.replace('T', ' ')} +0000`,
          ),
          line('Processing by Devise::SessionsController#create as HTML'),
          line('  Parameters: {"user"=>{"email"=>"[FILTERED]", "password"=>"[FILTERED]"}}'),
          line('Completed 401 Unauthorized in 80ms (ActiveRecord: 2.0ms | Allocations: 900)'),
        );
      }
      const file = await writeLog(folder, lines.join('\n') + '\n');
      const s = await summarizeFixture(file);
      assert.equal(s.failedLogins.total, 60);
      assert.equal(s.failedLogins.ips, 60);
      assert.equal(s.failedLogins.byIp.length, 50);
      assert.deepEqual(s.bursts, []);
      assert.match(formatSummaryText(s), /^Failed logins {2}60 from 60 IPs$/m);

      const report = await runCheck('logs.failedLogins', folder);
      assert.equal(report.outcome, 'warn');
      assert.match(report.summary, /^60 failed logins in the last 24 hours from 60 IPs; most 1 /);
      assert.deepEqual(report.values, { failedLogins: 60, ips: 60 });
    });
  });
});

describe('bursts are of one address', () => {
  it('a log without client addresses has no burst of "unknown"', async () => {
    await inFolder(async (folder) => {
      // lograge's default fields name no address: 12 expired tokens of many clients in 12 s.
      const lines = [];
      for (let i = 10; i < 22; i++) {
        lines.push(
          `time=2026-12-04T10:00:${i}Z method=GET path=/api/v1/me format=json ` +
            'controller=Api::V1::MeController action=show status=401 duration=2.00 view=0.00 ' +
            'db=0.00',
        );
      }
      // The same with an address: one client, a burst.
      for (let i = 30; i < 42; i++) {
        lines.push(
          `time=2026-12-04T10:00:${i}Z method=GET path=/api/v1/me format=json ` +
            'controller=Api::V1::MeController action=show status=401 duration=2.00 view=0.00 ' +
            'db=0.00 remote_ip=192.0.2.44',
        );
      }
      const file = await writeLog(folder, lines.join('\n') + '\n');
      const s = await summarizeFixture(file);
      assert.equal(s.requests.total, 24);
      assert.deepEqual(
        s.bursts.map((b) => [b.ip, b.count]),
        [['192.0.2.44', 12]],
      );
    });
  });
});

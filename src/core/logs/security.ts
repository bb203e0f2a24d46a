/**
 * Recognises requests that look like attacks: SQL injection, cross-site scripting, path
 * traversal and scanner probes (paths no Rails app serves, code sent for a server to run).
 * Regular expressions without unbounded nested quantifiers on a percent-decoded copy (and its
 * Unicode-normalized form), so the cost stays linear whatever the attacker sends.
 */

export type SuspiciousKind = 'sql-injection' | 'xss' | 'path-traversal' | 'scanner-probe';

/**
 * Looked at of a path, a query string or the parameters: this much of the head and as much of
 * the tail, so padding before or after an attack hides nothing, and the time stays bounded.
 * Whole up to 16 KB, more than Puma and Unicorn accept in a request line (12 KB).
 */
const INSPECT_HEAD = 8 * 1024;
const INSPECT_TAIL = 8 * 1024;

/** One case-insensitive alternation of the given patterns. */
function anyOf(...patterns: string[]): RegExp {
  return new RegExp(patterns.join('|'), 'i');
}

/** ALL or DISTINCT maybe, then SELECT: spaced by blanks, `+` or `(` (`union(select`). */
const THEN_SELECT = String.raw`(?:[\s+(]+(?:all|distinct))?[\s+(]+select\b`;
/** A column or table name, maybe qualified (`users.password`). */
const NAME = String.raw`[a-z_][\w.]{0,40}`;
/** Where a value ends: the end of the text, a comment, or a quote, bracket or separator. */
const VALUE_END = String.raw`(?:$|--|#|[;)"'&{}\0])`;
/** What an injected OR's number is for: a comparison or a comment (`1=1`, `1--`), not "6' tall". */
const COMPARED = String.raw`\s*(?:[=<>#)]|--|like\b)`;
/**
 * What a query selects: numbers or NULL (`1,2,3`, `null--`), `*`, `@@version`, a string, a
 * call (`version()`), columns FROM a table (`username, password from`). "12 members",
 * "committee (Leeds)" and "Union Select Series from Acme", one name, are prose: one column
 * after a value is found without this (`1 union select password from users`).
 */
const SELECTED =
  String.raw`[\s+(]*(?:\d{1,20}\s*(?:,|from\b|${VALUE_END})|null\b|\*|@@|'|` +
  String.raw`(?:${NAME}\s*,\s*){0,8}${NAME}\(|` +
  String.raw`(?:${NAME}\s*,\s*){1,8}${NAME}(?:\s+from\b|\s*--))`;
/**
 * UNION as a word, not after a word of prose: "the union select committee from Leeds", "our
 * union select delegates, members from" are English; an injected UNION ends the value before
 * it, or starts it (`x union select`: one letter other than "a" is a value too).
 */
const UNION_NOT_PROSE = String.raw`union(?<![a-z]union|(?:[a-z]{2}|\ba)[\s+]{1,20}union)`;

// A few case-insensitive alternations per kind: each is linear in the text (no nested
// unbounded quantifiers), and one pass is much cheaper than lower-casing and testing 40
// substrings. Each alternative starts with a word or a rare character, and what must come
// before it is a lookbehind after that start: a regular expression whose alternatives may
// start at any digit or quote tries them at every character, several times slower.
// SQL comments (`/**/`, MySQL's `/*!50000`) are read as spaces before these are tried.
const SQL_INJECTION = anyOf(
  // UNION SELECT after a value ends (`1 union select`, `') union select`, `false union`), or
  // before what a query selects. "The union select committee meets" is prose.
  String.raw`union(?<=(?:[\d')]|\b(?:null|true|false))[\s+]{0,20}union)${THEN_SELECT}`,
  `${UNION_NOT_PROSE}${THEN_SELECT}${SELECTED}`,
  // `" or 1=1`, and `1\" OR \"1\"=\"1` as Rails logs it; not "or 2 more", a value's start.
  String.raw`or(?<="\s{0,20}or)\s*\\?"?\d{1,10}\\?"?${COMPARED}`,
  String.raw`\bor\s*\(?\s*1\s*=\s*1`,
  // `1 OR true`, `' OR true--`, `1) AND false#`: a boolean probe, ending the value.
  String.raw`(?:or|and)(?<=[\d')]\s{0,20}(?:or|and))\s+(?:not\s+)?(?:true|false)\s*${VALUE_END}`,
  // sqlmap's boolean probes: `1 AND 5678=5678` (one number twice; "5 and 5 = 10" is prose),
  // `1) ORDER BY 1-- -`, and its error-based ones: `AND 1234=CAST((CHR(113)||...) AS NUMERIC)`.
  String.raw`\band\s+(?<same>\d{1,10})\s*=\s*\k<same>(?!\d)`,
  String.raw`\b(?:and|or)\s+\d{1,10}\s*=\s*(?:(?:cast|convert)\s*\(|\(\s*select\b)`,
  // A subquery as a condition: `AND (SELECT COUNT(*) FROM users)>0`; "and (select one)" is prose.
  String.raw`\b(?:and|or)\s*\(\s*select\s+` +
    String.raw`(?:\d{1,10}\s*(?:from\b|[*,)=])|\*|(?:count|ascii|substr\w{0,6}|length|char)\s*\()`,
  // A condition that branches, as blind injection asks one bit at a time: `AND (CASE WHEN
  // (1=1) THEN 1 ELSE 0 END)`, after SQL or where a value starts, and comparing or calling in
  // the condition. "In case when the user leaves, then" is prose. Found from its WHEN: fewer
  // places in ordinary text start a try at a "w" than at a "c".
  String.raw`when(?<=(?:[(=,"]|\b(?:and|or|select|by))[\s+]{0,20}case[\s+]{1,20}when)\b` +
    String.raw`[^;=<>(]{0,100}[=<>(][^;]{0,100}?\bthen\b`,
  String.raw`\border\s+by\s+\d+\s*(?:--|#)`,
  // Time delays as sqlmap writes them; "sleep (8 hours)" and "benchmark (below)" are prose.
  String.raw`\bsleep\(\s*\d+(?:\.\d+)?\s*\)`,
  'pg_sleep',
  String.raw`benchmark\(\s*\d`,
  String.raw`waitfor\s+delay`,
  String.raw`dbms_pipe\.`,
  String.raw`randomblob\(`,
  'information_schema',
  'pg_catalog',
  // A statement after a separator: `1; DROP TABLE users`; "Drop Table Set" is a product.
  String.raw`drop(?<=;\s{0,20}drop)\s+table\b`,
  'xp_cmdshell',
  String.raw`extractvalue\s*\(`,
  String.raw`updatexml\s*\(`,
  '@@version',
);
// UNION SELECT run together, as `UN/**/ION/**/SEL/**/ECT` is without its comments: tried on
// that text only. No word of prose has it ("reunion select" keeps its blank).
const GLUED_UNION_SELECT = /(?<![a-z])union(?:all|distinct)?select(?![a-z])/i;
/** Injections that close a quoted string: tried only on text with a `'`. */
const QUOTED_SQL_INJECTION = anyOf(
  // `' or 1=1--`, `' or '1'='1`, `admin' or 1#`; not "5' or 6' tall".
  String.raw`'\s*or\s*'?\d{1,10}'?${COMPARED}`,
  // `admin' or 'a'='a`, `x' OR ''='`, `1' AND 'abc'='abc`, `1'||'1'='1`: a quoted comparison.
  String.raw`'\s*(?:or|and|\|\|)\s*'[^']{0,20}'\s*=\s*'`,
  // The rest of the query commented out: `admin'--`, `admin' #`. Not "'no'--and", a dash,
  // nor "'--'", a quoted option.
  String.raw`'--(?![a-z'])`,
  String.raw`'\s*#\s*(?:$|[&"{}\0])`,
  // A quote ending a string and a statement after it: `'; DROP TABLE`, not `'no'; then`.
  String.raw`'\s*;\s*(?:drop|select|insert|update|delete|shutdown|exec|declare|create|alter)\b`,
);
/**
 * The rest of the query in a block comment, `admin'/*` as `admin' #`: tried before comments
 * become spaces, on text with both. Not "'/*'", a quoted glob, nor "'docs'/*.md".
 */
const QUOTE_COMMENT = /'\s*\/\*(?:\*\/)?\s*(?:$|[&"{}\0])/;
/** Tabs and line breaks, raw or as Rails logs them (`\t`), that a browser drops in a URL. */
const URL_BLANKS = String.raw`(?:[\t\n\r]|\\[tnr]){0,4}`;
/** `javascript:` or `vbscript:` as it ends (`t:`), to look behind from there. */
const SCRIPT_SCHEME = String.raw`(?:${[...'javascrip'].join(URL_BLANKS)}|vbscrip)${URL_BLANKS}t`;
const XSS = anyOf(
  '<script',
  String.raw`<\/script`,
  // A URL that runs script, `java%09script:` too. "JavaScript: the good parts" is prose: no
  // code follows the colon. Found from the `t:` it ends with, then read backwards.
  String.raw`t${URL_BLANKS}:(?<=${SCRIPT_SCHEME}${URL_BLANKS}:)[^\s"]`,
  String.raw`data:(?:text\/(?:html|xml|javascript)|image\/svg[+ ]xml|` +
    String.raw`application\/(?:xhtml[+ ]xml|(?:x-)?javascript))`,
  // An event handler in a tag (`<svg/onload=`, `<details open ontoggle=`); the usual ones
  // alone too, for a quote that closes an attribute first. A bare `<svg>` is markup.
  String.raw`<[a-z][^<>]{0,200}?[\s/"']on[a-z]{3,24}\s*=`,
  String.raw`\bon(?:error|load|mouseover|mouseenter|focus|focusin|toggle|pageshow|begin)\s*=`,
  String.raw`\bon(?:animationstart|transitionend|pointerover|click)\s*=`,
  '<iframe',
  String.raw`document\.cookie`,
  // A dialog called as a probe calls it: `alert(1)`, `alert('xss')`, alert`1`,
  // `confirm(document.domain)`. "call alert() in the docs", "the prompt (top right)" and
  // Rails's "confirm('Delete?')" are prose.
  String.raw`\balert\s{0,2}\(\s*['"]`,
  String.raw`\b(?:alert|prompt|confirm)(?:\x60|\s{0,2}\(\s*` +
    String.raw`(?:\d+\s*\)|[\x60/]|document\.|window\.|top\.|self\.|this\.))`,
  String.raw`string\.fromcharcode`,
);
/**
 * `../`, `..\\`, their overlong UTF-8 forms (`%c0%ae`, `%c0%af`), and the division slash and
 * set minus that IIS reads as `/` and `\` (`%u2215`, `%u2216`).
 */
const STEP = String.raw`(?:\.|\xc0\xae)(?:\.|\xc0\xae)(?:\/|\\|\xc0\xaf|\u2215|\u2216)`;
/**
 * Two steps up, or a system file, anywhere; one step only in the path (a browser resolves `..`
 * before sending; a `../docs` link in a comment body or a return_to is no attack).
 */
const TRAVERSAL = anyOf(
  `${STEP}${STEP}`,
  String.raw`\/etc\/passwd`,
  String.raw`\/etc\/shadow`,
  String.raw`\/proc\/self`,
  String.raw`c:\\windows`,
  String.raw`win\.ini`,
  // Tomcat reads `/..;/` as a step up that a proxy in front lets through.
  String.raw`\/\.\.;\/`,
);
const TRAVERSAL_STEP = new RegExp(STEP, 'i');

/** Where a shell command ends: the end, a separator, a quote or a bracket (not `| id |`). */
const COMMAND_END = String.raw`\s*(?:$|[;&)"'{}\0])`;

/** Probes that send code for a server to run, whatever the path. */
const INJECTION_PROBE = anyOf(
  // Log4Shell's JNDI lookups, plain or hidden in nested lookups (`${${lower:j}ndi:`).
  String.raw`\$\{(?:jndi:|j\$\{|\$\{(?:::-|(?:lower|upper|env|date|sys|base64):))`,
  // Template injection: `{{7*7}}`, `${7*7}`, `#{7*'7'}`, `*{7*7}`, `<%= 7*7 %>`. A probe is
  // sent as a word of its own: the whole value, or glued to one (`name=ann{{7*7}}`), with no
  // blank before or after it (Ruby's inspect writes `\#{`). Between blanks the same product
  // is someone writing about templates: "costs #{1 * 2} pounds", "<%= 7 * 7 %> prints 49".
  String.raw`(?:\{\{|[$#*]\{|<%)(?<!\s\\?(?:\{\{|[$#*]\{|<%))=?\s*\d{1,6}\s*\*\s*` +
    String.raw`['"]?\d{1,6}['"]?\s*(?:\}\}?|%>)(?!\s)`,
  // Jinja's objects and Python's dunders, the same way: `{{config}}`, `{{self.__init__}}`,
  // `{{''.__class__.__mro__}}`. An empty `{{ }}` or `{{ page.title }}` is a template.
  String.raw`\{\{(?<!\s\{\{)\s*(?:(?:config|self|settings|request)(?:\.items\(\))?|` +
    String.raw`[^{}\s]{0,200}?__[a-z]{2,20}__[^{}\s]{0,200}?)\s*\}\}(?!\s)`,
  // Spring's expressions calling Java: `${T(java.lang.Runtime)}`, `*{T(java.lang.System)}`.
  String.raw`[$#*]\{\s*t\s*\(\s*(?:java|javax|org\.springframework)\.`,
  // PHP's stream wrappers.
  'php://',
  // Shell commands after a separator: `;id`, `$(whoami)`, `|nslookup host`, `;wget http://`,
  // a line break (`%0aid`); Rails logs one typed in a form as `\n`, two characters.
  String.raw`(?:[;|\n]|\$\()\s*(?:id|whoami|uname(?:\s+-a)?|pwd)${COMMAND_END}`,
  String.raw`(?:[;|\n]|\$\(|&&)\s*` +
    String.raw`(?:cat\s+\/etc\/|nslookup\s|ping\s+-[cn]\s*\d|sleep\s+\d+${COMMAND_END})`,
  String.raw`(?:[;|\n]|\$\(|&&)\s*(?:wget|curl)\s+(?:-\w+\s+){0,3}(?:https?:\/\/|\d)`,
  String.raw`\$\{ifs\}`,
);

const PROBES = [
  '/wp-login',
  '/wp-admin',
  '/wp-content',
  '/wp-includes',
  '/xmlrpc.php',
  '/.env',
  '/.gitignore',
  '/.gitlab-ci.yml',
  '/.gitconfig',
  '/.gitmodules',
  '/.gitattributes',
  '/.svn/',
  '/.hg/',
  '/database.yml',
  '/secrets.yml',
  '/master.key',
  '/.aws',
  '/.ssh',
  '/.ds_store',
  '/.htaccess',
  '/phpmyadmin',
  '/pma/',
  '/cgi-bin/',
  '/vendor/phpunit',
  '/server-status',
  '/boaform',
  '/hnap1',
  '/solr/',
  '/console/',
  '/manager/html',
  '/config.json',
  '/.vscode',
  '/backup.sql',
  '/dump.sql',
  '/_ignition/',
  '/autodiscover/',
  '/owa/',
  '/web.config',
  '/.npmrc',
  '/.dockerenv',
  '/docker-compose.yml',
  '/.idea/',
  '/id_rsa',
  '/.bash_history',
  '/sftp-config.json',
  '/jmx-console',
];

/** Pages of servers a Rails app is not: PHP anywhere in the path, ASP.NET, JSP, CGI. */
const FOREIGN_PAGE = /\.php|\.(?:aspx?|axd|jspx?|cgi)$/i;

/**
 * Probes that a longer name is not: the repository's own folder (`/.git`, `/.git/config`) and
 * its archives (`/.git.zip`), not `/.github`, a public folder some apps serve (the git files
 * scanners fetch are in PROBES); Spring's `/actuator`, not a shop's `/products/actuators`.
 */
const WHOLE_PROBES = ['/.git', '/actuator'];

const escaped = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Any probe path anywhere in a path: one pass instead of one search per probe. */
const PROBE = new RegExp(
  [...PROBES.map(escaped), ...WHOLE_PROBES.map((p) => `${escaped(p)}(?![a-z])`)].join('|'),
  'i',
);

/** The head and the tail of a long text, a NUL between them that no pattern matches across. */
function inspected(text: string): string {
  if (text.length <= INSPECT_HEAD + INSPECT_TAIL) return text;
  return `${text.slice(0, INSPECT_HEAD)}\0${text.slice(-INSPECT_TAIL)}`;
}

/**
 * Decodes %-escapes (`%27`) and IIS's %u ones (`%u0027`), twice since scanners double-encode, and
 * in a query string `+` as a space; malformed escapes stay as they are.
 */
function decode(text: string, plusIsSpace: boolean): string {
  let out = inspected(text);
  if (plusIsSpace) out = out.replace(/\+/g, ' ');
  for (let round = 0; round < 2 && out.includes('%'); round++) {
    out = out.replace(/%([0-9a-fA-F]{2}|[uU][0-9a-fA-F]{4})/g, (_m, hex: string) =>
      String.fromCharCode(parseInt(hex.length === 2 ? hex : hex.slice(1), 16)),
    );
  }
  return out;
}

// SQL comments as spaces: `UNION/**/SELECT`, MySQL's `/*!50000UNION*/`.
function withoutSqlComments(text: string): string {
  return text.includes('/*') ? text.replace(/\/\*!?\d{0,6}|\*\//g, ' ') : text;
}

// Empty comments inside a word taken out, as a filter that strips them leaves the query:
// `UN/**/ION SEL/**/ECT` is UNION SELECT. Undefined when no word has one.
function withoutCommentsInWords(text: string): string | undefined {
  if (!/[a-z]\/\*\*\/[a-z]/i.test(text)) return undefined;
  return withoutSqlComments(text.replace(/\/\*\*\//g, ''));
}

/**
 * Line comments that end before a line break as spaces, as sqlmap's tamper scripts send them
 * (`UNION--%0ASELECT`, `AND#ngNv%0A1=1`); undefined when there are none. Tried besides the text
 * as it is, where `admin'--` must stay a comment.
 */
function withoutLineComments(text: string): string | undefined {
  if (!text.includes('\n')) return undefined;
  const joined = text.replace(/(?:--|#)[^\n]{0,64}\n/g, ' ');
  return joined === text ? undefined : joined;
}

/**
 * Character references as a browser reads them in an attribute (`&#106;avascript&colon;`), for
 * the XSS patterns only: a `&#39;` is no quote that ends an SQL string.
 */
const ENTITY = /&(?:#(?:x([0-9a-f]{1,6})|(\d{1,7}))|(colon|tab|newline));?/gi;
const ENTITY_START = /&(?:#|colon;|tab;|newline;)/i;
const NAMED_ENTITIES: Record<string, string> = { colon: ':', tab: '\t', newline: '\n' };

function withoutEntities(text: string): string {
  if (!text.includes('&') || !ENTITY_START.test(text)) return text;
  return text.replace(ENTITY, (whole, hex?: string, dec?: string, name?: string) => {
    if (name) return NAMED_ENTITIES[name.toLowerCase()];
    const code = hex ? parseInt(hex, 16) : Number(dec);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

/**
 * The text as a backend that normalizes Unicode reads it: fullwidth `＜script＞` and `＇` as
 * `<script>` and `'`. Bytes read one per character (a decoded %XX, a line read as latin1) are
 * read as UTF-8 first. Undefined when the text is plain ASCII.
 */
function normalizedForm(text: string): string | undefined {
  if (!/[^\x00-\x7f]/.test(text)) return undefined;
  let utf8 = text;
  if (!/[^\x00-\xff]/.test(text)) {
    const bytes = Uint8Array.from(text, (c) => c.charCodeAt(0));
    utf8 = new TextDecoder('utf-8').decode(bytes);
  }
  const normal = utf8.normalize('NFKC');
  return normal === text ? undefined : normal;
}

/**
 * A request's path and query string, decoded as Rack reads them: `+` is a space in the query
 * string and a plus in the path.
 */
function decodeTarget(target: string): { path: string; query: string } {
  const q = target.indexOf('?');
  if (q < 0) return { path: decode(target, false), query: '' };
  return { path: decode(target.slice(0, q), false), query: decode(target.slice(q + 1), true) };
}

function pathOnly(path: string): string {
  const q = path.indexOf('?');
  return (q < 0 ? path : path.slice(0, q)).toLowerCase();
}

/**
 * The kinds of attack a request's path and parameters look like; usually none. `params` is the
 * `Parameters:` hash as Rails logs it, already decoded: a `+` there is a plus.
 */
export function classifyRequest(
  path: string | undefined,
  params: string | undefined,
): SuspiciousKind[] {
  if (!path && !params) return [];
  const kinds: SuspiciousKind[] = [];
  const decoded = decodeTarget(path ?? '');
  const url = decoded.query ? `${decoded.path}?${decoded.query}` : decoded.path;
  const plain = params ? `${url} ${decode(params, false)}` : url;
  const normal = normalizedForm(plain);
  // NUL between the two: no pattern matches across it.
  const target = normal === undefined ? plain : `${plain}\0${normal}`;
  const sql = withoutSqlComments(target);
  const quoted = sql.includes("'");
  const joined = withoutLineComments(sql);
  // Only text with a comment, which the SQL form no longer has, has comments inside a word.
  const glued = sql === target ? undefined : withoutCommentsInWords(target);
  if (
    SQL_INJECTION.test(sql) ||
    (joined !== undefined && SQL_INJECTION.test(joined)) ||
    (glued !== undefined && (GLUED_UNION_SELECT.test(glued) || SQL_INJECTION.test(glued))) ||
    (quoted && QUOTED_SQL_INJECTION.test(sql)) ||
    (quoted && sql !== target && QUOTE_COMMENT.test(target))
  ) {
    kinds.push('sql-injection');
  }
  if (XSS.test(withoutEntities(target))) kinds.push('xss');
  if (TRAVERSAL.test(target) || TRAVERSAL_STEP.test(decoded.path)) kinds.push('path-traversal');
  if (INJECTION_PROBE.test(target)) {
    kinds.push('scanner-probe');
  } else if (path) {
    // Up to a `?` that was encoded (`%3F`); case-insensitive patterns, no lower-cased copy.
    const q = decoded.path.indexOf('?');
    const bare = q < 0 ? decoded.path : decoded.path.slice(0, q);
    if (PROBE.test(bare) || FOREIGN_PAGE.test(bare)) kinds.push('scanner-probe');
  }
  return kinds;
}

/** Sign-in forms a failed login sends the user back to (Rails 8's generator: /session/new). */
const SIGN_IN_PAGES = ['/session/new', '/sessions/new', '/sign_in', '/signin', '/login', '/log_in'];

/** Whether a redirect (a path, maybe with a query) goes back to a sign-in form. */
function isSignInPage(path: string | undefined): boolean {
  if (!path) return false;
  const bare = pathOnly(path).replace(/\/+$/, '');
  return SIGN_IN_PAGES.some((page) => bare.endsWith(page));
}

/** Formats whose 200 is data (an API's token), never a sign-in form rendered again. */
const DATA_FORMATS = new Set(['JSON', 'XML']);

/**
 * Whether a session create's answer says the password was wrong: 401 or 403, the form again
 * (200 or 422), or a redirect back to the sign-in form (Rails 8's authentication generator).
 * A 200 to a JSON or XML request is an API's successful sign-in.
 */
export function isFailedLoginAnswer(
  status: number | undefined,
  redirect?: string,
  format?: string,
): boolean {
  if (status === 401 || status === 403 || status === 422) return true;
  if (status === 200) return !DATA_FORMATS.has((format ?? '').toUpperCase());
  return status !== undefined && status >= 300 && status < 400 && isSignInPage(redirect);
}

/** Session create actions: where a failed login shows as 401 or a re-rendered form. */
export function isLoginAction(action: string | undefined, method?: string, path?: string): boolean {
  if (action) {
    const hash = action.indexOf('#');
    if (hash < 0 || action.slice(hash + 1) !== 'create') return false;
    const controller = action.slice(0, hash).toLowerCase();
    return (
      controller.endsWith('sessionscontroller') ||
      controller.endsWith('sessioncontroller') ||
      controller.endsWith('loginscontroller') ||
      controller.endsWith('logincontroller')
    );
  }
  if (method !== 'POST' || !path) return false;
  const bare = pathOnly(path);
  return (
    bare.endsWith('/login') ||
    bare.endsWith('/sign_in') ||
    bare.endsWith('/session') ||
    bare.endsWith('/sessions')
  );
}

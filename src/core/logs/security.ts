/**
 * Recognises requests that look like attacks: SQL injection, cross-site scripting, path
 * traversal and scanner probes. Regular expressions without nested quantifiers on a
 * percent-decoded copy (and its Unicode-normalized form), so the cost stays linear whatever
 * the attacker sends.
 */

export type SuspiciousKind = 'sql-injection' | 'xss' | 'path-traversal' | 'scanner-probe';

/** Looked at per request: enough for any real attack string, bounded for hostile ones. */
const MAX_INSPECT = 8 * 1024;

/** One case-insensitive alternation of the given patterns. */
function anyOf(...patterns: string[]): RegExp {
  return new RegExp(patterns.join('|'), 'i');
}

// One case-insensitive alternation per kind: each is linear in the text (no nested
// quantifiers), and one pass is much cheaper than lower-casing and testing 40 substrings.
// SQL comments (`/**/`, MySQL's `/*!50000`) are read as spaces before these are tried.
const SQL_INJECTION = anyOf(
  String.raw`union(?:\s|\+)+(?:(?:all|distinct)(?:\s|\+)+)?select`,
  String.raw`'\s*or\s*'?\d`,
  String.raw`"\s*or\s*"?\d`,
  String.raw`\bor\s*\(?\s*1\s*=\s*1`,
  // `admin' or 'a'='a`, `x' OR ''='`: a quoted comparison that is always true.
  String.raw`'\s*or\s*'[^']{0,20}'\s*=\s*'`,
  // sqlmap's boolean probes: `1 AND 5678=5678`, `1' AND 'abc'='abc`, `1) ORDER BY 1-- -`.
  String.raw`\band\s+\d{1,10}\s*=\s*\d{1,10}\b`,
  String.raw`'\s*and\s+'`,
  String.raw`\border\s+by\s+\d+\s*(?:--|#)`,
  `'--`,
  // A quote ending a string and a statement after it: `'; DROP TABLE`, not `'no'; then`.
  String.raw`'\s*;\s*(?:drop|select|insert|update|delete|shutdown|exec|declare|create|alter)\b`,
  String.raw`\bsleep\s*\(\s*\d`,
  'pg_sleep',
  String.raw`benchmark\s*\(`,
  String.raw`waitfor\s+delay`,
  'information_schema',
  'pg_catalog',
  String.raw`\bdrop\s+table\b`,
  'xp_cmdshell',
  String.raw`extractvalue\s*\(`,
  String.raw`updatexml\s*\(`,
  '@@version',
);
const XSS = anyOf(
  '<script',
  String.raw`<\/script`,
  'javascript:',
  // An event handler in a tag (`<svg/onload=`, `<details open ontoggle=`); the usual ones
  // alone too, for a quote that closes an attribute first. A bare `<svg>` is markup.
  String.raw`<[a-z][^<>]{0,200}?[\s/"']on[a-z]{3,24}\s*=`,
  String.raw`\bon(?:error|load|mouseover|mouseenter|focus|focusin|toggle|pageshow|begin)\s*=`,
  String.raw`\bon(?:animationstart|transitionend|pointerover|click)\s*=`,
  '<iframe',
  String.raw`document\.cookie`,
  String.raw`\balert\s*\(`,
  String.raw`\bprompt\s*\(`,
  String.raw`string\.fromcharcode`,
);
/** `../`, `..\\`, and their overlong UTF-8 forms (`%c0%ae`, `%c0%af`). */
const STEP = String.raw`(?:\.|\xc0\xae)(?:\.|\xc0\xae)(?:\/|\\|\xc0\xaf)`;
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
);
const TRAVERSAL_STEP = new RegExp(STEP, 'i');

/** Log4Shell's JNDI lookups, plain or hidden in nested lookups (`${${lower:j}ndi:`). */
const JNDI = /\$\{(?:jndi:|j\$\{|\$\{(?:::-|(?:lower|upper|env|date|sys|base64):))/i;

const PROBES = [
  '/wp-login',
  '/wp-admin',
  '/wp-content',
  '/wp-includes',
  '/xmlrpc.php',
  '/.env',
  '/.git/',
  '/.git',
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
  '/actuator',
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
];

/** Any probe path anywhere in a path: one pass instead of one search per probe. */
const PROBE = new RegExp(PROBES.map((p) => p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|'));

/**
 * Decodes %XX (twice, since scanners double-encode) and, in a query string, `+` as a space;
 * malformed escapes stay as they are.
 */
function decode(text: string, plusIsSpace: boolean): string {
  let out = text.length > MAX_INSPECT ? text.slice(0, MAX_INSPECT) : text;
  if (plusIsSpace) out = out.replace(/\+/g, ' ');
  for (let round = 0; round < 2 && out.includes('%'); round++) {
    out = out.replace(/%([0-9a-fA-F]{2})/g, (_m, hex: string) =>
      String.fromCharCode(parseInt(hex, 16)),
    );
  }
  return out;
}

// SQL comments as spaces: `UNION/**/SELECT`, MySQL's `/*!50000UNION*/`.
function withoutSqlComments(text: string): string {
  return text.includes('/*') ? text.replace(/\/\*!?\d{0,6}|\*\//g, ' ') : text;
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
  if (SQL_INJECTION.test(withoutSqlComments(target))) kinds.push('sql-injection');
  if (XSS.test(target)) kinds.push('xss');
  if (TRAVERSAL.test(target) || TRAVERSAL_STEP.test(decoded.path)) kinds.push('path-traversal');
  if (JNDI.test(target)) {
    kinds.push('scanner-probe');
  } else if (path) {
    const bare = pathOnly(decoded.path);
    if (PROBE.test(bare) || bare.endsWith('.php')) {
      kinds.push('scanner-probe');
    } else if (bare.includes('.php') || bare.endsWith('.asp') || bare.endsWith('.aspx')) {
      kinds.push('scanner-probe');
    }
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

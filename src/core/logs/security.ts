/**
 * Recognises requests that look like attacks: SQL injection, cross-site scripting, path
 * traversal and scanner probes. Plain substring tests on a lower-cased, percent-decoded copy,
 * so the cost stays linear whatever the attacker sends.
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
const SQL_INJECTION = anyOf(
  String.raw`union(?:\s|\+|\/\*\*\/)+(?:all(?:\s|\+)+)?select`,
  String.raw`'\s*or\s*'?\d`,
  String.raw`"\s*or\s*"?\d`,
  String.raw`\bor\s+1\s*=\s*1`,
  // sqlmap's boolean probes: `1 AND 5678=5678`, `1' AND 'abc'='abc`, `1) ORDER BY 1-- -`.
  String.raw`\band\s+\d{1,10}\s*=\s*\d{1,10}\b`,
  String.raw`'\s*and\s+'`,
  String.raw`\border\s+by\s+\d+\s*(?:--|#)`,
  `'--`,
  `';`,
  String.raw`\bsleep\s*\(`,
  'pg_sleep',
  String.raw`benchmark\s*\(`,
  String.raw`waitfor\s+delay`,
  'information_schema',
  'pg_catalog',
  String.raw`drop\s+table`,
  'xp_cmdshell',
  String.raw`extractvalue\s*\(`,
  String.raw`updatexml\s*\(`,
  '@@version',
);
const XSS = anyOf(
  '<script',
  String.raw`<\/script`,
  'javascript:',
  String.raw`\bon(?:error|load|mouseover|focus)\s*=`,
  '<svg',
  '<iframe',
  String.raw`document\.cookie`,
  String.raw`\balert\s*\(`,
  String.raw`\bprompt\s*\(`,
  String.raw`string\.fromcharcode`,
);
const TRAVERSAL =
  /\.\.\/|\.\.\\|\.\.\xc0\xaf|\/etc\/passwd|\/etc\/shadow|\/proc\/self|c:\\windows|win\.ini/i;

const PROBES = [
  '/wp-login',
  '/wp-admin',
  '/wp-content',
  '/wp-includes',
  '/xmlrpc.php',
  '/.env',
  '/.git/',
  '/.git',
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
  const target = params ? `${url} ${decode(params, false)}` : url;
  if (SQL_INJECTION.test(target)) kinds.push('sql-injection');
  if (XSS.test(target)) kinds.push('xss');
  if (TRAVERSAL.test(target)) kinds.push('path-traversal');
  if (path) {
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

/**
 * Whether a session create's answer says the password was wrong: 401 or 403, the form again
 * (200 or 422), or a redirect back to the sign-in form (Rails 8's authentication generator).
 */
export function isFailedLoginAnswer(status: number | undefined, redirect?: string): boolean {
  if (status === 401 || status === 403 || status === 422 || status === 200) return true;
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

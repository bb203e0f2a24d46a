/**
 * The application frame a backtrace line begins with, as `app/models/booking.rb:42`: relative
 * as Rails' backtrace cleaner writes it, or absolute as Semantic Logger and uncleaned traces
 * write it, cut at the app's root. Nothing in a frame says where the root is, so the cut is
 * chosen from what folders around it usually are, and a frame that could be read two ways keeps
 * its full path rather than name the wrong file.
 */

const APP_FRAME = /^((?:app|lib|config|engines|components)\/[^:\s]{1,500}):(\d{1,9})/;
/** `:42` after the file: sticky, so a long line is not copied to read it. */
const LINE_NUMBER = /:(\d{1,9})/y;
/** The top folders of a Rails app that APP_FRAME knows, as path segments. */
const APP_FOLDERS = new Set(['app', 'lib', 'config', 'engines', 'components']);
/** Where gems and Ruby itself live: a frame there is none of the application's. */
const LIBRARY_FOLDER =
  /\/(?:gems|bundle|bundler|rubies|ruby|site_ruby|vendor_ruby|\.rbenv|\.rvm|\.gem)\//;
/** Folders Rails and common gems generate under app/: an app/ above one is the app's own. */
const APP_SUBFOLDERS = new Set([
  'models',
  'controllers',
  'views',
  'helpers',
  'mailers',
  'mailboxes',
  'jobs',
  'channels',
  'assets',
  'javascript',
  'services',
  'workers',
  'policies',
  'serializers',
  'graphql',
  'components',
  'decorators',
  'presenters',
  'forms',
  'validators',
  'uploaders',
  'queries',
  'admin',
]);
/** Folders Rails generates under config/. */
const CONFIG_SUBFOLDERS = new Set(['initializers', 'environments', 'locales', 'credentials']);
/** Machine folders whose `app` or `lib` holds apps: /var/lib/shop, /srv/app, /usr/local/lib. */
const SYSTEM_PARENTS = new Set(['var', 'usr', 'local', 'opt', 'srv']);

/**
 * `app/models/booking.rb:42` for a frame under the app's root; the absolute `file:line` when
 * two cuts are as likely (`/srv/shop/lib/gen/app/models/x.rb` could be lib/gen/... under
 * /srv/shop or app/models/... under /srv/shop/lib/gen); undefined for a gem's or Ruby's frame
 * and for anything that is no frame.
 */
export function appFrame(text: string): string | undefined {
  const relative = APP_FRAME.exec(text);
  if (relative) return `${relative[1]}:${relative[2]}`;
  if (text.charCodeAt(0) !== 47 /* / */) return undefined;
  const colon = text.indexOf(':');
  if (colon < 0 || colon > 1000) return undefined;
  const file = text.slice(0, colon);
  LINE_NUMBER.lastIndex = colon;
  const line = LINE_NUMBER.exec(text);
  if (!line || /\s/.test(file) || LIBRARY_FOLDER.test(file)) return undefined;

  const segments = file.split('/');
  const cuts: number[] = [];
  for (let k = 1; k < segments.length - 1; k++) {
    if (APP_FOLDERS.has(segments[k]) && !inRootPath(segments, k)) cuts.push(k);
  }
  if (cuts.length === 0) return undefined;

  // The shallowest cut, unless it is unsure and a deeper one looks like a Rails app's own
  // layout: /home/deploy/app/shop/app/models/x.rb could be either, and so keeps its path.
  const [first] = cuts;
  const sure = looksLikeLayout(segments, first) || !cuts.some((k) => looksLikeLayout(segments, k));
  if (!sure) return `${file}:${line[1]}`;
  const frame = APP_FRAME.exec(`${segments.slice(first).join('/')}:${line[1]}`);
  return frame ? `${frame[1]}:${frame[2]}` : undefined;
}

/**
 * Whether the app/ or lib/ at `k` is a folder on the way to the root, not the root's own:
 * /app (Heroku, many images) before the app's folders, /usr/src/app/app, a user named app
 * (/home/app/webapp, Phusion's images), and the machine's /var/lib, /srv/app, /usr/local/lib.
 */
function inRootPath(segments: string[], k: number): boolean {
  const segment = segments[k];
  if (segment !== 'app' && segment !== 'lib') return false;
  if (segment === 'app' && segments[k + 1] === 'app') return true;
  if (k === 1 && segment === 'app' && APP_FOLDERS.has(segments[2])) return true;
  return segments[k - 1] === 'home' || (k <= 3 && SYSTEM_PARENTS.has(segments[k - 1]));
}

/**
 * Whether the path from `k` reads as a Rails app's own: app/models/..., config/initializers/...
 * or config/routes.rb, engines/billing/app/... (lib/ holds anything, so it never does).
 */
function looksLikeLayout(segments: string[], k: number): boolean {
  const next = segments[k + 1];
  switch (segments[k]) {
    case 'app':
      return APP_SUBFOLDERS.has(next) && k + 2 < segments.length;
    case 'config':
      return CONFIG_SUBFOLDERS.has(next) || (k + 2 === segments.length && next.endsWith('.rb'));
    case 'engines':
    case 'components':
      return k + 3 < segments.length && APP_FOLDERS.has(segments[k + 2]);
  }
  return false;
}

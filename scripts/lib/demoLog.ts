/**
 * Generates a realistic Rails 7 production log (tagged, Logger::Formatter prefix) around a given
 * time, for the demo workspace and the end-to-end tests. Deterministic for a seed, so a test can
 * recount what it wrote.
 */

export interface GeneratedRequest {
  startedAt: Date;
  method: string;
  path: string;
  action: string;
  status: number;
  durationMs: number;
}

export interface GenerateLogOptions {
  /** Requests end before this instant. */
  now: Date;
  /** How far back the generated traffic starts. */
  hours?: number;
  /** Requests per hour, on average. */
  perHour?: number;
  seed?: number;
}

export interface GeneratedLog {
  text: string;
  requests: GeneratedRequest[];
}

/** Small, seedable PRNG (mulberry32); Math.random cannot be seeded. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Route {
  method: string;
  path: string;
  action: string;
  weight: number;
  meanMs: number;
}

const ROUTES: Route[] = [
  { method: 'GET', path: '/', action: 'HomeController#index', weight: 30, meanMs: 45 },
  {
    method: 'GET',
    path: '/dashboard',
    action: 'DashboardController#show',
    weight: 20,
    meanMs: 180,
  },
  { method: 'GET', path: '/bookings', action: 'BookingsController#index', weight: 15, meanMs: 240 },
  {
    method: 'GET',
    path: '/bookings/:id',
    action: 'BookingsController#show',
    weight: 10,
    meanMs: 90,
  },
  {
    method: 'POST',
    path: '/bookings',
    action: 'BookingsController#create',
    weight: 6,
    meanMs: 320,
  },
  { method: 'GET', path: '/services', action: 'ServicesController#index', weight: 8, meanMs: 130 },
  {
    method: 'PATCH',
    path: '/onboarding/:id',
    action: 'OnboardingController#update',
    weight: 6,
    meanMs: 150,
  },
  {
    method: 'GET',
    path: '/reports/monthly',
    action: 'ReportsController#monthly',
    weight: 2,
    meanMs: 1400,
  },
  {
    method: 'POST',
    path: '/users/sign_in',
    action: 'Users::SessionsController#create',
    weight: 3,
    meanMs: 110,
  },
];

const IPS = ['203.0.113.7', '203.0.113.25', '198.51.100.4', '192.0.2.44', '203.0.113.90'];
const ATTACKER = '198.51.100.66';

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

/** `2026-12-04T14:01:02.123456` as Logger::Formatter writes it (UTC here). */
function formatterTime(at: Date): string {
  const micros = pad(at.getUTCMilliseconds(), 3) + '000';
  return (
    `${at.getUTCFullYear()}-${pad(at.getUTCMonth() + 1)}-${pad(at.getUTCDate())}T` +
    `${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}:${pad(at.getUTCSeconds())}.${micros}`
  );
}

/** `2026-12-04 14:01:02 +0000` as Rails writes it in `Started` lines. */
function startedTime(at: Date): string {
  return formatterTime(at).slice(0, 19).replace('T', ' ') + ' +0000';
}

function requestId(next: () => number): string {
  const hex = () =>
    Math.floor(next() * 0x10000)
      .toString(16)
      .padStart(4, '0');
  return `${hex()}${hex()}-${hex()}-4${hex().slice(1)}-a${hex().slice(1)}-${hex()}${hex()}${hex()}`;
}

function statusText(status: number): string {
  const texts: Record<number, string> = {
    200: 'OK',
    302: 'Found',
    401: 'Unauthorized',
    404: 'Not Found',
    422: 'Unprocessable Entity',
    500: 'Internal Server Error',
  };
  return texts[status] ?? 'OK';
}

/**
 * Traffic from `now - hours` to just before `now`. No request starts within ten minutes of the
 * one-hour and 24-hour marks, so a "last hour" or "last 24 hours" count does not depend on the
 * second at which a test or the dashboard asks.
 */
export function generateRailsLog(options: GenerateLogOptions): GeneratedLog {
  const next = random(options.seed ?? 7);
  const hours = options.hours ?? 48;
  const perHour = options.perHour ?? 40;
  const end = options.now.getTime() - 2 * 60_000;
  const start = options.now.getTime() - hours * 3_600_000;
  const quiet = [1, 24].map((h) => options.now.getTime() - h * 3_600_000);
  const totalWeight = ROUTES.reduce((sum, route) => sum + route.weight, 0);

  const lines: string[] = [];
  const requests: GeneratedRequest[] = [];
  const count = Math.round(hours * perHour);
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const at = start + next() * (end - start);
    if (quiet.some((mark) => Math.abs(at - mark) < 10 * 60_000)) continue;
    times.push(at);
  }
  times.sort((a, b) => a - b);

  for (const [index, time] of times.entries()) {
    const at = new Date(time);
    const pid = 4100 + Math.floor(next() * 4);
    const id = requestId(next);
    const prefix = (level: 'I' | 'W' | 'F', name: string, t: Date) =>
      `${level}, [${formatterTime(t)} #${pid}] ${name.padStart(5)} -- : [${id}] `;
    const ip = IPS[Math.floor(next() * IPS.length)];

    let pick = next() * totalWeight;
    let route = ROUTES[0];
    for (const candidate of ROUTES) {
      pick -= candidate.weight;
      if (pick <= 0) {
        route = candidate;
        break;
      }
    }
    let method = route.method;
    let path = route.path.replace(':id', String(1 + Math.floor(next() * 900)));
    let action = route.action;
    let status = method === 'POST' && action.includes('Bookings') ? 302 : 200;
    const durationMs = Math.max(3, Math.round(route.meanMs * (0.4 + next() * 1.4)));
    let fatal: string[] = [];
    let warn: string | undefined;
    let params: string | undefined = path.includes('/bookings/')
      ? `{"id"=>"${path.split('/')[2]}"}`
      : undefined;
    let requestIp = ip;

    const roll = next();
    if (action === 'Users::SessionsController#create') {
      params = `{"user"=>{"email"=>"user${index % 50}@example.com", "password"=>"[FILTERED]"}}`;
      if (roll < 0.35) {
        status = 401;
        requestIp = ATTACKER;
        warn = `Failed login for user${index % 50}@example.com from ${ATTACKER}`;
      } else {
        status = 302;
      }
    } else if (roll < 0.012) {
      status = 500;
      fatal = [
        '  ',
        "NoMethodError (undefined method `name' for nil):",
        '  ',
        "app/controllers/bookings_controller.rb:8:in `show'",
      ];
      action = 'BookingsController#show';
      path = `/bookings/${1 + Math.floor(next() * 900)}`;
      method = 'GET';
    } else if (roll < 0.02) {
      method = 'GET';
      path = next() < 0.5 ? '/wp-login.php' : '/.env';
      requestIp = ATTACKER;
      status = 404;
      fatal = ['  ', `ActionController::RoutingError (No route matches [GET] "${path}"):`, '  '];
    } else if (roll < 0.026) {
      method = 'GET';
      path = '/services?q=1%27%20OR%201%3D1--';
      action = 'ServicesController#index';
      params = `{"q"=>"1' OR 1=1--"}`;
      requestIp = ATTACKER;
    } else if (roll < 0.03) {
      status = 422;
      method = 'PATCH';
      action = 'OnboardingController#update';
      path = `/onboarding/${1 + Math.floor(next() * 900)}`;
    }

    const done = new Date(time + durationMs);
    lines.push(
      prefix('I', 'INFO', at) +
        `Started ${method} "${path}" for ${requestIp} at ${startedTime(at)}`,
    );
    if (status !== 404) {
      lines.push(prefix('I', 'INFO', at) + `Processing by ${action} as HTML`);
      if (params) lines.push(prefix('I', 'INFO', at) + `  Parameters: ${params}`);
      if (warn) lines.push(prefix('W', 'WARN', at) + warn);
      const db = (durationMs * (0.1 + next() * 0.4)).toFixed(1);
      const views = (durationMs * (0.2 + next() * 0.3)).toFixed(1);
      const segments =
        status === 302 || status >= 500
          ? `(ActiveRecord: ${db}ms | Allocations: ${1000 + Math.floor(next() * 9000)})`
          : `(Views: ${views}ms | ActiveRecord: ${db}ms | ` +
            `Allocations: ${2000 + Math.floor(next() * 40000)})`;
      lines.push(
        prefix('I', 'INFO', done) +
          `Completed ${status} ${statusText(status)} in ${durationMs}ms ${segments}`,
      );
    }
    for (const line of fatal) lines.push(prefix('F', 'FATAL', done) + line);
    requests.push({ startedAt: at, method, path, action, status, durationMs });
  }
  return { text: lines.join('\n') + '\n', requests };
}

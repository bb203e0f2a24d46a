/**
 * Serves the built dashboard bundle from 127.0.0.1 inside the same page and CSP the panel uses,
 * with a stand-in `acquireVsCodeApi` that records what the webview posts, and drives it in a
 * real headless Chromium.
 */
import { existsSync, promises as fs } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createNonce, dashboardHtml } from '../../../src/core/dashboard/html';
import type { HostMessage, WebviewMessage } from '../../../src/core/dashboard/protocol';
import { THEMES, type ThemeName } from './themes';

const ROOT = path.resolve(__dirname, '../../..');
const BUNDLE = path.join(ROOT, 'dist/webview');
const CHROMIUM = '/usr/bin/chromium';
const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.ttf': 'font/ttf',
  '.map': 'application/json',
};

export interface PageProblems {
  /** Console errors and page errors (uncaught exceptions). */
  errors: string[];
  /** Blocked by the CSP: a sign the page tried something the policy forbids. */
  cspViolations: string[];
  dialogs: string[];
}

export interface DashboardPage {
  page: Page;
  problems: PageProblems;
  /** Messages the webview posted, in order. */
  posted(): Promise<WebviewMessage[]>;
  /** What the page saved last (vscode.setState), as the editor keeps it for the next page. */
  savedState(): Promise<unknown>;
  /** Delivers a message as the host would. */
  send(message: HostMessage): Promise<void>;
  setTheme(theme: ThemeName): Promise<void>;
}

export class DashboardHarness {
  private server?: http.Server;
  private browser?: Browser;
  private origin = '';
  /**
   * The saved states pages open with, by a number in their address: a state of any size or
   * shape (an older page's, a hostile one) reaches the page as the editor would hand it over.
   */
  private readonly states = new Map<string, unknown>();

  async start(): Promise<void> {
    if (!existsSync(path.join(BUNDLE, 'dashboard.js'))) {
      throw new Error('dist/webview/dashboard.js is missing: run `npm run build` first.');
    }
    this.server = http.createServer((request, response) => {
      void this.serve(request, response);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    this.browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--disable-sync',
        '--disable-quic',
      ],
    });
  }

  async stop(): Promise<void> {
    await this.browser?.close();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }

  private async serve(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.origin);
    if (url.pathname === '/' || url.pathname === '/index.html') {
      const theme = (url.searchParams.get('theme') as ThemeName | null) ?? 'dark';
      const state = this.states.get(url.searchParams.get('state') ?? '');
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(this.page(theme, state));
      return;
    }
    if (url.pathname === '/favicon.ico') {
      // Chromium asks for one on its own; a webview has none.
      response.writeHead(204);
      response.end();
      return;
    }
    const file = path.join(BUNDLE, path.basename(url.pathname));
    try {
      const body = await fs.readFile(file);
      response.writeHead(200, {
        'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      });
      response.end(body);
    } catch {
      response.writeHead(404);
      response.end();
    }
  }

  /** The panel's page; the prelude plays the editor: theme variables and the messaging API. */
  private page(theme: ThemeName, state: unknown): string {
    const prelude = `
      window.__posted = [];
      window.__state = ${JSON.stringify(state ?? null).replace(/</g, '\\u003c')};
      window.__themes = ${JSON.stringify(THEMES)};
      window.__applyTheme = (name) => {
        const theme = window.__themes[name];
        for (const [key, value] of Object.entries(theme.vars)) {
          document.documentElement.style.setProperty(key, value);
        }
        document.body.className = theme.bodyClass;
      };
      document.addEventListener('securitypolicyviolation', (event) => {
        (window.__csp = window.__csp || []).push(event.violatedDirective + ' ' + event.blockedURI);
      });
      window.__applyTheme(${JSON.stringify(theme)});
      window.acquireVsCodeApi = () => ({
        postMessage: (message) => window.__posted.push(JSON.parse(JSON.stringify(message))),
        getState: () => window.__state ?? undefined,
        setState: (value) => { window.__state = value; },
      });`;
    return dashboardHtml({
      cspSource: this.origin,
      nonce: createNonce(),
      scriptUri: `${this.origin}/dashboard.js`,
      styleUri: `${this.origin}/dashboard.css`,
      codiconUri: `${this.origin}/codicon.css`,
      preludeScript: prelude,
    });
  }

  async open(
    options: {
      theme?: ThemeName;
      /** The state the editor hands the page (vscode.getState()): what an earlier page saved. */
      state?: unknown;
      width?: number;
      /** The browser's time zone (IANA), e.g. a user west of UTC; the machine's by default. */
      timezoneId?: string;
      /** Starts the page on a fake clock at this instant (ms), for `page.clock` to move on. */
      clockAt?: number;
    } = {},
  ): Promise<DashboardPage> {
    const context = await this.browser!.newContext({
      viewport: { width: options.width ?? 1280, height: 900 },
      timezoneId: options.timezoneId,
    });
    if (options.clockAt !== undefined) await context.clock.install({ time: options.clockAt });
    const page = await context.newPage();
    const problems: PageProblems = { errors: [], cspViolations: [], dialogs: [] };
    page.on('console', (message) => {
      if (message.type() === 'error') problems.errors.push(message.text());
    });
    page.on('pageerror', (error) => problems.errors.push(error.message));
    page.on('dialog', (dialog) => {
      problems.dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    const query = new URLSearchParams({ theme: options.theme ?? 'dark' });
    if (options.state !== undefined) {
      const id = String(this.states.size + 1);
      this.states.set(id, options.state);
      query.set('state', id);
    }
    await page.goto(`${this.origin}/?${query.toString()}`);
    await page.waitForFunction(
      () => (window as unknown as { __posted: unknown[] }).__posted.length > 0,
    );
    return {
      page,
      problems,
      posted: () =>
        page.evaluate(() => (window as unknown as { __posted: WebviewMessage[] }).__posted),
      savedState: () => page.evaluate(() => (window as unknown as { __state: unknown }).__state),
      send: async (message) => {
        await page.evaluate((data) => window.postMessage(data, '*'), message);
      },
      setTheme: async (theme) => {
        await page.evaluate(
          (name) => (window as unknown as { __applyTheme(name: string): void }).__applyTheme(name),
          theme,
        );
      },
    };
  }
}

/** CSP violations the page reported, read from inside the page. */
export async function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? []);
}

/**
 * Messages the webview sends to the host, behind small helpers so each section posts the same
 * typed shapes. The host validates each one again before acting.
 */
import type { DashboardViewState, WebviewMessage } from '../src/core/dashboard/protocol';
import { breakable, shownText } from './dom';

interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
  getState(): unknown;
  setState(state: DashboardViewState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** acquireVsCodeApi may be called once per page load; every module shares this handle. */
export const vscode: VsCodeApi = acquireVsCodeApi();

export function post(message: WebviewMessage): void {
  vscode.postMessage(message);
}

/** A button that shows a path and asks the host to open it at its line. */
export function locationButton(
  file: string,
  line: number | undefined,
  label?: string,
): HTMLElement {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'link';
  button.append(breakable(label ?? (line ? `${file}:${line}` : file)));
  button.title = `Open ${file}${line ? ` at line ${line}` : ''}`;
  button.addEventListener('click', () => post({ type: 'openLocation', file, line }));
  return button;
}

/**
 * A link from data (a card's documentation URL). It has no href, so nothing in the page can
 * navigate: the host checks the scheme and opens it outside the webview.
 */
export function externalLink(label: string, url: string): HTMLElement {
  const link = document.createElement('button');
  link.type = 'button';
  link.className = 'link';
  link.textContent = shownText(label);
  link.title = url.length > 500 ? `${url.slice(0, 500)}…` : url;
  link.addEventListener('click', (event) => {
    event.preventDefault();
    post({ type: 'openLink', url });
  });
  return link;
}

/** Configure Database Connection…: the way on from an error of the Database section. */
export function configureDatabaseButton(): HTMLElement {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'link';
  button.textContent = 'Configure Database Connection…';
  button.title = 'Choose the database, Rails environment, URL or password Upkeep uses';
  button.addEventListener('click', () => post({ type: 'configureDatabase' }));
  return button;
}

/** New Bug Report… for an exception the page shows; the host asks the severity and writes it. */
export function bugReportButton(title: string): HTMLElement {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'link';
  button.textContent = 'New Bug Report…';
  button.title = `New bug report: ${title}`;
  button.addEventListener('click', () => post({ type: 'newBugReport', title }));
  return button;
}

/**
 * The dashboard's front end: paints the frame at once, says 'ready', then fills each section as
 * the host sends it. Each section has its own loading and error state, so one failing source never
 * blanks another. All data becomes text; nothing is parsed as HTML.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import type {
  DashboardViewState,
  HostMessage,
  LogWindow,
  SectionId,
  SectionPayload,
} from '../src/core/dashboard/protocol';
import { isHostMessage, parseLogWindow } from '../src/core/dashboard/protocol';
import { configureDatabaseButton, post, vscode } from './actions';
import {
  clip,
  formatTime,
  h,
  instantOfWallClock,
  refreshAges,
  replaceChildren,
  shownText,
  shownTimeZone,
  showTimesIn,
  wallClockOf,
} from './dom';
import { keepingFocus } from './focus';
import { renderAlerts } from './sections/alerts';
import { renderBusiness } from './sections/business';
import { renderDatabase } from './sections/database';
import { renderHealth } from './sections/health';
import { renderLogs } from './sections/logs';
import { restoreTables, savedTables } from './tableMemory';

const TITLES: Record<SectionId, string> = {
  alerts: 'Alerts',
  health: 'Health',
  logs: 'Logs',
  database: 'Database',
  business: 'Business',
};

// The state of the page before it was rebuilt (the panel hidden and shown, a window reload), or
// an older page's, or anything: each part is checked as it is read back.
const saved = vscode.getState() as Partial<Record<keyof DashboardViewState, unknown>> | undefined;
const state: DashboardViewState = {
  window: parseLogWindow(saved?.window) ?? { kind: '24h' },
  scrollY: typeof saved?.scrollY === 'number' ? saved.scrollY : 0,
};
restoreTables(saved?.tables, () => saveState());
/** How often the ages on the page ("ran 5 min ago") are written again. */
const AGE_REFRESH_MS = 30_000;
let currentRefresh = -1;
let autoRefresh = '';
let scrollRestored = state.scrollY === 0;

function saveState(): void {
  vscode.setState({ ...state, tables: savedTables() });
}

// ---- The frame: header with the window picker and actions, then one region per section.

const status = h('p', { className: 'status', attrs: { role: 'status', 'aria-live': 'polite' } });
// The elements' `label` names the control inside their shadow root (the combobox, the input);
// an aria-label on the host would name nothing a screen reader lands on. The text field takes
// it as a property only.
const windowSelect = h('vscode-single-select', {
  attrs: { label: 'Log window', id: 'window-select' },
});
for (const [value, label] of [
  ['1h', 'Last hour'],
  ['24h', 'Last 24 hours'],
  ['7d', 'Last 7 days'],
  ['range', 'Range…'],
]) {
  windowSelect.append(h('vscode-option', { props: { value } }, label));
}
const rangeFrom = h('vscode-textfield', {
  attrs: { type: 'datetime-local', id: 'range-from' },
  props: { label: 'Range start' },
});
const rangeTo = h('vscode-textfield', {
  attrs: { type: 'datetime-local', id: 'range-to' },
  props: { label: 'Range end' },
});
const rangeApply = h(
  'vscode-button',
  { attrs: { secondary: '', id: 'range-apply' }, on: { click: () => applyRange() } },
  'Apply range',
);
const rangeBox = h(
  'span',
  { className: 'range', attrs: { hidden: '' } },
  rangeFrom,
  rangeTo,
  rangeApply,
);

function fieldValue(element: HTMLElement): string {
  return String((element as unknown as { value?: string }).value ?? '');
}

/** The range fields hold wall clocks of the zone the page shows times in, not the browser's. */
function toLocalInput(iso: string): string {
  const at = Date.parse(iso);
  return Number.isFinite(at) ? wallClockOf(Math.floor(at / 60000) * 60000) : '';
}

/** An invalid field becomes '' and fails validation. */
function localToIso(value: string): string {
  return instantOfWallClock(value);
}

/** The range fields name the zone their times are in. */
function labelRange(): void {
  const zone = shownTimeZone();
  (rangeFrom as unknown as { label: string }).label = `Range start (${zone})`;
  (rangeTo as unknown as { label: string }).label = `Range end (${zone})`;
}

function applyRange(): void {
  const window = parseLogWindow({
    kind: 'range',
    from: localToIso(fieldValue(rangeFrom)),
    to: localToIso(fieldValue(rangeTo)),
  });
  if (!window) {
    status.textContent = 'Choose a start before the end (at most a year apart).';
    return;
  }
  chooseWindow(window);
}

function chooseWindow(window: LogWindow): void {
  state.window = window;
  saveState();
  post({ type: 'setWindow', window });
}

function showWindow(window: LogWindow): void {
  (windowSelect as unknown as { value: string }).value = window.kind;
  if (window.kind === 'range') {
    rangeBox.hidden = false;
    (rangeFrom as unknown as { value: string }).value = toLocalInput(window.from);
    (rangeTo as unknown as { value: string }).value = toLocalInput(window.to);
  } else {
    rangeBox.hidden = true;
  }
}

windowSelect.addEventListener('change', () => {
  const kind = fieldValue(windowSelect);
  if (kind === 'range') {
    rangeBox.hidden = false;
    const now = Date.now();
    if (!fieldValue(rangeFrom)) {
      (rangeFrom as unknown as { value: string }).value = toLocalInput(
        new Date(now - 2 * 86400000).toISOString(),
      );
      (rangeTo as unknown as { value: string }).value = toLocalInput(new Date(now).toISOString());
    }
    return;
  }
  rangeBox.hidden = true;
  const window = parseLogWindow({ kind });
  if (window) chooseWindow(window);
});

const refreshButton = h(
  'vscode-button',
  { attrs: { icon: 'refresh', id: 'refresh' }, on: { click: () => post({ type: 'refresh' }) } },
  'Refresh',
);
const reportButton = h(
  'vscode-button',
  {
    attrs: { icon: 'save', secondary: '', id: 'save-report' },
    on: { click: () => post({ type: 'saveReport' }) },
  },
  'Save as Report',
);

// The app folder the data comes from; with several in the window, another can be chosen.
const folderName = h('span', { className: 'folder-name', attrs: { id: 'folder-name' } });
const folderButton = h(
  'vscode-button',
  {
    attrs: { icon: 'folder', secondary: '', id: 'choose-folder', hidden: '' },
    on: { click: () => post({ type: 'chooseFolder' }) },
  },
  'Change folder…',
);
const folderBox = h(
  'span',
  { className: 'folder', attrs: { hidden: '', title: 'The Rails app this dashboard shows' } },
  h('span', { className: 'codicon codicon-root-folder', attrs: { 'aria-hidden': 'true' } }),
  folderName,
  folderButton,
);

const restricted = h(
  'p',
  { className: 'restricted', attrs: { hidden: '' } },
  h('span', { className: 'codicon codicon-shield', attrs: { 'aria-hidden': 'true' } }),
  ' Restricted Mode: the database connection comes only from the upkeep.database.url ' +
    'setting or DATABASE_URL, and nothing from the repository runs.',
);

const sections = new Map<
  SectionId,
  { region: HTMLElement; heading: HTMLElement; body: HTMLElement }
>();
// The Restricted Mode note opens the main landmark: outside every landmark, it is skipped by
// a screen reader moving from one to the next.
const main = h('main', null, restricted);
for (const id of ['alerts', 'health', 'logs', 'database', 'business'] as const) {
  const headingId = `heading-${id}`;
  const body = h('div', { className: 'section-body', attrs: { 'aria-busy': 'true' } });
  const heading = h('h2', { attrs: { id: headingId } }, TITLES[id]);
  const region = h(
    'section',
    {
      className: `section section-${id}`,
      attrs: { 'aria-labelledby': headingId, 'data-section': id },
    },
    heading,
    body,
  );
  sections.set(id, { region, heading, body });
  main.append(region);
  showLoading(id);
}

document.body.append(
  h(
    'header',
    { className: 'toolbar' },
    h('h1', null, 'Upkeep dashboard'),
    folderBox,
    h('span', { className: 'window' }, windowSelect, rangeBox),
    refreshButton,
    reportButton,
    status,
  ),
  main,
);
showWindow(state.window);

// ---- Section states.

function showLoading(id: SectionId): void {
  const section = sections.get(id);
  if (!section) return;
  section.body.setAttribute('aria-busy', 'true');
  section.region.dataset.state = 'loading';
  // Keep the previous content while a refresh runs, marked as such (a read of a large log takes
  // a while, and its figures must not pass for the new window's); a spinner only when empty.
  if (section.body.childElementCount && !section.body.querySelector('.loading')) {
    if (!section.body.querySelector(':scope > .stale')) {
      section.body.prepend(
        h(
          'p',
          { className: 'stale' },
          h('vscode-progress-ring', { attrs: { 'aria-hidden': 'true' } }),
          `Loading ${TITLES[id].toLowerCase()}… what follows is from the previous refresh.`,
        ),
      );
    }
    return;
  }
  replaceChildren(
    section.body,
    h(
      'p',
      { className: 'loading' },
      h('vscode-progress-ring', { attrs: { 'aria-hidden': 'true' } }),
      `Loading ${TITLES[id].toLowerCase()}…`,
    ),
  );
}

/** A section without data: its error, or the read the maintainer cancelled. */
interface SectionNotice {
  state: 'error' | 'cancelled';
  role: 'alert' | 'status';
  icon: string;
  lead: string;
  message: string;
  hint?: string;
  /** A button that leads on from the notice. */
  action?: HTMLElement;
}

/** Replaces whatever the section showed: an earlier summary would read as this refresh's. */
function showNotice(id: SectionId, notice: SectionNotice): void {
  const section = sections.get(id);
  if (!section) return;
  section.body.setAttribute('aria-busy', 'false');
  section.region.dataset.state = notice.state;
  // The same notice again (the timer's refresh, the database still down) stays as it is: drawn
  // anew, an alert would interrupt the screen reader with it at every refresh.
  const said = JSON.stringify([notice.state, notice.lead, notice.message, notice.hint ?? '']);
  const shown = section.body.querySelector<HTMLElement>(`:scope > .section-${notice.state}`);
  if (shown?.dataset.said === said) {
    section.body.querySelector(':scope > .stale')?.remove();
    return;
  }
  keepingFocus(section.body, section.heading, () =>
    replaceChildren(
      section.body,
      h(
        'div',
        {
          className: `section-${notice.state}`,
          attrs: { role: notice.role, 'data-said': said },
        },
        h('span', {
          className: `codicon codicon-${notice.icon}`,
          attrs: { 'aria-hidden': 'true' },
        }),
        h('strong', null, ` ${notice.lead}: `),
        clip(notice.message, 2000),
        notice.hint ? h('p', null, clip(notice.hint, 2000)) : null,
        notice.action ? h('p', null, notice.action) : null,
      ),
    ),
  );
}

function showError(id: SectionId, message: string, hint?: string): void {
  const lead = `Could not load ${TITLES[id].toLowerCase()}`;
  // A database that cannot be read is a setting to change: the page offers the command.
  const action = id === 'database' ? configureDatabaseButton() : undefined;
  showNotice(id, { state: 'error', role: 'alert', icon: 'error', lead, message, hint, action });
}

function showCancelled(id: SectionId, message: string): void {
  showNotice(id, {
    state: 'cancelled',
    role: 'status',
    icon: 'circle-slash',
    lead: `${TITLES[id]} not loaded`,
    message,
    hint: 'Refresh to load this section again.',
  });
}

function render(payload: SectionPayload): Node[] {
  switch (payload.section) {
    case 'alerts':
      return renderAlerts(payload.data);
    case 'health':
      return renderHealth(payload.data);
    case 'logs':
      return renderLogs(payload.data);
    case 'database':
      return renderDatabase(payload.data);
    case 'business':
      return renderBusiness(payload.data);
  }
}

function showData(payload: SectionPayload): void {
  const section = sections.get(payload.section);
  if (!section) return;
  let nodes: Node[];
  // Measured so bench/dashboard.ts can say which section costs what.
  const mark = `render:${payload.section}`;
  performance.mark(mark);
  try {
    nodes = render(payload);
  } catch (error) {
    // A malformed payload breaks only its own section.
    showError(payload.section, error instanceof Error ? error.message : String(error));
    return;
  }
  // Database cards arrive one by one; the section is 'partial' until the last one is in.
  const partial = payload.section === 'database' && !!payload.data.pending?.length;
  section.body.setAttribute('aria-busy', String(partial));
  section.region.dataset.state = partial ? 'partial' : 'ready';
  keepingFocus(section.body, section.heading, () => replaceChildren(section.body, ...nodes));
  performance.measure(mark, mark);
}

// ---- Messages from the host.

function handle(message: HostMessage): void {
  switch (message.type) {
    case 'init':
      showTimesIn(message.timeZone);
      labelRange();
      state.window = message.window;
      saveState();
      showWindow(message.window);
      document.body.dataset.trusted = String(message.trusted);
      autoRefresh =
        message.autoRefreshSeconds > 0 ? ` · refreshes every ${message.autoRefreshSeconds} s` : '';
      restricted.hidden = message.trusted;
      folderName.textContent = shownText(clip(message.workspaceName, 200));
      folderBox.hidden = !message.workspaceName;
      folderButton.hidden = (message.folderCount ?? 1) < 2;
      return;
    case 'refreshStarted':
      currentRefresh = message.refreshId;
      status.textContent = 'Refreshing…';
      return;
    case 'sectionLoading':
      if (message.refreshId === currentRefresh) showLoading(message.section);
      return;
    case 'sectionData':
      if (message.refreshId === currentRefresh) showData(message);
      return;
    case 'sectionError':
      if (message.refreshId === currentRefresh) {
        showError(message.section, message.message, message.hint);
      }
      return;
    case 'sectionCancelled':
      if (message.refreshId === currentRefresh) showCancelled(message.section, message.message);
      return;
    case 'refreshDone':
      if (message.refreshId !== currentRefresh) return;
      status.textContent = `Updated ${formatTime(message.at)} (${shownTimeZone()})${autoRefresh}`;
      if (!scrollRestored) {
        scrollRestored = true;
        // After the frame that lays out the sections just filled in.
        requestAnimationFrame(() => requestAnimationFrame(() => window.scrollTo(0, state.scrollY)));
      }
      return;
    case 'notice':
      status.textContent = shownText(clip(message.message, 500));
      return;
  }
}

window.addEventListener('message', (event: MessageEvent) => {
  if (isHostMessage(event.data)) handle(event.data);
});

let scrollTimer: number | undefined;
window.addEventListener('scroll', () => {
  window.clearTimeout(scrollTimer);
  scrollTimer = window.setTimeout(() => {
    state.scrollY = Math.round(window.scrollY);
    saveState();
  }, 200);
});

// "5 min ago" stays true in a panel left open, as the tree redraws its own every minute.
window.setInterval(() => refreshAges(), AGE_REFRESH_MS);

saveState();
post({ type: 'ready', state });

/**
 * The webview's only way to build DOM: elements from a tag, plain properties and children,
 * with every piece of data set as text. Nothing here ever parses a string as HTML.
 */
import { startOf } from '../src/core/util/printable';

type Child = Node | string | number | null | undefined | false;

export interface ElementProps {
  className?: string;
  /** Attributes set with setAttribute; values are data, never markup. */
  attrs?: Record<string, string | undefined>;
  /** Event listeners, attached with addEventListener (no inline handlers anywhere). */
  on?: Record<string, (event: Event) => void>;
  /** Properties assigned directly (custom elements take their state this way). */
  props?: Record<string, unknown>;
}

/** Attributes whose text is shown or read as the page's: bidi controls written out in them too. */
const SHOWN_ATTRIBUTES = new Set(['title', 'aria-label']);

/** Creates an element; strings and numbers become Text nodes, so data always shows as text. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props?: ElementProps | null,
  ...children: Child[]
): HTMLElementTagNameMap[K];
export function h(tag: string, props?: ElementProps | null, ...children: Child[]): HTMLElement;
export function h(tag: string, props?: ElementProps | null, ...children: Child[]): HTMLElement {
  const element = document.createElement(tag);
  if (props?.className) element.className = props.className;
  for (const [name, value] of Object.entries(props?.attrs ?? {})) {
    if (value === undefined) continue;
    // A tooltip or a name read aloud says the text the way the page shows it.
    element.setAttribute(name, SHOWN_ATTRIBUTES.has(name) ? shownText(value) : value);
  }
  for (const [name, value] of Object.entries(props?.props ?? {})) {
    (element as unknown as Record<string, unknown>)[name] = value;
  }
  for (const [name, listener] of Object.entries(props?.on ?? {})) {
    element.addEventListener(name, listener);
  }
  append(element, ...children);
  return element;
}

/**
 * Bidirectional controls (embeddings, overrides, isolates, marks): a log path or a table name
 * holding one would show its characters in another order than they are, so that
 * `/files/\u202etxt.exe` read as `/files/exe.txt` in Suspicious requests. Right-to-left
 * letters are kept and read as their script reads.
 */
const BIDI_CONTROL = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Text as the page shows it: each bidirectional control written out as its code, `\u202e`. */
export function shownText(text: string): string {
  return text.replace(BIDI_CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(
      typeof child === 'object' ? child : document.createTextNode(shownText(String(child))),
    );
  }
}

/** Replaces every child of `parent`. */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

const numberFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });
const integerFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });

export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  return Number.isInteger(value) ? integerFormat.format(value) : numberFormat.format(value);
}

/** "5 min ago" style, from an ISO instant; the dashboard's clock is the browser's. */
export function formatAge(iso: string | undefined, now = Date.now()): string {
  if (!iso) return 'never';
  const at = Date.parse(iso);
  if (!Number.isFinite(at)) return 'unknown';
  const seconds = Math.max(0, Math.round((now - at) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86400)} d ago`;
}

/**
 * The age of `iso` as an element that `refreshAges` keeps true: a dashboard left open said
 * "4 s ago" an hour later. `tag` is `time` where the element also carries a tooltip.
 */
export function ageElement(
  iso: string,
  props: ElementProps = {},
  tag: 'time' | 'span' = 'span',
): HTMLElement {
  const attrs = { ...props.attrs, 'data-age-of': iso };
  return h(tag, { ...props, attrs }, formatAge(iso));
}

/** Rewrites every age `ageElement` made, from the clock now; the page calls it on a timer. */
export function refreshAges(root: ParentNode = document, now = Date.now()): void {
  for (const element of Array.from(root.querySelectorAll<HTMLElement>('[data-age-of]'))) {
    const text = formatAge(element.dataset.ageOf, now);
    if (element.textContent !== text) element.textContent = text;
  }
}

const timeFormatIn = (timeZone: string | undefined): Intl.DateTimeFormat =>
  new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short', timeZone });
let timeFormat = timeFormatIn(undefined);

/**
 * Shows every time from now on in `timeZone`, the host's (`upkeep.schedule.timeZone`, else the
 * editor machine's), as the tree and bug reports do; the browser's until the host names one, or
 * for a name this browser does not know.
 */
export function showTimesIn(timeZone: string | undefined): void {
  try {
    timeFormat = timeFormatIn(timeZone || undefined);
  } catch {
    timeFormat = timeFormatIn(undefined);
  }
}

/** The zone times are shown in, named where they show: "Europe/Berlin". */
export function shownTimeZone(): string {
  return timeFormat.resolvedOptions().timeZone;
}

/** `2026-12-05T09:30`: an instant's wall clock in the shown zone, as a datetime-local holds it. */
export function wallClockOf(at: number): string {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: shownTimeZone(),
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  });
  const part = Object.fromEntries(format.formatToParts(at).map((p) => [p.type, p.value]));
  return `${part.year}-${part.month}-${part.day}T${part.hour}:${part.minute}`;
}

/**
 * The instant (ISO 8601) a wall clock of the shown zone names (a datetime-local's
 * `2026-12-05T09:30`, which the browser would read in its own zone); '' for no valid one. The
 * zone's offset is read at a first guess and again at the answer, a clock change between them.
 */
export function instantOfWallClock(value: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value);
  if (!match) return '';
  const [year, month, day, hour, minute] = match.slice(1).map(Number);
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  const offsetAt = (at: number): number => Date.parse(`${wallClockOf(at)}Z`) - at;
  const guess = wall - offsetAt(wall);
  const at = wall - offsetAt(guess);
  return Number.isFinite(at) ? new Date(at).toISOString() : '';
}

/** The dashboard's one date format: the user's locale, with the time, in the shown zone. */
export function formatTime(iso: string): string {
  const at = Date.parse(iso);
  return Number.isFinite(at) ? timeFormat.format(at) : iso;
}

const dayFormat = new Intl.DateTimeFormat(undefined, {
  weekday: 'short',
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  timeZone: 'UTC',
});

/**
 * A calendar day ("Thu, Nov 5, 2026") from its midnight UTC: a day the database cut reads as
 * that date wherever the browser is, never as the evening before.
 */
export function formatDay(iso: string): string {
  const at = Date.parse(iso);
  return Number.isFinite(at) ? dayFormat.format(at) : iso;
}

/** An ISO 8601 instant as the database and logs send it ("2026-12-04T16:49:24.935Z"). */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)$/;

/** Whether text is an instant, which the page shows in its one date format and zone. */
export function isInstant(text: string): boolean {
  return ISO_INSTANT.test(text.trim());
}

/** Text that may be an instant (a card's table cell or fact): instants in the one date format. */
export function formatText(text: string): string {
  return isInstant(text) ? formatTime(text.trim()) : text;
}

/** "1 check", "2 checks": counts in sentences read right for one. */
export function plural(count: number, word: string, many = `${word}s`): string {
  return `${formatNumber(count)} ${count === 1 ? word : many}`;
}

/**
 * Long data (a 1 MB log line) is cut for display, between characters (an emoji at the cut is
 * left out, not drawn as half of one); the full text stays in the title tooltip.
 */
export function clip(text: string, max = 300): string {
  return text.length > max ? `${startOf(text, max)}…` : text;
}

/**
 * After these a name may wrap (`app/controllers/`, `ActiveRecord::`, `Bookings#`, `index_on_`):
 * paths, class names and index names hold no space, and without a break of their own a narrow
 * panel scrolled sideways for them. A break never falls between two letters or digits.
 */
const NAME_BREAK = /(?<=[/#_?&=]|::|\.(?=\p{L}))/u;

/** Text with a <wbr> at each place a name may wrap; its text and accessible name are unchanged. */
export function breakable(text: string): DocumentFragment {
  const fragment = document.createDocumentFragment();
  text.split(NAME_BREAK).forEach((part, index) => {
    if (index > 0) fragment.append(document.createElement('wbr'));
    fragment.append(shownText(part));
  });
  return fragment;
}

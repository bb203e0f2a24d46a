/**
 * Time-series charts (uPlot on a canvas) and simple bar lists, each with a text equivalent: an
 * aria-label summary and a visually hidden data table for screen readers. A chart's legend shows
 * the hovered point's values, and a figure for the whole window while nothing is hovered.
 */
import uPlot from 'uplot';
import type { ChartView } from '../src/core/dashboard/protocol';
import { chartColors, onThemeChange, type ChartColors, type ChartHue } from './theme';
import { formatMs } from '../src/core/util/figures';
import { formatDay, formatNumber, formatTime, h, plural, shownText, shownTimeZone } from './dom';

const HEIGHT = 200;
/** A chart's least width: at 200 a 210 px panel's page scrolled sideways for the charts. */
const MIN_WIDTH = 150;
/** Opacity of a faded series: lighter bars, still seen on a light and a dark theme. */
const FADED = 0.45;
/**
 * The patterns of a chart's lines in order, each with the legend swatch's border that shows it:
 * a reader who cannot tell the theme's colours apart tells the lines apart by these.
 */
const LINE_PATTERNS: { dash: number[]; marker: string }[] = [
  { dash: [], marker: 'solid' },
  { dash: [8, 4], marker: 'dashed' },
  { dash: [2, 3], marker: 'dotted' },
  { dash: [12, 3, 2, 3], marker: 'double' },
];
/** A screen reader reads the hidden table; past this many rows it gets the first ones only. */
const MAX_TABLE_ROWS = 400;

/**
 * What a legend shows while the pointer is off the chart: the window's total (counts per
 * hour or day add up), its peak (rates and durations, where the worst hour matters) or the
 * latest value (levels such as a size).
 */
export type LegendAtRest = 'total' | 'peak' | 'latest';

const AT_REST_LABEL: Record<LegendAtRest, string> = {
  total: 'Total',
  peak: 'Peak',
  latest: 'Latest',
};

const liveCharts = new Set<{ rebuild(): void; root: HTMLElement }>();
let themeWatch: (() => void) | undefined;

function ensureThemeWatch(): void {
  themeWatch ??= onThemeChange(() => {
    for (const chart of [...liveCharts]) {
      if (chart.root.isConnected) chart.rebuild();
      else liveCharts.delete(chart);
    }
  });
}

/**
 * How a chart writes a figure, as its data says and the cards beside it do: a duration with its
 * unit in it ("5.9 s", where the legend read "5,889.7"), so nothing follows it; a share with
 * its %; a count as a plain number; else a plain number that the chart's unit follows
 * ("42.3 MB").
 */
function figureWriter(view: ChartView): {
  write: (value: number | null | undefined) => string;
  unitAfter: string;
} {
  if (view.figures === 'durationMs') return { write: formatMs, unitAfter: '' };
  // A count's unit is in its series' name ("Requests 37"): after the last of several figures it
  // read as theirs ("Errors (5xx) 1 requests").
  if (view.figures === 'count') return { write: formatNumber, unitAfter: '' };
  // A share reads as one beside its figure ("4 %"), as on the cards.
  if (view.figures === 'percent') {
    return {
      write: (value) => (Number.isFinite(value) ? `${formatNumber(value)} %` : formatNumber(value)),
      unitAfter: '',
    };
  }
  return { write: formatNumber, unitAfter: ` ${view.unit}` };
}

function numbersOf(values: (number | null)[]): number[] {
  return values.filter((v): v is number => v !== null && Number.isFinite(v));
}

/** The figure a series' legend shows at rest; undefined when the series has no value. */
export function restingValue(values: (number | null)[], mode: LegendAtRest): number | undefined {
  const numbers = numbersOf(values);
  if (numbers.length === 0) return undefined;
  if (mode === 'total') return numbers.reduce((a, b) => a + b, 0);
  if (mode === 'peak') return Math.max(...numbers);
  return numbers[numbers.length - 1];
}

/**
 * The values a series' figures show: its own, and where it has none those of the faded series
 * after it, which is a part of it (the part days of Sign-ups): its total then counts them, as
 * the card beside the chart does, and a part day's figure is not a gap.
 */
function shownValues(view: ChartView, index: number): (number | null)[] {
  const own = view.series[index];
  const part = view.series[index + 1];
  if (own.faded || !part?.faded) return own.values;
  return own.values.map((value, at) => value ?? part.values[at] ?? null);
}

/**
 * The values a series' figures for the whole window (its legend at rest, its summary) are of:
 * for a peak, its own only, the part hours' apart (a last hour of 2 requests, 1 an error, was
 * the error rate's peak of 50 %); else as shown, the part days counted in the total.
 */
function windowValues(view: ChartView, index: number, atRest: LegendAtRest): (number | null)[] {
  return atRest === 'peak' ? view.series[index].values : shownValues(view, index);
}

/** "2 requests", what a point's figure rests on; empty for a chart without a base. */
function baseOf(view: ChartView, at: number): string {
  const count = view.base?.values[at];
  return view.base && count !== undefined ? plural(count, view.base.unit) : '';
}

/**
 * The legend's time at rest for a peak: of a chart of one whole series with a base (the error
 * rate), the peak's time and what it rests on, "Dec 5, 9:00 AM (2 requests)", so a peak of 50 %
 * of 2 requests is not read as an outage; else none (several series peak at several times).
 */
function peakTime(view: ChartView, instant: (seconds: number) => string): string {
  const whole = view.series.filter((series) => !series.faded);
  if (!view.base || whole.length !== 1) return '';
  // No whole hour with a value (5 requests, all in the window's last, part hour): no peak, so
  // no time; the first gap's was named, "7:00 AM (0 requests)".
  const peak = restingValue(whole[0].values, 'peak');
  const at = peak === undefined ? -1 : whole[0].values.indexOf(peak);
  return at < 0 ? '' : `${instant(view.times[at])} (${baseOf(view, at)})`;
}

/**
 * The indexes of the values a line cannot join to any other, its neighbours both gaps: uPlot
 * draws no line through them and, on a dense axis, no point either. Null when there is none.
 */
function loneAt(values: (number | null)[]): number[] | null {
  const gap = (at: number): boolean => values[at] === null || values[at] === undefined;
  const lone = values.flatMap((_value, at) => (!gap(at) && gap(at - 1) && gap(at + 1) ? [at] : []));
  return lone.length ? lone : null;
}

/**
 * The points a line draws: all of a faded one (part hours), a point or two between gaps, else
 * uPlot leaves a lone point out once the hours are dense; of a whole one its lone points (an
 * hour of requests between quiet hours: the durations of a few requests spread over a day drew
 * nothing), the others where uPlot draws them.
 */
function linePoints(series: ChartView['series'][number]): uPlot.Series.Points {
  if (series.faded) return { show: true, size: 6 };
  return { filter: (_plot, _series, show) => (show ? null : loneAt(series.values)) };
}

/** A point's time: a date for a chart of day buckets, else a date and time. */
function timeOf(view: ChartView): (seconds: number) => string {
  const format = view.dayBuckets ? formatDay : formatTime;
  return (seconds) => format(new Date(seconds * 1000).toISOString());
}

/** `users; days in Europe/Berlin` for day buckets, else `requests; times in Europe/Berlin`. */
function unitOf(view: ChartView): string {
  return view.dayBuckets
    ? `${view.unit}; days in ${view.dayBuckets.timeZone}`
    : `${view.unit}; times in ${shownTimeZone()}`;
}

function summarize(view: ChartView, atRest: LegendAtRest): string {
  if (view.times.length === 0) return `${view.title}: no data`;
  const instant = timeOf(view);
  const from = instant(view.times[0]);
  const to = instant(view.times[view.times.length - 1]);
  const { write, unitAfter } = figureWriter(view);
  const parts = view.series.map((series, index) => {
    const values = windowValues(view, index, atRest);
    const numbers = numbersOf(values);
    if (numbers.length === 0) return `${series.label}: no values`;
    const max = Math.max(...numbers);
    const mean = numbers.reduce((a, b) => a + b, 0) / numbers.length;
    // The legend's figure at rest comes first, so a screen reader hears what the eye sees.
    const resting = atRest === 'peak' ? '' : `${atRest} ${write(restingValue(values, atRest))}, `;
    return `${series.label} ${resting}mean ${write(mean)}, max ${write(max)}${unitAfter}`;
  });
  return `${view.title}, ${from} to ${to}: ${parts.join('; ')}`;
}

/** Wrapped in a div: a table ignores a 1px height, so hiding it directly would still take space. */
function hiddenTable(view: ChartView): HTMLElement {
  const instant = timeOf(view);
  const shown = view.series.map((_series, index) => shownValues(view, index));
  const rows = view.times
    .slice(0, MAX_TABLE_ROWS)
    .map((time, index) =>
      h(
        'tr',
        null,
        h('th', { attrs: { scope: 'row' } }, instant(time)),
        view.base ? h('td', null, formatNumber(view.base.values[index])) : null,
        ...shown.map((values) => h('td', null, formatNumber(values[index]))),
      ),
    );
  const table = h(
    'table',
    null,
    h('caption', null, `${view.title} (${unitOf(view)})`),
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        h('th', { attrs: { scope: 'col' } }, view.dayBuckets ? 'Day' : 'Time'),
        view.base ? h('th', { attrs: { scope: 'col' } }, view.base.label) : null,
        ...view.series.map((series) => h('th', { attrs: { scope: 'col' } }, series.label)),
      ),
    ),
    h('tbody', null, ...rows),
  );
  return h('div', { className: 'visually-hidden' }, table);
}

export interface TimeChartOptions {
  bars?: boolean;
  /** What the legend shows while no point is hovered; the latest value by default. */
  atRest?: LegendAtRest;
}

/**
 * The legend's series names become toggle buttons a keyboard reaches (uPlot makes them
 * clickable only); the table holding them is layout, read as plain text.
 */
function makeLegendKeyboardFriendly(plot: uPlot, legend: HTMLElement): void {
  legend.setAttribute('role', 'presentation');
  // With one series there is nothing to compare: hiding it would only blank the chart.
  if (plot.series.length <= 2) {
    legend.classList.add('single-series');
    return;
  }
  legend.querySelectorAll<HTMLElement>('tr.u-series').forEach((row, index) => {
    if (index === 0) return;
    const name = row.querySelector<HTMLElement>('th');
    if (!name) return;
    name.tabIndex = 0;
    name.setAttribute('role', 'button');
    // The series' name alone: read from the cell, it ends in the colon uPlot's CSS puts there.
    name.setAttribute('aria-label', String(plot.series[index].label ?? ''));
    name.setAttribute('aria-pressed', String(plot.series[index].show !== false));
    name.title = 'Show or hide this series';
    name.addEventListener('keydown', (event) => {
      if (event.key !== 'Enter' && event.key !== ' ') return;
      event.preventDefault();
      name.click();
    });
  });
}

const STEP_KEYS: Record<string, (at: number, last: number) => number> = {
  ArrowLeft: (at, last) => (at < 0 ? last : Math.max(0, at - 1)),
  ArrowRight: (at, last) => (at < 0 ? 0 : Math.min(last, at + 1)),
  Home: () => 0,
  End: (_at, last) => last,
};

/**
 * What a pointer shows on hover, a keyboard reaches too: with the chart focused, the arrow keys
 * (Home, End) move the cursor from point to point and the legend shows that point; Escape or
 * leaving the chart brings back the window's figures. `say` puts the point (or nothing, at
 * rest) into a live region, since a screen reader does not announce a legend that changes.
 */
function readByKeyboard(
  figure: HTMLElement,
  times: number[],
  plot: () => uPlot | undefined,
  say: (at: number) => void,
): void {
  let at = -1;
  const rest = (): void => {
    at = -1;
    plot()?.setCursor({ left: -10, top: -10 });
    say(at);
  };
  figure.tabIndex = 0;
  figure.addEventListener('keydown', (event) => {
    const current = plot();
    if (!current || event.target !== figure) return;
    if (event.key === 'Escape' && at >= 0) {
      event.preventDefault();
      rest();
      return;
    }
    const step = STEP_KEYS[event.key];
    if (!step) return;
    event.preventDefault();
    at = step(at, times.length - 1);
    current.setCursor({
      left: current.valToPos(times[at], 'x'),
      top: current.bbox.height / devicePixelRatio / 2,
    });
    say(at);
  });
  figure.addEventListener('blur', rest);
}

/**
 * The y axis: from zero for figures that are not negative (a bar stands on zero; counts,
 * rates and durations read against none), to uPlot's padded top; over nothing but zeros 0 to
 * 1, where uPlot runs to 100 (an error rate of none read as up to 100 %).
 */
function yRange(_plot: uPlot, min: number | null, max: number | null): uPlot.Range.MinMax {
  if (min === null || max === null || max <= 0) return min !== null && min < 0 ? [min, 0] : [0, 1];
  const [low, high] = uPlot.rangeNum(min, max, 0.1, true);
  return [min >= 0 ? 0 : low, high];
}

/**
 * The y axis of shares: as `yRange`, its top no higher than 100 % while no figure is over it
 * (an hour whose one request failed ran the axis to 200 %).
 */
function percentRange(plot: uPlot, min: number | null, max: number | null): uPlot.Range.MinMax {
  const [low, high] = yRange(plot, min, max);
  return max !== null && max <= 100 && high !== null ? [low, Math.min(high, 100)] : [low, high];
}

/** The CSS pixels below which a time's column is too narrow for two bars side by side. */
const SIDE_BY_SIDE_MIN_COLUMN = 8;

/** The CSS pixels between two neighbouring times on a chart's x axis. */
function columnWidth(plot: uPlot): number {
  const times = plot.data[0];
  if (times.length < 2) return Infinity;
  return Math.abs(plot.valToPos(times[1], 'x') - plot.valToPos(times[0], 'x'));
}

/**
 * The x axis of a bar chart: half a step past the first and the last time, so the bars at the
 * ends are drawn whole (uPlot's own range ends at those times and cut them in half). A lone
 * time gets a bucket around it (a day for day buckets, else an hour): uPlot would run the axis
 * 1,000 days past it, so a first day of sign-ups showed as a sliver beside years to come.
 */
function xRange(times: number[], bars: boolean, dayBuckets: boolean): uPlot.Scale.Range {
  let step = Infinity;
  for (let at = 1; at < times.length; at++) step = Math.min(step, times[at] - times[at - 1]);
  const half = Number.isFinite(step) && step > 0 ? step / 2 : dayBuckets ? 43200 : 1800;
  if (times.length === 1) return () => [times[0] - half, times[0] + half];
  return (_plot, min, max) => (bars ? [min - half, max + half] : [min, max]);
}

/**
 * The y axis's width: its longest label's in the axis's font, with its tick and gap, at least
 * 56 px. A fixed 56 px cut a size of 20 TB in MB ("20,000,000") to "0,000,000".
 */
function yAxisSize(plot: uPlot, values: string[] | null, axisIndex: number): number {
  const axis = plot.axes[axisIndex];
  // Set up, uPlot holds the font as [font, size]: the font's size is in device pixels.
  const font = (axis.font as unknown as [string, number] | string | undefined) ?? '';
  plot.ctx.font = Array.isArray(font) ? font[0] : font;
  const longest = Math.max(0, ...(values ?? []).map((value) => plot.ctx.measureText(value).width));
  const tick = axis.ticks?.size ?? 10;
  return Math.max(56, Math.ceil(longest / devicePixelRatio + tick + (axis.gap ?? 5) + 4));
}

const DAY = 86400;
/** Tick steps of an axis of day buckets: whole days, so no tick reads a time of day. */
const DAY_STEPS = [1, 2, 7, 14, 28, 91, 182, 365].map((days) => days * DAY);
const tickDay = new Intl.DateTimeFormat('en-US', {
  month: 'short',
  day: 'numeric',
  timeZone: 'UTC',
});

/**
 * The x axis of a chart of day buckets (midnights UTC): ticks on whole days, each a date
 * ("Dec 5"), noted on the canvas's host as the axis draws them.
 */
function dayAxis(canvasHost: HTMLElement): Partial<uPlot.Axis> {
  return {
    incrs: DAY_STEPS,
    values: (_plot, splits) => {
      const labels = splits.map((at) => tickDay.format(new Date(at * 1000)));
      canvasHost.dataset.xTicks = labels.join('|');
      return labels;
    },
  };
}

/**
 * The chart's names as the page shows text, each bidirectional control written out: uPlot puts
 * a series' name in the legend as it is, and a table's name with an override read backwards.
 */
function shownNames(view: ChartView): ChartView {
  return {
    ...view,
    title: shownText(view.title),
    series: view.series.map((series) => ({ ...series, label: shownText(series.label) })),
  };
}

/** A line chart over time; rebuilt with fresh colours when the theme changes. */
export function timeChart(data: ChartView, options: TimeChartOptions = {}): HTMLElement {
  const view = shownNames(data);
  const atRest = options.atRest ?? 'latest';
  const instant = timeOf(view);
  const summary = summarize(view, atRest);
  const canvasHost = h('div', { className: 'chart-canvas', attrs: { 'aria-hidden': 'true' } });
  // Outside the hidden canvas: the legend's figures are text a screen reader reads too.
  const legendHost = h('div', { className: 'chart-legend' });
  const spoken = h('p', { className: 'visually-hidden', attrs: { 'aria-live': 'polite' } });
  const figure = h(
    'figure',
    {
      className: 'chart',
      attrs: { role: 'group', 'aria-label': summary, 'data-focus-id': `chart ${view.title}` },
    },
    h('figcaption', null, view.title, h('span', { className: 'unit' }, ` (${unitOf(view)})`)),
    canvasHost,
    legendHost,
    view.note ? h('p', { className: 'chart-note' }, view.note) : null,
    hiddenTable(view),
    spoken,
  );
  if (view.times.length === 0) {
    canvasHost.replaceWith(h('p', { className: 'empty' }, 'No data in this window.'));
    legendHost.remove();
    return figure;
  }

  const shown = view.series.map((_series, index) => shownValues(view, index));
  const { write, unitAfter } = figureWriter(view);
  const resting = view.series.map((_series, index) =>
    restingValue(windowValues(view, index, atRest), atRest),
  );
  /**
   * A faded series (part days) in the colour of the series it is part of; the others in order,
   * as if the faded ones were not there (Errors stays red beside part hours).
   */
  const wholeIndex = (index: number): number =>
    Math.max(0, view.series.slice(0, index + 1).filter((series) => !series.faded).length - 1);
  const colorOf = (colors: ChartColors, index: number): string =>
    colors.series[wholeIndex(index) % colors.series.length];
  /** The lines of a chart differ by pattern too, not by colour alone; bars and points do not. */
  const patternOf = (index: number): { dash: number[]; marker: string } =>
    options.bars || view.series[index].faded
      ? LINE_PATTERNS[0]
      : LINE_PATTERNS[wholeIndex(index) % LINE_PATTERNS.length];
  /**
   * A bar chart's bars: one whole series (and its part) fills 0.8 of a time's column; two stand
   * side by side in it, the first left of the time, so neither hides the other (of an hour of
   * 1 request, 1 error, the error's bar covered the request's whole). Those mark no point on
   * a time: it fell between the two, and a ring of the errors' red sat on each hour of none.
   */
  const sideBySide = !!options.bars && view.series.filter((series) => !series.faded).length === 2;
  const barsOf = (index: number): uPlot.Series.PathBuilder | undefined => {
    const whole = uPlot.paths.bars?.({ size: [0.8, 40] });
    if (!sideBySide) return whole;
    const beside = uPlot.paths.bars?.({ size: [0.4, 20], align: wholeIndex(index) === 0 ? -1 : 1 });
    if (!whole || !beside) return undefined;
    // A dense chart (a week of hours in a narrow panel) has no room for two: each bar was 1 px
    // and ran into the next hour's. There the errors' bar is drawn over the requests' one, the
    // lower part of it, as a single series' bar; the width is read at each draw, as it resizes.
    return (plot, seriesIndex, first, last) => {
      const bars = columnWidth(plot) < SIDE_BY_SIDE_MIN_COLUMN ? whole : beside;
      return bars(plot, seriesIndex, first, last);
    };
  };
  const barPoints: Partial<uPlot.Series> = sideBySide ? { points: { show: false } } : {};
  // A total belongs to the whole window, not to one time: the time cell stays empty, as for
  // most peaks.
  const restingTime =
    atRest === 'latest'
      ? instant(view.times[view.times.length - 1])
      : atRest === 'peak'
        ? peakTime(view, instant)
        : '';
  /** A point's time with what its figure rests on: "Dec 5, 12:00 (2 requests)". */
  const pointTime = (at: number): string => {
    const base = baseOf(view, at);
    return base ? `${instant(view.times[at])} (${base})` : instant(view.times[at]);
  };
  /** Names the figures the legend shows: "Time" while hovering, "Total" (or …) at rest. */
  const labelLegend = (plot: uPlot): void => {
    const table = legendHost.querySelector('.u-legend');
    const label = table?.querySelector('tr.u-series .u-label');
    if (!table || !label) return;
    const rest = plot.legend.idx === null || plot.legend.idx === undefined;
    label.textContent = rest ? AT_REST_LABEL[atRest] : 'Time';
    table.classList.toggle('at-rest', rest);
    table.classList.toggle('at-rest-bare', rest && restingTime === '');
  };
  const markShown = (plot: uPlot): void => {
    legendHost.querySelectorAll('tr.u-series').forEach((row, index) => {
      if (index > 0) {
        row.querySelector('th')?.setAttribute('aria-pressed', String(plot.series[index].show));
      }
    });
  };

  /** The axes' extents, on the canvas's host: what the axis labels drawn on it say. */
  const noteRange = (plot: uPlot, key: string): void => {
    if (key !== 'x' && key !== 'y') return;
    const range = `${plot.scales[key].min ?? ''}..${plot.scales[key].max ?? ''}`;
    if (key === 'x') canvasHost.dataset.xRange = range;
    else canvasHost.dataset.yRange = range;
  };

  let plot: uPlot | undefined;
  const build = (): void => {
    plot?.destroy();
    const colors = chartColors();
    const width = Math.max(MIN_WIDTH, canvasHost.clientWidth || 480);
    const axis = {
      stroke: colors.foreground,
      grid: { stroke: colors.grid, width: 1 },
      ticks: { stroke: colors.grid, width: 1 },
    };
    plot = new uPlot(
      {
        width,
        height: HEIGHT,
        // Day buckets are midnights UTC: the axis reads them in UTC; other times in the zone
        // the page shows times in, not the browser's.
        tzDate: (ts: number) =>
          uPlot.tzDate(new Date(ts * 1000), view.dayBuckets ? 'UTC' : shownTimeZone()),
        legend: {
          show: true,
          mount: (_plot, table) => legendHost.replaceChildren(table),
          // Wide enough for a double border to show as one.
          markers: { width: 3, dash: (_plot, at) => (at > 0 ? patternOf(at - 1).marker : 'solid') },
        },
        cursor: { drag: { x: false, y: false }, points: { show: !sideBySide } },
        scales: {
          y: { range: view.figures === 'percent' ? percentRange : yRange },
          x: { time: true, range: xRange(view.times, !!options.bars, !!view.dayBuckets) },
        },
        axes: [
          view.dayBuckets ? { ...axis, ...dayAxis(canvasHost) } : axis,
          { ...axis, size: yAxisSize },
        ],
        series: [
          {
            label: 'Time',
            value: (_plot, _raw, _series, index) =>
              index === null ? restingTime : pointTime(index),
          },
          ...view.series.map((series, index) => ({
            label: series.label,
            stroke: colorOf(colors, index),
            fill: options.bars ? colorOf(colors, index) : undefined,
            alpha: series.faded ? FADED : 1,
            width: 2,
            dash: patternOf(index).dash,
            spanGaps: false,
            paths: options.bars ? barsOf(index) : undefined,
            ...(options.bars ? barPoints : { points: linePoints(series) }),
            value: (_plot: uPlot, _raw: number | null, _series: number, at: number | null) =>
              write(at === null ? resting[index] : shown[index][at]),
          })),
        ],
        hooks: { setLegend: [labelLegend], setSeries: [markShown], setScale: [noteRange] },
      },
      [view.times, ...view.series.map((series) => series.values)] as uPlot.AlignedData,
      canvasHost,
    );
    const legend = legendHost.querySelector<HTMLElement>('.u-legend');
    if (legend) makeLegendKeyboardFriendly(plot, legend);
    // A long name is cut to the panel's width in the legend: whole in its tooltip.
    legend?.querySelectorAll<HTMLElement>('tr.u-series .u-label').forEach((label, at) => {
      if (at > 0) label.title = label.textContent ?? '';
    });
    // uPlot draws a swatch in the series' colour at full strength: a faded one is lighter too.
    legend?.querySelectorAll<HTMLElement>('tr.u-series .u-marker').forEach((marker, at) => {
      if (at > 0 && view.series[at - 1]?.faded) marker.style.opacity = String(FADED);
    });
    labelLegend(plot);
  };
  const chart = { root: figure, rebuild: build };
  liveCharts.add(chart);
  ensureThemeWatch();
  /** "Dec 5, 9:00 AM (37 requests): Error rate 5.4 %", of the series shown. */
  const sayPoint = (at: number): void => {
    if (at < 0) {
      spoken.textContent = '';
      return;
    }
    const figures = view.series
      .map((series, index) => ({ series, index }))
      .filter(({ index }) => plot?.series[index + 1]?.show !== false)
      .map(({ series, index }) => `${series.label} ${write(shown[index][at])}`);
    spoken.textContent = `${pointTime(at)}: ${figures.join(', ')}${unitAfter}`;
  };
  readByKeyboard(figure, view.times, () => plot, sayPoint);

  // uPlot needs a width, which exists only once the figure is in the document.
  const resize = new ResizeObserver(() => {
    if (!figure.isConnected) return;
    const width = Math.max(MIN_WIDTH, canvasHost.clientWidth);
    if (!plot) build();
    else if (Math.abs(plot.width - width) > 2) plot.setSize({ width, height: HEIGHT });
  });
  resize.observe(canvasHost);
  return figure;
}

/** A horizontal bar list for categories (status mix, onboarding funnel): bars sized by CSSOM. */
export function barList(
  title: string,
  items: { label: string; value: number; note?: string; hue?: ChartHue }[],
  /** What a bar counts, in the singular: "request" reads "1 request", "31 requests". */
  unit: string,
): HTMLElement {
  const colorOf = (colors: ChartColors, index: number): string => {
    const hue = items[index]?.hue;
    return hue ? colors.hue[hue] : colors.series[index % colors.series.length];
  };
  const max = Math.max(1, ...items.map((item) => item.value));
  const summary = `${title}: ${items
    .map((item) => `${item.label} ${formatNumber(item.value)}${item.note ? ` (${item.note})` : ''}`)
    .join(', ')}`;
  const list = h('ul', { className: 'bars', attrs: { 'aria-label': summary } });
  const colors = chartColors();
  items.forEach((item, index) => {
    const bar = h('span', { className: 'bar' });
    // Style properties set through CSSOM are allowed by the CSP (no 'unsafe-inline' needed).
    bar.style.width = `${(item.value / max) * 100}%`;
    bar.style.backgroundColor = colorOf(colors, index);
    list.append(
      h(
        'li',
        null,
        // Cut to its column when long: whole in its tooltip.
        h('span', { className: 'bar-label', attrs: { title: item.label } }, item.label),
        h('span', { className: 'bar-track' }, bar),
        h('span', { className: 'bar-value' }, plural(item.value, unit)),
        item.note ? h('span', { className: 'bar-note' }, item.note) : null,
      ),
    );
  });
  // No items (a window without requests): said, not an empty list under its caption.
  const figure = h(
    'figure',
    { className: 'chart' },
    h('figcaption', null, title),
    items.length ? list : h('p', { className: 'empty' }, `No ${unit} in this window.`),
  );
  // Bar colours follow the theme like the canvas charts do.
  liveCharts.add({
    root: figure,
    rebuild: () => {
      const fresh = chartColors();
      list.querySelectorAll<HTMLElement>('.bar').forEach((bar, index) => {
        bar.style.backgroundColor = colorOf(fresh, index);
      });
    },
  });
  ensureThemeWatch();
  return figure;
}

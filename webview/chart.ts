/**
 * Time-series charts (uPlot on a canvas) and simple bar lists, each with a text equivalent: an
 * aria-label summary and a visually hidden data table for screen readers.
 */
import uPlot from 'uplot';
import type { ChartView } from '../src/core/dashboard/protocol';
import { chartColors, onThemeChange, type ChartColors, type ChartHue } from './theme';
import { formatNumber, formatTime, h } from './dom';

const HEIGHT = 200;
/** A screen reader reads the hidden table; past this many rows it gets the first ones only. */
const MAX_TABLE_ROWS = 400;

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

function summarize(view: ChartView): string {
  if (view.times.length === 0) return `${view.title}: no data`;
  const from = formatTime(new Date(view.times[0] * 1000).toISOString());
  const to = formatTime(new Date(view.times[view.times.length - 1] * 1000).toISOString());
  const parts = view.series.map((series) => {
    const numbers = series.values.filter((v): v is number => v !== null && Number.isFinite(v));
    if (numbers.length === 0) return `${series.label}: no values`;
    const max = Math.max(...numbers);
    const mean = numbers.reduce((a, b) => a + b, 0) / numbers.length;
    return `${series.label} mean ${formatNumber(mean)}, max ${formatNumber(max)} ${view.unit}`;
  });
  return `${view.title}, ${from} to ${to}: ${parts.join('; ')}`;
}

/** Wrapped in a div: a table ignores a 1px height, so hiding it directly would still take space. */
function hiddenTable(view: ChartView): HTMLElement {
  const rows = view.times
    .slice(0, MAX_TABLE_ROWS)
    .map((time, index) =>
      h(
        'tr',
        null,
        h('th', { attrs: { scope: 'row' } }, formatTime(new Date(time * 1000).toISOString())),
        ...view.series.map((series) => h('td', null, formatNumber(series.values[index]))),
      ),
    );
  const table = h(
    'table',
    null,
    h('caption', null, `${view.title} (${view.unit})`),
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        h('th', { attrs: { scope: 'col' } }, 'Time'),
        ...view.series.map((series) => h('th', { attrs: { scope: 'col' } }, series.label)),
      ),
    ),
    h('tbody', null, ...rows),
  );
  return h('div', { className: 'visually-hidden' }, table);
}

/** A line chart over time; rebuilt with fresh colours when the theme changes. */
export function timeChart(view: ChartView, options: { bars?: boolean } = {}): HTMLElement {
  const summary = summarize(view);
  const canvasHost = h('div', { className: 'chart-canvas', attrs: { 'aria-hidden': 'true' } });
  const figure = h(
    'figure',
    { className: 'chart', attrs: { role: 'group', 'aria-label': summary } },
    h('figcaption', null, view.title, h('span', { className: 'unit' }, ` (${view.unit})`)),
    canvasHost,
    hiddenTable(view),
  );
  if (view.times.length === 0) {
    canvasHost.replaceWith(h('p', { className: 'empty' }, 'No data in this window.'));
    return figure;
  }

  let plot: uPlot | undefined;
  const build = (): void => {
    plot?.destroy();
    const colors = chartColors();
    const width = Math.max(200, canvasHost.clientWidth || 480);
    const axis = {
      stroke: colors.foreground,
      grid: { stroke: colors.grid, width: 1 },
      ticks: { stroke: colors.grid, width: 1 },
    };
    plot = new uPlot(
      {
        width,
        height: HEIGHT,
        legend: { show: true },
        cursor: { drag: { x: false, y: false } },
        axes: [axis, { ...axis, size: 56 }],
        series: [
          {},
          ...view.series.map((series, index) => ({
            label: series.label,
            stroke: colors.series[index % colors.series.length],
            fill: options.bars ? colors.series[index % colors.series.length] : undefined,
            width: 2,
            spanGaps: false,
            paths: options.bars ? uPlot.paths.bars?.({ size: [0.8, 40] }) : undefined,
          })),
        ],
      },
      [view.times, ...view.series.map((series) => series.values)] as uPlot.AlignedData,
      canvasHost,
    );
  };
  const chart = { root: figure, rebuild: build };
  liveCharts.add(chart);
  ensureThemeWatch();

  // uPlot needs a width, which exists only once the figure is in the document.
  const resize = new ResizeObserver(() => {
    if (!figure.isConnected) return;
    const width = Math.max(200, canvasHost.clientWidth);
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
        h('span', { className: 'bar-label' }, item.label),
        h('span', { className: 'bar-track' }, bar),
        h('span', { className: 'bar-value' }, `${formatNumber(item.value)} ${unit}`),
        item.note ? h('span', { className: 'bar-note' }, item.note) : null,
      ),
    );
  });
  const figure = h('figure', { className: 'chart' }, h('figcaption', null, title), list);
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

/**
 * Benchmark of the dashboard webview in headless Chromium: time from the host's messages of a
 * full refresh (10,000 actions, 10,000 slow requests, 1,000 queries, a 7-day window) to every
 * section rendered and painted, against the goal of 300 ms (printed as a ratio); and the
 * empty frame's first paint after navigation. Needs `npm run build` first.
 * Usage: npx tsx bench/dashboard.ts [--runs N]
 */
import { DashboardHarness } from '../test/integration/webview/harness';
import { refreshMessages, sampleSections } from '../test/integration/webview/sampleData';
import type { HostMessage } from '../src/core/dashboard/protocol';

const GOAL_MS = 300;
const args = process.argv.slice(2);
const runs = args.includes('--runs') ? Number(args[args.indexOf('--runs') + 1]) : 5;

function bigRefresh(): HostMessage[] {
  const payloads = sampleSections();
  const hours = Array.from({ length: 168 }, (_, i) => 1_764_000_000 + i * 3600);
  for (const payload of payloads) {
    if (payload.section === 'logs') {
      payload.data.window = { kind: '7d' };
      payload.data.actions = Array.from({ length: 10_000 }, (_, i) => ({
        action: `Controller${i}#action`,
        count: i,
        p50Ms: i % 300,
        p95Ms: (i * 7919) % 10007,
        p99Ms: (i * 104729) % 20011,
        dbSharePercent: i % 100,
        errors: i % 3,
      }));
      payload.data.slowRequests = Array.from({ length: 10_000 }, (_, i) => ({
        at: new Date(1_764_000_000_000 + i * 60_000).toISOString(),
        action: `Controller${i % 50}#action`,
        path: `/path/${i}`,
        status: 200,
        durationMs: 1000 + (i % 5000),
        location: { file: 'log/production.log', line: i + 1 },
      }));
      for (const chart of [
        payload.data.requestsPerHour,
        payload.data.errorRate,
        payload.data.durations,
      ]) {
        chart.times = hours;
        chart.series = chart.series.map((series) => ({
          label: series.label,
          values: hours.map((_, i) => (i * 37) % 100),
        }));
      }
    }
    if (payload.section === 'database') {
      payload.data.slowQueries = Array.from({ length: 1000 }, (_, i) => ({
        query: `SELECT * FROM table_${i} WHERE id = $1`,
        calls: i,
        totalMs: i * 10,
        meanMs: 10,
        rows: i,
      }));
    }
  }
  return refreshMessages(1, payloads);
}

async function main(): Promise<void> {
  const harness = new DashboardHarness();
  await harness.start();
  const messages = bigRefresh();
  const renders: number[] = [];
  const firstPaints: number[] = [];
  const sections = new Map<string, number[]>();
  try {
    for (let run = 0; run < runs; run++) {
      const dashboard = await harness.open();
      firstPaints.push(
        await dashboard.page.evaluate(
          () => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN,
        ),
      );
      renders.push(
        // A string, so the bundler's helpers (tsx names functions) never reach the page.
        (await dashboard.page.evaluate(`(async (all) => {
          const started = performance.now();
          for (const message of all) window.postMessage(message, '*');
          await new Promise((resolve) => {
            const check = () => {
              const states = [...document.querySelectorAll('[data-section]')].map((section) =>
                section.getAttribute('data-state'),
              );
              if (states.every((state) => state === 'ready')) {
                requestAnimationFrame(() => requestAnimationFrame(() => resolve()));
              } else {
                setTimeout(check, 0);
              }
            };
            check();
          });
          return performance.now() - started;
        })(${JSON.stringify(messages)})`)) as number,
      );
      const measures = (await dashboard.page.evaluate(
        `performance.getEntriesByType('measure').map((m) => [m.name, m.duration])`,
      )) as [string, number][];
      for (const [name, duration] of measures) {
        sections.set(name, [...(sections.get(name) ?? []), duration]);
      }
      await dashboard.page.context().close();
    }
  } finally {
    await harness.stop();
  }
  const median = (values: number[]): number =>
    [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const render = median(renders);
  console.log(`runs: ${runs}`);
  console.log(`empty frame first contentful paint (median): ${median(firstPaints).toFixed(0)} ms`);
  console.log(
    `full dashboard rendered and painted after its data (median): ${render.toFixed(0)} ms` +
      ` (all: ${renders.map((ms) => ms.toFixed(0)).join(', ')})`,
  );
  for (const [name, durations] of sections) {
    console.log(
      `  ${name}: ${median(durations).toFixed(0)} ms (DOM built, before layout and paint)`,
    );
  }
  console.log(`ratio to the ${GOAL_MS} ms goal: ${(render / GOAL_MS).toFixed(2)} (<= 1 meets it)`);
}

void main();

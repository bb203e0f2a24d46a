/**
 * Reads a dashboard chart's legend the way it shows, for the browser and the real-editor tests:
 * one "label: value" line per row, the time (or "Total", "Peak", "Latest") first.
 */
import type { Frame, Locator, Page } from 'playwright-core';

/** A chart of the dashboard by its title (the start of its caption). */
export function chartFigure(root: Page | Frame, title: string): Locator {
  return root.locator('figure.chart', { has: root.locator('figcaption', { hasText: title }) });
}

export function chartLegend(root: Page | Frame, title: string): Promise<string[]> {
  return chartFigure(root, title)
    .locator('.u-legend tr.u-series')
    .evaluateAll((rows) =>
      rows.map(
        (row) =>
          `${row.querySelector('.u-label')?.textContent}: ` +
          `${row.querySelector('.u-value')?.textContent}`,
      ),
    );
}

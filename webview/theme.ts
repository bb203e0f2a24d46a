/**
 * Chart colours come from the editor's theme variables, read at runtime, and are re-read when the
 * theme changes (VS Code swaps the body class `vscode-light` / `vscode-dark` /
 * `vscode-high-contrast`).
 */

export type ChartHue = 'blue' | 'red' | 'yellow' | 'green' | 'purple' | 'orange';

export interface ChartColors {
  foreground: string;
  grid: string;
  series: string[];
  /** The theme's named chart colours, for meaning (5xx red, 2xx green). */
  hue: Record<ChartHue, string>;
}

function cssVar(name: string, fallbackVar?: string): string {
  const style = getComputedStyle(document.documentElement);
  const value = style.getPropertyValue(name).trim();
  if (value || !fallbackVar) return value;
  return style.getPropertyValue(fallbackVar).trim();
}

/** The chart palette of the current theme; every colour is a theme variable's value. */
export function chartColors(): ChartColors {
  const foreground = cssVar('--vscode-charts-foreground', '--vscode-foreground') || 'CanvasText';
  const hues: ChartHue[] = ['blue', 'red', 'yellow', 'green', 'purple', 'orange'];
  const hue = Object.fromEntries(
    hues.map((name) => [name, cssVar(`--vscode-charts-${name}`) || foreground]),
  ) as Record<ChartHue, string>;
  return {
    foreground,
    grid: cssVar('--vscode-charts-lines', '--vscode-widget-border') || foreground,
    series: hues.map((name) => hue[name]),
    hue,
  };
}

/** Calls `listener` after each theme switch; VS Code changes the body class and the variables. */
export function onThemeChange(listener: () => void): () => void {
  let last = document.body.className;
  const observer = new MutationObserver(() => {
    if (document.body.className === last) return;
    last = document.body.className;
    listener();
  });
  observer.observe(document.body, { attributes: true, attributeFilter: ['class'] });
  return () => observer.disconnect();
}

/**
 * The dashboard page the panel loads: the strict Content-Security-Policy with a nonce, the
 * bundled script and stylesheets. Pure, so the browser test serves exactly the same page.
 */
import { randomBytes } from 'node:crypto';

interface DashboardHtmlOptions {
  /** The webview's `cspSource` (where local resources are allowed from). */
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUri: string;
  codiconUri: string;
  /** Extra nonce'd script placed before the bundle; only the browser test uses it. */
  preludeScript?: string;
}

/** 128 bits, base64: a fresh nonce for every page load. */
export function createNonce(): string {
  return randomBytes(16).toString('base64');
}

/** Escapes a value for a double-quoted HTML attribute. */
function attr(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/"/g, '&quot;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/**
 * The CSP: nothing by default; scripts only with the nonce; styles from the extension or with
 * the nonce (the web components use constructable stylesheets and uPlot sets styles through
 * CSSOM, both allowed without 'unsafe-inline'); fonts and images from the extension only; no
 * form submission and no <base>.
 */
export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
    // default-src does not cover these two: no form goes anywhere, no <base> moves addresses.
    "form-action 'none'",
    "base-uri 'none'",
  ].join('; ');
}

export function dashboardHtml(options: DashboardHtmlOptions): string {
  const nonce = attr(options.nonce);
  // `</script` inside the prelude would end its element early; `<\/script` reads the same in JS.
  const preludeBody = options.preludeScript?.replace(/<\/script/gi, '<\\/script');
  const prelude = preludeBody ? `<script nonce="${nonce}">${preludeBody}</script>` : '';
  const policy = attr(contentSecurityPolicy(options.cspSource, options.nonce));
  const codicons = attr(options.codiconUri);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${policy}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" id="vscode-codicon-stylesheet" nonce="${nonce}" href="${codicons}">
<link rel="stylesheet" nonce="${nonce}" href="${attr(options.styleUri)}">
<title>Upkeep dashboard</title>
</head>
<body>
${prelude}<script nonce="${nonce}" src="${attr(options.scriptUri)}"></script>
</body>
</html>
`;
}

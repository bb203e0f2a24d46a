/**
 * The panel's page: a strict CSP with a fresh nonce, every script and stylesheet carrying it,
 * nothing inline without it, and the resource addresses escaped.
 */
import { strict as assert } from 'node:assert';
import {
  contentSecurityPolicy,
  createNonce,
  dashboardHtml,
} from '../../../src/core/dashboard/html';

describe('dashboard page', () => {
  const nonce = createNonce();
  const html = dashboardHtml({
    cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
    nonce,
    scriptUri: 'https://x/dist/webview/dashboard.js',
    styleUri: 'https://x/dist/webview/dashboard.css?a="><script>alert(1)</script>',
    codiconUri: 'https://x/dist/webview/codicon.css',
  });

  it('sets the strict policy: nothing by default, scripts only by nonce, no unsafe-inline', () => {
    const policy = contentSecurityPolicy('https://src', 'abc');
    assert.equal(
      policy,
      "default-src 'none'; img-src https://src data:; " +
        "style-src https://src 'nonce-abc'; font-src https://src; script-src 'nonce-abc'; " +
        // Not covered by default-src: a page with hostile script could post a form elsewhere,
        // or move every relative address with a <base>.
        "form-action 'none'; base-uri 'none'",
    );
    const applied = contentSecurityPolicy('https://file+.vscode-resource.vscode-cdn.net', nonce);
    assert.ok(html.includes(`content="${applied}"`));
    assert.doesNotMatch(html, /unsafe-inline|unsafe-eval/);
  });

  it('gives every script and stylesheet the nonce and has no inline handler', () => {
    const tags = html.match(/<(script|link)\b[^>]*>/g) ?? [];
    assert.equal(tags.length, 3);
    for (const tag of tags) assert.ok(tag.includes(`nonce="${nonce}"`), tag);
    assert.doesNotMatch(html, /\son[a-z]+=/i);
    assert.ok(
      html.includes('id="vscode-codicon-stylesheet"'),
      'the icon component finds the codicons',
    );
  });

  it('escapes resource addresses and makes a new nonce each time', () => {
    assert.ok(html.includes('a=&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.equal((html.match(/<script/g) ?? []).length, 1);
    assert.notEqual(createNonce(), createNonce());
    assert.match(nonce, /^[A-Za-z0-9+/]{22}==$/);
  });
});

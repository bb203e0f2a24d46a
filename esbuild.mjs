// Bundles the extension and the CLI (Node, CommonJS) and the dashboard webview (browser).
// Usage: node esbuild.mjs [--production] [--watch]
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync } from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
};

const builds = [
  {
    ...common,
    entryPoints: {
      extension: 'src/extension.ts',
      cli: 'src/cli.ts',
      // Reads byte ranges of large logs on worker threads; found next to the two above.
      logWorker: 'src/core/logs/logWorker.ts',
    },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', 'pg-native'],
  },
  {
    ...common,
    entryPoints: { dashboard: 'webview/main.ts' },
    outdir: 'dist/webview',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    loader: { '.ttf': 'file', '.woff2': 'file' },
  },
];

// The codicon font and stylesheet are loaded by the webview from the extension folder.
mkdirSync('dist/webview', { recursive: true });
cpSync('node_modules/@vscode/codicons/dist/codicon.css', 'dist/webview/codicon.css');
cpSync('node_modules/@vscode/codicons/dist/codicon.ttf', 'dist/webview/codicon.ttf');

if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}

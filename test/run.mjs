// Runs the test suites with mocha in one process and ends with the plain line
// "N passed, N failed, N skipped" that adds up every suite.
// Usage: node test/run.mjs [unit|integration|e2e ...] [-- extra mocha args]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const suites = {
  unit: 'test/unit/**/*.test.ts',
  integration: 'test/integration/**/*.test.ts',
  e2e: 'test/e2e/**/*.e2e.test.ts',
};

const args = process.argv.slice(2);
const split = args.indexOf('--');
const named = split === -1 ? args : args.slice(0, split);
const extra = split === -1 ? [] : args.slice(split + 1);
const chosen = named.length ? named : Object.keys(suites);
for (const name of chosen) {
  if (!(name in suites)) {
    console.error(`unknown suite "${name}"; choose from ${Object.keys(suites).join(', ')}`);
    process.exit(2);
  }
}

const result = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    path.join(root, 'node_modules/mocha/bin/mocha.js'),
    '--require',
    'test/support/globalHooks.ts',
    '--reporter',
    'test/support/summaryReporter.cjs',
    '--timeout',
    '60000',
    '--exit',
    ...chosen.map((name) => suites[name]),
    ...extra,
  ],
  { cwd: root, stdio: 'inherit' },
);
process.exit(result.status ?? 1);

#!/usr/bin/env node
// The `upkeep` command: the bundled CLI in dist/ (built by `npm run build`).
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
if (!fs.existsSync(path.join(root, 'dist', 'cli.js'))) {
  // Exit 2, a setup error: a stack trace with exit 1 read as "a check failed" to a cron job.
  process.stderr.write(`upkeep: the command is not built yet: run npm run build in ${root}\n`);
  process.exit(2);
}
require('../dist/cli.js');

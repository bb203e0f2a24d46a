#!/usr/bin/env node
// The `upkeep` command: the bundled CLI in dist/ (built by `npm run build`).
require('../dist/cli.js');

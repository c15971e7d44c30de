#!/usr/bin/env node
'use strict';
// Node 22.1 and later keep the CLI's compiled modules between runs: loading them is most of a short command's start-up.
require('node:module').enableCompileCache?.();
// The CLI is compiled to dist/ by `npm run build` (run by npm's prepare step on install).
require('../dist/electron/cli/main.js').runFromProcess();

#!/usr/bin/env node
'use strict';
// The CLI is compiled to dist/ by `npm run build` (run by npm's prepare step on install).
require('../dist/electron/cli/main.js').runFromProcess();

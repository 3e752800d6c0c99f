#!/usr/bin/env node
// Run by `npm run build` after tsc succeeded: dist/.built records that the build in dist/ is whole,
// so scripts/checks.mjs may leave the build out of `npm test` (tsc writes files even when it fails).
import { writeFileSync } from 'node:fs';

writeFileSync('dist/.built', `${new Date().toISOString()}\n`);

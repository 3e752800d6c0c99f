import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SHARED_DATA } from './cli.js';

/** The bridge's real log in its later format: no session_id, `seq` in epoch seconds, `timestamp_iso` without a zone. */
export const BRIDGE_LOG = join(SHARED_DATA, 'ndjson', 'tintown-bridge', 'latest_test.ndjson');

/** Present, or (in CI) a failure; elsewhere a skip with the reason. */
export function bridgeLogPresent(): boolean {
  if (existsSync(BRIDGE_LOG)) return true;
  if (process.env.CI === 'true') throw new Error(`required in CI: ${BRIDGE_LOG} is missing`);
  process.stderr.write(`skipping: ${BRIDGE_LOG} is absent (shared sample data not checked out)\n`);
  return false;
}

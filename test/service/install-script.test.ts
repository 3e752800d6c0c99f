import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('../../scripts/install_ingest_service.sh', import.meta.url));
const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

function execStart(args: string[]): string {
  const r = spawnSync('bash', [SCRIPT, ...args], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  const line = r.stdout.split('\n').find((l) => l.startsWith('ExecStart='));
  expect(line, r.stdout).toBeDefined();
  return line ?? '';
}

describe('scripts/install_ingest_service.sh --print', () => {
  it('with no arguments but --print: the default dated pattern, whole, and the default database', () => {
    expect(execStart(['--print'])).toContain(` follow ${ROOT}/logs/bridge_{YYYYMMDD}.ndjson --db ${ROOT}/logs/bridge.db`);
  });

  it('a pattern and a database given: used as they are, nothing appended', () => {
    const line = execStart(['data/cam_{YYYY}-{MM}-{DD}.ndjson', 'data/cam.db', '--print']);
    expect(line).toContain(` follow ${ROOT}/data/cam_{YYYY}-{MM}-{DD}.ndjson --db ${ROOT}/data/cam.db`);
    expect(line).not.toContain('}}');
  });
});

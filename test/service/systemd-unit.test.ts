import { describe, expect, it } from 'vitest';
import { quoteForSystemd, renderFollowUnit } from '../../src/service/systemd-unit.js';

describe('systemd unit', () => {
  it('quotes words with spaces, quotes and backslashes, and doubles % and $', () => {
    expect(quoteForSystemd('/plain/path_{YYYYMMDD}.ndjson')).toBe('/plain/path_{YYYYMMDD}.ndjson');
    expect(quoteForSystemd('/my logs/a"b\\c')).toBe('"/my logs/a\\"b\\\\c"');
    expect(quoteForSystemd('100%')).toBe('100%%');
    expect(quoteForSystemd('$HOME')).toBe('"$$HOME"');
  });

  it('renders ExecStart from absolute paths with Restart=on-failure', () => {
    const unit = renderFollowUnit({
      node: '/usr/bin/node',
      sluice: '/opt/sluice/bin/sluice.js',
      workingDirectory: '/home/u/bridge',
      pattern: '/home/u/bridge/logs/bridge_{YYYYMMDD}.ndjson',
      db: '/home/u/bridge/logs/bridge.db',
      extraArgs: ['--poll-ms', '100'],
    });
    expect(unit).toContain(
      'ExecStart=/usr/bin/node /opt/sluice/bin/sluice.js follow /home/u/bridge/logs/bridge_{YYYYMMDD}.ndjson --db /home/u/bridge/logs/bridge.db --no-progress --poll-ms 100\n',
    );
    expect(unit).toContain('WorkingDirectory=/home/u/bridge\n');
    expect(unit).toContain('Restart=on-failure\n');
    expect(unit).toContain('WantedBy=default.target\n');
  });
});

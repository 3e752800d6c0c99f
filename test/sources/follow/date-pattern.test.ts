import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DatePattern, type PatternMatch } from '../../../src/sources/follow/date-pattern.js';
import { tempDir } from '../../helpers/cli.js';

/** Creates empty files (and their folders) under `dir`. */
function touch(dir: string, ...names: string[]): void {
  for (const name of names) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), '');
  }
}

/** Matches as `name-relative-to-dir date`, for readable expectations. */
function listed(dir: string, matches: PatternMatch[]): string[] {
  return matches.map((m) => `${relative(dir, m.path)} ${m.date ?? 'undated'}`);
}

describe('DatePattern', () => {
  it('{YYYYMMDD}: only names that fit the tokens, oldest first, with the date of each', async () => {
    const dir = tempDir('sluice-datepattern-');
    touch(
      dir,
      'bridge_20240102.ndjson',
      'bridge_20231231.ndjson',
      'bridge_20240101.ndjson',
      // Do not fit: no date, too few digits, letters, another suffix, another prefix.
      'bridge_latest.ndjson',
      'bridge_2024010.ndjson',
      'bridge_2024010a.ndjson',
      'bridge_20240101.ndjson.gz',
      'other_20240101.ndjson',
    );
    // A folder whose name fits is not a file to follow.
    mkdirSync(join(dir, 'bridge_20240103.ndjson'));
    const p = new DatePattern(join(dir, 'bridge_{YYYYMMDD}.ndjson'));
    expect(listed(dir, await p.list())).toEqual([
      'bridge_20231231.ndjson 20231231',
      'bridge_20240101.ndjson 20240101',
      'bridge_20240102.ndjson 20240102',
    ]);
  });

  it('{YYYY}-{MM}-{DD}: the date is assembled from the three tokens', async () => {
    const dir = tempDir('sluice-datepattern-');
    touch(dir, 'cowrie.json.2018-05-06', 'cowrie.json.2018-05-04', 'cowrie.json.2017-12-31', 'cowrie.json', 'cowrie.json.2018-5-6');
    const p = new DatePattern(join(dir, 'cowrie.json.{YYYY}-{MM}-{DD}'));
    expect(listed(dir, await p.list())).toEqual([
      'cowrie.json.2017-12-31 20171231',
      'cowrie.json.2018-05-04 20180504',
      'cowrie.json.2018-05-06 20180506',
    ]);
  });

  it('orders by the date in the name, not by the name, when the tokens are not in year-month-day order', async () => {
    const dir = tempDir('sluice-datepattern-');
    // By name: 01-01-2024 < 02-01-2024 < 31-12-2023. By date: 31-12-2023 first.
    touch(dir, 'bridge_02-01-2024.ndjson', 'bridge_31-12-2023.ndjson', 'bridge_01-01-2024.ndjson');
    const p = new DatePattern(join(dir, 'bridge_{DD}-{MM}-{YYYY}.ndjson'));
    expect(listed(dir, await p.list())).toEqual([
      'bridge_31-12-2023.ndjson 20231231',
      'bridge_01-01-2024.ndjson 20240101',
      'bridge_02-01-2024.ndjson 20240102',
    ]);
  });

  it('tokens in folder names: {YYYY}/{MM}/bridge_{DD}.ndjson', async () => {
    const dir = tempDir('sluice-datepattern-');
    touch(dir, '2024/01/bridge_02.ndjson', '2023/12/bridge_31.ndjson', '2024/01/bridge_01.ndjson', '2024/xx/bridge_01.ndjson');
    const p = new DatePattern(join(dir, '{YYYY}/{MM}/bridge_{DD}.ndjson'));
    expect(listed(dir, await p.list())).toEqual([
      '2023/12/bridge_31.ndjson 20231231',
      '2024/01/bridge_01.ndjson 20240101',
      '2024/01/bridge_02.ndjson 20240102',
    ]);
    expect(p.folder).toBe(dir);
  });

  it('a token may appear twice (a folder per year holding dated files)', async () => {
    const dir = tempDir('sluice-datepattern-');
    touch(dir, '2024/2024-01-02.log', '2023/2023-12-31.log', '2024/2024-01-01.log');
    // `{YYYY}` twice: the second must repeat the first. Today the constructor throws
    // "Invalid regular expression: ... Duplicate capture group name".
    const make = (): DatePattern => new DatePattern(join(dir, '{YYYY}/{YYYY}-{MM}-{DD}.log'));
    expect(make).not.toThrow();
    expect(listed(dir, await make().list())).toEqual([
      '2023/2023-12-31.log 20231231',
      '2024/2024-01-01.log 20240101',
      '2024/2024-01-02.log 20240102',
    ]);
  });

  it('a token pattern under a folder whose name has glob-special characters (parentheses)', async () => {
    const dir = tempDir('sluice-datepattern-');
    touch(dir, 'logs (old)/bridge_20240102.ndjson', 'logs (old)/bridge_20240101.ndjson');
    const p = new DatePattern(join(dir, 'logs (old)', 'bridge_{YYYYMMDD}.ndjson'));
    // The literal part is a path, not a glob: the files in `logs (old)` are found and watched there.
    expect(listed(dir, await p.list())).toEqual([
      'logs (old)/bridge_20240101.ndjson 20240101',
      'logs (old)/bridge_20240102.ndjson 20240102',
    ]);
    expect(p.folder).toBe(join(dir, 'logs (old)'));
  });

  it('glob: dated names by their date, the undated live file last (cowrie.json after cowrie.json.2018-05-06)', async () => {
    const dir = tempDir('sluice-datepattern-');
    touch(dir, 'cowrie.json', 'cowrie.json.2018-05-06', 'cowrie.json.2018-05-05', 'cowrie.json.2017-01-01', 'notes.txt');
    const p = new DatePattern(join(dir, 'cowrie.json*'));
    expect(listed(dir, await p.list())).toEqual([
      'cowrie.json.2017-01-01 20170101',
      'cowrie.json.2018-05-05 20180505',
      'cowrie.json.2018-05-06 20180506',
      'cowrie.json undated',
    ]);
    expect(p.folder).toBe(dir);
  });

  it('glob: dates without dashes are read too; equal dates are ordered by name; undated names by name, last', async () => {
    const dir = tempDir('sluice-datepattern-');
    touch(dir, 'b_20240101.log', 'a_20240101.log', 'c_20231231.log', 'zz.log', 'live.log');
    const p = new DatePattern(join(dir, '*.log'));
    expect(listed(dir, await p.list())).toEqual([
      'c_20231231.log 20231231',
      'a_20240101.log 20240101',
      'b_20240101.log 20240101',
      'live.log undated',
      'zz.log undated',
    ]);
  });

  it('glob with a wildcard folder: the folder to watch is the part before it', async () => {
    const dir = tempDir('sluice-datepattern-');
    touch(dir, 'host-b/app_2024-01-02.log', 'host-a/app_2024-01-03.log', 'host-a/app_2024-01-01.log');
    const p = new DatePattern(join(dir, 'host-*', 'app_*.log'));
    expect(listed(dir, await p.list())).toEqual([
      'host-a/app_2024-01-01.log 20240101',
      'host-b/app_2024-01-02.log 20240102',
      'host-a/app_2024-01-03.log 20240103',
    ]);
    expect(p.folder).toBe(dir);
  });

  it('a plain path (no tokens, no glob) is one undated file while it exists; its folder is watched', async () => {
    const dir = tempDir('sluice-datepattern-');
    const p = new DatePattern(join(dir, 'cowrie.json'));
    expect(await p.list()).toEqual([]);
    touch(dir, 'cowrie.json', 'cowrie.json.2018-05-06');
    expect(listed(dir, await p.list())).toEqual(['cowrie.json undated']);
    // The folder, not the file: a watch on the file itself follows the old inode after a rotation
    // (rename + new file), and is impossible while the file does not exist yet.
    expect(p.folder).toBe(dir);
  });

  it('a missing folder lists nothing (the follower waits for it)', async () => {
    const dir = tempDir('sluice-datepattern-');
    const p = new DatePattern(join(dir, 'not-yet', 'bridge_{YYYYMMDD}.ndjson'));
    expect(await p.list()).toEqual([]);
    expect(p.folder).toBe(join(dir, 'not-yet'));
    touch(dir, 'not-yet/bridge_20240101.ndjson');
    expect(listed(dir, await p.list())).toEqual(['not-yet/bridge_20240101.ndjson 20240101']);
  });

  it('a relative pattern lists absolute paths and watches the absolute folder', async () => {
    const dir = tempDir('sluice-datepattern-');
    touch(dir, 'logs/bridge_20240102.ndjson', 'logs/bridge_20240101.ndjson');
    const rel = relative(process.cwd(), join(dir, 'logs', 'bridge_{YYYYMMDD}.ndjson'));
    const p = new DatePattern(rel);
    const matches = await p.list();
    expect(matches.map((m) => m.path)).toEqual([join(dir, 'logs/bridge_20240101.ndjson'), join(dir, 'logs/bridge_20240102.ndjson')]);
    expect(p.folder).toBe(join(dir, 'logs'));
  });

  it('{YYYY} alone and {YYYY}{MM}: missing parts count as 01', async () => {
    const dir = tempDir('sluice-datepattern-');
    touch(dir, 'y2024.log', 'y2023.log', 'm202402.log', 'm202312.log');
    expect(listed(dir, await new DatePattern(join(dir, 'y{YYYY}.log')).list())).toEqual(['y2023.log 20230101', 'y2024.log 20240101']);
    expect(listed(dir, await new DatePattern(join(dir, 'm{YYYY}{MM}.log')).list())).toEqual(['m202312.log 20231201', 'm202402.log 20240201']);
  });

  it('the same pattern object gives the same answer every time (no regex state leaks between calls)', async () => {
    const dir = tempDir('sluice-datepattern-');
    touch(dir, 'bridge_20240101.ndjson', 'bridge_20240102.ndjson');
    const p = new DatePattern(join(dir, 'bridge_{YYYYMMDD}.ndjson'));
    const first = listed(dir, await p.list());
    for (let i = 0; i < 3; i++) {
      expect(p.folder).toBe(dir);
      expect(listed(dir, await p.list())).toEqual(first);
    }
  });
});

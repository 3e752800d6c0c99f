import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, lstatSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { openReportOutput } from '../../src/reports/report-output.js';
import { tempDir } from '../helpers/cli.js';

describe('report output', () => {
  it('writes a file under a temporary name and renames it when done', async () => {
    const dir = tempDir();
    const path = join(dir, 'deep', 'r.csv');
    const out = openReportOutput(path, new PassThrough());
    await out.write('a,b\r\n');
    expect(existsSync(path)).toBe(false);
    await out.close(true);
    expect(readFileSync(path, 'utf8')).toBe('a,b\r\n');
    expect(readdirSync(join(dir, 'deep'))).toEqual(['r.csv']);
  });

  it('leaves an existing file untouched when the report fails', async () => {
    const dir = tempDir();
    const path = join(dir, 'r.csv');
    writeFileSync(path, 'old');
    const out = openReportOutput(path, new PassThrough());
    await out.write('partial');
    await out.close(false);
    expect(readFileSync(path, 'utf8')).toBe('old');
    expect(readdirSync(dir)).toEqual(['r.csv']);
  });

  it('writes through a symlink to its target', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'target.csv'), 'old');
    symlinkSync(join(dir, 'target.csv'), join(dir, 'link.csv'));
    const out = openReportOutput(join(dir, 'link.csv'), new PassThrough());
    await out.write('new');
    await out.close(true);
    expect(lstatSync(join(dir, 'link.csv')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, 'target.csv'), 'utf8')).toBe('new');
  });

  it('writes into a FIFO (or /dev/null) directly and never replaces it', async () => {
    const dir = tempDir();
    const fifo = join(dir, 'pipe');
    if (spawnSync('mkfifo', [fifo]).status !== 0) throw new Error('mkfifo is needed for this test');
    let read = '';
    const reader = createReadStream(fifo, 'utf8');
    reader.on('data', (d) => (read += String(d)));
    const closed = new Promise<void>((resolve) => reader.on('close', () => resolve()));
    const out = openReportOutput(fifo, new PassThrough());
    await out.write('through the pipe');
    await out.close(true);
    await closed;
    expect(read).toBe('through the pipe');
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });

  it('writes stdout without ending it', async () => {
    const stdout = new PassThrough();
    let text = '';
    stdout.on('data', (d: Buffer) => (text += d.toString()));
    const out = openReportOutput('-', stdout);
    await out.write('x');
    await out.close(true);
    expect(stdout.writableEnded).toBe(false);
    expect(text).toBe('x');
  });
});

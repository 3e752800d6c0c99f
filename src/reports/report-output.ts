import { once } from 'node:events';
import { createWriteStream, mkdirSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Writable } from 'node:stream';
import { SluiceError } from '../core/errors.js';

/** Where a report's text goes: stdout or a file. Writes wait when the reader is slower (back-pressure). */
export interface ReportOutput {
  /** Human name for messages (`stdout`, the path). */
  readonly description: string;
  /** Writes bytes (or text, as UTF-8); resolves once the stream can take more. */
  write(data: Uint8Array | string): Promise<void>;
  /** True once the reader went away (`| head`): the report stops quietly. */
  readonly gone: boolean;
  /** Finishes the output: a file is renamed into place when `ok`, removed otherwise. */
  close(ok: boolean): Promise<void>;
}

/** A stream that ends early on EPIPE (a closed pipe) is not an error for a report. */
function isGone(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'EPIPE';
}

class StreamOutput implements ReportOutput {
  gone = false;
  private failure: Error | undefined;

  constructor(
    readonly description: string,
    private readonly stream: Writable,
    /** Whether closing the output ends the stream (a file we opened; never stdout). */
    private readonly owned: boolean,
  ) {
    stream.on('error', (err) => {
      if (isGone(err)) this.gone = true;
      else this.failure = err;
    });
  }

  async write(data: Uint8Array | string): Promise<void> {
    this.check();
    if (this.gone || data.length === 0) return;
    if (!this.stream.write(data)) await this.drained();
    this.check();
  }

  /** Resolves when the stream wants more, or has closed; errors are picked up by the 'error' handler. */
  private drained(): Promise<void> {
    const stream = this.stream;
    return new Promise((resolve) => {
      const done = () => {
        stream.off('drain', done);
        stream.off('close', done);
        stream.off('error', done);
        resolve();
      };
      stream.on('drain', done);
      stream.on('close', done);
      stream.on('error', done);
    });
  }

  async close(_ok: boolean): Promise<void> {
    await this.end();
    this.check();
  }

  /** Ends a stream we opened and waits until its file is closed. */
  protected async end(): Promise<void> {
    const stream = this.stream;
    if (!this.owned || stream.destroyed) return;
    stream.end();
    await once(stream, 'close').catch(() => undefined);
  }

  protected check(): void {
    if (this.failure) throw this.wrap(this.failure);
  }

  protected wrap(err: unknown): SluiceError {
    return new SluiceError('SLUICE_E_REPORT', `cannot write to ${this.description}: ${(err as Error).message}`, { cause: err });
  }

}

/** A file written under a temporary name and renamed when complete, so it appears whole or not at all. */
class FileOutput extends StreamOutput {
  constructor(
    private readonly path: string,
    private readonly temp: string,
  ) {
    super(path, createWriteStream(temp), true);
  }

  override async close(ok: boolean): Promise<void> {
    await this.end();
    if (ok) {
      this.check();
      renameSync(this.temp, this.path);
    } else {
      rmSync(this.temp, { force: true });
    }
  }
}

/**
 * Opens `--out`: stdout when absent or `-`. A regular file (new or existing, also through a symlink)
 * is written under a temporary name beside it and renamed into place; anything else that exists
 * (`/dev/null`, a FIFO, a terminal) is written to directly, never replaced.
 */
export function openReportOutput(out: string | undefined, stdout: Writable): ReportOutput {
  if (out === undefined || out === '-') return new StreamOutput('stdout', stdout, false);
  const existing = statSync(out, { throwIfNoEntry: false });
  if (existing && !existing.isFile()) {
    if (existing.isDirectory()) throw new SluiceError('SLUICE_E_CONFIG', `--out: ${out} is a folder; name a file`);
    return new StreamOutput(out, createWriteStream(out, { flags: 'w' }), true);
  }
  const target = existing ? realpathSync(out) : out;
  try {
    mkdirSync(dirname(target), { recursive: true });
  } catch (err) {
    throw new SluiceError('SLUICE_E_CONFIG', `--out: cannot create the folder of ${out}: ${(err as Error).message}`, { cause: err });
  }
  return new FileOutput(target, `${target}.${process.pid}.tmp`);
}

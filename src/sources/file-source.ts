import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { glob, isDynamicPattern } from 'tinyglobby';
import { SluiceError } from '../core/errors.js';
import type { FileUnitRef } from './file-unit-ref.js';
import { planUnits } from './plan-units.js';
import type { ParseMessage } from '../core/parse-message.js';
import type { ParseOptions } from '../parse/parse-options.js';
import { parseUnits } from '../parse/parse-units.js';
import { WorkerParseStage } from '../parse/worker-parse-stage.js';
import type { Source, SourceContext } from './source.js';
import { wakeOnStop } from './wake-on-stop.js';

/**
 * Text input with up to this many bytes still to read, in all, is parsed in the main thread. A parser
 * thread costs about 0.1 s of CPU and of wall time to start (Node's bootstrap and the parser's
 * modules, measured on the bundled build), while a megabyte of NDJSON parses in about 20 ms: below
 * this size the thread only makes a short run slower. Compressed and database units always go to the
 * thread: a megabyte of gzip can hold 30 of JSON.
 */
export const INLINE_PARSE_MAX_BYTES = 1024 * 1024;

/**
 * The `file` source: paths, globs and `-` (stdin), each read once from its cursor. Files are parsed
 * in a worker thread (JSON parsing is the hot path; the writer keeps the main thread); stdin, which a
 * worker cannot read, and small input (`INLINE_PARSE_MAX_BYTES`), in the main thread.
 */
export class FileSource implements Source {
  readonly description: string;
  private stage: (AsyncIterable<ParseMessage> & { close?: () => Promise<void> }) | undefined;
  private readsStdin = false;

  constructor(
    private readonly patterns: readonly string[],
    private readonly parse: ParseOptions,
    private readonly stdin: Readable = process.stdin,
  ) {
    this.description = patterns.join(' ');
  }

  async open(ctx: SourceContext): Promise<AsyncIterable<ParseMessage>> {
    const refs = await resolveFileUnits(this.patterns);
    const planning = await planUnits(refs, ctx.sink, ctx.scope);
    ctx.bus.set('bytesTotal', planning.bytesTotal);
    ctx.bus.add('unitsSkipped', planning.alreadyDone.length);
    const { plans } = planning;
    if (plans.some((p) => p.path === null)) {
      this.readsStdin = true;
      // Standard input may stay open with nothing to read (a pipe from an idle writer): a stop must
      // not wait for its next line.
      return wakeOnStop(parseUnits(plans, this.parse, this.stdin), ctx.stop);
    }
    // Files never wait on their input, so the writer's check for a stop between messages is enough,
    // and a stop ends the generator (closing the file) as it leaves the loop.
    if (planning.wholeUnits === 0 && planning.bytesTotal <= INLINE_PARSE_MAX_BYTES) return parseUnits(plans, this.parse);
    this.stage = new WorkerParseStage(plans, this.parse);
    return this.stage;
  }

  async close(): Promise<void> {
    await this.stage?.close?.();
    // Standard input left open after a stop would keep the process alive; the run is over.
    if (this.readsStdin && !this.stdin.readableEnded) this.stdin.destroy();
  }
}

/**
 * Paths, globs and `-` → units in the order given, each glob's matches sorted by name, each file
 * once. A plain path that does not exist, or a glob that matches nothing, is a usage error: a typo
 * should not look like an empty successful run.
 */
export async function resolveFileUnits(patterns: readonly string[]): Promise<FileUnitRef[]> {
  const units: FileUnitRef[] = [];
  const seen = new Set<string>();
  const add = (display: string, path: string): void => {
    const abs = resolve(path);
    if (seen.has(abs)) return;
    seen.add(abs);
    units.push({ display, path: abs });
  };
  for (const pattern of patterns) {
    if (pattern === '-') {
      units.push({ display: '-', path: null });
      continue;
    }
    if (existsSync(pattern)) {
      if (statSync(pattern).isDirectory()) {
        throw new SluiceError('SLUICE_E_NO_INPUT', `${pattern} is a folder; name files or a glob such as "${pattern}/*.ndjson"`);
      }
      add(pattern, pattern);
      continue;
    }
    if (!isDynamicPattern(pattern)) throw new SluiceError('SLUICE_E_NO_INPUT', `${pattern}: no such file`);
    const matches = (await glob(pattern, { onlyFiles: true, expandDirectories: false })).sort();
    if (matches.length === 0) throw new SluiceError('SLUICE_E_NO_INPUT', `${pattern}: the glob matches no file`);
    for (const m of matches) add(m, m);
  }
  return units;
}

import type { Sink, UnitCursor } from '../../sinks/sink.js';
import type { TelemetryBus } from '../../telemetry/telemetry-bus.js';
import type { DeadLetterFile } from '../dead-letter-file.js';
import { SluiceError } from '../errors.js';
import type { ParseMessage } from '../parse/parse-messages.js';
import type { PlannedUnit } from './plan-units.js';

/** Longest the writer runs without letting timers and signals in. */
const YIELD_EVERY_MS = 20;

/** Everything the writer loop needs. */
export interface FlowParts {
  units: readonly PlannedUnit[];
  stage: AsyncIterable<ParseMessage>;
  sink: Sink;
  deadLetter: DeadLetterFile | undefined;
  bus: TelemetryBus;
  /** Commit when the open batch holds this many rows... */
  batchRows: number;
  /** ...or is this old, whichever comes first. */
  batchAgeMs: number;
  /** Polled between chunks: true once a stop was asked for. */
  stopRequested: () => boolean;
}

/** How the flow ended. */
export type FlowOutcome = 'done' | 'interrupted';

/**
 * The single writer: takes parsed chunks in order, writes their rows into the sink's open batch and
 * commits rows, cursors and the dead-letter mark together when the batch is full or old enough. A
 * stop request ends the loop after the chunk in hand, with a final commit.
 */
export async function runFlow(parts: FlowParts): Promise<FlowOutcome> {
  const { sink, bus, deadLetter } = parts;
  const pending = new Map<number, UnitCursor>();
  let batchRows = 0;
  let batchStarted = Date.now();
  let bytesBefore = 0;
  let unitBytes = 0;
  let lastYield = Date.now();

  const commit = async (): Promise<void> => {
    const cursors = [...pending.values()];
    const mark = deadLetter?.flush();
    if (mark) cursors.push(mark);
    const result = await sink.commit(cursors);
    bus.add('written', result.written);
    bus.add('duplicates', result.duplicates);
    pending.clear();
    batchRows = 0;
    batchStarted = Date.now();
  };

  const moveCursor = (unit: number, offset: number, line: number, done: boolean): void => {
    const u = parts.units[unit];
    if (!u || u.cursorKey === null) return;
    pending.set(unit, { key: u.cursorKey, unit: u.plan.display, identity: u.identity, size: u.size, offset, line, done });
  };

  bus.setPhase('ingesting');
  for await (const msg of parts.stage) {
    if (msg.kind === 'unit-start') {
      bus.setUnit(parts.units[msg.unit]?.plan.display);
      unitBytes = 0;
    } else if (msg.kind === 'chunk') {
      deadLetter?.add(msg.bad);
      for (const rows of msg.rows) {
        sink.write(rows);
        batchRows += rows.count;
      }
      bus.add('read', msg.records);
      bus.add('bad', msg.bad.length);
      bus.add('skipped', msg.skipped);
      unitBytes = progressBytes(parts.units[msg.unit], msg.rawBytes);
      bus.set('bytesDone', bytesBefore + unitBytes);
      moveCursor(msg.unit, msg.endOffset, msg.endLine, false);
    } else if (msg.kind === 'unit-end') {
      moveCursor(msg.unit, msg.endOffset, msg.endLine, true);
      bus.add('unitsDone', 1);
      bytesBefore += progressBytes(parts.units[msg.unit], msg.rawBytes);
      unitBytes = 0;
      bus.set('bytesDone', bytesBefore);
    } else {
      await commit();
      throw new SluiceError('SLUICE_E_SOURCE', `${parts.units[msg.unit]?.plan.display ?? 'input'}: ${msg.message}`);
    }
    if (parts.stopRequested()) {
      await commit();
      return 'interrupted';
    }
    if (batchRows >= parts.batchRows || Date.now() - batchStarted >= parts.batchAgeMs) await commit();
    // Let timers (status file, progress), signals and the parser's messages in: while chunks are
    // queued, the loop would otherwise run on microtasks alone and starve them.
    if (Date.now() - lastYield >= YIELD_EVERY_MS) {
      await yieldToEventLoop();
      lastYield = Date.now();
    }
  }
  await commit();
  return 'done';
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Bytes of this unit counted toward progress: those read in this run, not before the cursor. */
function progressBytes(unit: PlannedUnit | undefined, rawBytes: number): number {
  if (!unit || unit.plan.gzip) return rawBytes;
  return Math.max(0, rawBytes - unit.plan.startOffset);
}

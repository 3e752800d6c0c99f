import type { Sink, UnitCursor } from './sink.js';
import type { TelemetryBus } from './telemetry-bus.js';
import { Batcher } from './batcher.js';
import type { DeadLetterFile } from './dead-letter-file.js';
import { SluiceError } from './errors.js';
import type { ParseMessage, UnitPlan } from './parse-message.js';

/** Longest the writer runs without letting timers and signals in. */
const YIELD_EVERY_MS = 20;

/** Everything the writer loop needs. */
export interface FlowParts {
  stage: AsyncIterable<ParseMessage>;
  sink: Sink;
  deadLetter: DeadLetterFile | undefined;
  bus: TelemetryBus;
  batcher: Batcher;
  /** Polled between messages: true once a stop was asked for. */
  stopRequested: () => boolean;
  /** Called after each commit (follow mode measures commit latency). */
  onCommit?: (durationMs: number) => void;
  /**
   * All-or-nothing units (spool): a unit's rows commit at its end with its ledger mark, never in
   * part; a unit that fails is rolled back and handed to `onUnitFailed`.
   */
  atomicUnits?: boolean;
  /** A unit could not be read to its end; says whether it will be retried (its dead letters are dropped then). */
  onUnitFailed?: (plan: UnitPlan, message: string, failure: { permanent: boolean }) => Promise<'retry' | 'failed'>;
  /** A unit's rows and end were committed. */
  onUnitCommitted?: (plan: UnitPlan) => Promise<void>;
  /**
   * Counts of records taken since the last commit, kept up to date here (reset by each commit), so a
   * job that loses its sink mid-batch can take back what it will read again.
   */
  uncommitted?: UncommittedCounts;
}

/** Records counted on the bus but not committed yet. */
export interface UncommittedCounts {
  read: number;
  bad: number;
  skipped: number;
}

/** How the flow ended. */
export type FlowOutcome = 'done' | 'interrupted';

/**
 * The single writer: takes parsed chunks in order, writes their rows into the sink's open batch and
 * commits rows, cursors and the dead-letter mark together when the batch is due (full or old) or the
 * source is idle. A stop request ends the loop after the message in hand, with a final commit.
 */
export async function runFlow(parts: FlowParts): Promise<FlowOutcome> {
  const { sink, bus, deadLetter, batcher } = parts;
  const units = new Map<number, UnitPlan>();
  const pending = new Map<number, UnitCursor>();
  let bytesBefore = 0;
  const unitCounts = new Map<number, { read: number; bad: number }>();
  // Units something was read from (a chunk, or their end), each counted once as read.
  const unitsRead = new Set<number>();
  const noteRead = (unit: number): void => {
    if (unitsRead.has(unit)) return;
    unitsRead.add(unit);
    bus.add('unitsRead', 1);
  };
  let lastYield = Date.now();

  const commit = async (): Promise<void> => {
    const started = performance.now();
    const cursors = [...pending.values()];
    if (sink.flush) {
      const refused = await sink.flush();
      if (refused.length > 0) {
        deadLetter?.add(refused);
        bus.add('bad', refused.length);
      }
    }
    const mark = deadLetter?.flush();
    if (mark) cursors.push(mark);
    const result = await sink.commit(cursors);
    bus.add('written', result.written);
    bus.add('duplicates', result.duplicates);
    pending.clear();
    batcher.reset();
    if (parts.uncommitted) Object.assign(parts.uncommitted, { read: 0, bad: 0, skipped: 0 });
    parts.onCommit?.(performance.now() - started);
  };

  const moveCursor = (unit: number, offset: number, line: number, done: boolean): void => {
    const u = units.get(unit);
    if (!u || u.cursorKey === null) return;
    pending.set(unit, { key: u.cursorKey, unit: u.display, identity: u.identity, size: u.size, offset, line, done, ledger: u.ledger });
  };

  if (bus.snapshot().phase === 'planning') bus.setPhase('ingesting');
  for await (const msg of parts.stage) {
    if (msg.kind === 'unit-start') {
      units.set(msg.unit, msg.plan);
      bus.setUnit(msg.plan.display);
    } else if (msg.kind === 'chunk') {
      noteRead(msg.unit);
      deadLetter?.add(msg.bad);
      let rowCount = 0;
      const plan = units.get(msg.unit);
      const origin = plan ? { cursorKey: plan.cursorKey, unit: plan.display } : undefined;
      for (const rows of msg.rows) {
        const writing = sink.write(rows, origin);
        if (writing) await writing;
        rowCount += rows.count;
      }
      batcher.add(rowCount);
      bus.add('read', msg.records);
      bus.add('bad', msg.bad.length);
      const uc = unitCounts.get(msg.unit) ?? { read: 0, bad: 0 };
      uc.read += msg.records;
      uc.bad += msg.bad.length;
      unitCounts.set(msg.unit, uc);
      bus.add('skipped', msg.skipped);
      if (parts.uncommitted) {
        parts.uncommitted.read += msg.records;
        parts.uncommitted.bad += msg.bad.length;
        parts.uncommitted.skipped += msg.skipped;
      }
      if (msg.warningCount > 0) logWarnings(bus, msg.warnings, msg.warningCount);
      bus.set('bytesDone', bytesBefore + progressBytes(units.get(msg.unit), msg.rawBytes));
      moveCursor(msg.unit, msg.endOffset, msg.endLine, false);
    } else if (msg.kind === 'unit-end') {
      noteRead(msg.unit);
      moveCursor(msg.unit, msg.endOffset, msg.endLine, true);
      batcher.add(0);
      bus.add('unitsDone', 1);
      bytesBefore += progressBytes(units.get(msg.unit), msg.rawBytes);
      bus.set('bytesDone', bytesBefore);
      const plan = units.get(msg.unit);
      units.delete(msg.unit);
      unitCounts.delete(msg.unit);
      if (parts.atomicUnits) {
        await commit();
        if (plan) await parts.onUnitCommitted?.(plan);
      }
    } else if (msg.kind === 'idle') {
      if (batcher.pending) await commit();
    } else if (parts.onUnitFailed) {
      noteRead(msg.unit);
      const plan = units.get(msg.unit);
      units.delete(msg.unit);
      pending.delete(msg.unit);
      await sink.rollback();
      batcher.reset();
      const verdict = plan ? await parts.onUnitFailed(plan, msg.message, { permanent: msg.permanent === true }) : 'failed';
      if (verdict === 'retry') {
        deadLetter?.discardPending();
        const uc = unitCounts.get(msg.unit);
        if (uc) {
          bus.add('read', -uc.read);
          bus.add('bad', -uc.bad);
        }
      }
      unitCounts.delete(msg.unit);
      await commit();
    } else if (msg.damaged) {
      // Damaged data, dead-lettered by the decoder: the good part stands, the unit is done, the run goes on.
      noteRead(msg.unit);
      moveCursor(msg.unit, msg.damaged.endOffset, msg.damaged.endLine, true);
      batcher.add(0);
      bus.add('unitsDone', 1);
      bytesBefore += progressBytes(units.get(msg.unit), msg.damaged.rawBytes);
      bus.set('bytesDone', bytesBefore);
      units.delete(msg.unit);
      unitCounts.delete(msg.unit);
    } else {
      await commit();
      const display = units.get(msg.unit)?.display ?? 'input';
      // Most unit errors name their unit already; the name is not said twice.
      const message = msg.message.startsWith(`${display}: `) ? msg.message : `${display}: ${msg.message}`;
      throw new SluiceError('SLUICE_E_SOURCE', message, { because: msg.because });
    }
    if (parts.stopRequested()) {
      await commit();
      return 'interrupted';
    }
    if (!parts.atomicUnits && batcher.due()) await commit();
    if (Date.now() - lastYield >= YIELD_EVERY_MS) {
      // While chunks are queued the loop runs on microtasks alone; let timers (status file,
      // progress), signals and the parser's messages in.
      await new Promise((resolve) => setImmediate(resolve));
      lastYield = Date.now();
    }
  }
  await commit();
  return 'done';
}

/** Warnings printed per run; the rest are counted in the summary. */
const MAX_WARNINGS_LOGGED = 50;

function logWarnings(bus: TelemetryBus, warnings: readonly string[], count: number): void {
  const before = bus.snapshot().counters.warnings;
  bus.add('warnings', count);
  for (const [i, w] of warnings.entries()) {
    if (before + i >= MAX_WARNINGS_LOGGED) break;
    process.stderr.write(`sluice: warning: ${w}\n`);
  }
  if (before < MAX_WARNINGS_LOGGED && before + count >= MAX_WARNINGS_LOGGED) {
    process.stderr.write(`sluice: warning: more warnings are counted in the summary, not shown\n`);
  }
}

/** Bytes of this unit counted toward progress: those read in this run, not before the cursor. */
function progressBytes(unit: UnitPlan | undefined, rawBytes: number): number {
  if (!unit || unit.gzip) return rawBytes;
  return Math.max(0, rawBytes - unit.startOffset);
}

import type { ParseMessage } from '../core/parse-message.js';
import type { Sink } from '../core/sink.js';
import type { TelemetryBus } from '../core/telemetry-bus.js';

/** What a source gets from the job it runs in. */
export interface SourceContext {
  /** Committed cursors are read from here (a source never writes them: the writer does, with rows). */
  sink: Sink;
  /** Cursor scope: profile and filters, so a filtered run never marks a unit done for another. */
  scope: string;
  /** Aborted on SIGINT/SIGTERM: a source that never ends by itself (follow, spool) ends on it. */
  stop: AbortSignal;
  /** Where the source reports totals, phases and lag. */
  bus: TelemetryBus;
}

/**
 * Finds units and reads them: hands the single writer an ordered stream of `unit-start`, `chunk`,
 * `unit-end` and `idle` messages (decoded and mapped rows with the cursor after them). Reading is
 * paced by the writer: nothing is read far ahead of what it has taken.
 */
export interface Source {
  /** What is read, for logs. */
  readonly description: string;
  /** Plans the units against their committed cursors and starts reading. */
  open(ctx: SourceContext): Promise<AsyncIterable<ParseMessage>>;
  /**
   * Called by the job after each commit: a source that acknowledges upstream (a JetStream stream)
   * acknowledges what it handed for the batches committed so far.
   */
  committed?(): void;
  /** Stops reading and releases threads and handles. */
  close(): Promise<void>;
}

import type { SluiceErrorCode } from '../core/errors.js';
import type { ParseMessage, UnitPlan } from '../core/parse-message.js';
import type { ParseOptions } from './parse-options.js';

/**
 * The writer to a parser thread: start a job, acknowledge one of its chunks, or cancel it. A job
 * that is `fed` reads its one unit (a plan without a path) from the bytes the writer sends with
 * `feed` (a null chunk ends them; `feed-error` ends them with the error the stored stream gave).
 */
export type ToParserThread =
  | { kind: 'run'; job: number; plans: UnitPlan[]; options: ParseOptions; maxInFlight: number; fed?: boolean }
  | { kind: 'ack'; job: number }
  | { kind: 'cancel'; job: number }
  | { kind: 'feed'; job: number; chunk: Uint8Array | null }
  | { kind: 'feed-error'; job: number; message: string };

/**
 * What a job sends: its parse messages, then `done` (also after a cancel), or `fatal`; `fed` when a
 * chunk of fed bytes was taken by the decoder (the writer then sends another).
 */
export type JobMessage = ParseMessage | { kind: 'done' } | { kind: 'fatal'; message: string; code?: Extract<SluiceErrorCode, 'SLUICE_E_NATIVE_MODULE'> | undefined } | { kind: 'fed' };

/** A parser thread to the writer: one message of one job. */
export interface FromParserThread {
  job: number;
  msg: JobMessage;
}
